//! `access.ssh_public_key`: the key must be one the clouds accept, not only
//! look like one. The schema checks the line's shape (type, base64, comment);
//! here the base64 is decoded and read as the OpenSSH wire format (RFC 4253
//! section 6.6, RFC 5656, PROTOCOL.u2f): the type inside must be the type the
//! line names, every field must be there with its length, and nothing may
//! follow. EC2 refuses a key that fails this (`InvalidKeyPair.Format`) after
//! Terraform has created half of the workshop.

use super::Rules;
use crate::diagnostic::Code;
use crate::parse::Step;

impl Rules<'_> {
    pub(super) fn ssh_key(&mut self) {
        let Some(line) = &self.spec.access.ssh_public_key else {
            return;
        };
        let Err(problem) = check(line) else {
            return;
        };
        let diagnostic = self
            .error(
                Code::InvalidSshKey,
                self.value(&[Step::Key("access"), Step::Key("ssh_public_key")]),
                format!("`access.ssh_public_key` is not a usable OpenSSH public key: {problem}"),
            )
            .label("not an OpenSSH public key")
            .help("copy the whole line of your `.pub` file (`cat ~/.ssh/id_ed25519.pub`), or make a key with `ssh-keygen -t ed25519`")
            .note("the clouds decode the key: EC2 refuses one that does not parse, after Terraform has created part of the workshop");
        self.out.push(diagnostic);
    }
}

/// Why the public key `line` (`TYPE BASE64 [COMMENT]`) is not a key, if it is not.
pub(crate) fn check(line: &str) -> Result<(), String> {
    let mut words = line.split_ascii_whitespace();
    let kind = words.next().unwrap_or_default();
    let blob = decode(words.next().unwrap_or_default())
        .ok_or_else(|| "its second word is not base64".to_owned())?;
    let mut reader = Reader(&blob);
    let inner = reader.string("the key type")?;
    if inner != kind.as_bytes() {
        return Err(format!(
            "the line says `{kind}` but the key inside is `{}`",
            String::from_utf8_lossy(inner).escape_default()
        ));
    }
    match kind {
        "ssh-ed25519" => reader.exact("the ed25519 key", 32)?,
        "sk-ssh-ed25519@openssh.com" => {
            reader.exact("the ed25519 key", 32)?;
            reader.string("the application")?;
        }
        "ssh-rsa" => {
            reader.string("the RSA exponent")?;
            let modulus = reader.string("the RSA modulus")?;
            let bits = modulus
                .len()
                .saturating_sub(usize::from(modulus.first() == Some(&0)))
                * 8;
            if bits < 2048 {
                return Err(format!(
                    "its RSA modulus has about {bits} bits, and the clouds ask for at least 2048"
                ));
            }
        }
        "ssh-dss" => {
            for field in ["p", "q", "g", "y"] {
                reader.string(&format!("the DSA parameter {field}"))?;
            }
        }
        _ => {
            let curve = kind
                .strip_prefix("ecdsa-sha2-")
                .or_else(|| {
                    kind.strip_prefix("sk-ecdsa-sha2-")
                        .and_then(|k| k.strip_suffix("@openssh.com"))
                })
                .ok_or_else(|| format!("`{kind}` is not a key type"))?;
            if reader.string("the curve name")? != curve.as_bytes() {
                return Err(format!("the curve inside is not `{curve}`"));
            }
            let point = match curve {
                "nistp256" => 65,
                "nistp384" => 97,
                "nistp521" => 133,
                _ => return Err(format!("`{curve}` is not a curve OpenSSH knows")),
            };
            reader.exact("the curve point", point)?;
            if kind.starts_with("sk-") {
                reader.string("the application")?;
            }
        }
    }
    if reader.0.is_empty() {
        Ok(())
    } else {
        Err(format!("{} bytes follow the key", reader.0.len()))
    }
}

/// The fields of a key blob: each a 4-byte big-endian length, then the bytes.
struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn string(&mut self, what: &str) -> Result<&'a [u8], String> {
        let short = || format!("it ends before {what}");
        let (len, rest) = self.0.split_first_chunk::<4>().ok_or_else(short)?;
        let len = usize::try_from(u32::from_be_bytes(*len)).map_err(|_| short())?;
        if rest.len() < len {
            return Err(format!(
                "{what} is cut short: {} of {len} bytes",
                rest.len()
            ));
        }
        let (field, rest) = rest.split_at(len);
        self.0 = rest;
        Ok(field)
    }

    fn exact(&mut self, what: &str, len: usize) -> Result<(), String> {
        let field = self.string(what)?;
        if field.len() == len {
            Ok(())
        } else {
            Err(format!("{what} has {} bytes instead of {len}", field.len()))
        }
    }
}

/// Standard base64 with optional padding; `None` for anything else.
fn decode(text: &str) -> Option<Vec<u8>> {
    let text = text.trim_end_matches('=');
    let mut out = Vec::with_capacity(text.len() * 3 / 4);
    let mut acc: u32 = 0;
    let mut bits = 0;
    for c in text.bytes() {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        };
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push(u8::try_from((acc >> bits) & 0xff).ok()?);
        }
    }
    (text.len() % 4 != 1).then_some(out)
}

#[cfg(test)]
mod tests {
    use super::check;

    #[test]
    fn real_keys_pass_and_made_up_ones_do_not() {
        // ssh-keygen -t ed25519 / -t rsa -b 2048 / -t ecdsa -b 256
        for key in [
            "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAICWecsM3NwdaYR8hTaxjCtGNPURpHMbGjzynwUFebBBy trainer@laptop",
            "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQCRp25peLtRWyXV5StifnyMxZXaioNECzFuHtsOEhUvLamHqh5VejBvVepfmdWPGDAsJzvWP0+Xq8oSG93uSFaXgAFU3KkoFPrKFm3+YQ5up2yPhkr21/82KSMG+hdVJM81IHHs+DFSNGOnsMwTTytG0FDvdiOKWbUkZCuO1csfoEOr+rc6+ccdkTo8vr97f2h6ze9KBsgqdH7jGc0zT4tQKu/lkgGs9ANpmSaGTCbChtHtrIV5Q+XAkdx02s3YN0jT2CSZ2zvIxDTEv0I4ZPC4LBPjFyFW+CScJmFMHmyYBPDTJbNwewEGnpjJHffwjVbyOvGy6McZokX4hez7czgF t",
            "ecdsa-sha2-nistp384 AAAAE2VjZHNhLXNoYTItbmlzdHAzODQAAAAIbmlzdHAzODQAAABhBPFFI/H6rJaafyiOzxjrqeCR+U4+70UyTN0pUUvntMiyFAySK8Lr6aDJ7nJuoZwcA6enGSm5Z3gC0igVcTwl9Y9CfsMX/Daow2h/XMcB5HPQ+Qnl/in4Shbm1cKQngUITw== t",
        ] {
            assert_eq!(check(key), Ok(()), "{key}");
        }
        for (key, why) in [
            (
                "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHRyYWluZXJrZXlleGFtcGxlZm9ybWFzdGVyY2xhc3M trainer@laptop",
                "the ed25519 key is cut short: 31 of 32 bytes",
            ),
            (
                "ssh-rsa AAAAC3NzaC1lZDI1NTE5AAAAICWecsM3NwdaYR8hTaxjCtGNPURpHMbGjzynwUFebBBy",
                "the line says `ssh-rsa` but the key inside is `ssh-ed25519`",
            ),
            ("ssh-ed25519 AAAA", "it ends before the key type"),
        ] {
            assert_eq!(check(key), Err(why.to_owned()), "{key}");
        }
    }
}
