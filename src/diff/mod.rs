//! What would change: a new bundle against the one on disk, or two bundles.
//!
//! - [`record`]: the facts of one build a trainer cares about, kept in the
//!   manifest; [`semantic`]: what changed between two of them, in words.
//! - this file: the per-file changes and the [`DiffReport`] that holds both.
//!
//! Input: the new [`Bundle`] and [`BuildRecord`], and either the bundle folder
//! on disk (its manifest and files) or an old bundle and summary rendered in
//! memory from another spec. Output: a [`DiffReport`]: the semantic changes
//! (dangerous first), then every added, changed or removed file with a
//! unified diff. Read-only: nothing here writes. Deterministic: files in
//! path order, diffs without time limits.

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::path::Path;

use serde::Serialize;
use similar::TextDiff;

pub mod record;
pub mod semantic;

use crate::bundle::disk;
use crate::bundle::{Bundle, BundleFile};
use crate::diff::record::BuildRecord;
use crate::diff::semantic::Change;
use crate::error::Error;
use crate::spec::Target;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum FileStatus {
    Added,
    Changed,
    Removed,
}

impl FileStatus {
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Added => "added",
            Self::Changed => "changed",
            Self::Removed => "removed",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileChange {
    pub path: String,
    pub status: FileStatus,
    pub old: Option<BundleFile>,
    pub new: Option<BundleFile>,
    /// Why the disk copy is not atlasod's: `edited by hand since the last build`.
    pub note: Option<&'static str>,
}

pub const EDITED_NOTE: &str = "edited by hand since the last build";
pub const FOREIGN_NOTE: &str = "not written by atlasod";

impl FileChange {
    /// A unified diff with `a/` and `b/` headers, or a one-line note for
    /// binary files; a change of mode only is said in words.
    pub fn unified(&self) -> String {
        let empty = BundleFile {
            contents: Vec::new(),
            mode: crate::bundle::FileMode::Regular,
        };
        let old = self.old.as_ref().unwrap_or(&empty);
        let new = self.new.as_ref().unwrap_or(&empty);
        let (a, b) = match self.status {
            FileStatus::Added => ("/dev/null".to_owned(), format!("b/{}", self.path)),
            FileStatus::Removed => (format!("a/{}", self.path), "/dev/null".to_owned()),
            FileStatus::Changed => (format!("a/{}", self.path), format!("b/{}", self.path)),
        };
        let mut text = String::new();
        if self.status == FileStatus::Changed && old.mode != new.mode {
            let _ = writeln!(
                text,
                "mode {:o} → {:o}: {}",
                old.mode.unix_bits(),
                new.mode.unix_bits(),
                self.path
            );
        }
        if old.contents == new.contents {
            return text;
        }
        match (
            std::str::from_utf8(&old.contents),
            std::str::from_utf8(&new.contents),
        ) {
            (Ok(old), Ok(new)) => {
                let diff = TextDiff::from_lines(old, new);
                let _ = write!(
                    text,
                    "{}",
                    diff.unified_diff()
                        .context_radius(3)
                        .missing_newline_hint(true)
                        .header(&a, &b)
                );
            }
            _ => {
                let _ = writeln!(text, "binary files {a} and {b} differ");
            }
        }
        text
    }
}

/// Everything `atlasod diff` says about one target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DiffReport {
    pub target: Target,
    /// What the new bundle is compared with: `bundle/local`, `old.yaml`, `main:workshop.yaml`.
    pub old_label: String,
    /// Where the new bundle comes from: the spec's name.
    pub new_label: String,
    /// The semantic changes, dangerous first.
    pub changes: Vec<Change>,
    /// Changed files, in path order.
    pub files: Vec<FileChange>,
    /// Things the reader should know about the comparison itself.
    pub notes: Vec<String>,
}

impl DiffReport {
    pub fn has_changes(&self) -> bool {
        !self.files.is_empty() || !self.changes.is_empty()
    }

    pub fn dangers(&self) -> usize {
        self.changes.iter().filter(|c| c.danger).count()
    }

    pub fn count(&self, status: FileStatus) -> usize {
        self.files.iter().filter(|f| f.status == status).count()
    }
}

/// The files that differ between `old` and `new`, in path order.
pub fn compare_files(old: &Bundle, new: &Bundle) -> Vec<FileChange> {
    let paths: BTreeSet<&String> = old.files.keys().chain(new.files.keys()).collect();
    paths
        .into_iter()
        .filter_map(|path| {
            let (a, b) = (old.files.get(path), new.files.get(path));
            let status = match (a, b) {
                (None, Some(_)) => FileStatus::Added,
                (Some(_), None) => FileStatus::Removed,
                (Some(a), Some(b)) if a != b => FileStatus::Changed,
                _ => return None,
            };
            Some(FileChange {
                path: path.clone(),
                status,
                old: a.cloned(),
                new: b.cloned(),
                note: None,
            })
        })
        .collect()
}

/// Compares two builds held in memory (two specs). `old` is `None` when the
/// old spec does not exist or does not declare this target.
pub fn between(
    target: Target,
    old: Option<(&Bundle, &BuildRecord)>,
    new: (&Bundle, &BuildRecord),
    old_label: &str,
    new_label: &str,
) -> DiffReport {
    let empty = Bundle::new();
    let (old_bundle, old_record) = match old {
        Some((bundle, record)) => (bundle, Some(record)),
        None => (&empty, None),
    };
    let mut notes = Vec::new();
    if old.is_none() {
        notes.push(format!(
            "{old_label} has no `{target}` bundle: every file is new"
        ));
    }
    DiffReport {
        target,
        old_label: old_label.to_owned(),
        new_label: new_label.to_owned(),
        changes: old_record.map_or_else(Vec::new, |s| semantic::compare(s, new.1)),
        files: compare_files(old_bundle, new.0),
        notes,
    }
}

/// Compares a new build with the bundle in `dir`: the files its manifest
/// lists and any file the new build would write.
pub fn against_disk(
    target: Target,
    new: &Bundle,
    record: &BuildRecord,
    dir: &Path,
    new_label: &str,
) -> Result<DiffReport, Error> {
    let old_label = dir.display().to_string();
    let mut notes = Vec::new();
    let on_disk = disk::read(dir, new)?;
    if on_disk.interrupted {
        notes.push(format!(
            "a build of {old_label} was interrupted; `atlasod build` restores the previous bundle before anything else"
        ));
    }
    let changes = match &on_disk.manifest {
        None if !dir.exists() => {
            notes.push(format!(
                "nothing is built in {old_label} yet: every file is new"
            ));
            Vec::new()
        }
        None => {
            notes.push(format!(
                "{old_label} has no manifest (`atlasod build` writes one): showing file changes only"
            ));
            Vec::new()
        }
        Some(manifest) => {
            if manifest.atlasod_version != env!("CARGO_PKG_VERSION") {
                notes.push(format!(
                    "{old_label} was built by atlasod {}; this is {}: some changes may come from the new version",
                    manifest.atlasod_version,
                    env!("CARGO_PKG_VERSION")
                ));
            }
            if manifest.target != target.as_str() {
                notes.push(format!(
                    "{old_label} holds a `{}` bundle, not `{target}`",
                    manifest.target
                ));
            }
            match &manifest.record {
                Some(old) => semantic::compare(old, record),
                None => Vec::new(),
            }
        }
    };
    let mut files = compare_files(&on_disk.bundle, new);
    for file in &mut files {
        let listed = on_disk
            .manifest
            .as_ref()
            .is_some_and(|m| m.files.contains_key(&file.path));
        file.note = if on_disk.edited.contains(&file.path) {
            Some(EDITED_NOTE)
        } else if file.old.is_some() && !listed && on_disk.manifest.is_some() {
            Some(FOREIGN_NOTE)
        } else {
            None
        };
    }
    Ok(DiffReport {
        target,
        old_label,
        new_label: new_label.to_owned(),
        changes,
        files,
        notes,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unified_diff_has_headers_and_hunks() {
        let mut old = Bundle::new();
        old.add("a.txt", "one\ntwo\nthree\n");
        old.add("gone.txt", "bye\n");
        let mut new = Bundle::new();
        new.add("a.txt", "one\n2\nthree\n");
        new.add("new.txt", "hi\n");
        let files = compare_files(&old, &new);
        let statuses: Vec<_> = files.iter().map(|f| (f.path.as_str(), f.status)).collect();
        assert_eq!(
            statuses,
            [
                ("a.txt", FileStatus::Changed),
                ("gone.txt", FileStatus::Removed),
                ("new.txt", FileStatus::Added)
            ]
        );
        assert_eq!(
            files[0].unified(),
            "--- a/a.txt\n+++ b/a.txt\n@@ -1,3 +1,3 @@\n one\n-two\n+2\n three\n"
        );
        assert!(
            files[2]
                .unified()
                .starts_with("--- /dev/null\n+++ b/new.txt\n")
        );
    }

    #[test]
    fn mode_and_binary_changes_are_said_in_words() {
        let mut old = Bundle::new();
        old.add("run.sh", "echo\n");
        old.add("blob", vec![0xff, 0x00]);
        let mut new = Bundle::new();
        new.add_executable("run.sh", "echo\n");
        new.add("blob", vec![0xfe, 0x00]);
        let files = compare_files(&old, &new);
        assert_eq!(
            files[0].unified(),
            "binary files a/blob and b/blob differ\n"
        );
        assert_eq!(files[1].unified(), "mode 644 → 755: run.sh\n");
    }
}
