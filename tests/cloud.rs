//! The single-VM cloud targets (`aws`, `gcp`, `openstack`), end to end.
//!
//! Every spec in `examples/` and `tests/fixtures/valid/` is built for each
//! cloud it declares. In-process: snapshots of every file
//! (`snapshots/<cloud>/<case>/<file>.snap`),
//! determinism, the user-data size limits, the resource listing per cloud,
//! and diagnostics that point at the spec line. With the real tools (from
//! `.ci/install-tools.sh`, or skipped with `ATLASOD_SKIP_EXTERNAL=1`):
//! `terraform validate` (offline kit) and `terraform fmt -check`, python-hcl2,
//! checkov, `cloud-init schema` and shellcheck.

#![allow(clippy::unwrap_used, clippy::print_stdout)]

mod common;
mod support;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

use atlasod::bundle::Bundle;
use atlasod::{SourceFile, Target};
use common::{Tool, repo_root, run, tool};
use support::snapshots;

const CLOUDS: [Target; 3] = [Target::Aws, Target::Gcp, Target::Openstack];

/// One spec built for one cloud.
struct Case {
    /// `<spec name>__<target>`, e.g. `masterclass-aws__aws`.
    name: String,
    /// The spec's short name, e.g. `example-masterclass-aws`.
    spec: String,
    target: Target,
    bundle: Bundle,
}

/// The specs: every example and every valid fixture, by a short name.
fn specs() -> Vec<(String, PathBuf)> {
    let root = repo_root();
    let mut specs = Vec::new();
    if let Ok(entries) = std::fs::read_dir(root.join("examples")) {
        for entry in entries.flatten() {
            let path = entry.path();
            if path.extension().is_some_and(|e| e == "yaml") {
                let stem = path.file_stem().unwrap().to_string_lossy().into_owned();
                specs.push((format!("example-{stem}"), path));
            }
        }
    }
    for entry in std::fs::read_dir(root.join("tests/fixtures/valid"))
        .unwrap()
        .flatten()
    {
        let path = entry.path().join("workshop.yaml");
        if path.exists() {
            let name = entry.file_name().to_string_lossy().into_owned();
            specs.push((name, path));
        }
    }
    // A warning fixture that builds: a region without prices.
    specs.push((
        "aws-unpriced-region".to_owned(),
        root.join("tests/fixtures/warnings/unpriced-region/auto_native_python.yaml"),
    ));
    specs.sort();
    specs
}

/// The specs whose bundles are snapshotted file by file: the examples and the
/// fixtures that exercise something the examples do not (a named OpenStack
/// flavor, a region without prices). The other valid fixtures go through the
/// real validators only.
fn snapshotted(name: &str) -> bool {
    name.starts_with("example-")
        || ["openstack-named-flavor", "aws-unpriced-region"].contains(&name)
}

fn build(path: &Path, target: Target) -> Bundle {
    let text = std::fs::read_to_string(path).unwrap();
    let file = SourceFile::new(path.display().to_string(), text);
    match atlasod::program::build(file, target) {
        Ok(built) => built.bundle,
        Err(failure) => panic!(
            "{} does not build for {target}: {failure:?}",
            path.display()
        ),
    }
}

/// Every (spec, cloud) pair where the spec declares the cloud.
fn cases() -> Vec<Case> {
    let mut cases = Vec::new();
    for (name, path) in specs() {
        let text = std::fs::read_to_string(&path).unwrap();
        let file = SourceFile::new(path.display().to_string(), text);
        let Ok(checked) = atlasod::program::check(file, None) else {
            panic!("{} is not a valid spec", path.display());
        };
        for target in CLOUDS {
            if checked.spec.cloud.is_declared(target) {
                cases.push(Case {
                    name: format!("{name}__{target}"),
                    spec: name.clone(),
                    target,
                    bundle: build(&path, target),
                });
            }
        }
    }
    assert!(
        CLOUDS.iter().all(|t| cases.iter().any(|c| c.target == *t)),
        "every cloud needs at least one spec"
    );
    cases
}

/// Writes each case's bundle under the test's temporary folder; returns the folders.
fn written(cases: &[Case], test: &str) -> Vec<(String, PathBuf)> {
    let base = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("cloud")
        .join(test);
    let _ = std::fs::remove_dir_all(&base);
    cases
        .iter()
        .map(|case| {
            let dir = base.join(&case.name);
            atlasod::bundle::write_files(&case.bundle, &dir).unwrap();
            (case.name.clone(), dir)
        })
        .collect()
}

fn text<'a>(bundle: &'a Bundle, path: &str) -> &'a str {
    bundle
        .text(path)
        .unwrap_or_else(|| panic!("the bundle has no `{path}`"))
}

/// `snapshots/<cloud>/<spec>/<path>` for every file of the snapshotted cases.
fn snapshot_names(case: &Case) -> Vec<(String, &str)> {
    if !snapshotted(&case.spec) {
        return Vec::new();
    }
    case.bundle
        .files
        .keys()
        .map(|path| {
            let name = snapshots::file(&case.target.to_string(), &case.spec, path);
            (name, text(&case.bundle, path))
        })
        .collect()
}

#[test]
fn every_generated_file_matches_its_reviewed_snapshot() {
    for case in cases() {
        for (relative, contents) in snapshot_names(&case) {
            let (settings, name) = snapshots::at(&relative);
            settings.bind(|| insta::assert_snapshot!(name, contents));
        }
    }
}

#[test]
fn no_orphan_snapshots() {
    let mut expected: BTreeSet<String> = cases()
        .iter()
        .flat_map(|case| snapshot_names(case).into_iter().map(|(name, _)| name))
        .collect();
    for target in CLOUDS {
        expected.insert(snapshots::of_target(&target.to_string(), "resources"));
    }
    expected.insert(snapshots::of_case(
        "aws",
        "example-masterclass-aws",
        "stdout",
    ));
    snapshots::assert_no_orphans(&["aws", "gcp", "openstack"], &expected);
}

#[test]
fn building_twice_gives_identical_bytes() {
    for (_, path) in specs() {
        for target in CLOUDS {
            let text = std::fs::read_to_string(&path).unwrap();
            let file = SourceFile::new("spec", text);
            let declared =
                atlasod::program::check(file, None).is_ok_and(|c| c.spec.cloud.is_declared(target));
            if declared {
                assert_eq!(
                    build(&path, target),
                    build(&path, target),
                    "{}",
                    path.display()
                );
            }
        }
    }
}

#[test]
fn every_cloud_bundle_has_the_module_files() {
    for case in cases() {
        for file in [
            "README.md",
            "terraform/versions.tf",
            "terraform/variables.tf",
            "terraform/main.tf",
            "terraform/outputs.tf",
            "terraform/terraform.tfvars.example",
            "terraform/user-data.yaml",
        ] {
            assert!(case.bundle.get(file).is_some(), "{}: no {file}", case.name);
        }
        let main = text(&case.bundle, "terraform/main.tf");
        assert!(
            main.contains("prevent_destroy = true"),
            "{}: data disk unprotected",
            case.name
        );
        let user_data = text(&case.bundle, "terraform/user-data.yaml");
        assert!(user_data.starts_with("#cloud-config\n"), "{}", case.name);
        // The hub bundle ships inside the VM: the same files, under /opt/atlasod.
        for hub_file in ["compose.yaml", "jupyterhub_config.py", "hub/Dockerfile"] {
            assert!(
                user_data.contains(&format!("path: /opt/atlasod/{hub_file}\n")),
                "{}: {hub_file} missing from the user-data",
                case.name
            );
        }
    }
}

#[test]
fn no_secret_value_is_written_into_a_bundle() {
    for case in cases() {
        let vars = text(&case.bundle, "terraform/variables.tf");
        let body = hcl::parse(vars).unwrap();
        for block in body.blocks() {
            let sensitive = block
                .body()
                .attributes()
                .any(|a| a.key() == "sensitive" && a.expr() == &hcl::Expression::Bool(true));
            if sensitive {
                assert!(
                    !block.body().attributes().any(|a| a.key() == "default"),
                    "{}: sensitive variable `{}` has a default",
                    case.name,
                    block.labels()[0].as_str()
                );
            }
        }
        let example = text(&case.bundle, "terraform/terraform.tfvars.example");
        for line in example
            .lines()
            .filter(|l| !l.starts_with('#') && l.contains('='))
        {
            let value = line.split_once('=').unwrap().1.trim();
            assert!(
                value == "\"\"",
                "{}: tfvars example sets a real value: {line}",
                case.name
            );
        }
    }
}

/// The user-data Terraform sends: gzip (AWS, OpenStack) of the static part
/// plus the apply-time part and the MIME framing, which stay under 2 KiB.
#[test]
fn user_data_fits_each_clouds_limit() {
    const APPLY_TIME_ALLOWANCE: usize = 2048;
    for case in cases() {
        let user_data = text(&case.bundle, "terraform/user-data.yaml");
        let gzipped = gzip_len(user_data.as_bytes());
        let (limit, sent) = match case.target {
            // AWS: 16 KB of user data before base64; we send it gzipped.
            Target::Aws => (16 * 1024, gzipped + APPLY_TIME_ALLOWANCE),
            // Nova: 65535 bytes of base64; we send it gzipped.
            Target::Openstack => (65535 / 4 * 3, gzipped + APPLY_TIME_ALLOWANCE),
            // Compute Engine: 256 KB per metadata value; sent as plain text.
            _ => (256 * 1024, user_data.len() + APPLY_TIME_ALLOWANCE),
        };
        println!(
            "{}: user-data {} bytes, gzip {gzipped} bytes, sent about {sent} of {limit}",
            case.name,
            user_data.len()
        );
        assert!(
            sent < limit,
            "{}: user-data too large ({sent} > {limit})",
            case.name
        );
    }
}

fn gzip_len(data: &[u8]) -> usize {
    use std::io::Write;
    let mut child = Command::new("gzip")
        .args(["-6", "-n", "-c"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("gzip is needed to measure the user-data");
    child.stdin.take().unwrap().write_all(data).unwrap();
    child.wait_with_output().unwrap().stdout.len()
}

/// A reviewed list of the Terraform types and arguments each cloud uses, so
/// that any change to the generated infrastructure shows up in review.
#[test]
fn resource_types_and_arguments_per_cloud() {
    let mut per_cloud: BTreeMap<Target, BTreeMap<String, BTreeSet<String>>> = BTreeMap::new();
    for case in cases() {
        let listing = per_cloud.entry(case.target).or_default();
        for path in case
            .bundle
            .files
            .keys()
            .filter(|p| Path::new(p.as_str()).extension().is_some_and(|e| e == "tf"))
        {
            let body = hcl::parse(text(&case.bundle, path)).unwrap();
            for block in body.blocks() {
                let labels: Vec<&str> =
                    block.labels().iter().map(hcl::BlockLabel::as_str).collect();
                let kind = match (block.identifier(), labels.as_slice()) {
                    ("resource" | "data", [ty, ..]) => format!("{} {ty}", block.identifier()),
                    (ident, [label, ..]) if ident != "variable" && ident != "output" => {
                        format!("{ident} {label}")
                    }
                    (ident, _) => ident.to_owned(),
                };
                let arguments = listing.entry(kind).or_default();
                arguments_of(block.body(), "", arguments);
            }
        }
    }
    for (target, listing) in per_cloud {
        let mut text = String::new();
        for (kind, arguments) in listing {
            text.push_str(&kind);
            text.push('\n');
            for argument in arguments {
                text.push_str("  ");
                text.push_str(&argument);
                text.push('\n');
            }
        }
        let (settings, name) =
            snapshots::at(&snapshots::of_target(&target.to_string(), "resources"));
        settings.bind(|| insta::assert_snapshot!(name, text));
    }
}

fn arguments_of(body: &hcl::Body, prefix: &str, out: &mut BTreeSet<String>) {
    for attribute in body.attributes() {
        out.insert(format!("{prefix}{}", attribute.key()));
    }
    for block in body.blocks() {
        let name = format!("{prefix}{}", block.identifier());
        out.insert(format!("{name} {{}}"));
        arguments_of(block.body(), &format!("{name}."), out);
    }
}

/// The cloud rules point at the spec line to change: a fixture marks it with
/// `# expected: <code>` (error or warning).
#[test]
fn cloud_diagnostics_point_at_the_spec_line() {
    let mut marked_cases = 0;
    for code in [
        "instance-too-small",
        "instance-not-in-region",
        "too-many-users",
        "unpriced-region",
    ] {
        for kind in ["invalid", "warnings"] {
            let dir = repo_root().join("tests/fixtures").join(kind).join(code);
            let Ok(entries) = std::fs::read_dir(&dir) else {
                continue;
            };
            let mut paths: Vec<PathBuf> = entries.map(|e| e.unwrap().path()).collect();
            paths.sort();
            for path in paths {
                let text = std::fs::read_to_string(&path).unwrap();
                let Some(marked) = text
                    .lines()
                    .position(|l| l.contains(&format!("# expected: {code}")))
                else {
                    continue;
                };
                marked_cases += 1;
                let file = SourceFile::new(path.display().to_string(), text);
                let diagnostics = match atlasod::program::check(file.clone(), Some(&[Target::Aws]))
                {
                    Ok(checked) => checked.warnings,
                    Err(diagnostics) => diagnostics,
                };
                let found = diagnostics
                    .iter()
                    .find(|d| d.code.as_str() == code)
                    .unwrap_or_else(|| panic!("{code}: not reported, got {diagnostics:?}"));
                let line = file.line_col(found.primary.span.start).line;
                assert_eq!(
                    line,
                    marked + 1,
                    "{}: points at line {line}",
                    path.display()
                );
                assert!(found.help.is_some(), "{code}: no help");
            }
        }
    }
    assert!(marked_cases >= 3, "only {marked_cases} marked fixtures");
}

// ---- the real tools -------------------------------------------------------

fn tf_offline_env() -> Option<Vec<(String, String)>> {
    let kit = repo_root().join("../shared/tf-offline/setup.sh");
    assert!(
        kit.exists(),
        "the offline Terraform kit is missing: {}",
        kit.display()
    );
    let output = Command::new("bash").arg(&kit).output().unwrap();
    assert!(
        output.status.success(),
        "tf-offline setup failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let line = String::from_utf8_lossy(&output.stdout).trim().to_owned();
    let value = line.split_once('=')?.1.to_owned();
    Some(vec![("TF_CLI_CONFIG_FILE".to_owned(), value)])
}

#[test]
fn terraform_validate_and_fmt_accept_every_module() {
    let Some(terraform) = tool(Tool::Terraform) else {
        return;
    };
    let env = tf_offline_env().unwrap();
    let cases = cases();
    for (name, dir) in written(&cases, "terraform") {
        let module = dir.join("terraform");
        let out = run(
            &terraform,
            &["fmt", "-check", "-diff", "-no-color", "."],
            &module,
            &env,
            None,
        );
        assert!(
            out.ok,
            "{name}: terraform fmt would change the module:\n{}",
            out.all
        );
        let example = std::fs::read_to_string(module.join("terraform.tfvars.example")).unwrap();
        let out = run(
            &terraform,
            &["fmt", "-no-color", "-"],
            &module,
            &env,
            Some(&example),
        );
        assert!(
            out.ok && out.stdout == example,
            "{name}: terraform fmt changes terraform.tfvars.example:\n{}",
            out.all
        );
        let out = run(
            &terraform,
            &["validate", "-json", "-no-color"],
            &module,
            &env,
            None,
        );
        let report: serde_json::Value = serde_json::from_str(&out.stdout)
            .unwrap_or_else(|_| panic!("{name}: terraform validate printed no JSON:\n{}", out.all));
        assert!(
            report["valid"] == true && report["error_count"] == 0,
            "{name}: terraform validate failed:\n{}",
            serde_json::to_string_pretty(&report["diagnostics"]).unwrap()
        );
    }
}

#[test]
fn python_hcl2_parses_every_module() {
    let Some(python) = tool(Tool::LintPython) else {
        return;
    };
    let cases = cases();
    let script = repo_root().join("tests/tools/hcl_parse.py");
    for (name, dir) in written(&cases, "hcl2") {
        let module = dir.join("terraform");
        let out = if script.exists() {
            run(
                &python,
                &[script.to_str().unwrap(), module.to_str().unwrap()],
                &dir,
                &[],
                None,
            )
        } else {
            let inline = "import hcl2, pathlib, sys\n\
                          for f in sorted(pathlib.Path(sys.argv[1]).glob('*.tf')):\n    hcl2.loads(f.read_text())\n";
            run(
                &python,
                &["-c", inline, module.to_str().unwrap()],
                &dir,
                &[],
                None,
            )
        };
        assert!(
            out.ok,
            "{name}: python-hcl2 cannot parse the module:\n{}",
            out.all
        );
    }
}

#[test]
fn checkov_finds_nothing_to_fix() {
    let Some(checkov) = tool(Tool::Checkov) else {
        return;
    };
    let cases = cases();
    let env = [
        (
            "CKV_SKIP_PACKAGE_UPDATE_CHECK".to_owned(),
            "true".to_owned(),
        ),
        ("BC_SKIP_MAPPING".to_owned(), "TRUE".to_owned()),
    ];
    for (name, dir) in written(&cases, "checkov") {
        let module = dir.join("terraform");
        let out = run(
            &checkov,
            &[
                "-d",
                ".",
                "--framework",
                "terraform",
                "--skip-download",
                "--quiet",
                "--compact",
                "-o",
                "json",
            ],
            &module,
            &env,
            None,
        );
        let report: serde_json::Value = serde_json::from_str(&out.stdout)
            .unwrap_or_else(|_| panic!("{name}: checkov printed no JSON report:\n{}", out.all));
        let summary = &report["summary"];
        let failed: Vec<String> = report["results"]["failed_checks"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|c| format!("{} {}", c["check_id"], c["resource"]))
            .collect();
        assert!(
            summary["failed"] == 0 && summary["parsing_errors"] == 0,
            "{name}: checkov failed {failed:?}"
        );
        assert!(
            summary["passed"].as_u64().unwrap_or(0) > 0,
            "{name}: checkov checked nothing"
        );
        // Every skip carries a reason.
        for line in std::fs::read_to_string(module.join("main.tf"))
            .unwrap()
            .lines()
        {
            if let Some(skip) = line.trim().strip_prefix("# checkov:skip=") {
                let (id, reason) = skip.split_once(':').unwrap_or((skip, ""));
                assert!(
                    reason.len() > 30,
                    "{name}: {id} is skipped without a reason"
                );
            }
        }
    }
}

#[test]
fn cloud_init_accepts_the_user_data() {
    let Some(cloud_init) = tool(Tool::CloudInit) else {
        return;
    };
    let cases = cases();
    for (name, dir) in written(&cases, "cloud-init") {
        let module = dir.join("terraform");
        let out = run(
            &cloud_init,
            &["schema", "--config-file", "user-data.yaml"],
            &module,
            &[],
            None,
        );
        assert!(
            out.ok && out.all.contains("Valid"),
            "{name}: cloud-init schema:\n{}",
            out.all
        );
    }
    // The part Terraform adds at apply time, in the shape `yamlencode` gives it.
    let sample = std::env::temp_dir().join("atlasod-apply-time-part.yaml");
    std::fs::write(
        &sample,
        "#cloud-config\nwrite_files:\n- content: |\n    ATLASOD_DATA_DEVICE=/dev/disk/by-id/google-atlasod-data\n    ATLASOD_PUBLIC_IP=192.0.2.10\n  owner: root:root\n  path: /etc/atlasod/host.env\n  permissions: '0644'\n- content: |\n    SHARED_PASSWORD='change-me'\n  owner: root:root\n  path: /opt/atlasod/.env\n  permissions: '0600'\n",
    )
    .unwrap();
    let out = run(
        &cloud_init,
        &["schema", "--config-file", sample.to_str().unwrap()],
        &std::env::temp_dir(),
        &[],
        None,
    );
    assert!(out.ok, "apply-time part: {}", out.all);
}

#[test]
fn shellcheck_accepts_every_embedded_script() {
    let Some(shellcheck) = tool(Tool::Shellcheck) else {
        return;
    };
    let mut checked = 0;
    for case in cases() {
        let user_data = text(&case.bundle, "terraform/user-data.yaml");
        let root = atlasod::parse::parse_document(&SourceFile::new("user-data.yaml", user_data))
            .unwrap_or_else(|_| panic!("{}: the user-data is not YAML", case.name))
            .to_json();
        for file in root["write_files"].as_array().unwrap() {
            let content = file["content"].as_str().unwrap();
            let path = file["path"].as_str().unwrap();
            if content.starts_with("#!/bin/sh") || content.starts_with("#!/bin/bash") {
                let out = run(&shellcheck, &["-"], Path::new("."), &[], Some(content));
                assert!(out.ok, "{}: shellcheck {path}:\n{}", case.name, out.all);
                checked += 1;
            }
        }
    }
    assert!(checked > 0, "no script found in any user-data");
}

/// `atlasod build --target aws` prints the build summary (machine and why,
/// disks, cost, next commands) on stdout, and writes the same into README.md.
#[test]
fn build_prints_the_summary_on_stdout() {
    let out_dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("cloud/cli");
    let _ = std::fs::remove_dir_all(&out_dir);
    let spec = repo_root().join("examples/masterclass-aws.yaml");
    let output = Command::new(env!("CARGO_BIN_EXE_atlasod"))
        .args(["build", "--color", "never", "--target", "aws", "-o"])
        .arg(&out_dir)
        .arg(&spec)
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    let stdout = String::from_utf8(output.stdout).unwrap();
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(output.status.success(), "{stderr}");
    let shown = stdout.replace(&out_dir.display().to_string(), "<out>");
    let (settings, name) = snapshots::at(&snapshots::of_case(
        "aws",
        "example-masterclass-aws",
        "stdout",
    ));
    settings.bind(|| insta::assert_snapshot!(name, shown));
    assert!(
        stderr.contains("built "),
        "no progress line on stderr: {stderr}"
    );
    let readme = std::fs::read_to_string(out_dir.join("aws/README.md")).unwrap();
    let first = stdout.lines().find(|l| !l.is_empty()).unwrap();
    assert!(
        readme.contains(first),
        "README.md lacks the summary line `{first}`"
    );
}
