//! The `kubernetes` target, end to end: every spec that declares
//! `cloud.kubernetes` (fixtures under `tests/fixtures/valid/`, and
//! `examples/`) is built, snapshotted file by file, and every generated file
//! is handed to the program that consumes it:
//! - `values.yaml`: merged over Zero to JupyterHub 4.4.0's default values and
//!   validated against the chart's `values.schema.json`
//!   (`${ATLASOD_Z2JH_SCHEMA_DIR:-../shared/schemas/z2jh}`; missing = failure);
//! - `manifests/*.yaml`: `kubernetes-validate --strict` at Kubernetes 1.33;
//! - `terraform/`: python-hcl2 parse, `terraform fmt -check`, `terraform
//!   validate` (offline, through `../shared/tf-offline`), checkov with zero
//!   failed checks;
//! - the single-user start script: shellcheck; `fetch.py`: a download run
//!   against a loopback HTTP server.
//!
//! External programs come from `${ATLASOD_TOOLS:-/opt/atlasod-tools}/bin`
//! (`.ci/install-tools.sh`). A missing one fails the test with a message,
//! unless `ATLASOD_SKIP_EXTERNAL=1`.

#![allow(clippy::unwrap_used, clippy::print_stderr)] // a test: a failed unwrap fails it; skips are reported on stderr

mod support;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

use atlasod::bundle::Bundle;
use atlasod::program::{self, BuildFailure};
use atlasod::spec::Target;
use atlasod::targets::kubernetes::KUBERNETES_VERSION;
use atlasod::{Code, SourceFile};
use support::snapshots;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Every spec that declares `cloud.kubernetes`, by a short name.
fn specs() -> BTreeMap<String, PathBuf> {
    let mut specs = BTreeMap::new();
    let fixtures = root().join("tests/fixtures/valid");
    for entry in std::fs::read_dir(&fixtures).unwrap() {
        let path = entry.unwrap().path().join("workshop.yaml");
        let name = path
            .parent()
            .unwrap()
            .file_name()
            .unwrap()
            .to_string_lossy()
            .into_owned();
        specs.insert(name, path);
    }
    if let Ok(entries) = std::fs::read_dir(root().join("examples")) {
        for entry in entries {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "yaml") {
                let name = format!("example-{}", path.file_stem().unwrap().to_string_lossy());
                specs.insert(name, path.clone());
            }
        }
    }
    specs.retain(|_, path| {
        let text = std::fs::read_to_string(&*path).unwrap();
        program::check(SourceFile::new(path.display().to_string(), text), None)
            .is_ok_and(|checked| checked.spec.cloud.kubernetes.is_some())
    });
    assert!(
        specs.len() >= 4,
        "expected the kubernetes fixtures, found {specs:?}"
    );
    specs
}

fn build(path: &Path) -> atlasod::program::Built {
    let text = std::fs::read_to_string(path).unwrap();
    match program::build(
        SourceFile::new(path.display().to_string(), text),
        Target::Kubernetes,
    ) {
        Ok(built) => built,
        Err(BuildFailure::Invalid(d)) => panic!("{}: invalid: {d:?}", path.display()),
        Err(BuildFailure::Failed(e)) => panic!("{}: {e}", path.display()),
    }
}

fn text(bundle: &Bundle, path: &str) -> String {
    bundle
        .text(path)
        .unwrap_or_else(|| panic!("no {path}"))
        .to_owned()
}

/// Writes every spec's bundle under a fresh temporary folder.
fn written() -> (PathBuf, BTreeMap<String, PathBuf>) {
    let base = std::env::temp_dir().join(format!(
        "atlasod-k8s-{}-{}",
        std::process::id(),
        std::thread::current()
            .name()
            .unwrap_or("t")
            .replace("::", "-")
    ));
    let _ = std::fs::remove_dir_all(&base);
    let mut dirs = BTreeMap::new();
    for (name, path) in specs() {
        let dir = base.join(&name);
        atlasod::bundle::write_files(&build(&path).bundle, &dir).unwrap();
        dirs.insert(name, dir);
    }
    (base, dirs)
}

/// An external program, or `None` (skip) when missing and `ATLASOD_SKIP_EXTERNAL=1`.
fn tool(name: &str) -> Option<PathBuf> {
    let tools = std::env::var("ATLASOD_TOOLS").unwrap_or_else(|_| "/opt/atlasod-tools".into());
    let candidate = Path::new(&tools).join("bin").join(name);
    if candidate.exists() {
        return Some(candidate);
    }
    if let Some(found) = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|p| p.join(name))
            .find(|p| p.exists())
    }) {
        return Some(found);
    }
    assert!(
        std::env::var("ATLASOD_SKIP_EXTERNAL").is_ok_and(|v| v == "1"),
        "`{name}` is missing from {tools}/bin and PATH: run `bash .ci/install-tools.sh` (or set ATLASOD_SKIP_EXTERNAL=1 to skip the external checks)"
    );
    eprintln!("skipping: `{name}` is missing and ATLASOD_SKIP_EXTERNAL=1");
    None
}

fn run(command: &mut Command) -> (bool, String) {
    let output = command
        .output()
        .unwrap_or_else(|e| panic!("cannot run {command:?}: {e}"));
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    (output.status.success(), text)
}

/// The examples and the kubernetes fixtures; other valid fixtures that
/// declare kubernetes go through the real validators only.
fn snapshotted(name: &str) -> bool {
    name.starts_with("example-") || name.starts_with("k8s-") || name == "online-k8s"
}

#[test]
fn every_file_matches_its_snapshot() {
    for (name, path) in specs().into_iter().filter(|(name, _)| snapshotted(name)) {
        let built = build(&path);
        for (file, contents) in &built.bundle.files {
            let text = String::from_utf8(contents.contents.clone()).unwrap();
            let (settings, snapshot) = snapshots::at(&snapshots::file("kubernetes", &name, file));
            settings.bind(|| insta::assert_snapshot!(snapshot, text));
        }
        let (settings, snapshot) = snapshots::at(&snapshots::of_case("kubernetes", &name, "plan"));
        settings.bind(|| insta::assert_json_snapshot!(snapshot, built.plan.kubernetes));
    }
}

#[test]
fn no_orphan_snapshots() {
    let mut expected = BTreeSet::new();
    for (name, path) in specs().into_iter().filter(|(name, _)| snapshotted(name)) {
        for file in build(&path).bundle.files.keys() {
            expected.insert(snapshots::file("kubernetes", &name, file));
        }
        expected.insert(snapshots::of_case("kubernetes", &name, "plan"));
    }
    snapshots::assert_no_orphans(&["kubernetes"], &expected);
}

#[test]
fn builds_are_byte_identical() {
    for path in specs().values() {
        assert_eq!(build(path).bundle, build(path).bundle, "{}", path.display());
    }
}

#[test]
fn no_secret_value_is_written() {
    for path in specs().values() {
        let bundle = build(path).bundle;
        for (file, contents) in &bundle.files {
            let text = String::from_utf8_lossy(&contents.contents);
            for needle in [
                "client_secret:",
                "user_password:",
                "admin_password:",
                "cookieSecret:",
                "secretToken:",
            ] {
                assert!(
                    !text.contains(needle),
                    "{file} of {} sets {needle}",
                    path.display()
                );
            }
        }
        let values = text(&bundle, "values.yaml");
        assert!(
            !values.contains("BEGIN"),
            "a key or certificate in values.yaml"
        );
    }
}

#[test]
fn the_400_student_course_is_sized_and_refused_for_one_vm() {
    let path = root().join("tests/fixtures/valid/online-k8s/workshop.yaml");
    let built = build(&path);
    let k8s = built.plan.kubernetes.as_ref().unwrap();
    let cluster = k8s.cluster.as_ref().unwrap();
    assert!(cluster.users_per_node * cluster.nodes_for_all >= 400);
    assert!(cluster.max_nodes * cluster.users_per_node >= 400 + k8s.placeholders);
    let readme = text(&built.bundle, "README.md");
    assert!(
        readme.contains("cost per hour, all 400 users on"),
        "{readme}"
    );
    assert!(readme.contains(&cluster.node_type));

    let spec = std::fs::read_to_string(&path).unwrap();
    let failure = program::build(SourceFile::new("workshop.yaml", spec.clone()), Target::Aws)
        .expect_err("400 users on one AWS VM");
    let BuildFailure::Invalid(diagnostics) = failure else {
        panic!("expected diagnostics")
    };
    let too_many = diagnostics
        .iter()
        .find(|d| d.code == Code::TooManyUsers)
        .expect("a too-many-users diagnostic");
    let span = too_many.primary.span;
    assert_eq!(&spec[span.start..span.end], "400");
    let line_start = spec[..span.start].rfind('\n').unwrap() + 1;
    assert!(spec[line_start..].starts_with("  count: 400"));
    assert!(
        too_many
            .help
            .as_deref()
            .unwrap_or("")
            .contains("--target kubernetes"),
        "{:?}",
        too_many.help
    );
}

#[test]
fn cluster_settings_are_checked() {
    let cases = [
        (
            "provider: gcp\n      region: europe-west1",
            "a `gcp` cluster needs `project`",
        ),
        ("provider: aws", "an `aws` cluster needs `region`"),
        (
            "provider: aws\n      region: eu-central-1\n      node_type: m6i.4xlarg",
            "`m6i.4xlarg` is not an instance type atlasod knows for AWS",
        ),
        (
            "provider: aws\n      region: eu-central-1\n      node_type: t3.large",
            "a `t3.large` node (2 vCPU, 8 GiB) cannot hold one user",
        ),
        (
            "provider: gcp\n      project: my-project-1\n      region: europe-west1\n      zone: europe-west9-a",
            "`europe-west9-a` is not a zone of `europe-west1`",
        ),
        (
            "provider: aws\n      region: eu-central-1\n      min_nodes: 5\n      max_nodes: 2",
            "`min_nodes` (5) is more than `max_nodes` (2)",
        ),
        (
            "provider: openstack\n      auth_url: https://keystone.example.org/v3",
            "an `openstack` cluster needs `template`",
        ),
    ];
    for (cluster, message) in cases {
        let memory = if cluster.contains("t3.large") {
            "16GiB"
        } else {
            "2GiB"
        };
        let spec = format!(
            "version: 1\nname: c-test\ncloud:\n  kubernetes:\n    cluster:\n      {cluster}\nusers:\n  count: 50\n  memory: {memory}\n"
        );
        let result = program::check(
            SourceFile::new("workshop.yaml", spec),
            Some(&[Target::Kubernetes]),
        );
        let diagnostics = result.expect_err(message);
        assert!(
            diagnostics.iter().any(|d| d.message == message),
            "{message}: got {:?}",
            diagnostics.iter().map(|d| &d.message).collect::<Vec<_>>()
        );
    }
    let both = "version: 1\nname: c-test\ncloud:\n  kubernetes:\n    context: mine\n    cluster:\n      provider: aws\n      region: eu-central-1\nusers:\n  count: 50\n";
    let diagnostics = program::check(SourceFile::new("w.yaml", both), None).unwrap_err();
    assert!(diagnostics.iter().any(|d| d.code == Code::ClusterSettings));
}

#[test]
fn values_validate_against_the_chart_schema() {
    let schema_dir = std::env::var("ATLASOD_Z2JH_SCHEMA_DIR")
        .map_or_else(|_| root().join("../shared/schemas/z2jh"), PathBuf::from);
    assert!(
        schema_dir.join("values.schema.json").exists() && schema_dir.join("values.yaml").exists(),
        "the Zero to JupyterHub schema is missing from {} (values.schema.json and values.yaml of chart 4.4.0); set ATLASOD_Z2JH_SCHEMA_DIR",
        schema_dir.display()
    );
    let Some(python) = tool("python-lint") else {
        return;
    };
    let (base, dirs) = written();
    let files: Vec<PathBuf> = dirs.values().map(|d| d.join("values.yaml")).collect();
    let (ok, out) = run(Command::new(python)
        .arg(root().join("tests/tools/z2jh_values_check.py"))
        .arg(&schema_dir)
        .args(&files));
    assert!(ok, "{out}");
    assert_eq!(out.matches(": valid").count(), files.len(), "{out}");
    let _ = std::fs::remove_dir_all(base);
}

#[test]
fn manifests_pass_kubernetes_validate() {
    let Some(validate) = tool("kubernetes-validate") else {
        return;
    };
    let (base, dirs) = written();
    let manifests: Vec<PathBuf> = dirs
        .values()
        .map(|d| d.join("manifests/datasets.yaml"))
        .filter(|p| p.exists())
        .collect();
    assert!(!manifests.is_empty());
    let (ok, out) = run(Command::new(validate)
        .args(["--strict", "-k", KUBERNETES_VERSION])
        .args(&manifests));
    let bad: Vec<&str> = out
        .lines()
        .filter(|l| l.starts_with("ERROR") || l.starts_with("WARN"))
        .collect();
    assert!(ok && bad.is_empty(), "{out}");
    assert_eq!(
        out.matches(" passed for resource ").count(),
        3 * manifests.len(),
        "{out}"
    );
    let _ = std::fs::remove_dir_all(base);
}

#[test]
fn terraform_parses_is_formatted_and_validates() {
    let (Some(terraform), Some(hcl2json)) = (tool("terraform"), tool("hcl2tojson")) else {
        return;
    };
    let (base, dirs) = written();
    let kit = root().join("../shared/tf-offline/setup.sh");
    let (ok, line) = run(Command::new("bash").arg(&kit));
    assert!(ok, "tf-offline setup failed: {line}");
    let config = line
        .trim()
        .rsplit_once('=')
        .map(|(_, v)| v.to_owned())
        .unwrap_or_default();
    for (name, dir) in &dirs {
        let module = dir.join("terraform");
        for file in ["versions.tf", "variables.tf", "main.tf", "outputs.tf"] {
            let (ok, out) = run(Command::new(&hcl2json).arg(module.join(file)));
            assert!(ok, "{name}/{file}: python-hcl2: {out}");
        }
        let (ok, out) = run(Command::new(&terraform)
            .args(["fmt", "-check", "-diff", "-recursive"])
            .arg(&module));
        assert!(ok, "{name}: terraform fmt -check: {out}");
        let (ok, out) = run(Command::new(&terraform)
            .args(["validate", "-no-color"])
            .current_dir(&module)
            .env("TF_CLI_CONFIG_FILE", &config));
        assert!(
            ok && out.contains("Success!"),
            "{name}: terraform validate: {out}"
        );
    }
    let _ = std::fs::remove_dir_all(base);
}

#[test]
fn checkov_finds_nothing_to_fix() {
    let Some(checkov) = tool("checkov") else {
        return;
    };
    let (base, dirs) = written();
    // One run per module: given several directories, checkov 3.3 merges their
    // reports, and a module with nothing it checks (only helm/tls resources)
    // yields a bare summary instead of a report.
    let mut passed = 0;
    for (name, dir) in &dirs {
        let (_, out) = run(Command::new(&checkov)
            .args([
                "--framework",
                "terraform",
                "--quiet",
                "--compact",
                "-o",
                "json",
                "-d",
            ])
            .arg(dir.join("terraform")));
        let report: serde_json::Value = serde_json::from_str(out.trim())
            .unwrap_or_else(|e| panic!("{name}: checkov did not print JSON ({e}): {out}"));
        let summary = report.get("summary").unwrap_or(&report);
        let failed = summary["failed"].as_u64();
        assert_eq!(failed, Some(0), "{name}: checkov failed checks: {out}");
        assert_eq!(summary["parsing_errors"].as_u64(), Some(0), "{name}: {out}");
        passed += summary["passed"].as_u64().unwrap_or(0);
    }
    assert!(passed > 0, "checkov ran no check on any module");
    let _ = std::fs::remove_dir_all(base);
}

#[test]
fn start_script_passes_shellcheck() {
    let Some(shellcheck) = tool("shellcheck") else {
        return;
    };
    for (name, path) in specs() {
        let built = build(&path);
        let script = atlasod::targets::kubernetes::start_script(
            &built.plan,
            built.plan.kubernetes.as_ref().unwrap(),
        )
        .unwrap();
        let values = text(&built.bundle, "values.yaml");
        let first = script.lines().nth(1).unwrap();
        assert!(
            values.contains(first),
            "{name}: the script is not in values.yaml"
        );
        let file =
            std::env::temp_dir().join(format!("atlasod-start-{name}-{}.sh", std::process::id()));
        std::fs::write(&file, &script).unwrap();
        let (ok, out) = run(Command::new(&shellcheck).arg(&file));
        let _ = std::fs::remove_file(&file);
        assert!(ok, "{name}: shellcheck: {out}");
    }
}

#[test]
fn fetch_script_downloads_once_and_checks_what_it_gets() {
    let python = tool("python-lint").or_else(|| tool("python3"));
    let Some(python) = python else {
        return;
    };
    let (ok, out) = run(Command::new(python)
        .arg(root().join("tests/tools/fetch_selftest.py"))
        .arg(root().join("targets/kubernetes/fetch.py")));
    assert!(ok && out.contains(" passed, 0 failed"), "{out}");
}
