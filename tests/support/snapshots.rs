//! The one snapshot layout.
//!
//! - a generated file: `snapshots/<target>/<case>/<file path>.snap`, e.g.
//!   `snapshots/aws/example-masterclass-aws/terraform/main.tf.snap`;
//! - something of a case that is not a file (the lowered plan, what the CLI
//!   printed): `snapshots/<target>/<case>/@<what>.snap`, e.g. `@plan.snap`;
//! - something of a whole target: `snapshots/<target>/@<what>.snap`;
//! - `snapshots/check/` (the diagnostics of `tests/fixtures/`, see its README),
//!   `snapshots/cli/` and `snapshots/diff/` keep a flat layout of their own.
//!
//! `<target>` is a target's name, or `vm-hub` for the hub bundle as the cloud
//! targets ship it inside their VM (only the files that differ from `local`).
//! `<case>` is `example-<stem>` for `examples/<stem>.yaml`, and the fixture's
//! folder name for `tests/fixtures/*/<case>/workshop.yaml`.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use super::repo;

/// `snapshots/`.
pub fn root() -> PathBuf {
    repo().join("snapshots")
}

/// `<target>/<case>/<file>`: where the snapshot of a generated file lives,
/// from `snapshots/` and without `.snap`.
pub fn file(target: &str, case: &str, file: &str) -> String {
    format!("{target}/{case}/{file}")
}

/// `<target>/<case>/@<what>`: something of a case that is not a file.
pub fn of_case(target: &str, case: &str, what: &str) -> String {
    format!("{target}/{case}/@{what}")
}

/// `<target>/@<what>`: something of a whole target.
pub fn of_target(target: &str, what: &str) -> String {
    format!("{target}/@{what}")
}

/// The insta settings and snapshot name that put a snapshot at
/// `snapshots/<relative>.snap` (`relative` from [`file`], [`of_case`] or
/// [`of_target`]). Use as
/// `let (settings, name) = at(&relative); settings.bind(|| insta::assert_snapshot!(name, text));`
pub fn at(relative: &str) -> (insta::Settings, String) {
    let full = root().join(relative);
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path(full.parent().unwrap());
    settings.set_prepend_module_to_snapshot(false);
    settings.set_omit_expression(true);
    let name = full.file_name().unwrap().to_string_lossy().into_owned();
    (settings, name)
}

/// Fails with every `.snap` under `snapshots/<folder>/` whose path (from
/// `snapshots/`, without `.snap`) is not in `expected`: a snapshot no test
/// produces any more.
pub fn assert_no_orphans(folders: &[&str], expected: &BTreeSet<String>) {
    let mut orphans = Vec::new();
    for folder in folders {
        walk(&root().join(folder), &mut |path| {
            let relative = path.strip_prefix(root()).unwrap().to_string_lossy();
            if let Some(name) = relative.strip_suffix(".snap") {
                if !expected.contains(name) {
                    orphans.push(relative.into_owned());
                }
            }
        });
    }
    assert!(
        orphans.is_empty(),
        "snapshots no test produces (delete them, or add the case back): {orphans:#?}"
    );
}

/// Calls `f` for every file under `dir`, in sorted order.
pub fn walk(dir: &Path, f: &mut dyn FnMut(&Path)) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut paths: Vec<PathBuf> = entries.map(|e| e.unwrap().path()).collect();
    paths.sort();
    for path in paths {
        if path.is_dir() {
            walk(&path, f);
        } else {
            f(&path);
        }
    }
}
