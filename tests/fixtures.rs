//! Fixture tests: every spec under `tests/fixtures/` is checked, and what the
//! user would see is snapshotted under `snapshots/check/`.
//!
//! - `invalid/<code>/<case>.yaml`: must fail, with at least one diagnostic of
//!   `<code>`; the human rendering (no colour, fixed width) and the JSON are
//!   snapshotted.
//! - `warnings/<code>/<case>.yaml`: must pass, with a warning of `<code>`;
//!   snapshotted the same way.
//! - `valid/<case>/workshop.yaml`: must pass with no diagnostic at all; the
//!   typed spec with every default filled in is snapshotted.
//!
//! The harness also checks what a snapshot cannot: every code of
//! `src/code.rs` has a fixture, every fixture folder is a real code, every
//! diagnostic has a line and a column inside the file, and no snapshot is
//! left without its fixture. See `tests/fixtures/README.md`.

// Tests may unwrap (clippy.toml allows it in #[test] functions; this covers their helpers).
#![allow(clippy::unwrap_used)]

mod support;

use std::collections::BTreeSet;

use atlasod::report::{self, HumanStyle};
use atlasod::{Code, Diagnostics};
use support::fixtures::{self, Case, Outcome};
use support::snapshots;

/// Runs `f` for every case, snapshots included, and fails once at the end
/// with every case that failed (so one run shows all new snapshots).
fn for_each_case(cases: &[Case], f: impl Fn(&Case)) {
    let mut failed = Vec::new();
    for case in cases {
        let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| f(case)));
        if result.is_err() {
            failed.push(case.name.clone());
        }
    }
    assert!(
        failed.is_empty(),
        "{} fixture(s) failed:\n  {}",
        failed.len(),
        failed.join("\n  ")
    );
}

fn snapshot_settings(case: &Case) -> insta::Settings {
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path(case.snapshot_dir());
    settings.set_prepend_module_to_snapshot(false);
    settings.set_omit_expression(true);
    settings.set_input_file(&case.path);
    settings
}

/// Every diagnostic names a line and column inside its file, on character boundaries.
fn assert_positions(case: &Case, diagnostics: &Diagnostics) {
    for d in diagnostics {
        let text = d.file.text();
        for span in std::iter::once(d.primary.span).chain(d.secondary.iter().map(|l| l.span)) {
            assert!(
                span.start <= span.end && span.end <= text.len(),
                "{}: span {span:?} outside the file",
                case.name
            );
            assert!(
                text.is_char_boundary(span.start) && text.is_char_boundary(span.end),
                "{}: span {span:?} splits a character",
                case.name
            );
        }
        let at = d.file.line_col(d.primary.span.start);
        assert!(at.line >= 1 && at.column >= 1, "{}: no position", case.name);
        let human = report::human(&Diagnostics::from(d.clone()), HumanStyle::PLAIN);
        let header = format!("[{}:{}:{}]", d.file.name(), at.line, at.column);
        assert!(
            human.contains(&header),
            "{}: the human rendering does not name {header}:\n{human}",
            case.name
        );
        assert!(
            !d.message.ends_with('.') && !d.message.starts_with(char::is_uppercase),
            "{}: messages are lowercase with no final period: {:?}",
            case.name,
            d.message
        );
    }
}

fn snapshot_diagnostics(case: &Case, diagnostics: &Diagnostics) {
    let human = report::human(diagnostics, HumanStyle::PLAIN);
    let json = report::json(diagnostics);
    snapshot_settings(case).bind(|| {
        insta::assert_snapshot!(format!("{}.human", case.stem()), human);
        insta::assert_snapshot!(format!("{}.json", case.stem()), json);
    });
}

#[test]
fn invalid_fixtures_fail_with_their_code() {
    let cases = fixtures::invalid();
    assert!(
        cases.len() >= 40,
        "the issue asks for at least 40 broken specs, found {}",
        cases.len()
    );
    for_each_case(&cases, |case| {
        let Outcome::Invalid(diagnostics) = case.check() else {
            panic!("{} passed `check`, but it is an invalid fixture", case.name);
        };
        let code = case.code();
        assert!(
            diagnostics.iter().any(|d| d.code == code && d.is_error()),
            "{}: expected an error `{code}`, got {:?}",
            case.name,
            diagnostics.iter().map(|d| d.code).collect::<Vec<_>>()
        );
        assert_positions(case, &diagnostics);
        snapshot_diagnostics(case, &diagnostics);
    });
}

#[test]
fn warning_fixtures_pass_with_their_warning() {
    let cases = fixtures::warnings();
    for_each_case(&cases, |case| {
        let Outcome::Valid { warnings, .. } = case.check() else {
            panic!(
                "{} failed `check`, but a warning must not fail it",
                case.name
            );
        };
        let code = case.code();
        assert!(
            warnings.iter().any(|d| d.code == code && !d.is_error()),
            "{}: expected a warning `{code}`",
            case.name
        );
        assert_positions(case, &warnings);
        snapshot_diagnostics(case, &warnings);
    });
}

#[test]
fn valid_fixtures_pass_without_diagnostics() {
    let cases = fixtures::valid();
    assert!(!cases.is_empty());
    for_each_case(&cases, |case| {
        let (spec, warnings) = match case.check() {
            Outcome::Valid { spec, warnings } => (spec, warnings),
            Outcome::Invalid(d) => panic!(
                "{} must pass `check`:\n{}",
                case.name,
                report::human(&d, HumanStyle::PLAIN)
            ),
        };
        assert!(
            warnings.is_empty(),
            "{} has warnings:\n{}",
            case.name,
            report::human(&warnings, HumanStyle::PLAIN)
        );
        snapshot_settings(case).bind(|| {
            insta::assert_json_snapshot!(format!("{}.spec", case.stem()), spec);
        });
    });
}

#[test]
fn every_code_has_a_fixture() {
    let mut covered: Vec<Code> = fixtures::invalid().iter().map(Case::code).collect();
    covered.extend(fixtures::warnings().iter().map(Case::code));
    let missing: Vec<&str> = Code::ALL
        .iter()
        .filter(|code| !covered.contains(code))
        .map(|code| code.as_str())
        .collect();
    assert!(
        missing.is_empty(),
        "codes without a fixture under tests/fixtures/invalid/<code>/ or warnings/<code>/: {missing:?}"
    );
}

#[test]
fn fixture_folders_are_codes_and_hold_yaml() {
    for kind in ["invalid", "warnings"] {
        for dir in fixtures::subdirs(&fixtures::root().join(kind)) {
            let name = dir.file_name().unwrap().to_string_lossy().into_owned();
            assert!(
                Code::from_name(&name).is_some(),
                "tests/fixtures/{kind}/{name}/ is not named after a diagnostic code"
            );
            let paths: Vec<_> = std::fs::read_dir(&dir)
                .unwrap()
                .map(|e| e.unwrap().path())
                .collect();
            let specs: Vec<String> = paths
                .iter()
                .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
                .map(|p| String::from_utf8_lossy(&std::fs::read(p).unwrap()).into_owned())
                .collect();
            for path in &paths {
                // A roster CSV is a case's too, when a case names it.
                let file_name = path.file_name().unwrap().to_string_lossy();
                let named_roster = path.extension().is_some_and(|e| e == "csv")
                    && specs
                        .iter()
                        .any(|s| s.contains(&format!("roster: {file_name}")));
                assert!(
                    path.extension().is_some_and(|e| e == "yaml") || named_roster,
                    "{} is not a .yaml case (nor a roster a case names)",
                    path.display()
                );
            }
        }
    }
}

/// Every `.snap` under `snapshots/check/` belongs to a fixture that still exists.
#[test]
fn no_orphan_snapshots() {
    let name = |case: &Case, what: &str| {
        let path = case.snapshot_dir().join(format!("{}.{what}", case.stem()));
        let relative = path.strip_prefix(snapshots::root()).unwrap();
        relative.to_string_lossy().into_owned()
    };
    let mut expected = BTreeSet::new();
    for case in fixtures::invalid().iter().chain(&fixtures::warnings()) {
        expected.insert(name(case, "human"));
        expected.insert(name(case, "json"));
    }
    for case in &fixtures::valid() {
        expected.insert(name(case, "spec"));
    }
    snapshots::assert_no_orphans(&["check"], &expected);
}
