//! Safe rebuilds: the manifest, hand edits, stale files and interrupted builds.
//!
//! These tests drive `atlasod::bundle::write` on small bundles built by hand,
//! so every case (and every step of a build) can be reached; the CLI tests
//! repeat the main cases on the real `local` bundle.

#![allow(clippy::unwrap_used)] // tests may unwrap (clippy.toml covers #[test] fns only)

use std::collections::BTreeMap;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::Path;

use atlasod::Target;
use atlasod::bundle::manifest::MANIFEST_PATH;
use atlasod::bundle::write::{WriteStep, recover, write_with};
use atlasod::bundle::{
    Bundle, ConflictKind, Manifest, WriteError, WriteOptions, blake3_hex, sha256_hex, write,
};
use atlasod::diff::{EDITED_NOTE, record::BuildRecord};

fn v1() -> Bundle {
    let mut b = Bundle::new();
    b.add("README.md", "# workshop\n");
    b.add("compose.yaml", "services:\n  hub:\n    image: hub:1\n");
    b.add("hub/Dockerfile", "FROM hub:1\n");
    b.add_executable("scripts/run.sh", "#!/bin/sh\necho run\n");
    b.add("old/only.txt", "only in v1\n");
    b
}

/// `v1` with two files changed, one removed and one added in a new folder.
fn v2() -> Bundle {
    let mut b = v1();
    b.add("compose.yaml", "services:\n  hub:\n    image: hub:2\n");
    b.add("hub/Dockerfile", "FROM hub:2\n");
    b.files.remove("old/only.txt");
    b.add("new/deep/added.txt", "only in v2\n");
    b
}

fn manifest(bundle: &Bundle) -> Manifest {
    Manifest::new(
        bundle,
        "local",
        &sha256_hex(b"spec"),
        BuildRecord::default(),
    )
}

fn build(
    bundle: &Bundle,
    dir: &Path,
    force: bool,
) -> Result<atlasod::bundle::WriteReport, WriteError> {
    write(bundle, &manifest(bundle), dir, WriteOptions { force })
}

/// Every file under `dir` (atlasod's state included) with its mode.
fn tree(dir: &Path) -> BTreeMap<String, (Vec<u8>, u32)> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<String, (Vec<u8>, u32)>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(root, &path, out);
            } else {
                use std::os::unix::fs::PermissionsExt;
                let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
                let name = path.strip_prefix(root).unwrap().display().to_string();
                out.insert(name, (std::fs::read(&path).unwrap(), mode));
            }
        }
    }
    let mut out = BTreeMap::new();
    if dir.exists() {
        walk(dir, dir, &mut out);
    }
    out
}

/// A folder with v1 built, plus files atlasod never wrote.
fn built_v1() -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    build(&v1(), tmp.path(), false).unwrap();
    std::fs::write(tmp.path().join(".env"), "SHARED_PASSWORD=secret\n").unwrap();
    std::fs::create_dir_all(tmp.path().join("terraform")).unwrap();
    std::fs::write(tmp.path().join("terraform/terraform.tfstate"), "{}\n").unwrap();
    tmp
}

fn refused(
    result: Result<atlasod::bundle::WriteReport, WriteError>,
) -> Vec<(String, ConflictKind)> {
    match result {
        Err(WriteError::Refused(refused)) => refused
            .conflicts
            .into_iter()
            .map(|c| (c.path, c.kind))
            .collect(),
        other => panic!("expected a refusal, got {other:?}"),
    }
}

#[test]
fn first_build_writes_files_modes_and_a_deterministic_manifest() {
    let tmp = tempfile::tempdir().unwrap();
    let report = build(&v1(), tmp.path(), false).unwrap();
    assert_eq!(report.written.len(), 5);
    let files = tree(tmp.path());
    assert_eq!(
        files["compose.yaml"].0,
        b"services:\n  hub:\n    image: hub:1\n"
    );
    assert_eq!(files["scripts/run.sh"].1, 0o755);
    assert_eq!(files["README.md"].1, 0o644);
    let on_disk = std::fs::read_to_string(tmp.path().join(MANIFEST_PATH)).unwrap();
    assert_eq!(on_disk, manifest(&v1()).to_json());
    assert!(on_disk.contains(&blake3_hex(b"# workshop\n")));
    let looks_like_a_date = on_disk.as_bytes().windows(10).any(|w| {
        w.iter().enumerate().all(|(i, c)| {
            if i == 4 || i == 7 {
                *c == b'-'
            } else {
                c.is_ascii_digit()
            }
        })
    });
    assert!(!looks_like_a_date, "no dates or timestamps in the manifest");
    // Nothing but the manifest and its .gitignore is left in the state folder.
    let state: Vec<_> = files
        .keys()
        .filter(|k| k.starts_with(".atlasod/"))
        .collect();
    assert_eq!(state, [".atlasod/.gitignore", ".atlasod/manifest.json"]);
}

#[test]
fn rebuilding_the_same_bundle_touches_nothing() {
    use std::os::unix::fs::MetadataExt;
    let tmp = built_v1();
    let inode = |p: &str| std::fs::metadata(tmp.path().join(p)).unwrap().ino();
    let before = (inode("compose.yaml"), inode(MANIFEST_PATH));
    let report = build(&v1(), tmp.path(), false).unwrap();
    assert!(report.written.is_empty() && report.removed.is_empty());
    assert_eq!(report.unchanged, 5);
    assert_eq!((inode("compose.yaml"), inode(MANIFEST_PATH)), before);
}

#[test]
fn rebuild_replaces_changed_files_removes_stale_ones_and_keeps_foreign_ones() {
    let tmp = built_v1();
    let report = build(&v2(), tmp.path(), false).unwrap();
    assert_eq!(
        report.written,
        ["compose.yaml", "hub/Dockerfile", "new/deep/added.txt"]
    );
    assert_eq!(report.removed, ["old/only.txt"]);
    assert_eq!(report.unchanged, 2);
    let files = tree(tmp.path());
    assert_eq!(files["hub/Dockerfile"].0, b"FROM hub:2\n");
    assert!(!files.contains_key("old/only.txt"));
    assert!(
        !tmp.path().join("old").exists(),
        "the emptied folder is removed"
    );
    assert_eq!(files[".env"].0, b"SHARED_PASSWORD=secret\n");
    assert_eq!(files["terraform/terraform.tfstate"].0, b"{}\n");
    assert_eq!(
        std::fs::read_to_string(tmp.path().join(MANIFEST_PATH)).unwrap(),
        manifest(&v2()).to_json()
    );
}

#[test]
fn hand_edited_file_refuses_the_build_until_forced_and_the_edit_is_saved() {
    let tmp = built_v1();
    let edited = "services:\n  hub:\n    image: hub:1\n    mem_limit: 4g  # mine\n";
    std::fs::write(tmp.path().join("compose.yaml"), edited).unwrap();
    let before = tree(tmp.path());

    let conflicts = refused(build(&v2(), tmp.path(), false));
    assert_eq!(
        conflicts,
        [("compose.yaml".to_owned(), ConflictKind::Edited)]
    );
    assert_eq!(tree(tmp.path()), before, "a refused build writes nothing");

    let report = build(&v2(), tmp.path(), true).unwrap();
    assert_eq!(
        report.saved_edits,
        [(
            "compose.yaml".to_owned(),
            ".atlasod/edited/compose.yaml".to_owned()
        )]
    );
    let files = tree(tmp.path());
    assert_eq!(
        files["compose.yaml"].0,
        b"services:\n  hub:\n    image: hub:2\n"
    );
    assert_eq!(files[".atlasod/edited/compose.yaml"].0, edited.as_bytes());
}

#[test]
fn edited_file_no_longer_generated_is_removed_only_with_force() {
    let tmp = built_v1();
    std::fs::write(tmp.path().join("old/only.txt"), "my notes\n").unwrap();
    let conflicts = refused(build(&v2(), tmp.path(), false));
    assert_eq!(
        conflicts,
        [(
            "old/only.txt".to_owned(),
            ConflictKind::EditedNoLongerGenerated
        )]
    );
    assert_eq!(tree(tmp.path())["old/only.txt"].0, b"my notes\n");

    let report = build(&v2(), tmp.path(), true).unwrap();
    assert_eq!(report.removed, ["old/only.txt"]);
    assert_eq!(
        tree(tmp.path())[".atlasod/edited/old/only.txt"].0,
        b"my notes\n"
    );
}

#[test]
fn hand_edit_to_a_file_the_build_does_not_change_is_kept_and_shown_by_diff() {
    let tmp = built_v1();
    std::fs::write(tmp.path().join("README.md"), "# workshop\nmy notes\n").unwrap();
    let report = build(&v2(), tmp.path(), false).unwrap();
    assert_eq!(report.kept_edits, ["README.md"]);
    assert_eq!(tree(tmp.path())["README.md"].0, b"# workshop\nmy notes\n");

    let diff = atlasod::diff::against_disk(
        Target::Local,
        &v2(),
        &BuildRecord::default(),
        tmp.path(),
        "workshop.yaml",
    )
    .unwrap();
    assert_eq!(diff.files.len(), 1);
    assert_eq!(diff.files[0].path, "README.md");
    assert_eq!(diff.files[0].note, Some(EDITED_NOTE));
    assert!(diff.files[0].unified().contains("-my notes\n"));

    // Still edited: a later build that changes it is refused.
    let mut v3 = v2();
    v3.add("README.md", "# workshop v3\n");
    let conflicts = refused(build(&v3, tmp.path(), false));
    assert_eq!(conflicts, [("README.md".to_owned(), ConflictKind::Edited)]);
}

/// The manifest of `bundle` as the previous release wrote it (format 1: each file's SHA-256).
fn format_1_manifest(bundle: &Bundle) -> String {
    let files: serde_json::Map<String, serde_json::Value> = bundle
        .files
        .iter()
        .map(|(path, file)| {
            let mut entry = serde_json::json!({ "sha256": sha256_hex(&file.contents) });
            if file.mode.is_executable() {
                entry["executable"] = true.into();
            }
            (path.clone(), entry)
        })
        .collect();
    let manifest = serde_json::json!({
        "about": "Written by `atlasod build`: the files it generated, with their sha256.",
        "format": 1,
        "atlasod_version": "0.1.0",
        "target": "local",
        "spec_sha256": sha256_hex(b"spec"),
        "files": files,
        "summary": null,
    });
    format!("{}\n", serde_json::to_string_pretty(&manifest).unwrap())
}

#[test]
fn a_bundle_with_a_format_1_manifest_keeps_its_hand_edits() {
    // Built by the previous release: its manifest records SHA-256s.
    let tmp = built_v1();
    std::fs::write(tmp.path().join(MANIFEST_PATH), format_1_manifest(&v1())).unwrap();
    let unchanged = build(&v1(), tmp.path(), false).unwrap();
    assert_eq!(
        unchanged.written,
        [] as [String; 0],
        "no file counts as edited"
    );
    std::fs::write(tmp.path().join(MANIFEST_PATH), format_1_manifest(&v1())).unwrap();

    // Edited, and the new build changes it; edited, and the build does not; edited, and no
    // longer generated: refused, untouched.
    let compose = "services:\n  hub:\n    image: hub:1\n    mem_limit: 4g  # mine\n";
    std::fs::write(tmp.path().join("compose.yaml"), compose).unwrap();
    std::fs::write(tmp.path().join("README.md"), "# workshop\nmy notes\n").unwrap();
    std::fs::write(tmp.path().join("old/only.txt"), "my notes\n").unwrap();
    let before = tree(tmp.path());
    assert_eq!(
        refused(build(&v2(), tmp.path(), false)),
        [
            ("compose.yaml".to_owned(), ConflictKind::Edited),
            (
                "old/only.txt".to_owned(),
                ConflictKind::EditedNoLongerGenerated
            ),
        ]
    );
    assert_eq!(tree(tmp.path()), before, "a refused build writes nothing");

    // diff reads the format-1 manifest: the three edits are marked.
    let diff = atlasod::diff::against_disk(
        Target::Local,
        &v1(),
        &BuildRecord::default(),
        tmp.path(),
        "workshop.yaml",
    )
    .unwrap();
    let edited: Vec<&str> = diff
        .files
        .iter()
        .filter(|f| f.note == Some(EDITED_NOTE))
        .map(|f| f.path.as_str())
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    assert_eq!(edited, ["README.md", "compose.yaml", "old/only.txt"]);

    // Forced: every edit saved; the manifest is now this release's, and still knows the kept one.
    std::fs::write(tmp.path().join("README.md"), "# workshop\n").unwrap();
    std::fs::write(tmp.path().join("old/only.txt"), "only in v1\n").unwrap();
    let report = build(&v2(), tmp.path(), true).unwrap();
    assert_eq!(
        report.saved_edits,
        [(
            "compose.yaml".to_owned(),
            ".atlasod/edited/compose.yaml".to_owned()
        )]
    );
    assert_eq!(
        tree(tmp.path())[".atlasod/edited/compose.yaml"].0,
        compose.as_bytes()
    );
    assert_eq!(
        std::fs::read_to_string(tmp.path().join(MANIFEST_PATH)).unwrap(),
        manifest(&v2()).to_json()
    );
}

#[test]
fn existing_file_not_written_by_atlasod_is_not_replaced() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join("compose.yaml"), "# my own compose file\n").unwrap();
    std::fs::write(tmp.path().join("README.md"), "# workshop\n").unwrap();
    let conflicts = refused(build(&v1(), tmp.path(), false));
    assert_eq!(
        conflicts,
        [("compose.yaml".to_owned(), ConflictKind::NotFromAtlasod)],
        "README.md is identical to what atlasod writes, so it is no conflict"
    );
    assert!(!tmp.path().join(MANIFEST_PATH).exists());
}

#[test]
fn mode_change_alone_is_applied() {
    let tmp = built_v1();
    let mut b = v1();
    b.add_executable("hub/Dockerfile", "FROM hub:1\n");
    let report = build(&b, tmp.path(), false).unwrap();
    assert_eq!(report.written, ["hub/Dockerfile"]);
    assert_eq!(tree(tmp.path())["hub/Dockerfile"].1, 0o755);
}

#[test]
fn manifest_paths_outside_the_bundle_are_refused() {
    let outer = tempfile::tempdir().unwrap();
    let dir = outer.path().join("bundle");
    build(&v1(), &dir, false).unwrap();
    std::fs::write(outer.path().join("victim.txt"), "keep me\n").unwrap();
    let mut tampered = manifest(&v1());
    tampered.files.insert(
        "../victim.txt".to_owned(),
        atlasod::bundle::manifest::ManifestFile::new(b"keep me\n", false),
    );
    std::fs::write(dir.join(MANIFEST_PATH), tampered.to_json()).unwrap();
    let error = build(&v2(), &dir, true).unwrap_err();
    assert!(
        format!("{error:?}").contains("not a path inside a bundle"),
        "{error:?}"
    );
    assert_eq!(
        std::fs::read(outer.path().join("victim.txt")).unwrap(),
        b"keep me\n"
    );
}

#[test]
fn damaged_manifest_is_an_error_that_says_what_to_do() {
    let tmp = built_v1();
    std::fs::write(tmp.path().join(MANIFEST_PATH), "{ not json").unwrap();
    let error = build(&v2(), tmp.path(), false).unwrap_err();
    let text = match error {
        WriteError::Failed(error) => error.to_string(),
        WriteError::Refused(r) => panic!("{r:?}"),
    };
    assert!(
        text.contains("is damaged") && text.contains("--force"),
        "{text}"
    );
}

/// Rebuilds the bundle in `dir` as v2, calling `hook` before each step.
fn rebuild_to_v2(
    dir: &Path,
    hook: &mut dyn FnMut(WriteStep<'_>) -> std::io::Result<()>,
) -> Result<atlasod::bundle::WriteReport, WriteError> {
    write_with(&v2(), &manifest(&v2()), dir, WriteOptions::default(), hook)
}

/// The steps a v1 → v2 rebuild takes, in order.
fn steps() -> Vec<String> {
    let tmp = built_v1();
    let mut seen = Vec::new();
    rebuild_to_v2(tmp.path(), &mut |step| {
        seen.push(format!("{step:?}"));
        Ok(())
    })
    .unwrap();
    seen
}

#[test]
fn a_rebuild_stages_everything_before_it_swaps_anything_in() {
    let steps = steps();
    let journal = steps.iter().position(|s| s == "Journal").unwrap();
    assert!(
        steps[..journal].iter().all(|s| s.starts_with("Stage(")),
        "{steps:?}"
    );
    assert!(
        steps[journal + 1..]
            .iter()
            .all(|s| !s.starts_with("Stage(")),
        "{steps:?}"
    );
    assert_eq!(steps.last().map(String::as_str), Some("Manifest"));
    assert_eq!(steps.len(), 3 + 1 + 1 + 3 + 1 + 1, "{steps:?}");
}

#[test]
fn a_failure_between_any_two_files_leaves_the_previous_bundle() {
    for fail_at in 0..steps().len() {
        let tmp = built_v1();
        let before = tree(tmp.path());
        let mut n = 0;
        let result = rebuild_to_v2(tmp.path(), &mut |step| {
            n += 1;
            if n > fail_at {
                return Err(std::io::Error::other(format!(
                    "injected failure at {step:?}"
                )));
            }
            Ok(())
        });
        assert!(
            matches!(result, Err(WriteError::Failed(_))),
            "step {fail_at}"
        );
        assert_eq!(
            tree(tmp.path()),
            before,
            "failure at step {fail_at} changed the bundle"
        );
    }
}

#[test]
fn a_build_killed_at_any_step_is_undone_by_the_next_run() {
    let old = v1();
    let new = v2();
    for kill_at in 0..steps().len() {
        let tmp = built_v1();
        let before = tree(tmp.path());
        let mut n = 0;
        // A panic stands for the process dying: no cleanup code runs after it.
        let killed = catch_unwind(AssertUnwindSafe(|| {
            write_with(
                &new,
                &manifest(&new),
                tmp.path(),
                WriteOptions::default(),
                &mut |_| {
                    n += 1;
                    assert!(n <= kill_at, "killed");
                    Ok(())
                },
            )
        }));
        assert!(killed.is_err(), "step {kill_at} was not reached");

        // Every bundle file on disk is whole: exactly its old or its new version.
        let now = tree(tmp.path());
        for path in old.files.keys().chain(new.files.keys()) {
            if let Some((bytes, _)) = now.get(path.as_str()) {
                let is_old = old.get(path).is_some_and(|f| &f.contents == bytes);
                let is_new = new.get(path).is_some_and(|f| &f.contents == bytes);
                assert!(
                    is_old || is_new,
                    "{path} is half-written after a kill at step {kill_at}"
                );
            }
        }
        let journaled = tmp.path().join(".atlasod/journal.json").exists();
        if !journaled {
            let live = |t: &BTreeMap<String, (Vec<u8>, u32)>| {
                t.iter()
                    .filter(|(k, _)| !k.starts_with(".atlasod/"))
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .collect::<BTreeMap<_, _>>()
            };
            assert_eq!(
                live(&now),
                live(&before),
                "kill at step {kill_at} before the journal"
            );
        }

        assert_eq!(recover(tmp.path()).unwrap(), journaled);
        assert_eq!(
            tree(tmp.path()),
            before,
            "kill at step {kill_at}: not restored"
        );

        // And the next build goes through.
        build(&new, tmp.path(), false).unwrap();
        let diff = atlasod::diff::against_disk(
            Target::Local,
            &new,
            &BuildRecord::default(),
            tmp.path(),
            "workshop.yaml",
        )
        .unwrap();
        assert!(
            diff.files.is_empty(),
            "kill at step {kill_at}: {:?}",
            diff.files
        );
    }
}

#[test]
fn the_next_build_recovers_by_itself() {
    let tmp = built_v1();
    let before = tree(tmp.path());
    let mut n = 0;
    let _ = catch_unwind(AssertUnwindSafe(|| {
        rebuild_to_v2(tmp.path(), &mut |step| {
            n += 1;
            assert!(!matches!(step, WriteStep::Commit(_)) || n < 7, "killed");
            Ok(())
        })
    }));
    assert!(tmp.path().join(".atlasod/journal.json").exists());
    assert_ne!(
        tree(tmp.path()),
        before,
        "the kill left a half-swapped bundle"
    );
    let report = build(&v1(), tmp.path(), false).unwrap();
    assert!(report.recovered);
    assert!(report.written.is_empty(), "{report:?}");
    assert_eq!(tree(tmp.path()), before);
}
