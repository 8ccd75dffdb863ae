//! The hub bundle through the real programs that consume it, for every
//! example and hub fixture, as the laptop (`local`) and as a cloud VM ships
//! it: the compose-spec schema and `docker-compose config`, JupyterHub's own
//! config loader, a real hub started from the generated config, `caddy
//! validate`, shellcheck and checkov. Tools come from `.ci/install-tools.sh`
//! (see `.ci/README.md`); a missing tool fails the test unless
//! `ATLASOD_SKIP_EXTERNAL=1`.
#![allow(clippy::unwrap_used)] // helpers of the tests: a failure is a test failure

mod support;

use std::path::PathBuf;
use std::process::Command;

use atlasod::bundle::Bundle;
use atlasod::plan::Plan;
use atlasod::spec::AuthMethod;
use support::specs::for_the_hub;
use support::{atlasod_in, bundles, hub, run, script, tool, validators};

/// One bundle written to disk.
struct Written {
    label: String,
    dir: PathBuf,
    plan: Plan,
    bundle: Bundle,
}

/// Writes every case's bundle, laptop and VM, under a folder of this test's own.
fn write_all(test: &str) -> Vec<Written> {
    let root = bundles::scratch(&["hub-validators", test]);
    let mut out = Vec::new();
    for case in for_the_hub() {
        let (plan, local) = case.build_local();
        for (host, bundle) in [("local", local), ("vm", case.build_vm())] {
            let dir = root.join(&case.name).join(host);
            bundles::write(&bundle, &dir);
            out.push(Written {
                label: format!("{} ({host})", case.name),
                dir,
                plan: plan.clone(),
                bundle,
            });
        }
    }
    out
}

/// The variables `.env.example` lists, with values a test can use.
fn env_values(bundle: &Bundle) -> Vec<(String, String)> {
    let text = bundle.text(".env.example").unwrap();
    text.lines()
        .filter(|l| !l.starts_with('#') && l.contains('='))
        .filter_map(|l| l.split_once('='))
        .map(|(name, example)| {
            let value = if !example.is_empty() {
                example.to_owned()
            } else if name.ends_with("_URL") {
                "https://hub.example.org/hub/oauth_callback".to_owned()
            } else {
                format!(
                    "placeholder-{}-0123456789abcdef0123456789abcdef",
                    name.to_lowercase()
                )
            };
            (name.to_owned(), value)
        })
        .collect()
}

#[test]
fn compose_files_pass_the_compose_spec_schema() {
    let Some(check) = tool("check-jsonschema") else {
        return;
    };
    let written = write_all("schema");
    let mut command = Command::new(check);
    command.args(["--builtin-schema", "vendor.compose-spec"]);
    for w in &written {
        command.arg(w.dir.join("compose.yaml"));
    }
    run(&mut command).assert_ok("check-jsonschema --builtin-schema vendor.compose-spec");
}

#[test]
fn compose_files_pass_docker_compose_config() {
    let Some(compose) = tool("docker-compose") else {
        return;
    };
    for w in write_all("compose-config") {
        // No .env at all: compose itself must need none (the hub names what is missing).
        for profile in [None, Some("single")] {
            let mut command = Command::new(&compose);
            command.current_dir(&w.dir).env_remove("DOCKER_HOST");
            for (name, _) in env_values(&w.bundle) {
                command.env_remove(name);
            }
            if let Some(profile) = profile {
                command.args(["--profile", profile]);
            }
            command.args(["config", "--quiet"]);
            run(&mut command).assert_ok(&format!("{}: docker-compose config {profile:?}", w.label));
        }
        // With the profile, every service is there; without, `single` is not.
        let services = run(Command::new(&compose).current_dir(&w.dir).args([
            "--profile",
            "single",
            "config",
            "--services",
        ]));
        let services = services.stdout;
        let mut names: Vec<&str> = services.lines().collect();
        names.sort_unstable();
        let mut expected = vec!["hub", "single", "singleuser-image"];
        if !w.plan.datasets.is_empty() {
            expected.push("fetch-datasets");
        }
        if w.bundle.get("Caddyfile").is_some() {
            expected.push("proxy");
        }
        expected.sort_unstable();
        assert_eq!(names, expected, "{}", w.label);
    }
}

#[test]
fn hub_configs_load_in_jupyterhub_without_warnings() {
    let Some(checker) = script("jhub_config_check.py") else {
        return;
    };
    let mut written = write_all("jhub-config");
    // The config does not depend on the host: check each distinct file once.
    let mut seen = std::collections::BTreeSet::new();
    written.retain(|w| seen.insert(w.bundle.text("jupyterhub_config.py").unwrap().to_owned()));
    // Two at a time: each check starts a JupyterHub app (a few seconds of CPU).
    for pair in written.chunks(2) {
        std::thread::scope(|scope| {
            for w in pair {
                let checker = &checker;
                scope.spawn(move || {
                    let mut command = Command::new("python3");
                    command
                        .arg(checker)
                        .arg("--strict")
                        .arg("--quiet")
                        .arg(&w.dir);
                    for (name, value) in env_values(&w.bundle) {
                        command.arg("--env").arg(format!("{name}={value}"));
                    }
                    run(&mut command)
                        .assert_ok(&format!("{}: jhub_config_check.py --strict", w.label));
                });
            }
        });
    }
}

#[test]
fn a_missing_secret_stops_the_hub_naming_the_variable() {
    let Some(checker) = script("jhub_config_check.py") else {
        return;
    };
    let written = write_all("missing-secret");
    let mut secrets_checked = 0;
    for w in &written {
        for e in w.plan.jupyterhub.from_env.iter().filter(|e| e.secret) {
            let mut command = Command::new("python3");
            command
                .arg(checker.as_path())
                .arg("--quiet")
                .arg("--no-dry-spawn")
                .arg(&w.dir);
            for (name, value) in env_values(&w.bundle) {
                let value = if name == e.env { String::new() } else { value };
                command.arg("--env").arg(format!("{name}={value}"));
            }
            let output = run(&mut command);
            let stderr = &output.stderr;
            assert!(!output.ok, "{}: the hub started without {}", w.label, e.env);
            assert!(
                stderr.contains(&format!("the environment variable {} is not set", e.env)),
                "{}: the message does not name {}:\n{stderr}",
                w.label,
                e.env
            );
            secrets_checked += 1;
        }
        if secrets_checked >= 3 {
            break; // a few are proof enough; each check costs seconds
        }
    }
    assert!(secrets_checked > 0, "no case has a secret to leave out");
}

#[test]
fn the_hub_starts_logs_users_in_and_spawns() {
    let Some(smoke) = hub::helper("hub_smoke.py") else {
        return;
    };
    let written = write_all("smoke");
    let local = |method: AuthMethod| {
        written
            .iter()
            .filter(|w| w.label.ends_with("(local)") && w.plan.auth.method == method)
            .max_by_key(|w| w.plan.users.admins.len())
            .unwrap_or_else(|| panic!("no case uses `{}`", method.as_str()))
    };
    for (w, args) in [
        (local(AuthMethod::Dummy), vec!["--method", "dummy"]),
        (
            local(AuthMethod::SharedPassword),
            vec!["--method", "shared-password"],
        ),
        (local(AuthMethod::Native), vec!["--method", "native"]),
    ] {
        // The bundle's config, unchanged, answering a slow spawn request with
        // `202 Accepted` after 3 s instead of 10 (hub_smoke.py's own request
        // timeout), so a loaded machine gives no false failure.
        let wrapper = w.dir.join("smoke_wrapper.py");
        std::fs::write(
            &wrapper,
            format!(
                "c = get_config()  # noqa: F821\nload_subconfig({:?})  # noqa: F821\nc.JupyterHub.tornado_settings = {{\"slow_spawn_timeout\": 3}}\n",
                w.dir.join("jupyterhub_config.py").display().to_string()
            ),
        )
        .unwrap();
        // the environment's fingerprint, as the login page shows it
        let shows = format!(
            "Workshop environment <code>{}</code>",
            atlasod::plan::fingerprint::short(&w.plan.fingerprint)
        );
        let mut command = hub::python3(&smoke);
        command
            .arg(&wrapper)
            .args(&args)
            .args(["--login-shows", &shows]);
        if let Some(admin) = w.plan.users.admins.first() {
            if matches!(
                w.plan.auth.method,
                AuthMethod::SharedPassword | AuthMethod::Native
            ) {
                command.args(["--admin-user", admin]);
            }
        }
        run(&mut command).assert_ok(&format!("{}: hub_smoke.py {args:?}", w.label));
    }
}

#[test]
fn caddyfiles_validate() {
    let Some(caddy) = tool("caddy") else { return };
    let mut validated = 0;
    for w in write_all("caddy") {
        let file = w.dir.join("Caddyfile");
        if !file.exists() {
            continue;
        }
        let output = run(Command::new(&caddy)
            .args(["validate", "--adapter", "caddyfile", "--config"])
            .arg(&file)
            .env("HOME", &w.dir)
            .env("PUBLIC_HOST", "203.0.113.7"));
        output.assert_ok(&format!("{}: caddy validate", w.label));
        validated += 1;
    }
    assert!(validated > 0);
}

#[test]
fn shell_scripts_pass_shellcheck() {
    let Some(shellcheck) = tool("shellcheck") else {
        return;
    };
    let mut command = Command::new(shellcheck);
    command.arg("--severity=style");
    let mut scripts = 0;
    for w in write_all("shellcheck") {
        for (path, file) in &w.bundle.files {
            if file.contents.starts_with(b"#!/bin/sh") || file.contents.starts_with(b"#!/bin/bash")
            {
                command.arg(w.dir.join(path));
                scripts += 1;
            }
        }
    }
    assert!(scripts > 0);
    run(&mut command).assert_ok("shellcheck");
}

#[test]
fn dockerfiles_pass_checkov() {
    let written = write_all("checkov");
    let root = written[0].dir.parent().unwrap().parent().unwrap();
    let dockerfiles = written
        .iter()
        .flat_map(|w| w.bundle.files.keys())
        .filter(|p| p.ends_with("Dockerfile"))
        .count();
    validators::checkov_dockerfiles(root, dockerfiles, "the hub bundles");
}

/// `native` with a roster, in a real JupyterHub (hub_smoke.py `--method native-roster`): every
/// roster user logs in with the password `atlasod accounts` wrote, with no sign-up or approval; an
/// outsider can neither sign up nor log in; a roster user's server starts.
#[test]
fn a_roster_hub_logs_every_student_in_and_nobody_else() {
    let Some(smoke) = hub::helper("hub_smoke.py") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(
        d.join("students.csv"),
        "username,name,group\nana,Ana Lima,\nbo,Bo Smith,\ncy,Cy Twombly,admin\n",
    )
    .unwrap();
    std::fs::write(
        d.join("workshop.yaml"),
        "version: 1\nname: roster-smoke\nusers:\n  roster: students.csv\n",
    )
    .unwrap();
    run(atlasod_in(d).args(["build", "--target", "local", "-q"])).assert_ok("build");
    run(atlasod_in(d).args(["accounts", "-q"])).assert_ok("accounts");
    let bundle = d.join("bundle/local");
    let ran = run(hub::python3(&smoke)
        .arg(&bundle)
        .args(["--method", "native-roster", "--accounts"])
        .arg(bundle.join("accounts.csv")));
    ran.assert_ok("hub_smoke.py --method native-roster");
    hub::assert_roster_logins(&ran, 3);
}
