//! End to end through the `atlasod` binary: `build`, `diff` (against disk,
//! two specs, `--base`), exit codes, hand edits, SARIF, completions, man.
//!
//! The bundles are the real `local` target's. External programs: `git` (for
//! `--base`) and Microsoft's SARIF multitool (`sarif-multitool`, installed by
//! `.ci/install-tools.sh`); a missing one fails its test with a message,
//! unless `ATLASOD_SKIP_EXTERNAL=1`.

#![allow(clippy::unwrap_used)] // tests may unwrap (clippy.toml covers #[test] fns only)

mod support;

use std::path::Path;
use std::process::Command;

use support::snapshots::snapshot;
use support::specs::edit;
use support::{Ran, repo, tool};

const LAPTOP: &str = include_str!("../examples/laptop.yaml");

fn atlasod(dir: &Path, args: &[&str]) -> Ran {
    support::run(
        Command::new(env!("CARGO_BIN_EXE_atlasod"))
            .args(args)
            .current_dir(dir)
            .env_remove("COLUMNS")
            .env("NO_COLOR", "1"),
    )
}

/// A fresh folder holding `files` (name, text).
fn folder(files: &[(&str, &str)]) -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    for (name, text) in files {
        std::fs::write(tmp.path().join(name), text).unwrap();
    }
    tmp
}

/// `atlasod diff --stat` of the local bundle in `dir/out` marks `jupyterhub_config.py` as
/// edited by hand since the last build.
fn assert_diff_marks_the_edit(dir: &Path) {
    let run = atlasod(dir, &["diff", "-t", "local", "-o", "out", "--stat"]);
    assert!(
        run.stdout
            .contains("jupyterhub_config.py  (edited by hand since the last build)"),
        "{}",
        run.stdout
    );
}

/// The build exited 2, refusing to overwrite the hand-edited `jupyterhub_config.py`.
fn assert_build_refuses_to_overwrite_the_edit(run: &Ran) {
    assert_eq!(run.code, Some(2), "{}", run.stderr);
    assert!(
        run.stderr
            .contains("jupyterhub_config.py  edited by hand; the new build changes it"),
        "{}",
        run.stderr
    );
}

/// A folder holding `workshop.yaml` (the laptop example) built into `out/local`.
fn built() -> tempfile::TempDir {
    let tmp = folder(&[("workshop.yaml", LAPTOP)]);
    let run = atlasod(tmp.path(), &["build", "--target", "local", "-o", "out"]);
    assert!(run.ok, "{}", run.stderr);
    tmp
}

#[test]
fn diff_right_after_build_prints_nothing_and_exits_0() {
    for example in ["laptop.yaml", "masterclass-aws.yaml"] {
        let tmp = tempfile::tempdir().unwrap();
        let spec = repo().join("examples").join(example);
        let spec = spec.to_str().unwrap();
        let run = atlasod(tmp.path(), &["build", spec, "-t", "local", "-o", "out"]);
        assert!(run.ok, "{example}: {}", run.stderr);
        let run = atlasod(
            tmp.path(),
            &["diff", spec, "-t", "local", "-o", "out", "--exit-code"],
        );
        assert_eq!(run.code, Some(0), "{example}: {}", run.stderr);
        assert_eq!(run.stdout, "", "{example}");
        assert_eq!(run.stderr, "", "{example}");
    }
}

#[test]
fn diff_after_a_spec_edit_shows_the_change_and_exits_2() {
    let tmp = built();
    let edited = edit(LAPTOP, "count: 1\n", "count: 3\n");
    std::fs::write(tmp.path().join("workshop.yaml"), edited).unwrap();
    let run = atlasod(
        tmp.path(),
        &["diff", "-t", "local", "-o", "out", "--exit-code"],
    );
    assert_eq!(run.code, Some(2), "{}", run.stderr);
    let out = run.stdout;
    assert!(out.contains("  change  users 1 → 3\n"), "{out}");
    assert!(
        out.contains("--- a/compose.yaml\n+++ b/compose.yaml\n"),
        "{out}"
    );
    assert!(
        out.contains("-# ATLAS Open Data on my laptop: JupyterHub for 1 user,"),
        "{out}"
    );
    // Without --exit-code a successful diff exits 0 whatever it found.
    let run = atlasod(tmp.path(), &["diff", "-t", "local", "-o", "out", "--stat"]);
    assert_eq!(run.code, Some(0));
    assert!(!run.stdout.contains("--- a/"), "--stat shows no diffs");
    // Coloured when asked (or on a terminal without NO_COLOR).
    let run = atlasod(
        tmp.path(),
        &["diff", "-t", "local", "-o", "out", "--color", "always"],
    );
    let out = run.stdout;
    assert!(
        out.contains("\x1b[32m+# ATLAS Open Data on my laptop: JupyterHub for 3 users"),
        "{out}"
    );
    assert!(out.contains("\x1b[31m-"), "{out}");
    // --quiet: only the exit code speaks.
    let run = atlasod(
        tmp.path(),
        &["diff", "-t", "local", "-o", "out", "--exit-code", "--quiet"],
    );
    assert_eq!((run.code, run.stdout), (Some(2), String::new()));
}

#[test]
fn a_hand_edited_file_survives_build_and_is_replaced_only_with_force() {
    let tmp = built();
    let config = tmp.path().join("out/local/jupyterhub_config.py");
    let mut edited = std::fs::read_to_string(&config).unwrap();
    edited.push_str("c.Spawner.start_timeout = 1200  # my edit\n");
    std::fs::write(&config, &edited).unwrap();
    let spec = edit(LAPTOP, "idle_timeout: 8h", "idle_timeout: 4h");
    std::fs::write(tmp.path().join("workshop.yaml"), spec).unwrap();

    let run = atlasod(tmp.path(), &["build", "-t", "local", "-o", "out"]);
    assert_build_refuses_to_overwrite_the_edit(&run);
    assert!(run.stderr.contains("--force"), "{}", run.stderr);
    assert_eq!(
        std::fs::read_to_string(&config).unwrap(),
        edited,
        "refused: untouched"
    );

    // diff marks the file as edited by hand.
    assert_diff_marks_the_edit(tmp.path());

    let run = atlasod(
        tmp.path(),
        &["build", "-t", "local", "-o", "out", "--force"],
    );
    assert!(run.ok, "{}", run.stderr);
    assert!(
        run.stderr.contains("your version is saved as"),
        "{}",
        run.stderr
    );
    assert!(
        !std::fs::read_to_string(&config)
            .unwrap()
            .contains("# my edit")
    );
    let saved = tmp
        .path()
        .join("out/local/.atlasod/edited/jupyterhub_config.py");
    assert_eq!(std::fs::read_to_string(saved).unwrap(), edited);
    let run = atlasod(
        tmp.path(),
        &["diff", "-t", "local", "-o", "out", "--exit-code"],
    );
    assert_eq!(run.code, Some(0));
}

/// Turns the manifest of `bundle` into the previous release's (format 1: SHA-256s, computed by
/// `sha256sum`, not by atlasod).
fn downgrade_manifest(bundle: &Path) {
    let path = bundle.join(".atlasod/manifest.json");
    let mut manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    assert_eq!(manifest["format"], 2);
    manifest["format"] = 1.into();
    for (name, entry) in manifest["files"].as_object_mut().unwrap() {
        let entry = entry.as_object_mut().unwrap();
        assert!(entry.remove("blake3").is_some(), "{name}");
        let out = Command::new("sha256sum")
            .arg(bundle.join(name))
            .output()
            .unwrap();
        let sum = String::from_utf8(out.stdout).unwrap();
        entry.insert("sha256".to_owned(), sum[..64].into());
    }
    let text = serde_json::to_string_pretty(&manifest).unwrap();
    std::fs::write(&path, format!("{text}\n")).unwrap();
}

#[test]
fn a_bundle_built_by_the_previous_release_keeps_its_hand_edit() {
    let tmp = built();
    downgrade_manifest(&tmp.path().join("out/local"));
    let run = atlasod(
        tmp.path(),
        &["diff", "-t", "local", "-o", "out", "--exit-code"],
    );
    assert_eq!(run.code, Some(0), "{}{}", run.stdout, run.stderr);

    let config = tmp.path().join("out/local/jupyterhub_config.py");
    let mut edited = std::fs::read_to_string(&config).unwrap();
    edited.push_str("c.Spawner.start_timeout = 1200  # my edit\n");
    std::fs::write(&config, &edited).unwrap();
    assert_diff_marks_the_edit(tmp.path());
    let spec = edit(LAPTOP, "idle_timeout: 8h", "idle_timeout: 4h");
    std::fs::write(tmp.path().join("workshop.yaml"), spec).unwrap();
    let run = atlasod(tmp.path(), &["build", "-t", "local", "-o", "out"]);
    assert_build_refuses_to_overwrite_the_edit(&run);
    // README.md changes too, and was not edited: its SHA-256 says so.
    assert!(!run.stderr.contains("README.md"), "{}", run.stderr);
    assert_eq!(std::fs::read_to_string(&config).unwrap(), edited);

    // The same spec again: the edit is kept, the manifest becomes format 2 and still knows it.
    std::fs::write(tmp.path().join("workshop.yaml"), LAPTOP).unwrap();
    let run = atlasod(tmp.path(), &["build", "-t", "local", "-o", "out"]);
    assert!(run.ok, "{}", run.stderr);
    assert_eq!(std::fs::read_to_string(&config).unwrap(), edited);
    let manifest = std::fs::read_to_string(tmp.path().join("out/local/.atlasod/manifest.json"));
    assert!(manifest.unwrap().contains("\"format\": 2"));
    assert_diff_marks_the_edit(tmp.path());
}

#[test]
fn two_spec_diff_as_a_pull_request_comment() {
    let new = edit(LAPTOP, "count: 1\n", "count: 2\n");
    let new = edit(&new, "  - atlas-2020-13tev-1lep1tau\n", "");
    let tmp = folder(&[("old.yaml", LAPTOP), ("new.yaml", &new)]);
    let run = atlasod(
        tmp.path(),
        &[
            "diff",
            "old.yaml",
            "new.yaml",
            "--format",
            "markdown",
            "--exit-code",
        ],
    );
    assert_eq!(run.code, Some(2), "{}", run.stderr);
    snapshot!("diff/two_spec_markdown", run.stdout);
}

#[test]
fn diff_against_a_git_revision() {
    let Some(git) = tool("git") else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let git = |args: &[&str]| {
        let run = support::run(
            Command::new(&git)
                .args(["-c", "user.name=t", "-c", "user.email=t@example.org"])
                .args(args)
                .current_dir(tmp.path()),
        );
        assert!(run.ok, "git {args:?}: {}", run.stderr);
    };
    git(&["init", "-q"]);
    std::fs::create_dir(tmp.path().join("course")).unwrap();
    std::fs::write(tmp.path().join("course/workshop.yaml"), LAPTOP).unwrap();
    git(&["add", "."]);
    git(&["commit", "-qm", "spec"]);
    let spec = "course/workshop.yaml";

    let run = atlasod(tmp.path(), &["diff", "--base", "HEAD", spec, "--exit-code"]);
    assert_eq!((run.code, run.stdout), (Some(0), String::new()));

    let edited = edit(LAPTOP, "preset: root", "preset: python");
    std::fs::write(tmp.path().join(spec), edited).unwrap();
    let run = atlasod(
        tmp.path(),
        &["diff", "--base", "HEAD", spec, "--exit-code", "--stat"],
    );
    assert_eq!(run.code, Some(2), "{}", run.stderr);
    let out = run.stdout;
    assert!(out.contains("against HEAD:course/workshop.yaml"), "{out}");
    assert!(out.contains("change  single-user image ghcr.io/"), "{out}");

    // A spec that is new since the revision: every file is added.
    std::fs::write(tmp.path().join("course/second.yaml"), LAPTOP).unwrap();
    let run = atlasod(
        tmp.path(),
        &["diff", "--base", "HEAD", "course/second.yaml", "--stat"],
    );
    assert!(run.ok, "{}", run.stderr);
    assert!(run.stdout.contains("every file is new"), "{}", run.stdout);

    let run = atlasod(
        tmp.path(),
        &["diff", "--base", "no-such-ref", spec, "--exit-code"],
    );
    run.assert_exit(1, "no-such-ref");
}

#[test]
fn errors_exit_1_with_exit_code_as_terraform_does() {
    let tmp = tempfile::tempdir().unwrap();
    let run = atlasod(tmp.path(), &["diff", "missing.yaml", "--exit-code"]);
    assert_eq!(run.code, Some(1));
    let run = atlasod(tmp.path(), &["diff", "missing.yaml"]);
    assert_eq!(
        run.code,
        Some(2),
        "without --exit-code: the usual I/O error status"
    );
    std::fs::write(tmp.path().join("bad.yaml"), "version: 1\nname: x\n").unwrap();
    let run = atlasod(tmp.path(), &["diff", "bad.yaml", "--exit-code"]);
    run.assert_exit(1, "missing-key");
    let run = atlasod(tmp.path(), &["diff", "a.yaml", "b.yaml", "-o", "out"]);
    run.assert_exit(2, "drop `-o`");
}

#[test]
fn diff_help_documents_exit_codes_and_examples() {
    let run = atlasod(Path::new("."), &["diff", "--help"]);
    let help = run.stdout;
    assert!(
        help.contains(
            "With --exit-code (as terraform's -detailed-exitcode): 0 no change, 1 error, 2 changes."
        ),
        "{help}"
    );
    assert!(
        help.contains("atlasod diff --base origin/main --format markdown"),
        "{help}"
    );
}

/// A spec that does not parse: a duplicate key (a secondary label).
const INVALID: &str = "version: 1\nname: workshop\nusers:\n  count: 30\n  count: 40\n";
/// A spec that parses but breaks the schema, with non-ASCII text before the culprits.
const INVALID_SCHEMA: &str = "version: 1\ntitle: Ünïcode wörkshop\nname: Ünïcode-Workshop\nusers:\n  count: 30\nauth:\n  methd: native\n";

#[test]
fn sarif_output_passes_the_sarif_multitool() {
    let Some(multitool) = tool("sarif-multitool") else {
        return;
    };
    let tmp = folder(&[("bad.yaml", INVALID), ("bad schema.yaml", INVALID_SCHEMA)]);
    let laptop = repo().join("examples/laptop.yaml");
    let args = [
        "check",
        "bad.yaml",
        "bad schema.yaml",
        laptop.to_str().unwrap(),
        "--format",
        "sarif",
    ];
    let run = atlasod(tmp.path(), &args);
    assert_eq!(run.code, Some(1));
    let sarif: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    assert!(results.len() >= 3, "{sarif:#}");
    assert!(
        results.iter().any(|r| r["relatedLocations"].is_array()),
        "a secondary label"
    );
    std::fs::write(tmp.path().join("check.sarif"), &run.stdout).unwrap();

    let run = support::run(
        Command::new(&multitool)
            .args([
                "validate",
                "check.sarif",
                "--output",
                "validation.sarif",
                "--level",
                "Error;Warning",
            ])
            .current_dir(tmp.path()),
    );
    let log = run.all();
    assert!(run.ok, "sarif-multitool failed:\n{log}");
    let validation: serde_json::Value =
        serde_json::from_slice(&std::fs::read(tmp.path().join("validation.sarif")).unwrap())
            .unwrap();
    let findings: Vec<String> = validation["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| format!("{} {}", r["ruleId"], r["level"]))
        .collect();
    // SARIF1xxx are the schema and spec rules; atlasod has no web page to name
    // as `informationUri` yet (SARIF2005, a recommendation).
    let problems: Vec<&String> = findings
        .iter()
        .filter(|f| !f.starts_with("\"SARIF2005\""))
        .collect();
    assert!(
        problems.is_empty(),
        "the validator found problems: {problems:?}\n{log}"
    );
}

#[test]
fn sarif_results_snapshot() {
    let tmp = folder(&[("bad.yaml", INVALID), ("bad schema.yaml", INVALID_SCHEMA)]);
    let run = atlasod(
        tmp.path(),
        &["check", "bad.yaml", "bad schema.yaml", "--format", "sarif"],
    );
    let sarif: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let run0 = &sarif["runs"][0];
    assert_eq!(sarif["version"], "2.1.0");
    assert_eq!(
        run0["tool"]["driver"]["rules"].as_array().unwrap().len(),
        atlasod::Code::ALL.len(),
        "one rule per diagnostic code"
    );
    snapshot!(
        "diff/sarif_results",
        serde_json::to_string_pretty(&run0["results"]).unwrap()
    );
}

#[test]
fn completions_and_man_pages() {
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let run = atlasod(Path::new("."), &["completions", shell]);
        assert!(run.ok, "{shell}");
        let script = run.stdout;
        assert!(
            script.contains("atlasod") && script.contains("exit-code"),
            "{shell}"
        );
    }
    // The bash script is at least valid bash.
    if let Some(bash) = tool("bash") {
        let tmp = tempfile::tempdir().unwrap();
        let run = atlasod(tmp.path(), &["completions", "bash"]);
        std::fs::write(tmp.path().join("atlasod.bash"), &run.stdout).unwrap();
        let check = support::run(
            Command::new(bash)
                .args(["-n", "atlasod.bash"])
                .current_dir(tmp.path()),
        );
        assert!(check.ok, "{}", check.stderr);
    }
    let run = atlasod(Path::new("."), &["man"]);
    let page = run.stdout;
    assert!(page.starts_with(".ie"), "{page}");
    assert!(page.contains(".TH atlasod 1"), "{page}");
    assert!(page.contains("atlasod\\-diff(1)"), "{page}");
    let run = atlasod(Path::new("."), &["man", "diff"]);
    let page = run.stdout;
    assert!(
        page.contains(".TH atlasod-diff 1") && page.contains("\\-\\-exit\\-code"),
        "{page}"
    );
    let run = atlasod(Path::new("."), &["man", "dif"]);
    run.assert_exit(2, "did you mean `diff`?");
}

#[test]
fn json_and_markdown_formats_without_and_with_changes() {
    let tmp = folder(&[("old.yaml", LAPTOP), ("same.yaml", LAPTOP)]);
    let run = atlasod(
        tmp.path(),
        &["diff", "old.yaml", "same.yaml", "--format", "markdown"],
    );
    assert_eq!(
        run.stdout,
        "### atlasod diff: `same.yaml` for `local`\n\nCompared with `old.yaml`.\n\nNo changes.\n\n"
    );
    let run = atlasod(
        tmp.path(),
        &[
            "diff",
            "old.yaml",
            "same.yaml",
            "--format",
            "json",
            "--exit-code",
        ],
    );
    assert_eq!(run.code, Some(0));
    let value: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(value["changed"], false);

    let new = edit(
        LAPTOP,
        "  - atlas-2020-13tev-4lep ",
        "  - atlas-2020-13tev-3lep ",
    );
    std::fs::write(tmp.path().join("new.yaml"), new).unwrap();
    let run = atlasod(
        tmp.path(),
        &["diff", "old.yaml", "new.yaml", "--format", "json"],
    );
    let value: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let target = &value["targets"][0];
    assert_eq!(
        (value["changed"].clone(), target["target"].clone()),
        (true.into(), "local".into())
    );
    assert_eq!(target["dangers"], 1);
    assert_eq!(target["changes"][0]["danger"], true);
    assert_eq!(
        target["changes"][0]["text"],
        "dataset atlas-2020-13tev-4lep removed"
    );
    assert_eq!(
        target["changes"][1]["text"],
        "dataset atlas-2020-13tev-3lep added (+1 GB download)"
    );
    let files = support::each(&target["files"], "path");
    assert!(files.contains(&"datasets/datasets.json"), "{files:?}");
    assert!(
        target["files"][0]["diff"]
            .as_str()
            .unwrap()
            .starts_with("--- a/")
    );
}
