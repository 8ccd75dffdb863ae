//! End-to-end tests of the `atlasod` binary: exit codes (0 valid, 1 invalid
//! spec, 2 usage or I/O), what it prints on stdout and stderr, colour
//! control, and `init`. Snapshots under `snapshots/cli/` hold the exit code,
//! stdout and stderr of each run together (insta-cmd).

// Tests may unwrap (clippy.toml allows it in #[test] functions; this covers their helpers).
#![allow(clippy::unwrap_used)]

mod support;

use std::path::{Path, PathBuf};
use std::process::Command;

use insta_cmd::assert_cmd_snapshot;
use support::{Ran, fixtures, repo, run};

fn atlasod() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_atlasod"));
    command
        .current_dir(repo())
        .env_remove("NO_COLOR")
        .env_remove("COLUMNS")
        .env("TERM", "dumb");
    command
}

fn settings() -> insta::Settings {
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path(repo().join("snapshots/cli"));
    settings.set_prepend_module_to_snapshot(false);
    settings
}

/// A fresh, empty folder for one test.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("atlasod-cli-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn check_accepts_every_example() {
    settings().bind(|| {
        assert_cmd_snapshot!(
            "check_accepts_every_example",
            atlasod().args([
                "check",
                "examples/cern-openstack.yaml",
                "examples/laptop.yaml",
                "examples/masterclass-aws.yaml",
                "examples/online-k8s.yaml",
                "examples/university-gcp.yaml",
            ])
        );
    });
}

#[test]
fn check_reports_every_problem_of_every_file_with_exit_1() {
    settings().bind(|| {
        assert_cmd_snapshot!(
            "check_reports_every_problem_of_every_file_with_exit_1",
            atlasod().env("NO_COLOR", "1").args([
                "check",
                "examples/laptop.yaml",
                "tests/fixtures/invalid/unknown-key/instanse.yaml",
                "tests/fixtures/invalid/local-only/laptop_spec_built_for_openstack.yaml",
                "--target",
                "local",
                "--target",
                "openstack",
            ])
        );
    });
}

#[test]
fn check_json_has_stable_fields() {
    settings().bind(|| {
        assert_cmd_snapshot!(
            "check_json_has_stable_fields",
            atlasod().args([
                "check",
                "--format",
                "json",
                "tests/fixtures/invalid/invalid-value/method_githb.yaml",
                "tests/fixtures/warnings/ssh-closed/key_without_cidr.yaml",
            ])
        );
    });
}

#[test]
fn check_github_writes_workflow_annotations() {
    settings().bind(|| {
        assert_cmd_snapshot!(
            "check_github_writes_workflow_annotations",
            atlasod().args([
                "check",
                "--format",
                "github",
                "tests/fixtures/invalid/duplicate-key/region_twice.yaml",
                "tests/fixtures/warnings/ssh-closed/key_without_cidr.yaml",
            ])
        );
    });
}

#[test]
fn check_reads_standard_input() {
    let mut command = atlasod();
    command.args(["check", "-"]);
    settings().bind(|| {
        assert_cmd_snapshot!(
            "check_reads_standard_input",
            command.pass_stdin("version: 1\nname: from-stdin\nusers: {count: 3}\n")
        );
    });
}

#[test]
fn a_missing_file_is_exit_2() {
    settings().bind(|| {
        assert_cmd_snapshot!(
            "a_missing_file_is_exit_2",
            atlasod().args(["check", "no/such/workshop.yaml"])
        );
    });
}

#[test]
fn no_workshop_yaml_here_suggests_init() {
    let dir = scratch("no-spec");
    let output = run(atlasod().current_dir(&dir).arg("check"));
    assert_eq!(output.code, Some(2));
    let stderr = output.stderr;
    assert!(stderr.contains("cannot read `workshop.yaml`"), "{stderr}");
    assert!(stderr.contains("atlasod init"), "{stderr}");
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn usage_errors_are_exit_2() {
    settings().bind(|| {
        assert_cmd_snapshot!("unknown_flag", atlasod().args(["check", "--formt", "json"]));
        assert_cmd_snapshot!(
            "unknown_target",
            atlasod().args(["check", "--target", "azure"])
        );
    });
}

#[test]
fn help_shows_examples_and_exit_codes() {
    settings().bind(|| {
        assert_cmd_snapshot!("help", atlasod().arg("--help"));
        assert_cmd_snapshot!("check_help", atlasod().args(["check", "--help"]));
    });
}

#[test]
fn colour_follows_the_flag() {
    let file = "tests/fixtures/invalid/unknown-key/instanse.yaml";
    let always = run(atlasod().args(["check", "--color", "always", file]));
    assert!(always.stdout.contains("\u{1b}["), "--color always paints");
    let never = run(atlasod().args(["check", "--color", "never", file]));
    assert!(!never.stdout.contains('\u{1b}'));
    // Not a terminal, so `auto` must not paint, with or without NO_COLOR.
    let auto = run(atlasod().env("NO_COLOR", "1").args(["check", file]));
    assert!(!auto.stdout.contains('\u{1b}'));
    assert_eq!(auto.stdout, never.stdout);
}

#[test]
fn quiet_prints_only_problems() {
    let ok = run(atlasod().args(["check", "--quiet", "examples/laptop.yaml"]));
    assert_eq!(ok.code, Some(0));
    assert!(ok.stdout.is_empty() && ok.stderr.is_empty());
    let bad = run(atlasod().args([
        "check",
        "-q",
        "tests/fixtures/invalid/unknown-key/instanse.yaml",
    ]));
    assert_eq!(bad.code, Some(1));
    assert!(bad.stdout.contains("unknown key `instanse`"));
    assert!(!bad.stdout.contains("failed:"));
}

#[test]
fn every_invalid_fixture_exits_1_and_names_file_line_col() {
    for case in fixtures::invalid() {
        let path = case.path.to_string_lossy().into_owned();
        let output = run(atlasod().arg("check").arg(&path).args(case.args()));
        assert_eq!(output.code, Some(1), "{path}: {}", output.stderr);
        let stdout = output.stdout;
        // The spec itself, or a file it names beside it (a roster CSV).
        let dir = case.path.parent().unwrap().to_string_lossy().into_owned();
        let header = format!("[{dir}/");
        let at = stdout
            .find(&header)
            .unwrap_or_else(|| panic!("{path}: no `{header}<file>:line:col]` in\n{stdout}"));
        let rest = &stdout[at + header.len()..];
        let rest = &rest[rest.find(':').unwrap() + 1..];
        let position = &rest[..rest.find(']').unwrap()];
        let (line, column) = position.split_once(':').unwrap();
        assert!(
            line.parse::<usize>().unwrap() >= 1 && column.parse::<usize>().unwrap() >= 1,
            "{path}: {position}"
        );
        assert!(
            stdout.contains(&format!("[{}]", case.code()))
                || stdout.lines().any(|l| l.trim() == case.code().as_str()),
            "{path}: the code `{}` is not shown",
            case.code()
        );
    }
}

#[test]
fn warnings_do_not_fail_the_check() {
    for case in fixtures::warnings() {
        let output = run(atlasod().arg("check").arg(&case.path).args(case.args()));
        assert_eq!(output.code, Some(0), "{}", case.name);
        assert!(output.stdout.contains(case.code().as_str()));
    }
}

fn init(dir: &Path, args: &[&str]) -> Ran {
    run(atlasod().current_dir(dir).arg("init").args(args))
}

#[test]
fn init_writes_a_spec_that_passes_check_for_each_target() {
    let dir = scratch("init");
    for target in ["local", "aws", "gcp", "openstack", "kubernetes"] {
        let file = format!("{target}.yaml");
        let output = init(&dir, &["--target", target, "-o", &file]);
        assert_eq!(output.code, Some(0), "{}", output.stderr);
        let written = std::fs::read_to_string(dir.join(&file)).unwrap();
        assert!(written.starts_with("# yaml-language-server: $schema=workshop.schema.json"));
        let check = run(atlasod().current_dir(&dir).args(["check", &file]));
        assert_eq!(
            check.code,
            Some(0),
            "the starter spec for {target} fails check:\n{}",
            check.stdout
        );
        let declared = check.stdout;
        assert!(declared.contains(target), "{declared}");
    }
    let schema = std::fs::read_to_string(dir.join("workshop.schema.json")).unwrap();
    assert_eq!(
        schema,
        std::fs::read_to_string(repo().join("schema/workshop.schema.json")).unwrap()
    );
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn init_never_overwrites() {
    let dir = scratch("init-overwrite");
    let mine = "# my own spec, hand-written\nversion: 1\n";
    std::fs::write(dir.join("workshop.yaml"), mine).unwrap();
    let output = init(&dir, &[]);
    assert_eq!(output.code, Some(2));
    assert!(output.stderr.contains("already exists"));
    assert_eq!(
        std::fs::read_to_string(dir.join("workshop.yaml")).unwrap(),
        mine
    );
    assert!(!dir.join("workshop.schema.json").exists());
    let _ = std::fs::remove_dir_all(dir);
}

/// Every file under `dir`, by path relative to it, with its bytes.
fn tree(dir: &Path) -> std::collections::BTreeMap<String, Vec<u8>> {
    fn walk(dir: &Path, root: &Path, out: &mut std::collections::BTreeMap<String, Vec<u8>>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(&path, root, out);
            } else {
                let relative = path
                    .strip_prefix(root)
                    .unwrap()
                    .to_string_lossy()
                    .into_owned();
                out.insert(relative, std::fs::read(&path).unwrap());
            }
        }
    }
    let mut out = std::collections::BTreeMap::new();
    walk(dir, dir, &mut out);
    out
}

#[test]
fn build_without_a_target_builds_every_declared_target_plus_local() {
    let spec = "benches/specs/three-clouds.yaml";
    let all = scratch("build-all");
    let output = run(atlasod()
        .args(["build", spec, "--color", "never", "-o"])
        .arg(&all));
    let stderr = output.stderr;
    assert_eq!(output.code, Some(0), "{stderr}");
    let built: Vec<&str> = stderr.lines().filter(|l| l.starts_with("built ")).collect();
    assert_eq!(built.len(), 4, "one summary line per target:\n{stderr}");
    for (line, target) in built.iter().zip(["aws", "gcp", "kubernetes", "local"]) {
        assert!(line.contains(&format!(" for {target}: ")), "{line}");
    }
    // Each bundle is the one `--target` builds alone (the manifest included).
    for target in ["aws", "gcp", "kubernetes", "local"] {
        let one = scratch(&format!("build-one-{target}"));
        let single = run(atlasod()
            .args(["build", spec, "-q", "--target", target, "-o"])
            .arg(&one));
        assert_eq!(single.code, Some(0), "{}", single.stderr);
        let (together, alone) = (tree(&all.join(target)), tree(&one.join(target)));
        assert!(!alone.is_empty());
        assert_eq!(
            together.keys().collect::<Vec<_>>(),
            alone.keys().collect::<Vec<_>>()
        );
        assert!(together == alone, "{target}: the bundles differ");
        let _ = std::fs::remove_dir_all(one);
    }
    assert!(!all.join("openstack").exists(), "openstack is not declared");
    let _ = std::fs::remove_dir_all(all);
}
