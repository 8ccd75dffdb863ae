//! The CI integration files users copy: `examples/ci/atlasod.yml` (GitHub
//! Actions) and `.pre-commit-hooks.yaml`, each checked by the real consumer's
//! validator: check-jsonschema with SchemaStore's GitHub workflow schema, and
//! pre-commit's own `validate-manifest`. A missing tool fails the test with a
//! message, unless `ATLASOD_SKIP_EXTERNAL=1`.

#![allow(clippy::unwrap_used)] // tests may unwrap (clippy.toml covers #[test] fns only)

mod support;

use std::process::Command;

use support::{repo, run, tool};

/// Runs the tool `name` with `args` in the repository; its failure fails the
/// test. Nothing to do when the tool is missing and external tools are skipped.
fn accepts(name: &str, args: &[&str]) {
    let Some(tool) = tool(name) else {
        return;
    };
    run(Command::new(&tool).args(args).current_dir(repo()))
        .assert_ok(&format!("{} {args:?}", tool.display()));
}

#[test]
fn github_workflow_matches_the_workflow_schema() {
    accepts(
        "check-jsonschema",
        &[
            "--builtin-schema",
            "vendor.github-workflows",
            "examples/ci/atlasod.yml",
        ],
    );
}

#[test]
fn pre_commit_hooks_manifest_is_valid() {
    accepts(
        "pre-commit",
        &["validate-manifest", ".pre-commit-hooks.yaml"],
    );
}

#[test]
fn the_workflow_uses_only_flags_atlasod_has() {
    let workflow = std::fs::read_to_string(repo().join("examples/ci/atlasod.yml")).unwrap();
    for used in [
        "atlasod check ${{ steps.specs.outputs.files }} --format github",
        "atlasod check ${{ steps.specs.outputs.files }} --format sarif",
        "atlasod diff --base \"$BASE\" \"$spec\" --format markdown --exit-code",
    ] {
        assert!(
            workflow.contains(used),
            "the workflow no longer runs `{used}`"
        );
    }
    let help = |args: &[&str]| {
        let out = Command::new(env!("CARGO_BIN_EXE_atlasod"))
            .args(args)
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let check = help(&["check", "--help"]);
    assert!(
        check.contains("github") && check.contains("sarif"),
        "{check}"
    );
    let diff = help(&["diff", "--help"]);
    for flag in ["--base <REF>", "--exit-code", "markdown"] {
        assert!(diff.contains(flag), "`diff --help` lacks {flag}: {diff}");
    }
}
