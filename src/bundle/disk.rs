//! Reading a bundle back from disk, for `diff` and for safe rebuilds.
//!
//! Input: a bundle folder and the paths of interest (those the manifest
//! lists and those the new build produces). Output: an [`OnDisk`] with the
//! manifest, the files that exist, and which of them were edited by hand
//! since the last build. Files atlasod never wrote (`.env`, Terraform state)
//! are not read unless the new build would produce the same path.

use std::collections::BTreeSet;
use std::path::{Component, Path, PathBuf};

use crate::bundle::manifest::{MANIFEST_PATH, Manifest, STATE_DIR};
use crate::bundle::{Bundle, BundleFile, FileMode};
use crate::error::Error;

/// The journal a build keeps while it swaps files in (see `write.rs`).
pub const JOURNAL_PATH: &str = ".atlasod/journal.json";

#[derive(Debug, Clone, Default)]
pub struct OnDisk {
    pub manifest: Option<Manifest>,
    /// The files of interest that exist, with their mode.
    pub bundle: Bundle,
    /// Paths whose content differs from what the manifest recorded.
    pub edited: BTreeSet<String>,
    /// A build was interrupted while swapping files in; `atlasod build`
    /// restores the previous bundle before anything else.
    pub interrupted: bool,
}

/// Reads the manifest of `dir` and every file it lists or `wanted` names.
pub fn read(dir: &Path, wanted: &Bundle) -> Result<OnDisk, Error> {
    let manifest = Manifest::read(dir)?;
    let mut paths: BTreeSet<&str> = wanted.files.keys().map(String::as_str).collect();
    if let Some(manifest) = &manifest {
        paths.extend(manifest.files.keys().map(String::as_str));
    }
    let mut on_disk = OnDisk {
        interrupted: dir.join(JOURNAL_PATH).exists(),
        ..OnDisk::default()
    };
    for path in paths {
        let Some(file) = read_file(dir, path)? else {
            continue;
        };
        if let Some(entry) = manifest.as_ref().and_then(|m| m.files.get(path)) {
            if !entry.matches(&file.contents) {
                on_disk.edited.insert(path.to_owned());
            }
        }
        on_disk.bundle.files.insert(path.to_owned(), file);
    }
    on_disk.manifest = manifest;
    Ok(on_disk)
}

/// Reads one bundle file; `None` when it does not exist.
pub fn read_file(dir: &Path, path: &str) -> Result<Option<BundleFile>, Error> {
    let full = dir.join(safe_relative(path)?);
    let contents = match std::fs::read(&full) {
        Ok(contents) => contents,
        Err(error)
            if matches!(
                error.kind(),
                std::io::ErrorKind::NotFound | std::io::ErrorKind::NotADirectory
            ) =>
        {
            return Ok(None);
        }
        Err(source) => return Err(Error::Read { path: full, source }),
    };
    Ok(Some(BundleFile {
        contents,
        mode: mode_of(&full),
    }))
}

#[cfg(unix)]
fn mode_of(path: &Path) -> FileMode {
    use std::os::unix::fs::PermissionsExt;
    match std::fs::metadata(path) {
        Ok(meta) if meta.permissions().mode() & 0o111 != 0 => FileMode::Executable,
        _ => FileMode::Regular,
    }
}

#[cfg(not(unix))]
fn mode_of(_path: &Path) -> FileMode {
    FileMode::Regular
}

/// A bundle path as a relative filesystem path, refusing anything that could
/// leave the bundle folder (`..`, absolute paths) or touch atlasod's own state.
pub fn safe_relative(path: &str) -> Result<PathBuf, Error> {
    let relative = Path::new(path);
    let ok = !path.is_empty()
        && relative
            .components()
            .all(|c| matches!(c, Component::Normal(_)))
        && relative
            .components()
            .next()
            .is_some_and(|c| c.as_os_str() != STATE_DIR);
    if ok {
        Ok(relative.to_path_buf())
    } else {
        Err(Error::Usage(format!(
            "`{path}` is not a path inside a bundle; if `{MANIFEST_PATH}` lists it, the manifest was edited: restore it from the last build"
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unsafe_paths_are_refused() {
        for bad in [
            "",
            "../x",
            "/etc/passwd",
            "a/../../b",
            ".atlasod/manifest.json",
            "./a",
        ] {
            assert!(safe_relative(bad).is_err(), "{bad:?} accepted");
        }
        for good in [
            "README.md",
            "terraform/main.tf",
            ".env.example",
            ".gitignore",
        ] {
            assert!(safe_relative(good).is_ok(), "{good:?} refused");
        }
    }
}
