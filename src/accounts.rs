//! The roster's passwords: generated once, kept outside the bundle's files.
//!
//! `atlasod accounts` keeps `<DIR>/<target>/accounts.csv` (a `username,password`
//! CSV, mode 0600, in the bundle's `.gitignore`, never in its manifest) in step
//! with the roster: a new username gets a fresh random password, a removed one
//! loses its line, every other password stays as it is unless it is rotated on
//! request. The hub reads the file at start: the local bundle's compose secret; on a VM the
//! copy Terraform brings (user data, or Secret Manager on Google Cloud); on Kubernetes the
//! chart's `hub.extraFiles`. The login sheet prints it. Nothing here is part of a build: same
//! spec, same bundle bytes.

use std::io::Write as _;
use std::path::Path;

use crate::error::Error;

/// Letters and digits that cannot be mistaken for one another on paper (no `0`/`o`, `1`/`l`/`i`).
const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";
/// Three groups of four: about 59 bits, typed from a card in a few seconds.
const GROUPS: usize = 3;
const GROUP_LEN: usize = 4;

/// One account's password.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    pub username: String,
    pub password: String,
}

/// Which passwords to replace.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Rotate {
    None,
    All,
    Users(Vec<String>),
}

/// What a sync changed, by username.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Changes {
    pub added: Vec<String>,
    pub rotated: Vec<String>,
    pub removed: Vec<String>,
}

/// A fresh random password from the operating system's generator.
pub fn generate() -> Result<String, Error> {
    let mut out = String::with_capacity(GROUPS * (GROUP_LEN + 1));
    let mut buf = [0u8; 64];
    let mut used = buf.len();
    // 31 letters: bytes of 248 and above would favour the first ones, so they are drawn again.
    let limit = u8::try_from(256 - 256 % ALPHABET.len()).unwrap_or(u8::MAX);
    while out.len() < GROUPS * (GROUP_LEN + 1) - 1 {
        if used == buf.len() {
            getrandom::fill(&mut buf).map_err(|e| {
                Error::Internal(format!("the system's random generator failed: {e}"))
            })?;
            used = 0;
        }
        let byte = buf[used];
        used += 1;
        if byte >= limit {
            continue;
        }
        if out.len() % (GROUP_LEN + 1) == GROUP_LEN {
            out.push('-');
        }
        out.push(char::from(ALPHABET[usize::from(byte) % ALPHABET.len()]));
    }
    Ok(out)
}

/// The accounts of `roster` (in its order): each existing password kept unless `rotate`
/// names it, a new one for each new username; and what changed.
pub fn sync(
    roster: &[String],
    existing: &[Account],
    rotate: &Rotate,
) -> Result<(Vec<Account>, Changes), Error> {
    if let Rotate::Users(names) = rotate {
        if let Some(unknown) = names.iter().find(|n| !roster.contains(n)) {
            return Err(Error::Usage(format!(
                "`{unknown}` is not on the roster, so it has no password to rotate"
            )));
        }
    }
    let mut changes = Changes::default();
    let mut accounts = Vec::with_capacity(roster.len());
    for username in roster {
        let old = existing.iter().find(|a| &a.username == username);
        let rotated = match rotate {
            Rotate::None => false,
            Rotate::All => true,
            Rotate::Users(names) => names.contains(username),
        };
        let password = match old {
            Some(old) if !rotated => old.password.clone(),
            Some(_) => {
                changes.rotated.push(username.clone());
                generate()?
            }
            None => {
                changes.added.push(username.clone());
                generate()?
            }
        };
        accounts.push(Account {
            username: username.clone(),
            password,
        });
    }
    changes.removed = existing
        .iter()
        .filter(|a| !roster.contains(&a.username))
        .map(|a| a.username.clone())
        .collect();
    Ok((accounts, changes))
}

/// The accounts in `path`; none when the file does not exist yet.
pub fn read(path: &Path) -> Result<Vec<Account>, Error> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(source) => {
            return Err(Error::Read {
                path: path.to_path_buf(),
                source,
            });
        }
    };
    Ok(text
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .skip(1)
        .filter_map(|line| {
            let (username, password) = line.split_once(',')?;
            Some(Account {
                username: username.to_owned(),
                password: password.trim_end_matches('\r').to_owned(),
            })
        })
        .collect())
}

/// The file's text: a comment, the header, one line per account. Usernames and
/// passwords hold no `,`, quote or line break, so no field needs quoting.
pub fn render(accounts: &[Account]) -> String {
    let mut text = String::from(
        "# The roster's passwords, written by `atlasod accounts`. Secret: never commit or share this file.\nusername,password\n",
    );
    for a in accounts {
        text.push_str(&a.username);
        text.push(',');
        text.push_str(&a.password);
        text.push('\n');
    }
    text
}

/// Writes `accounts` to `path` with mode 0600 from the start (through a temporary
/// file in the same folder, renamed over the old one).
pub fn write(path: &Path, accounts: &[Account]) -> Result<(), Error> {
    let write_err = |source| Error::Write {
        path: path.to_path_buf(),
        source,
    };
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(write_err)?;
    }
    let tmp = path.with_extension("csv.tmp");
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.mode(0o600);
    }
    let mut file = options.open(&tmp).map_err(write_err)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        file.set_permissions(std::fs::Permissions::from_mode(0o600))
            .map_err(write_err)?;
    }
    file.write_all(render(accounts).as_bytes())
        .and_then(|()| file.sync_all())
        .map_err(write_err)?;
    std::fs::rename(&tmp, path).map_err(write_err)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn passwords_have_three_groups_of_unambiguous_letters() {
        let a = generate().unwrap();
        assert_eq!(a.len(), 14, "{a}");
        assert_eq!(a.matches('-').count(), 2, "{a}");
        assert!(a.bytes().all(|b| b == b'-' || ALPHABET.contains(&b)), "{a}");
        assert_ne!(a, generate().unwrap());
    }

    #[test]
    fn a_sync_keeps_old_passwords_and_rotates_on_request() {
        let (first, changes) = sync(&names(&["ana", "bo"]), &[], &Rotate::None).unwrap();
        assert_eq!(changes.added, names(&["ana", "bo"]));
        let (second, changes) = sync(&names(&["bo", "cy"]), &first, &Rotate::None).unwrap();
        assert_eq!(second[0], first[1], "bo keeps its password");
        assert_eq!(changes.added, names(&["cy"]));
        assert_eq!(changes.removed, names(&["ana"]));
        let (third, changes) = sync(
            &names(&["bo", "cy"]),
            &second,
            &Rotate::Users(names(&["cy"])),
        )
        .unwrap();
        assert_eq!(third[0], second[0]);
        assert_ne!(third[1].password, second[1].password);
        assert_eq!(changes.rotated, names(&["cy"]));
        assert!(sync(&names(&["bo"]), &third, &Rotate::Users(names(&["zz"]))).is_err());
    }

    #[test]
    fn the_file_reads_back_and_is_private() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("local").join("accounts.csv");
        let (accounts, _) = sync(&names(&["ana", "bo"]), &[], &Rotate::None).unwrap();
        write(&path, &accounts).unwrap();
        assert_eq!(read(&path).unwrap(), accounts);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }
}
