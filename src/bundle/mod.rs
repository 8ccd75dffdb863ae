//! Stage 5, bundle: the files a target renders, and writing them to disk.
//!
//! A [`Bundle`] maps relative paths (with `/`) to contents, in sorted order,
//! so two builds of the same spec compare byte for byte. Only this stage
//! writes files.

use std::collections::BTreeMap;
use std::path::Path;

use crate::error::Error;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub enum FileMode {
    #[default]
    Regular,
    Executable,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BundleFile {
    pub contents: Vec<u8>,
    pub mode: FileMode,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Bundle {
    pub files: BTreeMap<String, BundleFile>,
}

impl Bundle {
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a regular file; `path` is relative and uses `/`.
    pub fn add(&mut self, path: impl Into<String>, contents: impl Into<Vec<u8>>) {
        self.files.insert(
            path.into(),
            BundleFile {
                contents: contents.into(),
                mode: FileMode::Regular,
            },
        );
    }

    pub fn add_executable(&mut self, path: impl Into<String>, contents: impl Into<Vec<u8>>) {
        self.files.insert(
            path.into(),
            BundleFile {
                contents: contents.into(),
                mode: FileMode::Executable,
            },
        );
    }

    /// Places every file of `other` under `prefix/`.
    pub fn nest(&mut self, prefix: &str, other: Bundle) {
        for (path, file) in other.files {
            self.files.insert(format!("{prefix}/{path}"), file);
        }
    }

    pub fn get(&self, path: &str) -> Option<&BundleFile> {
        self.files.get(path)
    }

    /// The text of a file, for tests and summaries.
    pub fn text(&self, path: &str) -> Option<&str> {
        self.get(path)
            .and_then(|f| std::str::from_utf8(&f.contents).ok())
    }
}

/// Writes every file of `bundle` under `dir`, creating folders as needed.
pub fn write(bundle: &Bundle, dir: &Path) -> Result<(), Error> {
    for (path, file) in &bundle.files {
        let target = dir.join(path);
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent).map_err(|source| Error::Write {
                path: parent.to_path_buf(),
                source,
            })?;
        }
        std::fs::write(&target, &file.contents).map_err(|source| Error::Write {
            path: target.clone(),
            source,
        })?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = match file.mode {
                FileMode::Regular => 0o644,
                FileMode::Executable => 0o755,
            };
            std::fs::set_permissions(&target, std::fs::Permissions::from_mode(mode)).map_err(
                |source| Error::Write {
                    path: target.clone(),
                    source,
                },
            )?;
        }
    }
    Ok(())
}
