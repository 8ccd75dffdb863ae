//! The real programs that consume generated files, each run once here: a
//! target's test file (and the property test) hands them its bundles.
//!
//! Each function returns `None` when the tool is missing and
//! `ATLASOD_SKIP_EXTERNAL=1` (see [`super::tool`]), and fails the test, with
//! the tool's own output and `what` (the case), when the tool rejects a file.

use std::path::{Path, PathBuf};
use std::process::Command;

use super::{repo, run, run_with_input, script, tf_offline_config, tool};

/// python-hcl2 (through `tests/tools/hcl_parse.py`) parses every `.tf` file
/// of each module: a second HCL parser besides Terraform's.
pub fn hcl2_parse(modules: &[PathBuf], what: &str) -> Option<()> {
    let python = tool("python-lint")?;
    let parser = script("hcl_parse.py")?;
    run(Command::new(python).arg(parser).args(modules))
        .assert_ok(&format!("{what}: python-hcl2 (tests/tools/hcl_parse.py)"));
    Some(())
}

/// `terraform fmt -check` (and `terraform.tfvars.example` unchanged by
/// `terraform fmt -`), then `terraform validate` offline, with the pinned
/// providers of the offline kit.
pub fn terraform(module: &Path, what: &str) -> Option<()> {
    let terraform = tool("terraform")?;
    let config = tf_offline_config();
    let command = || {
        let mut command = Command::new(&terraform);
        command
            .current_dir(module)
            .env("TF_CLI_CONFIG_FILE", &config);
        command
    };
    run(command().args(["fmt", "-check", "-diff", "-no-color", "-recursive", "."]))
        .assert_ok(&format!("{what}: terraform fmt -check"));
    let example = module.join("terraform.tfvars.example");
    if let Ok(text) = std::fs::read_to_string(&example) {
        let formatted = run_with_input(command().args(["fmt", "-no-color", "-"]), &text);
        formatted.assert_ok(&format!(
            "{what}: terraform fmt - < terraform.tfvars.example"
        ));
        assert_eq!(
            formatted.stdout, text,
            "{what}: terraform fmt changes terraform.tfvars.example"
        );
    }
    let validated = run(command().args(["validate", "-json", "-no-color"]));
    let report: serde_json::Value = serde_json::from_str(&validated.stdout).unwrap_or_else(|_| {
        panic!(
            "{what}: terraform validate printed no JSON:\n{}",
            validated.all()
        )
    });
    assert!(
        report["valid"] == true && report["error_count"] == 0,
        "{what}: terraform validate failed:\n{}",
        serde_json::to_string_pretty(&report["diagnostics"]).unwrap()
    );
    Some(())
}

/// checkov over one Terraform module: no failed check, no parsing error, and
/// every `# checkov:skip=` in `main.tf` says why. Returns how many checks passed
/// (a module with only resources checkov has no check for passes none).
pub fn checkov_terraform(module: &Path, what: &str) -> Option<u64> {
    let checkov = tool("checkov")?;
    // One run per module: given several directories, checkov 3.3 merges their
    // reports, and a module with nothing it checks yields a bare summary.
    let ran = run(Command::new(checkov)
        .args(["-d", ".", "--framework", "terraform", "--skip-download"])
        .args(["--quiet", "--compact", "-o", "json"])
        .current_dir(module)
        .env("CKV_SKIP_PACKAGE_UPDATE_CHECK", "true")
        .env("BC_SKIP_MAPPING", "TRUE"));
    let report: serde_json::Value = serde_json::from_str(ran.stdout.trim())
        .unwrap_or_else(|_| panic!("{what}: checkov printed no JSON report:\n{}", ran.all()));
    let summary = report.get("summary").unwrap_or(&report);
    let failed: Vec<String> = report["results"]["failed_checks"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|c| format!("{} {}", c["check_id"], c["resource"]))
        .collect();
    assert!(
        summary["failed"] == 0 && summary["parsing_errors"] == 0,
        "{what}: checkov failed {failed:?}\n{}",
        ran.all()
    );
    let main = std::fs::read_to_string(module.join("main.tf")).unwrap_or_default();
    for line in main.lines() {
        if let Some(skip) = line.trim().strip_prefix("# checkov:skip=") {
            let (id, reason) = skip.split_once(':').unwrap_or((skip, ""));
            assert!(
                reason.trim().len() > 30,
                "{what}: {id} is skipped without a reason"
            );
        }
    }
    Some(summary["passed"].as_u64().unwrap_or(0))
}

/// `cloud-init schema` accepts the cloud-config file.
pub fn cloud_init(file: &Path, what: &str) -> Option<()> {
    let cloud_init = tool("cloud-init")?;
    let ran = run(Command::new(cloud_init)
        .args(["schema", "--config-file"])
        .arg(file));
    assert!(
        ran.ok && ran.all().contains("Valid"),
        "{what}: cloud-init schema:\n{}",
        ran.all()
    );
    Some(())
}

/// shellcheck accepts the script text.
pub fn shellcheck_text(script: &str, what: &str) -> Option<()> {
    let shellcheck = tool("shellcheck")?;
    run_with_input(Command::new(shellcheck).arg("-"), script)
        .assert_ok(&format!("{what}: shellcheck"));
    Some(())
}

/// shellcheck (every severity, style included) accepts the script files.
pub fn shellcheck_files(files: &[PathBuf], what: &str) -> Option<()> {
    let shellcheck = tool("shellcheck")?;
    run(Command::new(shellcheck).arg("--severity=style").args(files))
        .assert_ok(&format!("{what}: shellcheck"));
    Some(())
}

/// `docker-compose config --quiet` accepts the project in `dir`, with no
/// `.env` and none of the bundle's variables set, without and with the
/// `single` profile.
pub fn compose_config(dir: &Path, unset: &[String], what: &str) -> Option<()> {
    let compose = tool("docker-compose")?;
    for profile in [None, Some("single")] {
        let mut command = Command::new(&compose);
        command.current_dir(dir).env_remove("DOCKER_HOST");
        for name in unset {
            command.env_remove(name);
        }
        if let Some(profile) = profile {
            command.args(["--profile", profile]);
        }
        run(command.args(["config", "--quiet"]))
            .assert_ok(&format!("{what}: docker-compose config {profile:?}"));
    }
    Some(())
}

/// The compose files pass the compose-spec JSON Schema (check-jsonschema).
pub fn compose_schema(files: &[PathBuf], what: &str) -> Option<()> {
    let check = tool("check-jsonschema")?;
    run(Command::new(check)
        .args(["--builtin-schema", "vendor.compose-spec"])
        .args(files))
    .assert_ok(&format!("{what}: check-jsonschema vendor.compose-spec"));
    Some(())
}

/// JupyterHub's own loader (`tests/tools/jhub_config_check.py --strict`)
/// loads the bundle's `jupyterhub_config.py` with the variables `env`, and
/// spawns a user with a recorded Docker API.
pub fn jupyterhub_config(dir: &Path, env: &[(String, String)], what: &str) -> Option<()> {
    let checker = script("jhub_config_check.py")?;
    let mut command = Command::new("python3");
    command.arg(checker).args(["--strict", "--quiet"]).arg(dir);
    for (name, value) in env {
        command.arg("--env").arg(format!("{name}={value}"));
    }
    run(&mut command).assert_ok(&format!("{what}: jhub_config_check.py --strict"));
    Some(())
}

/// `caddy validate` accepts the Caddyfile.
pub fn caddy(file: &Path, what: &str) -> Option<()> {
    let caddy = tool("caddy")?;
    let home = file.parent().unwrap();
    run(Command::new(caddy)
        .args(["validate", "--adapter", "caddyfile", "--config"])
        .arg(file)
        .env("HOME", home)
        .env("PUBLIC_HOST", "203.0.113.7"))
    .assert_ok(&format!("{what}: caddy validate"));
    Some(())
}

/// Zero to JupyterHub's `values.schema.json` (chart 4.4.0) accepts each
/// `values.yaml` merged over the chart's defaults
/// (`${ATLASOD_Z2JH_SCHEMA_DIR:-../shared/schemas/z2jh}`; missing = failure).
pub fn z2jh_values(files: &[PathBuf], what: &str) -> Option<()> {
    let schema_dir = std::env::var("ATLASOD_Z2JH_SCHEMA_DIR")
        .map_or_else(|_| repo().join("../shared/schemas/z2jh"), PathBuf::from);
    assert!(
        schema_dir.join("values.schema.json").exists() && schema_dir.join("values.yaml").exists(),
        "the Zero to JupyterHub schema is missing from {} (values.schema.json and values.yaml of chart 4.4.0); set ATLASOD_Z2JH_SCHEMA_DIR",
        schema_dir.display()
    );
    let python = tool("python-lint")?;
    let checker = script("z2jh_values_check.py")?;
    let ran = run(Command::new(python)
        .arg(checker)
        .arg(&schema_dir)
        .args(files));
    ran.assert_ok(&format!("{what}: z2jh_values_check.py"));
    assert_eq!(
        ran.stdout.matches(": valid").count(),
        files.len(),
        "{what}: {}",
        ran.all()
    );
    Some(())
}

/// `kubernetes-validate --strict` at `version` accepts every manifest; returns
/// how many resources passed.
pub fn kubernetes_manifests(files: &[PathBuf], version: &str, what: &str) -> Option<usize> {
    let validate = tool("kubernetes-validate")?;
    let ran = run(Command::new(validate)
        .args(["--strict", "-k", version])
        .args(files));
    let all = ran.all();
    let bad: Vec<&str> = all
        .lines()
        .filter(|l| l.starts_with("ERROR") || l.starts_with("WARN"))
        .collect();
    assert!(
        ran.ok && bad.is_empty(),
        "{what}: kubernetes-validate:\n{all}"
    );
    Some(all.matches(" passed for resource ").count())
}

/// checkov over every Dockerfile under `root`: it reads `count` of them, none
/// fails a check, none fails to parse, and every skip says why.
pub fn checkov_dockerfiles(root: &Path, count: usize, what: &str) -> Option<()> {
    let checkov = tool("checkov")?;
    let output = run(Command::new(checkov)
        .args([
            "--framework",
            "dockerfile",
            "--skip-download",
            "--output",
            "json",
            "--directory",
        ])
        .arg(root)
        .env("BC_SKIP_MAPPING", "TRUE"));
    output.assert_ok(&format!("{what}: checkov"));
    let report: serde_json::Value = serde_json::from_str(&output.stdout)
        .unwrap_or_else(|e| panic!("{what}: checkov printed no JSON ({e}): {}", output.stdout));
    let summary = &report["summary"];
    assert_eq!(
        summary["failed"], 0,
        "{what}: checkov failures: {:#}",
        report["results"]["failed_checks"]
    );
    assert_eq!(summary["parsing_errors"], 0, "{what}");
    assert_eq!(
        summary["resource_count"], count,
        "{what}: checkov did not read every Dockerfile"
    );
    for skipped in report["results"]["skipped_checks"].as_array().unwrap() {
        let reason = skipped["check_result"]["suppress_comment"]
            .as_str()
            .unwrap_or("");
        assert!(
            reason.len() > 20,
            "{what}: a checkov skip without a real reason: {skipped:#}"
        );
    }
    Some(())
}

/// The user data of a VM bundle as its VM receives it and cloud-init reads
/// it: `template` (the bundle's `user-data.yaml.tftpl`) rendered by
/// Terraform's own `templatefile()` with `values` (and `base64gzip()` when
/// `compressed`, as the bundle's `main.tf` does) in a throw-away root module
/// through `terraform console`, then read by cloud-init 25.1's own code
/// (`tests/tools/cloud_init_userdata.py`: user-data processor, part
/// handlers, merge, strict schema). Returns the helper's report (`size`,
/// `parts`, `config`, `problems`); a render that fails fails the test.
pub fn user_data_as_received(
    template: &Path,
    values: &serde_json::Value,
    compressed: bool,
    what: &str,
) -> Option<serde_json::Value> {
    let terraform = tool("terraform")?;
    let reader = script("cloud_init_userdata.py")?;
    tool("cloud-init")?;
    let dir = template.with_extension("render");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("main.tf"),
        "variable \"template\" { type = string }\nvariable \"values\" { type = map(string) }\n",
    )
    .unwrap();
    let vars = serde_json::json!({ "template": template, "values": values });
    std::fs::write(dir.join("test.tfvars.json"), vars.to_string()).unwrap();
    let expression = if compressed {
        "jsonencode(base64gzip(templatefile(var.template, var.values)))"
    } else {
        "jsonencode(templatefile(var.template, var.values))"
    };
    let rendered = run_with_input(
        Command::new(&terraform)
            .args(["console", "-var-file=test.tfvars.json"])
            .current_dir(&dir)
            .env("TF_CLI_CONFIG_FILE", "/dev/null"),
        expression,
    );
    rendered.assert_ok(&format!("{what}: terraform console (templatefile)"));
    // console prints the JSON text as an HCL string: one more JSON decode
    let json: String = serde_json::from_str(rendered.stdout.trim()).unwrap_or_else(|e| {
        panic!(
            "{what}: terraform console printed no string ({e}):\n{}",
            rendered.all()
        )
    });
    let user_data: String = serde_json::from_str(&json).unwrap();
    let file = dir.join("user-data");
    std::fs::write(&file, &user_data).unwrap();
    let mut command = Command::new("python3");
    command.arg(reader).arg(&file);
    if compressed {
        command.arg("--base64");
    } else {
        // the plain text is also what `cloud-init schema` checks on its own
        super::validators::cloud_init(&file, what)?;
    }
    let read = run(&mut command);
    let report: serde_json::Value = serde_json::from_str(&read.stdout).unwrap_or_else(|_| {
        panic!(
            "{what}: cloud_init_userdata.py printed no report:\n{}",
            read.all()
        )
    });
    Some(report)
}
