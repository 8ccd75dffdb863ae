//! Writing a bundle to disk: safe, atomic rebuilds.
//!
//! Input: the new [`Bundle`], its [`Manifest`], the bundle folder and
//! [`WriteOptions`]. Output: a [`WriteReport`], or [`WriteError::Refused`]
//! listing files edited by hand, before anything was written.
//!
//! Rules, checked against the previous build's manifest:
//! - a file whose disk content still matches the manifest is atlasod's: it is
//!   replaced, or removed when the new spec no longer produces it;
//! - a file edited by hand since (or present but never written by atlasod)
//!   is never overwritten or removed silently: the build is refused, and
//!   `--force` replaces it after saving the edited copy under
//!   `.atlasod/edited/`; an edited file atlasod would write unchanged is
//!   simply left alone;
//! - files atlasod never wrote (`.env`, Terraform state) are not touched.
//!
//! Atomicity. Phase 1 stages every new file under `.atlasod/staging/`
//! (fsynced) and keeps a copy of every file it will replace or remove under
//! `.atlasod/rollback/`; the live bundle is untouched, so an interruption
//! leaves it as it was. Phase 2 writes `.atlasod/journal.json` (atomically),
//! then renames the staged files into place and the new manifest last. A
//! failure during phase 2 restores the rollback copies at once; a kill
//! leaves the journal, and the next build (or [`recover`]) restores the
//! previous bundle from it before doing anything else. Every file on disk is
//! always whole: old or new, never half-written.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::bundle::disk::{JOURNAL_PATH, read_file, safe_relative};
use crate::bundle::hash::sha256_hex;
use crate::bundle::manifest::{MANIFEST_PATH, Manifest};
use crate::bundle::{Bundle, FileMode};
use crate::diff::record::BuildRecord;
use crate::error::Error;

const STAGING: &str = ".atlasod/staging";
const ROLLBACK: &str = ".atlasod/rollback";
const EDITED: &str = ".atlasod/edited";
const MANIFEST_TMP: &str = ".atlasod/manifest.json.tmp";
const GITIGNORE: &str = ".atlasod/.gitignore";
const GITIGNORE_TEXT: &str = "# atlasod's scratch space during a build; commit manifest.json, not these\n/staging/\n/rollback/\n/edited/\n/journal.json\n/*.tmp\n";

#[derive(Debug, Clone, Copy, Default)]
pub struct WriteOptions {
    /// Replace or remove files edited by hand (their edited copies are saved).
    pub force: bool,
}

/// One filesystem step of a build, named for fault injection in tests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WriteStep<'a> {
    /// Writing a file (or the manifest, as `.atlasod/manifest.json`) to the staging area.
    Stage(&'a str),
    /// Writing the journal that starts phase 2.
    Journal,
    /// Renaming a staged file into place.
    Commit(&'a str),
    /// Removing a file the new spec no longer produces.
    Remove(&'a str),
    /// Renaming the new manifest into place: the last step.
    Manifest,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WriteReport {
    /// Files added or replaced.
    pub written: Vec<String>,
    /// Files removed because the new spec no longer produces them.
    pub removed: Vec<String>,
    pub unchanged: usize,
    /// Files edited by hand that this build would have written unchanged: left as they are.
    pub kept_edits: Vec<String>,
    /// `--force`: edited files replaced or removed, and where (inside the
    /// bundle folder) their edited copy was saved.
    pub saved_edits: Vec<(String, String)>,
    /// An interrupted build was found and the bundle it left was restored first.
    pub recovered: bool,
}

#[derive(Debug)]
pub enum WriteError {
    Failed(Error),
    Refused(Refused),
}

impl From<Error> for WriteError {
    fn from(error: Error) -> Self {
        Self::Failed(error)
    }
}

/// The build stopped before writing anything: these files hold hand edits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refused {
    pub dir: PathBuf,
    pub conflicts: Vec<Conflict>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Conflict {
    pub path: String,
    pub kind: ConflictKind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConflictKind {
    /// Edited by hand since the last build; the new build changes it.
    Edited,
    /// Edited by hand since the last build; the new spec no longer produces it.
    EditedNoLongerGenerated,
    /// Exists but was not written by atlasod (no manifest entry), and differs.
    NotFromAtlasod,
}

impl ConflictKind {
    pub const fn describe(self) -> &'static str {
        match self {
            Self::Edited => "edited by hand; the new build changes it",
            Self::EditedNoLongerGenerated => {
                "edited by hand; the new spec no longer produces it, so it would be removed"
            }
            Self::NotFromAtlasod => "not written by atlasod; the build would replace it",
        }
    }
}

/// The journal of phase 2: enough to undo it after a kill.
#[derive(Debug, Serialize, Deserialize)]
struct Journal {
    /// Files that did not exist before this build.
    added: Vec<String>,
    /// Files that existed and are replaced or removed; a copy is in `rollback/`.
    replaced: Vec<String>,
    removed: Vec<String>,
    /// SHA-256 of the new manifest: when it is in place, the build completed.
    manifest_sha256: String,
}

struct WriteOp {
    path: String,
    existed: bool,
    save_edit: bool,
}

struct RemoveOp {
    path: String,
    save_edit: bool,
}

/// Writes `bundle` into `dir` following the rules above.
pub fn write(
    bundle: &Bundle,
    manifest: &Manifest,
    dir: &Path,
    options: WriteOptions,
) -> Result<WriteReport, WriteError> {
    write_with(bundle, manifest, dir, options, &mut |_| Ok(()))
}

/// [`write`] with a manifest that records the files but no plan summary, for
/// tools and tests that need a bundle on disk without a spec behind it (a
/// later `atlasod diff` then has no settings to compare, only files).
pub fn write_files(bundle: &Bundle, dir: &Path) -> Result<WriteReport, WriteError> {
    let manifest = Manifest::new(bundle, "", "", BuildRecord::default());
    write(bundle, &manifest, dir, WriteOptions::default())
}

/// [`write`], calling `hook` before every filesystem step; an error from the
/// hook is treated as that step failing. Tests use it to interrupt a build.
pub fn write_with(
    bundle: &Bundle,
    manifest: &Manifest,
    dir: &Path,
    options: WriteOptions,
    hook: &mut dyn FnMut(WriteStep<'_>) -> std::io::Result<()>,
) -> Result<WriteReport, WriteError> {
    std::fs::create_dir_all(dir).map_err(|source| Error::Write {
        path: dir.to_path_buf(),
        source,
    })?;
    let mut report = WriteReport {
        recovered: recover(dir)?,
        ..WriteReport::default()
    };
    let old = Manifest::read(dir)?;
    let (writes, removes) = plan(bundle, old.as_ref(), dir, options, &mut report)?;
    let manifest_text = manifest.to_json();
    let old_text = old.as_ref().map(Manifest::to_json);
    if writes.is_empty() && removes.is_empty() && old_text.as_deref() == Some(&manifest_text) {
        return Ok(report);
    }

    // Phase 1: stage; the live bundle is untouched.
    let staged = stage(
        bundle,
        dir,
        &writes,
        &removes,
        &manifest_text,
        hook,
        &mut report,
    );
    if let Err(error) = staged {
        clean_scratch(dir);
        return Err(error.into());
    }
    let journal = Journal {
        added: writes
            .iter()
            .filter(|w| !w.existed)
            .map(|w| w.path.clone())
            .collect(),
        replaced: writes
            .iter()
            .filter(|w| w.existed)
            .map(|w| w.path.clone())
            .collect(),
        removed: removes.iter().map(|r| r.path.clone()).collect(),
        manifest_sha256: sha256_hex(manifest_text.as_bytes()),
    };
    let journaled = hook(WriteStep::Journal)
        .map_err(|source| Error::Write {
            path: dir.join(JOURNAL_PATH),
            source,
        })
        .and_then(|()| {
            let text = serde_json::to_string_pretty(&journal).unwrap_or_default();
            write_atomic(&dir.join(JOURNAL_PATH), text.as_bytes())
        });
    if let Err(error) = journaled {
        clean_scratch(dir);
        return Err(error.into());
    }

    // Phase 2: swap in; on failure, restore the previous bundle at once.
    if let Err(error) = commit(dir, &writes, &removes, hook) {
        let restored = roll_back(dir, &journal).and_then(|()| {
            std::fs::remove_file(dir.join(JOURNAL_PATH)).map_err(|source| Error::Write {
                path: dir.join(JOURNAL_PATH),
                source,
            })
        });
        if restored.is_ok() {
            clean_scratch(dir);
        }
        return Err(match restored {
            Ok(()) => Error::Write {
                path: dir.to_path_buf(),
                source: std::io::Error::other(format!(
                    "{error}; the previous bundle was restored"
                )),
            },
            Err(second) => Error::Write {
                path: dir.to_path_buf(),
                source: std::io::Error::other(format!(
                    "{error}; restoring the previous bundle also failed ({second}): run `atlasod build` again to finish restoring it"
                )),
            },
        }
        .into());
    }
    let _ = std::fs::remove_file(dir.join(JOURNAL_PATH));
    clean_scratch(dir);
    let _ = write_if_changed(&dir.join(GITIGNORE), GITIGNORE_TEXT.as_bytes());
    report.written = writes.into_iter().map(|w| w.path).collect();
    report.removed = removes.into_iter().map(|r| r.path).collect();
    Ok(report)
}

/// Decides what to write and remove; refuses when hand edits are in the way.
fn plan(
    bundle: &Bundle,
    old: Option<&Manifest>,
    dir: &Path,
    options: WriteOptions,
    report: &mut WriteReport,
) -> Result<(Vec<WriteOp>, Vec<RemoveOp>), WriteError> {
    let mut writes = Vec::new();
    let mut removes = Vec::new();
    let mut conflicts = Vec::new();
    for (path, file) in &bundle.files {
        if safe_relative(path).is_err() {
            return Err(
                Error::Internal(format!("a target produced the bundle path `{path}`")).into(),
            );
        }
        let Some(disk) = read_file(dir, path)? else {
            writes.push(WriteOp {
                path: path.clone(),
                existed: false,
                save_edit: false,
            });
            continue;
        };
        // The same bytes: nothing to hash (a rebuild that changes nothing hashes no file twice).
        let recorded = old.and_then(|m| m.files.get(path));
        let conflict = if disk.contents == file.contents {
            if disk.mode == file.mode {
                report.unchanged += 1;
                continue;
            }
            None
        } else if recorded.is_some_and(|r| r.matches(&disk.contents)) {
            None
        } else if recorded.is_some_and(|r| r.matches(&file.contents)) && !options.force {
            report.kept_edits.push(path.clone());
            continue;
        } else if recorded.is_some() {
            Some(ConflictKind::Edited)
        } else {
            Some(ConflictKind::NotFromAtlasod)
        };
        if let (Some(kind), false) = (conflict, options.force) {
            conflicts.push(Conflict {
                path: path.clone(),
                kind,
            });
            continue;
        }
        writes.push(WriteOp {
            path: path.clone(),
            existed: true,
            save_edit: conflict.is_some(),
        });
    }
    if let Some(old) = old {
        for (path, entry) in &old.files {
            if bundle.files.contains_key(path) {
                continue;
            }
            let Some(disk) = read_file(dir, path)? else {
                continue;
            };
            let edited = !entry.matches(&disk.contents);
            if edited && !options.force {
                conflicts.push(Conflict {
                    path: path.clone(),
                    kind: ConflictKind::EditedNoLongerGenerated,
                });
                continue;
            }
            removes.push(RemoveOp {
                path: path.clone(),
                save_edit: edited,
            });
        }
    }
    if !conflicts.is_empty() {
        conflicts.sort_by(|a, b| a.path.cmp(&b.path));
        return Err(WriteError::Refused(Refused {
            dir: dir.to_path_buf(),
            conflicts,
        }));
    }
    Ok((writes, removes))
}

fn stage(
    bundle: &Bundle,
    dir: &Path,
    writes: &[WriteOp],
    removes: &[RemoveOp],
    manifest_text: &str,
    hook: &mut dyn FnMut(WriteStep<'_>) -> std::io::Result<()>,
    report: &mut WriteReport,
) -> Result<(), Error> {
    clean_scratch(dir);
    for op in writes {
        let file = &bundle.files[&op.path];
        let staged = dir.join(STAGING).join(&op.path);
        step(hook, WriteStep::Stage(&op.path), &staged)?;
        create_parent(&staged)?;
        write_synced(&staged, &file.contents, file.mode)?;
    }
    let replacing = writes
        .iter()
        .filter(|w| w.existed)
        .map(|w| (&w.path, w.save_edit));
    let dropping = removes.iter().map(|r| (&r.path, r.save_edit));
    for (path, save_edit) in replacing.chain(dropping) {
        let live = dir.join(path);
        let copy = dir.join(ROLLBACK).join(path);
        create_parent(&copy)?;
        if std::fs::hard_link(&live, &copy).is_err() {
            std::fs::copy(&live, &copy).map_err(|source| Error::Write { path: copy, source })?;
        }
        if save_edit {
            let saved = free_name(&dir.join(EDITED).join(path));
            create_parent(&saved)?;
            std::fs::copy(&live, &saved).map_err(|source| Error::Write {
                path: saved.clone(),
                source,
            })?;
            let shown = saved
                .strip_prefix(dir)
                .unwrap_or(&saved)
                .display()
                .to_string();
            report.saved_edits.push((path.clone(), shown));
        }
    }
    let tmp = dir.join(MANIFEST_TMP);
    step(hook, WriteStep::Stage(MANIFEST_PATH), &tmp)?;
    write_synced(&tmp, manifest_text.as_bytes(), FileMode::Regular)
}

fn commit(
    dir: &Path,
    writes: &[WriteOp],
    removes: &[RemoveOp],
    hook: &mut dyn FnMut(WriteStep<'_>) -> std::io::Result<()>,
) -> Result<(), Error> {
    for op in writes {
        let live = dir.join(&op.path);
        step(hook, WriteStep::Commit(&op.path), &live)?;
        create_parent(&live)?;
        rename(&dir.join(STAGING).join(&op.path), &live)?;
    }
    for op in removes {
        let live = dir.join(&op.path);
        step(hook, WriteStep::Remove(&op.path), &live)?;
        match std::fs::remove_file(&live) {
            Ok(()) => prune_empty_parents(dir, &live),
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => {}
            Err(source) => return Err(Error::Write { path: live, source }),
        }
    }
    let manifest = dir.join(MANIFEST_PATH);
    step(hook, WriteStep::Manifest, &manifest)?;
    rename(&dir.join(MANIFEST_TMP), &manifest)
}

/// Finishes what an interrupted build left: restores the previous bundle
/// from the journal (or, when the new manifest was already in place, just
/// clears the scratch space). Returns whether there was anything to do.
pub fn recover(dir: &Path) -> Result<bool, Error> {
    let path = dir.join(JOURNAL_PATH);
    let text = match std::fs::read(&path) {
        Ok(text) => text,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
            // A build killed while staging leaves only scratch files behind.
            clean_scratch(dir);
            return Ok(false);
        }
        Err(source) => return Err(Error::Read { path, source }),
    };
    let journal: Journal = serde_json::from_slice(&text).map_err(|error| {
        Error::Usage(format!(
            "`{}` is damaged ({error}); it records an interrupted build. Compare the bundle with `git status` if it is under version control, then delete the journal and rebuild",
            path.display()
        ))
    })?;
    let live_manifest = std::fs::read(dir.join(MANIFEST_PATH)).ok();
    let completed = live_manifest.is_some_and(|m| sha256_hex(&m) == journal.manifest_sha256);
    if !completed {
        roll_back(dir, &journal)?;
    }
    std::fs::remove_file(&path).map_err(|source| Error::Write { path, source })?;
    clean_scratch(dir);
    Ok(true)
}

/// Puts back every file phase 2 touched, as it was before the build.
fn roll_back(dir: &Path, journal: &Journal) -> Result<(), Error> {
    for path in &journal.added {
        let live = dir.join(safe_relative(path)?);
        match std::fs::remove_file(&live) {
            Ok(()) => prune_empty_parents(dir, &live),
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => {}
            Err(source) => return Err(Error::Write { path: live, source }),
        }
    }
    for path in journal.replaced.iter().chain(&journal.removed) {
        let relative = safe_relative(path)?;
        let copy = dir.join(ROLLBACK).join(&relative);
        if copy.exists() {
            let live = dir.join(&relative);
            create_parent(&live)?;
            rename(&copy, &live)?;
        }
    }
    let _ = std::fs::remove_file(dir.join(MANIFEST_TMP));
    Ok(())
}

fn step(
    hook: &mut dyn FnMut(WriteStep<'_>) -> std::io::Result<()>,
    step: WriteStep<'_>,
    path: &Path,
) -> Result<(), Error> {
    hook(step).map_err(|source| Error::Write {
        path: path.to_path_buf(),
        source,
    })
}

/// Removes the staging and rollback areas and a stray manifest temp file.
fn clean_scratch(dir: &Path) {
    let _ = std::fs::remove_dir_all(dir.join(STAGING));
    let _ = std::fs::remove_dir_all(dir.join(ROLLBACK));
    let _ = std::fs::remove_file(dir.join(MANIFEST_TMP));
}

fn create_parent(path: &Path) -> Result<(), Error> {
    match path.parent() {
        Some(parent) => std::fs::create_dir_all(parent).map_err(|source| Error::Write {
            path: parent.to_path_buf(),
            source,
        }),
        None => Ok(()),
    }
}

fn rename(from: &Path, to: &Path) -> Result<(), Error> {
    std::fs::rename(from, to).map_err(|source| Error::Write {
        path: to.to_path_buf(),
        source,
    })
}

/// Writes a new file with `mode` and flushes it to the disk.
fn write_synced(path: &Path, contents: &[u8], mode: FileMode) -> Result<(), Error> {
    let fail = |source| Error::Write {
        path: path.to_path_buf(),
        source,
    };
    let _ = std::fs::remove_file(path);
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(mode.unix_bits());
    }
    let mut file = options.open(path).map_err(fail)?;
    file.write_all(contents).map_err(fail)?;
    #[cfg(unix)]
    {
        // The process umask may have narrowed the mode given at creation.
        use std::os::unix::fs::PermissionsExt;
        file.set_permissions(std::fs::Permissions::from_mode(mode.unix_bits()))
            .map_err(fail)?;
    }
    #[cfg(not(unix))]
    let _ = mode;
    file.sync_all().map_err(fail)
}

/// Replaces `path` atomically: a synced temp file beside it, then a rename.
fn write_atomic(path: &Path, contents: &[u8]) -> Result<(), Error> {
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(".tmp");
    let tmp = PathBuf::from(tmp);
    create_parent(path)?;
    write_synced(&tmp, contents, FileMode::Regular)?;
    rename(&tmp, path)
}

fn write_if_changed(path: &Path, contents: &[u8]) -> Result<(), Error> {
    if std::fs::read(path).is_ok_and(|old| old == contents) {
        return Ok(());
    }
    write_atomic(path, contents)
}

/// Removes the now-empty folders above `file`, up to (not including) `dir`.
fn prune_empty_parents(dir: &Path, file: &Path) {
    let mut current = file.parent();
    while let Some(folder) = current {
        if folder == dir || !folder.starts_with(dir) || std::fs::remove_dir(folder).is_err() {
            break;
        }
        current = folder.parent();
    }
}

/// `path`, or `path.1`, `path.2`, ... : the first name not taken.
fn free_name(path: &Path) -> PathBuf {
    if !path.exists() {
        return path.to_path_buf();
    }
    (1..10_000)
        .map(|n| {
            let mut name = path.as_os_str().to_owned();
            name.push(format!(".{n}"));
            PathBuf::from(name)
        })
        .find(|candidate| !candidate.exists())
        .unwrap_or_else(|| path.to_path_buf())
}
