//! An independent validator agrees with atlasod about the schema:
//! `check-jsonschema` (PyPI; installed by `.ci/install-tools.sh`) reads the
//! YAML files itself and validates them against `schema/workshop.schema.json`.
//!
//! - every example and every valid fixture passes;
//! - every invalid fixture of a schema-level code (unknown key, missing key,
//!   wrong type, invalid value, invalid format, out of range, duplicate item)
//!   fails, so this test can fail and the schema says what atlasod says.
//!
//! Missing tool: the test fails, unless `ATLASOD_SKIP_EXTERNAL=1` (see `tests/support`).

// Tests may unwrap (clippy.toml allows it in #[test] functions; this covers their helpers).
#![allow(clippy::unwrap_used)]

mod support;

use std::path::PathBuf;
use std::process::Command;

use atlasod::Code;
use serde_json::Value;
use support::{fixtures, repo, specs};

/// Runs check-jsonschema on `files`; returns the names of the files it rejects.
fn rejected(tool: &PathBuf, files: &[PathBuf]) -> Vec<String> {
    let output = Command::new(tool)
        .current_dir(repo())
        .arg("--schemafile")
        .arg("schema/workshop.schema.json")
        .args(["--output-format", "json"])
        .args(files)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let report: Value = serde_json::from_str(&stdout).unwrap_or_else(|error| {
        panic!(
            "check-jsonschema did not print a JSON report ({error}):\n{stdout}\n{}",
            String::from_utf8_lossy(&output.stderr)
        )
    });
    let mut files: Vec<String> = report["errors"]
        .as_array()
        .into_iter()
        .flatten()
        .chain(report["parse_errors"].as_array().into_iter().flatten())
        .filter_map(|e| e["filename"].as_str().map(str::to_owned))
        .collect();
    files.sort();
    files.dedup();
    assert_eq!(
        output.status.success(),
        files.is_empty(),
        "exit status and report disagree:\n{stdout}"
    );
    files
}

#[test]
fn check_jsonschema_accepts_every_example_and_valid_fixture() {
    let Some(tool) = support::tool("check-jsonschema") else {
        return;
    };
    let mut files: Vec<PathBuf> = specs::examples().into_iter().map(|s| s.path).collect();
    assert!(files.len() >= 5);
    files.extend(fixtures::valid().into_iter().map(|c| c.path));
    assert_eq!(rejected(&tool, &files), Vec::<String>::new());
}

const SCHEMA_CODES: &[Code] = &[
    Code::UnknownKey,
    Code::MissingKey,
    Code::WrongType,
    Code::InvalidValue,
    Code::InvalidFormat,
    Code::OutOfRange,
    Code::DuplicateItem,
];

/// Missing keys that atlasod finds after the schema: `users` needs `count` or `roster`, which the
/// schema does not say (an `anyOf` there would word every other problem of `users` worse).
const RULE_LEVEL: &[&str] = &["invalid/missing-key/users_without_count.yaml"];

#[test]
fn check_jsonschema_rejects_every_schema_level_invalid_fixture() {
    let Some(tool) = support::tool("check-jsonschema") else {
        return;
    };
    let cases: Vec<PathBuf> = fixtures::invalid()
        .into_iter()
        .filter(|c| SCHEMA_CODES.contains(&c.code()))
        .map(|c| c.path)
        .filter(|p| !RULE_LEVEL.iter().any(|r| p.ends_with(r)))
        .collect();
    assert!(cases.len() > 30);
    let rejected = rejected(&tool, &cases);
    let accepted: Vec<String> = cases
        .iter()
        .map(|p| p.to_string_lossy().into_owned())
        .filter(|p| !rejected.iter().any(|r| r.ends_with(p.as_str())))
        .collect();
    assert!(
        accepted.is_empty(),
        "check-jsonschema accepts what atlasod rejects as a schema error: {accepted:#?}"
    );
}
