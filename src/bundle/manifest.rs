//! `.atlasod/manifest.json`: what the last build wrote into a bundle folder.
//!
//! Lists every generated file with its BLAKE3 hash and mode, the fingerprint
//! (SHA-256) of the spec it came from, the atlasod version, and the build's
//! [`BuildRecord`] (for the semantic diff). A rebuild compares the files on
//! disk with these hashes to tell a hand edit from atlasod's own output.
//! Deterministic: keys sorted, no timestamps, no host data; the same spec
//! gives the same manifest.
//!
//! Format 1 (the earlier builds of atlasod 0.1.0) recorded each file's
//! SHA-256; format 2 records its BLAKE3, a tenth of the instructions without
//! the CPU's SHA extensions (every file of every bundle is hashed). A format-1 manifest is
//! still read, and its files still checked against their SHA-256, so a bundle
//! built by an older atlasod keeps its hand edits; the next build writes format 2.

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::bundle::Bundle;
use crate::bundle::hash::{blake3_hex, sha256_hex};
use crate::diff::record::BuildRecord;
use crate::error::Error;

/// The folder, inside a bundle, that atlasod keeps its bookkeeping in.
pub const STATE_DIR: &str = ".atlasod";
/// The manifest's path inside a bundle.
pub const MANIFEST_PATH: &str = ".atlasod/manifest.json";
/// The manifest format this atlasod writes.
pub const FORMAT: u32 = 2;

const ABOUT: &str = "Written by `atlasod build`: the files it generated, with their BLAKE3 hash. \
`atlasod build` refuses to overwrite a file whose content no longer matches (edited by hand) \
unless given --force; `atlasod diff` compares the spec with this bundle. Do not edit.";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    #[serde(default)]
    pub about: String,
    pub format: u32,
    pub atlasod_version: String,
    pub target: String,
    /// SHA-256 of the spec's bytes.
    pub spec_sha256: String,
    pub files: BTreeMap<String, ManifestFile>,
    /// What the build was, for `atlasod diff` (the key predates the name).
    #[serde(default, rename = "summary")]
    pub record: Option<BuildRecord>,
}

/// One generated file: its hash and whether it is executable.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ManifestFile {
    /// BLAKE3 of the contents, as hex (format 2).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub blake3: Option<String>,
    /// SHA-256 of the contents, as hex (format 1, written by older releases).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sha256: Option<String>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub executable: bool,
}

impl ManifestFile {
    /// The entry this atlasod writes for a file with `contents`.
    pub fn new(contents: &[u8], executable: bool) -> Self {
        Self {
            blake3: Some(blake3_hex(contents)),
            sha256: None,
            executable,
        }
    }

    /// Whether `contents` is the file this entry records: by its BLAKE3, or,
    /// in a format-1 manifest, by its SHA-256. An entry with neither matches
    /// nothing (the file counts as edited by hand, so it is never lost).
    pub fn matches(&self, contents: &[u8]) -> bool {
        match (&self.blake3, &self.sha256) {
            (Some(blake3), _) => *blake3 == blake3_hex(contents),
            (None, Some(sha256)) => *sha256 == sha256_hex(contents),
            (None, None) => false,
        }
    }
}

impl Manifest {
    /// The manifest of `bundle` as built from a spec with this fingerprint.
    pub fn new(bundle: &Bundle, target: &str, spec_sha256: &str, record: BuildRecord) -> Self {
        Self {
            about: ABOUT.to_owned(),
            format: FORMAT,
            atlasod_version: env!("CARGO_PKG_VERSION").to_owned(),
            target: target.to_owned(),
            spec_sha256: spec_sha256.to_owned(),
            files: bundle
                .files
                .iter()
                .map(|(path, file)| {
                    let entry = ManifestFile::new(&file.contents, file.mode.is_executable());
                    (path.clone(), entry)
                })
                .collect(),
            record: Some(record),
        }
    }

    /// Pretty JSON with a final newline.
    pub fn to_json(&self) -> String {
        let mut text = serde_json::to_string_pretty(self).unwrap_or_default();
        text.push('\n');
        text
    }

    /// Reads the manifest of the bundle in `dir`; `None` when there is none.
    pub fn read(dir: &Path) -> Result<Option<Self>, Error> {
        let path = dir.join(MANIFEST_PATH);
        let bytes = match std::fs::read(&path) {
            Ok(bytes) => bytes,
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(source) => return Err(Error::Read { path, source }),
        };
        let manifest: Self = serde_json::from_slice(&bytes).map_err(|error| {
            Error::Usage(format!(
                "the manifest `{}` is damaged ({error}); atlasod cannot tell which files were edited by hand. Restore it (e.g. from git), or delete it and run `atlasod build --force`: hand-edited files are then saved under `{}/edited/`",
                path.display(),
                dir.join(STATE_DIR).display()
            ))
        })?;
        if manifest.format > FORMAT {
            return Err(Error::Usage(format!(
                "`{}` was written by a newer atlasod ({}, manifest format {}); this is atlasod {}. Upgrade atlasod to rebuild or diff this bundle",
                path.display(),
                manifest.atlasod_version,
                manifest.format,
                env!("CARGO_PKG_VERSION")
            )));
        }
        Ok(Some(manifest))
    }
}
