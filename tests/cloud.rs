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

mod support;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

use atlasod::bundle::Bundle;
use atlasod::{SourceFile, Target};
use support::bundles::{self, text};
use support::specs::{Spec, declaring};
use support::{repo, run, snapshots, validators};

const CLOUDS: [Target; 3] = [Target::Aws, Target::Gcp, Target::Openstack];

/// One spec built for one cloud.
struct Case {
    /// `<spec name>__<target>`, e.g. `example-masterclass-aws__aws`.
    name: String,
    spec: Spec,
    target: Target,
    bundle: Bundle,
}

/// Every spec that declares a cloud, built for each cloud it declares.
fn cases() -> Vec<Case> {
    let cases: Vec<Case> = CLOUDS
        .into_iter()
        .flat_map(|target| {
            declaring(target).into_iter().map(move |spec| Case {
                name: format!("{}__{target}", spec.name),
                bundle: spec.build(target).bundle,
                spec,
                target,
            })
        })
        .collect();
    assert!(
        CLOUDS.iter().all(|t| cases.iter().any(|c| c.target == *t)),
        "every cloud needs at least one spec"
    );
    cases
}

/// Writes each case's bundle under the test's own folder; returns the folders.
fn written(cases: &[Case], test: &str) -> Vec<(String, PathBuf)> {
    let base = bundles::scratch(&["cloud", test]);
    cases
        .iter()
        .map(|case| {
            let dir = base.join(&case.name);
            bundles::write(&case.bundle, &dir);
            (case.name.clone(), dir)
        })
        .collect()
}

#[test]
fn every_generated_file_matches_its_reviewed_snapshot() {
    for case in cases().into_iter().filter(|c| c.spec.snapshotted()) {
        snapshots::snapshot_bundle!(&case.target.to_string(), &case.spec.name, &case.bundle);
    }
}

#[test]
fn no_orphan_snapshots() {
    let mut expected: BTreeSet<String> = cases()
        .iter()
        .filter(|c| c.spec.snapshotted())
        .flat_map(|c| snapshots::bundle_files(&c.target.to_string(), &c.spec.name, &c.bundle))
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
    for case in cases() {
        assert_eq!(
            case.spec.build(case.target).bundle,
            case.bundle,
            "{}",
            case.name
        );
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
            "terraform/user-data.yaml.tftpl",
        ] {
            assert!(case.bundle.get(file).is_some(), "{}: no {file}", case.name);
        }
        let main = text(&case.bundle, "terraform/main.tf");
        assert!(
            main.contains("prevent_destroy = true"),
            "{}: data disk unprotected",
            case.name
        );
        let user_data = text(&case.bundle, "terraform/user-data.yaml.tftpl");
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

/// The user-data Terraform sends, estimated in-process: gzip (AWS,
/// OpenStack) of the template plus the apply-time values, which stay under
/// 2 KiB (`cloud_init_reads_the_user_data_as_the_vm_receives_it` measures it
/// as rendered by Terraform).
#[test]
fn user_data_fits_each_clouds_limit() {
    const APPLY_TIME_ALLOWANCE: usize = 2048;
    for case in cases() {
        let user_data = text(&case.bundle, "terraform/user-data.yaml.tftpl");
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

/// The VM's Python files are the hub bundle's without comments, docstrings or blank lines
/// (room in AWS's 16 KiB): Python itself (`tests/tools/lean_python_check.py`) finds each
/// one's AST equal to the commented original's without its docstrings, and no comment or
/// blank line left. Every Python file of every cloud case's user data is checked.
#[test]
fn the_vms_python_files_are_the_commented_ones_without_comments() {
    let dir = bundles::scratch(&["cloud", "lean-python"]);
    let mut pairs = Vec::new();
    for case in cases() {
        let hub = case.spec.build_vm();
        for (path, lean) in user_data_files(&case) {
            if Path::new(&path).extension() != Some("py".as_ref()) {
                continue;
            }
            let Some(rel) = path.strip_prefix("/opt/atlasod/") else {
                panic!("{}: no commented original known for {path}", case.name)
            };
            let original = text(&hub, rel);
            assert!(
                lean.len() < original.len(),
                "{}: {path} not stripped",
                case.name
            );
            let name = format!("{}{}", case.name, path.replace('/', "_"));
            let (a, b) = (
                dir.join(format!("{name}.orig")),
                dir.join(format!("{name}.lean")),
            );
            std::fs::write(&a, original).unwrap();
            std::fs::write(&b, lean).unwrap();
            pairs.push(a);
            pairs.push(b);
        }
    }
    assert!(
        pairs.len() > 2 * 10,
        "too few Python files in the user data: {}",
        pairs.len() / 2
    );
    let out = Command::new("python3")
        .arg(repo().join("tests/tools/lean_python_check.py"))
        .args(&pairs)
        .output()
        .unwrap();
    let report = String::from_utf8_lossy(&out.stdout);
    println!("{report}");
    assert!(
        out.status.success(),
        "{report}{}",
        String::from_utf8_lossy(&out.stderr)
    );
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
            let dir = repo().join("tests/fixtures").join(kind).join(code);
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

#[test]
fn terraform_validate_and_fmt_accept_every_module() {
    for (name, dir) in written(&cases(), "terraform") {
        if validators::terraform(&dir.join("terraform"), &name).is_none() {
            return;
        }
    }
}

#[test]
fn python_hcl2_parses_every_module() {
    let written = written(&cases(), "hcl2");
    let modules: Vec<PathBuf> = written.iter().map(|(_, d)| d.join("terraform")).collect();
    validators::hcl2_parse(&modules, "the cloud modules");
}

#[test]
fn checkov_finds_nothing_to_fix() {
    for (name, dir) in written(&cases(), "checkov") {
        let Some(passed) = validators::checkov_terraform(&dir.join("terraform"), &name) else {
            return;
        };
        assert!(passed > 0, "{name}: checkov checked nothing");
    }
}

/// Every cloud's user data as its VM receives it (rendered by Terraform's own
/// `templatefile()`, gzipped where the bundle does) and as cloud-init 25.1
/// reads it: no warning, one cloud-config part and nothing to merge, the
/// apply-time files with their modes and contents byte for byte (a secret
/// and the spec's title outside ASCII), no placeholder left, and under the
/// cloud's size limit.
#[test]
fn cloud_init_reads_the_user_data_as_the_vm_receives_it() {
    // outside ASCII, with the characters a template or YAML would take as syntax
    let secret = "Física-€-粒子 ${var.x} %{ if true } \\ \" <&> #: - 🎓";
    let cases = cases();
    let titles: BTreeMap<String, Option<String>> = cases
        .iter()
        .map(|c| (c.name.clone(), spec_title(&c.spec.path)))
        .collect();
    let mut rosters = BTreeSet::new();
    for (name, dir) in written(&cases, "cloud-init") {
        let module = dir.join("terraform");
        let main = std::fs::read_to_string(module.join("main.tf")).unwrap();
        let compressed = main.contains("base64gzip(templatefile(");
        // Google Cloud: the secrets stay in Secret Manager and the user data names the version
        let secret_manager = main.contains("secret_data = local.dotenv");
        // native accounts from a roster: the file `atlasod accounts` wrote, through local.accounts
        let roster = main.contains("local.accounts");
        rosters.extend(roster.then(|| name.rsplit("__").next().unwrap_or_default().to_owned()));
        let host_env = host_env(secret_manager, roster);
        let host_env = host_env.as_str();
        let dotenv = format!("SHARED_PASSWORD='{secret}'\nADMIN_PASSWORD='{secret}-admin'\n");
        let accounts = format!("username,password\nana,abcd-efgh-jkmn\nbo,{secret}\n");
        let mut values = serde_json::json!({ "host_env": host_env, "dotenv": dotenv });
        if roster && !secret_manager {
            values["accounts"] = serde_json::json!(accounts);
        }
        let template = module.join("user-data.yaml.tftpl");
        let Some(report) = validators::user_data_as_received(&template, &values, compressed, &name)
        else {
            return;
        };
        assert_eq!(
            report["problems"],
            serde_json::json!([]),
            "{name}: cloud-init:\n{report:#}"
        );
        assert_eq!(
            report["parts"],
            serde_json::json!([{"content_type": "text/cloud-config", "filename": "part-001", "merge_type": null}]),
            "{name}: one cloud-config part, nothing to merge"
        );
        let files = report["config"]["write_files"].as_array().unwrap();
        let file = |path: &str| {
            files
                .iter()
                .find(|f| f["path"] == path)
                .unwrap_or_else(|| panic!("{name}: cloud-init writes no {path}"))
        };
        let mut expected = vec![("/etc/atlasod/host.env", "0644", host_env)];
        if secret_manager {
            secret_manager_files(&name, &report, files, secret);
        } else {
            expected.push(("/opt/atlasod/.env", "0600", dotenv.as_str()));
            if roster {
                expected.push(("/opt/atlasod/accounts.csv", "0600", accounts.as_str()));
            }
        }
        roster_files(&name, files, roster, secret_manager);
        for (path, mode, content) in expected {
            assert_eq!(file(path)["permissions"], mode, "{name}: {path}");
            assert_eq!(file(path)["content"], content, "{name}: {path}");
        }
        let template_text = std::fs::read_to_string(&template).unwrap();
        let paths = template_text.matches("\n  - path: ").count();
        assert_eq!(
            files.len(),
            paths,
            "{name}: every file of the template is written"
        );
        for f in files {
            let content = f["content"].as_str().unwrap();
            assert!(
                !content.contains("jsonencode(") && !content.contains("$${"),
                "{name}: {} keeps a template placeholder or escape",
                f["path"]
            );
        }
        if let Some(title) = titles[&name].as_ref().filter(|t| !t.is_ascii()) {
            assert!(
                files
                    .iter()
                    .any(|f| f["content"].as_str().unwrap().contains(title.as_str())),
                "{name}: the title {title:?} reaches no file on the VM"
            );
        }
        let size = report["size"].as_u64().unwrap();
        let limit = if name.ends_with("__aws") {
            16 * 1024 // EC2: 16 KB before base64
        } else if name.ends_with("__openstack") {
            65535 / 4 * 3 // Nova: 65535 bytes of base64
        } else {
            256 * 1024 // Compute Engine: 256 KB per metadata value
        };
        println!("{name}: user data {size} bytes as sent (limit {limit})");
        assert!(size < limit, "{name}: user data {size} bytes, over {limit}");
    }
    assert_eq!(
        rosters.len(),
        3,
        "every cloud needs a spec with native roster accounts: {rosters:?}"
    );
}

/// On Google Cloud no secret travels in the user data: the VM's reader fetches them.
fn secret_manager_files(
    name: &str,
    report: &serde_json::Value,
    files: &[serde_json::Value],
    secret: &str,
) {
    // the secret's value, not its variable's name: a spec's hub config names SHARED_PASSWORD
    assert!(
        !mentions(report, secret),
        "{name}: a secret in the instance metadata"
    );
    assert!(
        files.iter().all(|f| f["path"] != "/opt/atlasod/.env"),
        "{name}: the user data writes .env"
    );
    let reader = files
        .iter()
        .find(|f| f["path"] == "/usr/local/sbin/atlasod-read-secrets")
        .unwrap_or_else(|| panic!("{name}: no atlasod-read-secrets"));
    assert_eq!(reader["permissions"], "0755", "{name}");
}

/// Whether any string in `value` contains `needle`.
fn mentions(value: &serde_json::Value, needle: &str) -> bool {
    match value {
        serde_json::Value::String(s) => s.contains(needle),
        serde_json::Value::Array(items) => items.iter().any(|v| mentions(v, needle)),
        serde_json::Value::Object(map) => map.values().any(|v| mentions(v, needle)),
        _ => false,
    }
}

/// The `host.env` Terraform writes: the data disk's device and the public IP, and on Google
/// Cloud the secret versions to read.
fn host_env(secret_manager: bool, roster: bool) -> String {
    let mut host_env =
        "ATLASOD_DATA_DEVICE=/dev/disk/by-id/test-data\nATLASOD_PUBLIC_IP=192.0.2.10\n".to_owned();
    if secret_manager {
        host_env.push_str("ATLASOD_ENV_SECRET=projects/1/secrets/x-hub-env/versions/1\n");
        if roster {
            host_env.push_str("ATLASOD_ACCOUNTS_SECRET=projects/1/secrets/x-accounts/versions/1\n");
        }
    }
    host_env
}

/// Where the roster's passwords reach the VM: in the user data (AWS, OpenStack: the file
/// itself, checked with the others) or read from Secret Manager by the setup (Google Cloud);
/// none without a roster; and the VM's compose project hands exactly that file to the hub.
fn roster_files(name: &str, files: &[serde_json::Value], roster: bool, secret_manager: bool) {
    let content = |path: &str| {
        files
            .iter()
            .find(|f| f["path"] == path)
            .and_then(|f| f["content"].as_str())
            .unwrap_or_else(|| panic!("{name}: cloud-init writes no {path}"))
    };
    let in_user_data = files
        .iter()
        .any(|f| f["path"] == "/opt/atlasod/accounts.csv");
    assert_eq!(
        in_user_data,
        roster && !secret_manager,
        "{name}: the user data carries the roster's passwords"
    );
    let read = content("/usr/local/sbin/atlasod-setup")
        .contains("atlasod-read-secrets /opt/atlasod/accounts.csv ATLASOD_ACCOUNTS_SECRET");
    assert_eq!(
        read,
        roster && secret_manager,
        "{name}: the VM reads the roster's passwords from Secret Manager"
    );
    if roster {
        let compose = content("/opt/atlasod/compose.yaml");
        assert!(
            compose.contains("  accounts:\n    file: ./accounts.csv\n"),
            "{name}: the compose secret is not the file the VM writes:\n{compose}"
        );
    }
}

/// The `title:` line of a spec, unquoted.
fn spec_title(path: &Path) -> Option<String> {
    let text = std::fs::read_to_string(path).ok()?;
    let line = text.lines().find_map(|l| l.strip_prefix("title: "))?;
    Some(line.trim().trim_matches('"').to_owned())
}

#[test]
fn shellcheck_accepts_every_embedded_script() {
    let mut checked = 0;
    for case in cases() {
        // `cloud_init_reads_the_user_data_as_the_vm_receives_it` checks Terraform's own rendering.
        for (path, content) in &user_data_files(&case) {
            if content.starts_with("#!/bin/sh") || content.starts_with("#!/bin/bash") {
                let what = format!("{} {path}", case.name);
                if validators::shellcheck_text(content, &what).is_none() {
                    return;
                }
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
    let out_dir = bundles::scratch(&["cloud", "cli"]);
    let spec = repo().join("examples/masterclass-aws.yaml");
    let ran = run(Command::new(env!("CARGO_BIN_EXE_atlasod"))
        .args(["build", "--color", "never", "--target", "aws", "-o"])
        .arg(&out_dir)
        .arg(&spec)
        .env("NO_COLOR", "1"));
    ran.assert_ok("atlasod build --target aws");
    let (stdout, stderr) = (ran.stdout, ran.stderr);
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

/// Cinder extends an attached volume only with `enable_online_resize`: the
/// README says the data disk grows in place, so every OpenStack data volume
/// asks for it (read back from `main.tf`).
#[test]
fn openstack_data_volume_grows_while_attached() {
    let mut checked = 0;
    for case in cases()
        .into_iter()
        .filter(|c| c.target == Target::Openstack)
    {
        let tf: serde_json::Value = hcl::from_str(text(&case.bundle, "terraform/main.tf")).unwrap();
        let volume = &tf["resource"]["openstack_blockstorage_volume_v3"]["data"];
        assert_eq!(
            volume["enable_online_resize"], true,
            "{}: {volume:#}",
            case.name
        );
        checked += 1;
    }
    assert!(checked > 0, "no OpenStack case");
}

/// The README's ready time counts the datasets' download: the size the
/// catalogue knows, and the minutes it takes at the rate the README states.
#[test]
fn readme_ready_time_includes_the_download() {
    for case in cases() {
        let plan = case.spec.build(case.target).plan;
        let bytes = plan.download_bytes();
        let readme = text(&case.bundle, "README.md").replace('\n', " ");
        if bytes == 0 {
            assert!(
                !readme.contains("of datasets (at an assumed"),
                "{}",
                case.name
            );
            continue;
        }
        let size = atlasod::units::fmt_download(bytes);
        assert!(
            readme.contains(&format!("download {size} of datasets")),
            "{}: no `download {size}` in the README",
            case.name
        );
        let rate: u64 = readme
            .split("at an assumed ")
            .nth(1)
            .and_then(|rest| rest.split(' ').next())
            .and_then(|n| n.parse().ok())
            .unwrap_or_else(|| panic!("{}: no assumed rate", case.name));
        let minutes = bytes.div_ceil(rate * 1_000_000 * 60);
        let unit = if minutes == 1 { "minute" } else { "minutes" };
        assert!(
            readme.contains(&format!("about {minutes} {unit} to download")),
            "{}: expected about {minutes} {unit}",
            case.name
        );
    }
}

/// With OAuth, the trainer must register the app's callback URL: Terraform
/// prints it (`oauth_callback_url`, the domain's or the static IP's), and the
/// README says where to register it and when.
#[test]
fn oauth_callback_url_is_an_output_and_in_the_readme() {
    use atlasod::spec::AuthMethod;
    for case in cases() {
        let plan = case.spec.build(case.target).plan;
        let outputs: serde_json::Value =
            hcl::from_str(text(&case.bundle, "terraform/outputs.tf")).unwrap();
        let callback = &outputs["output"]["oauth_callback_url"]["value"];
        let readme = text(&case.bundle, "README.md");
        let oauth = matches!(
            plan.auth.method,
            AuthMethod::Github | AuthMethod::Gitlab | AuthMethod::Oidc
        );
        if !oauth {
            assert!(callback.is_null(), "{}: {callback}", case.name);
            continue;
        }
        let url = callback.as_str().unwrap_or_default();
        assert!(url.ends_with("/hub/oauth_callback"), "{}: {url}", case.name);
        match &plan.tls.domain {
            Some(domain) => assert!(
                url == format!("https://{domain}/hub/oauth_callback") && readme.contains(url),
                "{}: {url}",
                case.name
            ),
            None => assert!(
                readme.contains("terraform output oauth_callback_url"),
                "{}",
                case.name
            ),
        }
    }
}

/// JupyterHub's shared-password login refuses to start when the admin password
/// equals the shared one; Terraform says so before anything is created. Run
/// with the real `terraform plan` over the bundle's own `variables.tf` alone
/// (a module with no provider plans offline).
#[test]
fn plan_refuses_an_admin_password_equal_to_the_shared_one() {
    let Some(terraform) = support::tool("terraform") else {
        return;
    };
    let case = cases()
        .into_iter()
        .find(|c| {
            let tf = text(&c.bundle, "terraform/variables.tf");
            tf.contains("variable \"shared_password\"")
                && tf.contains("variable \"admin_password\"")
        })
        .expect("a shared-password spec with admins on a cloud");
    let dir = bundles::scratch(&["cloud", "passwords", case.name.as_str()]);
    std::fs::write(
        dir.join("variables.tf"),
        text(&case.bundle, "terraform/variables.tf"),
    )
    .unwrap();
    let variables: serde_json::Value =
        hcl::from_str(text(&case.bundle, "terraform/variables.tf")).unwrap();
    let required: Vec<String> = variables["variable"]
        .as_object()
        .unwrap()
        .iter()
        .filter(|(_, v)| v.get("default").is_none())
        .map(|(name, _)| name.clone())
        .collect();
    let plan = |admin: &str| {
        let mut tfvars = String::new();
        for name in &required {
            let value = match name.as_str() {
                "admin_password" => admin,
                _ => "a-shared-password-of-forty-characters-01",
            };
            tfvars.push_str(name);
            tfvars.push_str(" = \"");
            tfvars.push_str(value);
            tfvars.push_str("\"\n");
        }
        std::fs::write(dir.join("test.tfvars"), tfvars).unwrap();
        let mut command = Command::new(&terraform);
        command.current_dir(&dir).env("TF_IN_AUTOMATION", "1");
        run(command.args(["init", "-input=false", "-no-color"])).assert_ok("terraform init");
        let mut command = Command::new(&terraform);
        command.current_dir(&dir);
        run(command.args(["plan", "-input=false", "-no-color", "-var-file=test.tfvars"]))
    };
    let same = plan("a-shared-password-of-forty-characters-01");
    assert!(
        !same.ok,
        "{}: equal passwords planned:\n{}",
        case.name,
        same.all()
    );
    assert!(
        same.all()
            .contains("admin_password must differ from shared_password"),
        "{}",
        same.all()
    );
    let different = plan("an-admin-password-of-forty-characters-02");
    assert!(different.ok, "{}: {}", case.name, different.all());
}

/// The files of a case's user-data, by path: the template's literal text as
/// `templatefile()` reads it (`$${` is `${`, `%%{` is `%{`).
fn user_data_files(case: &Case) -> BTreeMap<String, String> {
    let user_data = text(&case.bundle, "terraform/user-data.yaml.tftpl")
        .replace("$${", "${")
        .replace("%%{", "%{");
    let root = atlasod::parse::parse_document(&SourceFile::new("user-data.yaml", &user_data))
        .unwrap_or_else(|_| panic!("{}: the user-data is not YAML", case.name))
        .to_json();
    root["write_files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["path"].as_str().unwrap().to_owned(),
                f["content"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

/// No container reaches the cloud's metadata service, which serves the VM's
/// user-data (the hub's secrets): on every cloud the VM installs a REJECT rule
/// in DOCKER-USER before Docker starts, at every boot. The script the user-data
/// writes runs for real, twice, in a network namespace of the test's own; the
/// rules are then there once each.
#[test]
fn containers_cannot_reach_the_metadata_service() {
    if support::skip_external() {
        return;
    }
    let mut clouds = BTreeSet::new();
    for case in cases() {
        if !clouds.insert(case.target) {
            continue;
        }
        let files = user_data_files(&case);
        let script = &files["/usr/local/sbin/atlasod-metadata-block"];
        let unit = &files["/etc/systemd/system/atlasod-metadata-block.service"];
        assert!(
            unit.contains("Before=docker.service"),
            "{}: {unit}",
            case.name
        );
        let dropin = &files["/etc/systemd/system/docker.service.d/atlasod-metadata-block.conf"];
        assert!(
            dropin.contains("Requires=atlasod-metadata-block.service")
                && dropin.contains("After=atlasod-metadata-block.service"),
            "{}: Docker may start before the rules: {dropin}",
            case.name
        );
        let setup = &files["/usr/local/sbin/atlasod-setup"];
        let enabled = setup
            .find("systemctl enable --now atlasod-metadata-block.service")
            .unwrap_or_else(|| panic!("{}: the setup never enables the rules", case.name));
        let docker = setup.find("install -y -q docker.io").unwrap();
        assert!(
            enabled < docker,
            "{}: Docker is installed (and started) before the rules",
            case.name
        );

        let dir = bundles::scratch(&["cloud", "metadata", case.name.as_str()]);
        let path = dir.join("atlasod-metadata-block");
        std::fs::write(&path, script).unwrap();
        let ran = run(Command::new("unshare")
            .args(["--net", "sh", "-c"])
            .arg(format!(
                "sh {0} && sh {0} && iptables -w -S DOCKER-USER && ip6tables -w -S DOCKER-USER",
                path.display()
            )));
        ran.assert_ok(&format!(
            "{}: the metadata block in a new network namespace",
            case.name
        ));
        for rule in [
            "-A DOCKER-USER -d 169.254.169.254/32 -j REJECT",
            "-A DOCKER-USER -d fd00:ec2::254/128 -j REJECT",
            "-A DOCKER-USER -d fd20:ce::254/128 -j REJECT",
        ] {
            let count = ran.stdout.lines().filter(|l| l.starts_with(rule)).count();
            assert_eq!(
                count, 1,
                "{}: `{rule}` {count} times:\n{}",
                case.name, ran.stdout
            );
        }
    }
    assert_eq!(clouds.len(), 3, "{clouds:?}");
}

/// Google Cloud keeps the hub's secrets out of the instance metadata (which every project
/// viewer can read): the VM's own service account reads them from Secret Manager at boot,
/// after the containers are kept from the metadata server and before Docker exists. The
/// reader the user-data writes runs for real in network and mount namespaces of the test's
/// own, against stand-ins of the metadata server and Secret Manager on their loopback
/// (`tests/tools/read_secrets_check.py`).
#[test]
fn the_gcp_vm_reads_its_secrets_from_secret_manager() {
    if support::skip_external() {
        return;
    }
    let case = cases()
        .into_iter()
        .find(|c| c.target == Target::Gcp)
        .expect("a gcp case");
    let files = user_data_files(&case);
    let setup = &files["/usr/local/sbin/atlasod-setup"];
    let at = |needle: &str| {
        setup
            .find(needle)
            .unwrap_or_else(|| panic!("{}: the setup lacks `{needle}`", case.name))
    };
    let block = at("systemctl enable --now atlasod-metadata-block.service");
    let read = at("retry /usr/local/sbin/atlasod-read-secrets /opt/atlasod/.env");
    let docker = at("install -y -q docker.io");
    assert!(
        block < read && read < docker,
        "{}: the secrets are read at the wrong step:\n{setup}",
        case.name
    );
    let dir = bundles::scratch(&["cloud", "read-secrets"]);
    let reader = dir.join("atlasod-read-secrets");
    std::fs::write(&reader, &files["/usr/local/sbin/atlasod-read-secrets"]).unwrap();
    let ran = run(Command::new("unshare")
        .args(["--net", "--mount", "python3"])
        .arg(repo().join("tests/tools/read_secrets_check.py"))
        .arg(&reader)
        .arg(dir.join("ns")));
    assert!(
        ran.ok && ran.stdout.contains(" passed, 0 failed"),
        "{}",
        ran.all()
    );
}
