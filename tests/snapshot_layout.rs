//! The snapshot layout itself (see `tests/support/snapshots.rs`): every
//! folder under `snapshots/` belongs to a test that fails on a snapshot it no
//! longer produces, the flat folders hold only snapshots a test names, and no
//! pending `.snap.new` is left behind.

#![allow(clippy::unwrap_used)] // tests may unwrap (clippy.toml covers #[test] fns only)

mod support;

use std::collections::BTreeSet;

use support::{repo, snapshots};

/// Each folder under `snapshots/`, and the test file whose orphan test covers it.
const OWNERS: &[(&str, &str)] = &[
    ("aws", "tests/cloud.rs"),
    ("check", "tests/fixtures.rs"),
    ("cli", "tests/cli.rs"),
    ("diff", "tests/cli_diff.rs tests/semantic_diff.rs"),
    ("gcp", "tests/cloud.rs"),
    ("kubernetes", "tests/kubernetes.rs"),
    ("local", "tests/hub_bundle.rs"),
    ("openstack", "tests/cloud.rs"),
    ("vm-hub", "tests/hub_bundle.rs"),
];

/// The flat folders, whose snapshots are named by a string literal in their
/// test files: `snapshot!("name", ...)`, `assert_cmd_snapshot!("name", ...)`.
const FLAT: &[&str] = &["cli", "diff"];

#[test]
fn every_snapshot_folder_has_an_owner() {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(snapshots::root()).unwrap() {
        let entry = entry.unwrap();
        let name = entry.file_name().to_string_lossy().into_owned();
        assert!(
            entry.file_type().unwrap().is_dir(),
            "snapshots/{name}: a snapshot belongs in a folder of the layout"
        );
        found.push(name);
    }
    found.sort();
    let owned: Vec<&str> = OWNERS.iter().map(|(folder, _)| *folder).collect();
    assert_eq!(
        found, owned,
        "snapshots/ holds a folder no test owns (add it to OWNERS, with an orphan test), or an owned folder is gone"
    );
    for (folder, files) in OWNERS {
        for file in files.split(' ') {
            let source = std::fs::read_to_string(repo().join(file)).unwrap();
            assert!(
                FLAT.contains(folder) || source.contains("fn no_orphan_snapshots()"),
                "{file} writes snapshots/{folder}/ but has no `no_orphan_snapshots` test"
            );
        }
    }
}

/// The string literals that name a snapshot in a test file's source.
fn named_in(source: &str) -> Vec<String> {
    let mut names = Vec::new();
    let mut rest = source;
    while let Some(at) = rest.find("snapshot!(") {
        rest = &rest[at + "snapshot!(".len()..];
        let arguments = rest.trim_start();
        if let Some(literal) = arguments.strip_prefix('"') {
            if let Some(end) = literal.find('"') {
                names.push(literal[..end].to_owned());
            }
        }
    }
    names
}

#[test]
fn no_orphan_snapshots() {
    for folder in FLAT {
        let (_, files) = OWNERS.iter().find(|(f, _)| f == folder).unwrap();
        let mut expected = BTreeSet::new();
        for file in files.split(' ') {
            let source = std::fs::read_to_string(repo().join(file)).unwrap();
            let names = named_in(&source);
            assert!(!names.is_empty(), "{file} names no snapshot");
            expected.extend(names.into_iter().map(|n| format!("{folder}/{n}")));
        }
        snapshots::assert_no_orphans(&[folder], &expected);
    }
}

#[test]
fn the_source_scan_finds_the_names() {
    let source = "insta::assert_snapshot!(x);\nsnapshot!(\"two_spec\", text);\n\
                  assert_cmd_snapshot!(\n    \"help\",\n    atlasod());\n";
    assert_eq!(named_in(source), ["two_spec", "help"]);
}

#[test]
fn no_pending_snapshot_is_left() {
    let mut pending = Vec::new();
    snapshots::walk(&snapshots::root(), &mut |path| {
        let name = path.file_name().unwrap().to_string_lossy();
        if !name.ends_with(".snap") {
            pending.push(path.display().to_string());
        }
    });
    assert!(
        pending.is_empty(),
        "review these and accept or delete them (only `.snap` files belong under snapshots/): {pending:#?}"
    );
}
