//! The CI integration files users copy: `examples/ci/atlasod.yml` (GitHub
//! Actions) and `.pre-commit-hooks.yaml`, each checked by the real consumer's
//! validator: check-jsonschema with SchemaStore's GitHub workflow schema, and
//! pre-commit's own `validate-manifest`. A missing tool fails the test with a
//! message, unless `ATLASOD_SKIP_EXTERNAL=1`.

#![allow(clippy::unwrap_used)] // tests may unwrap (clippy.toml covers #[test] fns only)

use std::path::{Path, PathBuf};
use std::process::Command;

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// `name` on PATH, else in the tools folder of `.ci/install-tools.sh`.
fn tool(name: &str) -> Option<PathBuf> {
    let on_path = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|dir| dir.join(name))
            .find(|p| p.is_file())
    });
    let tools = std::env::var_os("ATLASOD_TOOLS")
        .map_or_else(|| PathBuf::from("/opt/atlasod-tools"), PathBuf::from);
    let found = on_path.or_else(|| Some(tools.join("bin").join(name)).filter(|p| p.is_file()));
    if found.is_none() {
        assert!(
            std::env::var_os("ATLASOD_SKIP_EXTERNAL").is_some_and(|v| v == "1"),
            "this test needs `{name}`: run `bash .ci/install-tools.sh` and put its bin/ on PATH \
             (see .ci/README.md), or set ATLASOD_SKIP_EXTERNAL=1 to skip tests that need external tools"
        );
    }
    found
}

fn run(tool: &Path, args: &[&str]) {
    let out = Command::new(tool)
        .args(args)
        .current_dir(repo())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{} {args:?} failed:\n{}{}",
        tool.display(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn github_workflow_matches_the_workflow_schema() {
    let Some(checker) = tool("check-jsonschema") else {
        return;
    };
    run(
        &checker,
        &[
            "--builtin-schema",
            "vendor.github-workflows",
            "examples/ci/atlasod.yml",
        ],
    );
}

#[test]
fn pre_commit_hooks_manifest_is_valid() {
    let Some(pre_commit) = tool("pre-commit") else {
        return;
    };
    run(
        &pre_commit,
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
