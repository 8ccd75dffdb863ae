//! `atlasod verify` against a real JupyterHub on loopback (tests/tools/verify_hub.py: the hub,
//! configurable-http-proxy, jupyterhub-singleuser and ipykernel from the hub venv): the REST
//! calls, the kernels API and its websocket channels, the per-notebook verdicts, the failing
//! cell, the human and JSON reports and the exit codes. The Docker stack (memory limit, /data)
//! is the e2e's (.ci/e2e-local.sh).

#![allow(clippy::unwrap_used)] // tests may unwrap (clippy.toml covers #[test] fns only)

mod support;

use std::path::Path;
use std::process::Command;

use serde_json::{Value, json};
use support::{run, script, tool};

fn notebook(cells: &[(&str, &str)]) -> Value {
    let cells: Vec<Value> = cells
        .iter()
        .map(|(kind, source)| {
            if *kind == "code" {
                json!({"cell_type": "code", "metadata": {}, "source": source, "outputs": [], "execution_count": null})
            } else {
                json!({"cell_type": kind, "metadata": {}, "source": source})
            }
        })
        .collect();
    json!({"cells": cells, "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}}, "nbformat": 4, "nbformat_minor": 5})
}

fn write(path: &Path, value: &Value) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, value.to_string()).unwrap();
}

const SPEC: &str = "\
version: 1
name: verify-test
users:
  count: 2
  memory: 1GiB
auth:
  method: dummy
notebooks:
  - repo: https://example.org/lessons.git
    verify: [good.ipynb, sub/broken.ipynb, sub/big.ipynb, sub/slow.ipynb]
  - repo: https://example.org/extra.git
    path: more
hub:
  https: \"off\"
";

/// The test user's home: the two repositories' folders as the spec names them.
fn write_notebooks(home: &Path) {
    let lessons = home.join("lessons");
    // the hook's line as `set_release` prints it in the image
    write(
        &lessons.join("good.ipynb"),
        &notebook(&[
            ("markdown", "# a lesson"),
            (
                "code",
                "print('atlasod: release 2025e-13tev-beta reads the workshop copy in /data/atlas-2025e-13tev-beta')",
            ),
            (
                "code",
                "import os\nassert os.getcwd().endswith('lessons'), os.getcwd()",
            ),
        ]),
    );
    write(
        &lessons.join("sub/broken.ipynb"),
        &notebook(&[
            ("markdown", "# broken"),
            ("code", "a = 1"),
            ("code", "# the third cell\nb = a / 0"),
            ("code", "print('never run')"),
        ]),
    );
    write(
        &lessons.join("sub/big.ipynb"),
        &notebook(&[("code", "b = bytearray(10**16)")]),
    );
    write(
        &lessons.join("sub/slow.ipynb"),
        &notebook(&[("code", "import time\ntime.sleep(300)")]),
    );
    // not in the list: not run
    write(
        &lessons.join("unlisted.ipynb"),
        &notebook(&[("code", "1/0")]),
    );
    // no list: every notebook, checkpoints and hidden folders skipped
    let more = home.join("more");
    write(
        &more.join("a.ipynb"),
        &notebook(&[(
            "code",
            "print('atlasod: release 2020e-13tev streams from CERN (no copy in /data)')",
        )]),
    );
    write(&more.join("deep/b.ipynb"), &notebook(&[("code", "x = 2")]));
    write(
        &more.join(".ipynb_checkpoints/a-checkpoint.ipynb"),
        &notebook(&[("code", "1/0")]),
    );
}

#[test]
fn verify_runs_the_notebooks_on_a_real_hub() {
    let Some(helper) = script("verify_hub.py") else {
        return;
    };
    let Some(python) = tool("python-hub") else {
        return;
    };
    let Some(_) = tool("configurable-http-proxy") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    write_notebooks(&dir.path().join("home/atlasod-verify"));
    let spec = dir.path().join("workshop.yaml");
    std::fs::write(&spec, SPEC).unwrap();
    let token = dir.path().join("token");
    let atlasod = env!("CARGO_BIN_EXE_atlasod");
    let verify = |format: &str| {
        run(Command::new(&python)
            .arg(&helper)
            .arg(dir.path().join("home"))
            .arg(&token)
            .arg("--")
            .args([
                atlasod,
                "verify",
                spec.to_str().unwrap(),
                "--hub",
                "{hub}",
                "--token-file",
                token.to_str().unwrap(),
                "--timeout",
                "20",
                "--format",
                format,
            ])
            .env("NO_COLOR", "1"))
    };

    let ran = verify("json");
    check_json(&ran);
    check_human(&verify("human"));
}

/// The JSON report: a verdict per notebook, the failing cells, memory and data.
fn check_json(ran: &support::Ran) {
    assert_eq!(
        ran.code,
        Some(1),
        "a notebook failed: exit 1\n{}",
        ran.all()
    );
    let report: Value =
        serde_json::from_str(&ran.stdout).unwrap_or_else(|e| panic!("{e}: {}", ran.all()));
    let by_path = |path: &str| -> &Value {
        report["notebooks"]
            .as_array()
            .unwrap()
            .iter()
            .find(|n| n["path"] == path)
            .unwrap_or_else(|| panic!("{path} not in {report:#}"))
    };
    let paths: Vec<&str> = report["notebooks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["path"].as_str().unwrap())
        .collect();
    assert_eq!(
        paths,
        [
            "lessons/good.ipynb",
            "lessons/sub/broken.ipynb",
            "lessons/sub/big.ipynb",
            "lessons/sub/slow.ipynb",
            "more/a.ipynb",
            "more/deep/b.ipynb"
        ]
    );
    assert_eq!(
        (report["passed"].as_u64(), report["failed"].as_u64()),
        (Some(3), Some(3))
    );

    let good = by_path("lessons/good.ipynb");
    assert_eq!(good["passed"], true, "{good:#}");
    assert_eq!(good["data"]["source"], "local");
    assert_eq!(good["cells"], 2);
    let peak = good["memory"]["peak_bytes"].as_u64().unwrap();
    assert!(peak > 10 << 20 && peak < 1 << 30, "a kernel's peak: {peak}");
    // no cgroup limit on a process of this machine: the spec's users.memory
    assert_eq!(good["memory"]["limit_bytes"], 1u64 << 30);

    let broken = by_path("lessons/sub/broken.ipynb");
    assert_eq!(broken["passed"], false);
    assert_eq!(broken["failure"]["kind"], "error");
    assert_eq!(
        broken["failure"]["cell"], 3,
        "the third cell of the notebook, the markdown counted"
    );
    assert_eq!(broken["failure"]["source"], "# the third cell");
    assert_eq!(
        broken["failure"]["message"],
        "ZeroDivisionError: division by zero"
    );
    assert!(
        broken["failure"]["traceback"]
            .as_str()
            .unwrap()
            .contains("b = a / 0")
    );
    assert_eq!(broken["data"]["source"], "unreported");

    let big = by_path("lessons/sub/big.ipynb");
    assert_eq!(
        (&big["failure"]["kind"], &big["failure"]["cell"]),
        (&json!("memory"), &json!(1))
    );
    let slow = by_path("lessons/sub/slow.ipynb");
    assert_eq!(slow["failure"]["kind"], "timeout", "{slow:#}");
    let seconds = slow["seconds"].as_f64().unwrap();
    assert!(
        (10.0..50.0).contains(&seconds),
        "stopped at the timeout: {seconds}"
    );
    assert_eq!(by_path("more/a.ipynb")["data"]["source"], "streamed");
    assert_eq!(by_path("more/deep/b.ipynb")["passed"], true);
    // progress on stderr, the report alone on stdout
    assert!(
        ran.stderr
            .contains("verify: [2/6] lessons/sub/broken.ipynb: running"),
        "{}",
        ran.stderr
    );
    assert!(
        ran.stderr.contains("stopping atlasod-verify's server"),
        "{}",
        ran.stderr
    );
}

/// The human report of the same run.
fn check_human(ran: &support::Ran) {
    assert_eq!(ran.code, Some(1), "{}", ran.all());
    let text = &ran.stdout;
    assert!(text.contains("PASS  lessons/good.ipynb"), "{text}");
    assert!(text.contains("data from /data"), "{text}");
    assert!(text.contains("FAIL  lessons/sub/broken.ipynb"), "{text}");
    assert!(
        text.contains("error: cell 3: ZeroDivisionError: division by zero"),
        "{text}"
    );
    assert!(text.contains("memory: cell 1: MemoryError"), "{text}");
    assert!(
        text.contains("3 of 6 notebooks passed on http://127.0.0.1:"),
        "{text}"
    );
    assert!(!text.contains('\x1b'), "NO_COLOR: no colour\n{text}");
}

/// A hub over HTTPS with a CA of its own: trusted with `--cacert`, refused without.
#[test]
fn verify_trusts_a_hubs_own_ca_with_cacert() {
    let Some(helper) = script("verify_hub.py") else {
        return;
    };
    let Some(python) = tool("python-hub") else {
        return;
    };
    let Some(_) = tool("configurable-http-proxy") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path().join("home/atlasod-verify");
    write(
        &home.join("lessons/good.ipynb"),
        &notebook(&[("code", "print(6 * 7)")]),
    );
    write(
        &home.join("lessons/sub/broken.ipynb"),
        &notebook(&[("code", "1/0")]),
    );
    write(
        &home.join("lessons/sub/big.ipynb"),
        &notebook(&[("code", "x = 1")]),
    );
    write(
        &home.join("lessons/sub/slow.ipynb"),
        &notebook(&[("code", "x = 2")]),
    );
    std::fs::create_dir_all(home.join("more")).unwrap();
    let spec = dir.path().join("workshop.yaml");
    std::fs::write(&spec, SPEC).unwrap();
    let (token, ca) = (dir.path().join("token"), dir.path().join("ca.crt"));
    let atlasod = env!("CARGO_BIN_EXE_atlasod");
    let verify = |cacert: bool| {
        let mut command = Command::new(&python);
        command
            .arg(&helper)
            .arg("--tls")
            .arg(&ca)
            .arg(dir.path().join("home"))
            .arg(&token)
            .arg("--");
        command.args([
            atlasod,
            "verify",
            spec.to_str().unwrap(),
            "--hub",
            "{hub}",
            "--token-file",
            token.to_str().unwrap(),
        ]);
        if cacert {
            command.arg("--cacert").arg(&ca);
        }
        run(command.arg("--format").arg("json"))
    };
    let ran = verify(true);
    assert_eq!(ran.code, Some(1), "{}", ran.all());
    let report: Value =
        serde_json::from_str(&ran.stdout).unwrap_or_else(|e| panic!("{e}: {}", ran.all()));
    assert!(
        report["hub"]
            .as_str()
            .unwrap()
            .starts_with("https://127.0.0.1:"),
        "{report:#}"
    );
    assert_eq!(
        (report["passed"].as_u64(), report["failed"].as_u64()),
        (Some(3), Some(1)),
        "{report:#}"
    );
    let ran = verify(false);
    assert_eq!(
        ran.code,
        Some(2),
        "the public roots do not know the hub's CA\n{}",
        ran.all()
    );
    assert!(ran.stderr.contains("/hub/api/user"), "{}", ran.stderr);
}

#[test]
fn verify_needs_a_token_and_a_hub_that_answers() {
    let dir = tempfile::tempdir().unwrap();
    let spec = dir.path().join("workshop.yaml");
    std::fs::write(&spec, SPEC).unwrap();
    let atlasod = env!("CARGO_BIN_EXE_atlasod");
    let token = dir.path().join("token");
    run(Command::new(atlasod).args([
        "verify",
        spec.to_str().unwrap(),
        "--token-file",
        token.to_str().unwrap(),
    ]))
    .assert_exit(2, "cannot read");
    std::fs::write(&token, "\n").unwrap();
    run(Command::new(atlasod).args([
        "verify",
        spec.to_str().unwrap(),
        "--token-file",
        token.to_str().unwrap(),
    ]))
    .assert_exit(2, "is empty: put an admin's API token in it");
    std::fs::write(&token, "abc\n").unwrap();
    // a loopback port nothing listens on
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    run(Command::new(atlasod)
        .args([
            "verify",
            spec.to_str().unwrap(),
            "--token-file",
            token.to_str().unwrap(),
        ])
        .args(["--hub", &format!("http://127.0.0.1:{port}")]))
    .assert_exit(2, &format!("GET http://127.0.0.1:{port}/hub/api/user"));
    run(Command::new(atlasod).args(["verify", spec.to_str().unwrap()]))
        .assert_exit(2, "--token-file");
}
