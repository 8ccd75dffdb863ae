//! The hub bundle (`build --target local`) for every example and hub fixture:
//! snapshots of the plan and of every generated file, and the checks a
//! snapshot cannot make (determinism, no secret values, cross-file names).
//! The real validators run in `tests/hub_validators.rs`.
#![allow(clippy::unwrap_used)] // helpers of the tests: a failure is a test failure

mod support;

use std::collections::BTreeSet;

use atlasod::bundle::Bundle;
use atlasod::targets::compose;
use support::snapshots;
use support::specs::{Spec, for_the_hub};

/// `snapshots/local/<case>/<path>` and, for the VM variant, `snapshots/vm-hub/<case>/<path>`.
fn snapshot_name(case: &Spec, path: &str) -> String {
    snapshots::file("local", &case.name, path)
}

fn vm_snapshot_name(case: &Spec, path: &str) -> String {
    snapshots::file("vm-hub", &case.name, path)
}

fn plan_snapshot_name(case: &Spec) -> String {
    snapshots::of_case("local", &case.name, "plan")
}

/// The files of the VM bundle whose contents differ from the laptop's.
fn vm_differences(case: &Spec, local: &Bundle) -> Vec<(String, String)> {
    let vm = case.build_vm();
    assert_eq!(
        vm.files.keys().collect::<Vec<_>>(),
        local
            .files
            .keys()
            .filter(|path| !compose::LAPTOP_ONLY.contains(&path.as_str()))
            .collect::<Vec<_>>(),
        "{}: the VM bundle has other files than the laptop's but its README",
        case.name
    );
    vm.files
        .iter()
        .filter(|(path, file)| local.get(path) != Some(file))
        .map(|(path, file)| {
            (
                path.clone(),
                String::from_utf8(file.contents.clone()).unwrap(),
            )
        })
        .collect()
}

fn text<'a>(case: &Spec, bundle: &'a Bundle, path: &str) -> &'a str {
    bundle
        .text(path)
        .unwrap_or_else(|| panic!("{}: no `{path}` in the bundle", case.name))
}

#[test]
fn plan_and_every_file_match_their_snapshots() {
    for case in for_the_hub() {
        let (plan, bundle) = case.build_local();
        let (settings, name) = snapshots::at(&plan_snapshot_name(&case));
        settings.bind(|| insta::assert_json_snapshot!(name, plan));
        for (path, file) in &bundle.files {
            let contents = String::from_utf8(file.contents.clone()).unwrap();
            let (settings, name) = snapshots::at(&snapshot_name(&case, path));
            settings.bind(|| insta::assert_snapshot!(name, contents));
        }
        // The same bundle as the cloud targets ship it: only the files that differ.
        for (path, contents) in vm_differences(&case, &bundle) {
            let (settings, name) = snapshots::at(&vm_snapshot_name(&case, &path));
            settings.bind(|| insta::assert_snapshot!(name, contents));
        }
    }
}

#[test]
fn no_orphan_snapshots() {
    let mut expected = BTreeSet::new();
    for case in for_the_hub() {
        let (_, bundle) = case.build_local();
        expected.insert(plan_snapshot_name(&case));
        for path in bundle.files.keys() {
            expected.insert(snapshot_name(&case, path));
        }
        for (path, _) in vm_differences(&case, &bundle) {
            expected.insert(vm_snapshot_name(&case, &path));
        }
    }
    snapshots::assert_no_orphans(&["local", "vm-hub"], &expected);
}

#[test]
fn building_twice_gives_identical_bytes() {
    for case in for_the_hub() {
        let (plan1, first) = case.build_local();
        let (plan2, second) = case.build_local();
        assert_eq!(
            plan1, plan2,
            "{}: the plan changed between builds",
            case.name
        );
        assert_eq!(
            first, second,
            "{}: the bundle changed between builds",
            case.name
        );
        assert_eq!(
            case.build_vm(),
            case.build_vm(),
            "{}: the VM bundle changed",
            case.name
        );
        // and once more on disk, through the writer
        let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"))
            .join(format!("determinism-{}", case.name));
        let _ = std::fs::remove_dir_all(&dir);
        for run in ["a", "b"] {
            atlasod::bundle::write_files(&first, &dir.join(run)).unwrap();
        }
        for path in first.files.keys() {
            assert_eq!(
                std::fs::read(dir.join("a").join(path)).unwrap(),
                std::fs::read(dir.join("b").join(path)).unwrap(),
                "{}: {path} differs between two writes",
                case.name
            );
        }
    }
}

/// The names a build could leak if it read secrets from its environment.
const SECRET_VARS: &[&str] = &[
    "SHARED_PASSWORD",
    "ADMIN_PASSWORD",
    "OAUTH_CLIENT_ID",
    "OAUTH_CLIENT_SECRET",
    "OAUTH_CALLBACK_URL",
    "JUPYTER_TOKEN",
    "JUPYTERHUB_CRYPT_KEY",
    "JPY_COOKIE_SECRET",
];

#[test]
fn the_bundle_holds_no_secret_value() {
    // The real CLI, with a canary in every secret variable of its environment:
    // a build that read any of them (or wrote a value from anywhere) shows it.
    let canary = "atlasod-canary-3f9c2e7a51d84b06";
    let tmp = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("secrets");
    let _ = std::fs::remove_dir_all(&tmp);
    for case in for_the_hub() {
        let out = tmp.join(&case.name);
        let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_atlasod"));
        command
            .args(["build", "--target", "local", "-q", "-o"])
            .arg(&out)
            .arg(&case.path);
        for var in SECRET_VARS {
            command.env(var, canary);
        }
        let status = command.status().unwrap();
        assert!(status.success(), "{}: build failed", case.name);
        let mut written = Bundle::new();
        collect(&out.join("local"), "", &mut written);
        let (_, in_memory) = case.build_local();
        // The bundle's files, plus the build's own record under `.atlasod/`
        // (scanned for the canary too).
        assert_eq!(
            written
                .files
                .keys()
                .filter(|p| !p.starts_with(".atlasod/"))
                .collect::<Vec<_>>(),
            in_memory.files.keys().collect::<Vec<_>>()
        );
        assert!(written.files.contains_key(".atlasod/manifest.json"));
        for (label, bundle) in [("local", written), ("vm", case.build_vm())] {
            assert!(
                bundle.get(".env").is_none(),
                "{}: .env is in the bundle",
                case.name
            );
            let ignore = bundle.text(".gitignore").unwrap();
            assert!(
                ignore.lines().any(|l| l == ".env"),
                "{}: .gitignore misses .env",
                case.name
            );
            for (path, file) in &bundle.files {
                let contents = String::from_utf8_lossy(&file.contents);
                assert!(
                    !contents.contains(canary),
                    "{} ({label}): {path} holds a secret from the environment",
                    case.name
                );
                for (n, line) in contents.lines().enumerate() {
                    if let Some(problem) = secret_assignment(line) {
                        panic!(
                            "{} ({label}): {path}:{}: {problem}: {line}",
                            case.name,
                            n + 1
                        );
                    }
                }
            }
            // The cookie secret is generated by the hub into its volume, never written.
            let config = text(&case, &bundle, "jupyterhub_config.py");
            assert!(
                !config.contains("c.JupyterHub.cookie_secret ="),
                "{}",
                case.name
            );
            assert!(config.contains("c.JupyterHub.cookie_secret_file = \"/srv/jupyterhub/data/"));
        }
    }
}

/// Reads a written bundle back.
fn collect(dir: &std::path::Path, prefix: &str, into: &mut Bundle) {
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let path = if prefix.is_empty() {
            name
        } else {
            format!("{prefix}/{name}")
        };
        if entry.file_type().unwrap().is_dir() {
            collect(&entry.path(), &path, into);
        } else {
            into.add(path, std::fs::read(entry.path()).unwrap());
        }
    }
}

/// A line that assigns a value to something named like a secret, unless the
/// value is empty, read from the environment, or a reference.
fn secret_assignment(line: &str) -> Option<&'static str> {
    let lower = line.to_ascii_lowercase();
    let trimmed = lower.trim_start();
    if trimmed.starts_with('#') {
        return None;
    }
    let key_end = lower.find(['=', ':'])?;
    let key = lower[..key_end].trim();
    let identifier = !key.is_empty()
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "_.-".contains(c));
    if !identifier
        || !["password", "secret", "token"]
            .iter()
            .any(|k| key.contains(k))
    {
        return None;
    }
    let value = line[key_end + 1..].trim().trim_matches('"');
    let allowed = value.is_empty()
        || value.starts_with("require_env(")
        || value.starts_with("${")
        || value.starts_with("/srv/jupyterhub/data/")
        || value.starts_with("https://") // endpoints such as `token_url`
        || value.starts_with("Unicode(config=True") // a trait's declaration: its value comes by config
        || value.starts_with("bcrypt.hashpw(") // a roster password's hash, computed by the hub at start
        || value.starts_with('-') // a YAML list follows
        || matches!(value, "True" | "False" | "None" | "true" | "false")
        || value.parse::<f64>().is_ok(); // settings such as `minimum_password_length = 10`
    (!allowed).then_some("a secret-like name gets a literal value")
}

#[test]
fn secret_scanner_catches_literals() {
    assert!(
        secret_assignment("c.SharedPasswordAuthenticator.user_password = \"hunter22\"").is_some()
    );
    assert!(secret_assignment("SHARED_PASSWORD=hunter22").is_some());
    assert!(secret_assignment("      JUPYTER_TOKEN: abc").is_some());
    assert!(secret_assignment("SHARED_PASSWORD=").is_none());
    assert!(secret_assignment("1. Fill in the secrets: `cp .env.example .env`").is_none());
    assert!(secret_assignment("      JUPYTER_TOKEN: ${JUPYTER_TOKEN:-}").is_none());
    assert!(
        secret_assignment("c.X.client_secret = require_env(\"OAUTH_CLIENT_SECRET\")").is_none()
    );
}

/// Names that must agree across files, which no single snapshot shows.
#[test]
fn files_agree_on_names() {
    for case in for_the_hub() {
        let (plan, bundle) = case.build_local();
        let compose = text(&case, &bundle, "compose.yaml");
        let config = text(&case, &bundle, "jupyterhub_config.py");
        let env_example = text(&case, &bundle, ".env.example");
        let name = &plan.name;
        assert!(compose.contains(&format!("name: {name}-net")));
        assert!(config.contains(&format!("c.DockerSpawner.network_name = \"{name}-net\"")));
        assert!(compose.contains(&format!("image: {}", plan.singleuser.image)));
        assert!(config.contains(&format!(
            "c.DockerSpawner.image = \"{}\"",
            plan.singleuser.image
        )));
        if plan.datasets.is_empty() {
            assert!(!compose.contains("fetch-datasets"), "{}", case.name);
            assert!(bundle.get("datasets/fetch.py").is_none());
        } else {
            assert!(compose.contains(&format!("name: {name}-datasets")));
            assert!(config.contains(&format!("{{\"{name}-datasets\": \"/data\"}}")));
            let listing = text(&case, &bundle, "datasets/datasets.json");
            for dataset in &plan.datasets {
                for file in &dataset.files {
                    assert!(
                        listing.contains(&format!("\"url\": \"{}\"", file.url)),
                        "{}: {} not fetched",
                        case.name,
                        file.url
                    );
                }
            }
        }
        // every variable the config requires reaches the hub and is documented
        for e in &plan.jupyterhub.from_env {
            let name = &e.env;
            for (file, text, needle) in [
                (
                    "jupyterhub_config.py",
                    &config,
                    format!("require_env(\"{name}\""),
                ),
                ("compose.yaml", &compose, format!("{name}: ${{{name}:-}}")),
                (".env.example", &env_example, format!("\n{name}=")),
            ] {
                assert!(
                    text.contains(&needle),
                    "{}: {file} lacks `{needle}`",
                    case.name
                );
            }
        }
        let dockerfile = text(&case, &bundle, "singleuser/Dockerfile");
        if plan.notebooks.is_empty() && plan.datasets.is_empty() {
            assert!(
                bundle.get("singleuser/pull-notebooks.sh").is_none(),
                "{}",
                case.name
            );
            assert!(!dockerfile.contains("pull-notebooks.sh"), "{}", case.name);
        } else {
            let notebooks = text(&case, &bundle, "singleuser/pull-notebooks.sh");
            for n in &plan.notebooks {
                assert!(
                    notebooks.contains(&n.repo),
                    "{}: {} not pulled",
                    case.name,
                    n.repo
                );
            }
            assert!(
                dockerfile.contains(
                    "COPY --chmod=0755 pull-notebooks.sh /usr/local/bin/before-notebook.d/"
                )
            );
        }
        // Caddy only with TLS, and then the hub publishes no port of its own
        let tls = plan.tls.mode != atlasod::spec::Https::Off;
        assert_eq!(bundle.get("Caddyfile").is_some(), tls, "{}", case.name);
        assert_eq!(compose.contains("\n  proxy:\n"), tls, "{}", case.name);
    }
}

#[test]
fn the_laptop_binds_to_loopback_and_rehearses_a_public_name_on_localhost() {
    let mut rehearsed = 0;
    for case in for_the_hub() {
        let (plan, bundle) = case.build_local();
        let compose = text(&case, &bundle, "compose.yaml");
        if let Some(domain) = &plan.tls.domain {
            // The laptop is not the spec's name: no certificate is asked for it, no OAuth
            // login is called back to it, and the README says why.
            for path in [
                "Caddyfile",
                "compose.yaml",
                "jupyterhub_config.py",
                ".env.example",
            ] {
                if let Some(file) = bundle.text(path) {
                    assert!(
                        !file.contains(domain.as_str()),
                        "{}: the laptop's {path} names {domain}",
                        case.name
                    );
                }
            }
            let config = text(&case, &bundle, "jupyterhub_config.py");
            if let Some(line) = config
                .lines()
                .find(|l| l.contains(".oauth_callback_url = "))
            {
                assert!(
                    line.contains("\"https://localhost:"),
                    "{}: {line}",
                    case.name
                );
            }
            let readme = text(&case, &bundle, "README.md");
            assert!(
                readme.contains(&format!("The spec's hub is `https://{domain}`")),
                "{}: the README does not say the bundle is a rehearsal",
                case.name
            );
            rehearsed += 1;
        }
        for line in compose
            .lines()
            .filter(|l| l.trim_start().starts_with("- \"") && l.contains(':'))
        {
            let published = line.trim().trim_start_matches("- \"");
            if published.chars().next().is_some_and(|c| c.is_ascii_digit())
                && published.matches(':').count() == 2
            {
                let loopback = published.starts_with("127.0.0.1:");
                assert!(loopback, "{}: {line} is not on 127.0.0.1", case.name);
            }
        }
        assert!(
            !compose.contains(":80:80\""),
            "{}: the laptop publishes port 80",
            case.name
        );
        // the VM variant publishes 443 and 80 on every address
        if plan.tls.mode != atlasod::spec::Https::Off {
            let vm = case.build_vm();
            let compose = vm.text("compose.yaml").unwrap();
            assert!(
                compose.contains("\"0.0.0.0:443:443\"") && compose.contains("\"0.0.0.0:80:80\""),
                "{}",
                case.name
            );
        }
    }
    assert!(rehearsed > 0, "no spec with a domain");
}

/// A user's server listens only once the start hook has pulled the notebooks,
/// and the hub kills a server that does not answer within `http_timeout`: the
/// hook pulls every repository at the same time, each bounded well inside that
/// timeout. Run for real with a stand-in `timeout` that records its limit,
/// waits until every pull has begun (so pulls one after the other would show),
/// and then reports a time-out, as a stuck network would.
#[test]
fn notebook_pulls_end_within_the_spawners_http_timeout() {
    let mut checked = 0;
    for case in for_the_hub() {
        let (plan, bundle) = case.build_local();
        let repos = plan.notebooks.len();
        if repos < 2 {
            continue;
        }
        let config = text(&case, &bundle, "jupyterhub_config.py");
        let http_timeout: u64 = config
            .lines()
            .find_map(|l| l.strip_prefix("c.Spawner.http_timeout = "))
            .and_then(|v| v.split_whitespace().next()?.parse().ok())
            .unwrap_or_else(|| panic!("{}: no Spawner.http_timeout", case.name));
        let dir = tempfile::tempdir().unwrap();
        let bin = dir.path().join("bin");
        let fake = |name: &str, body: &str| support::stand_in(&bin, name, body);
        fake("gitpuller", "exit 0");
        fake(
            "timeout",
            r#"echo "limit $1" >> "$PULL_LOG"
touch "$PULL_DIR/started.$$"
i=0
while [ "$(ls "$PULL_DIR" | grep -c '^started')" -lt "$PULLS" ] && [ "$i" -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
echo "saw $(ls "$PULL_DIR" | grep -c '^started')" >> "$PULL_LOG"
exit 124"#,
        );
        let hook = dir.path().join("pull-notebooks.sh");
        std::fs::write(&hook, text(&case, &bundle, "singleuser/pull-notebooks.sh")).unwrap();
        let log = dir.path().join("log");
        let path = format!(
            "{}:{}",
            bin.display(),
            std::env::var("PATH").unwrap_or_default()
        );
        let ran = support::run(
            std::process::Command::new("bash")
                .arg(&hook)
                .env("PATH", path)
                .env("PULL_LOG", &log)
                .env("PULL_DIR", dir.path())
                .env("PULLS", repos.to_string()),
        );
        assert!(ran.ok, "{}: the hook failed: {}", case.name, ran.all());
        let log = std::fs::read_to_string(&log).unwrap();
        let limits: Vec<u64> = log
            .lines()
            .filter_map(|l| l.strip_prefix("limit ")?.parse().ok())
            .collect();
        assert_eq!(limits.len(), repos, "{}: {log}", case.name);
        assert!(
            limits.iter().all(|&l| l + 20 <= http_timeout),
            "{}: a pull may take {limits:?} s, the hub waits {http_timeout} s",
            case.name
        );
        assert!(
            log.lines()
                .filter(|l| l.starts_with("saw "))
                .all(|l| l == format!("saw {repos}")),
            "{}: the pulls ran one after the other:\n{log}",
            case.name
        );
        assert!(
            ran.stderr.contains("could not update"),
            "{}: a timed-out pull is not reported: {}",
            case.name,
            ran.all()
        );
        checked += 1;
    }
    assert!(checked > 0, "no spec with two notebook repositories");
}
