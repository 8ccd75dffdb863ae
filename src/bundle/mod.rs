//! Stage 5, bundle: the files a target renders, and writing them to disk
//! safely (comparing them with disk is [`crate::diff`]'s).
//!
//! A [`Bundle`] maps relative paths (with `/`) to contents, in sorted order,
//! so two builds of the same spec compare byte for byte. Beside the files it
//! carries [`TargetFacts`]: what the target says about the infrastructure
//! the files create (the machine, the data disk, secrets), for the semantic
//! diff. Only this stage writes files.
//!
//! - [`write`] (`write.rs`): manifest-based, atomic rebuilds that never
//!   overwrite a file edited by hand.
//! - [`manifest`]: `.atlasod/manifest.json`, what the last build wrote.

pub mod disk;
pub mod facts;
pub(crate) mod hash;
pub mod manifest;
pub mod write;

use std::collections::BTreeMap;

pub use facts::TargetFacts;
pub use hash::{blake3_hex, sha256_hex};
pub use manifest::Manifest;
pub use write::{
    Conflict, ConflictKind, Refused, WriteError, WriteOptions, WriteReport, write, write_files,
};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub enum FileMode {
    #[default]
    Regular,
    Executable,
}

impl FileMode {
    /// The Unix permission bits atlasod gives such a file.
    pub const fn unix_bits(self) -> u32 {
        match self {
            Self::Regular => 0o644,
            Self::Executable => 0o755,
        }
    }

    pub const fn is_executable(self) -> bool {
        matches!(self, Self::Executable)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BundleFile {
    pub contents: Vec<u8>,
    pub mode: FileMode,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Bundle {
    pub files: BTreeMap<String, BundleFile>,
    /// What the target knows about the infrastructure these files create.
    /// Targets fill what they know; the rest stays `None`.
    pub facts: TargetFacts,
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
