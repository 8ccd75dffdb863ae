//! `atlasod verify` against a real JupyterHub on loopback (tests/tools/verify_hub.py: the hub,
//! configurable-http-proxy, jupyterhub-singleuser and ipykernel from the hub venv): the REST
//! calls, the kernels API and its websocket channels, the per-notebook verdicts, the failing
//! cell, the human and JSON reports and the exit codes. The Docker stack (memory limit, /data)
//! is the e2e's (.ci/e2e-local.sh).

#![allow(clippy::unwrap_used)] // tests may unwrap (clippy.toml covers #[test] fns only)

mod support;

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::{Value, json};
use support::{hub, run, tool};

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

/// Writes each (path under `home`, cells) as a notebook.
fn write_notebooks(home: &Path, notebooks: &[(&str, &[(&str, &str)])]) {
    for (path, cells) in notebooks {
        let path = home.join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, notebook(cells).to_string()).unwrap();
    }
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
fn write_lessons(home: &Path) {
    write_notebooks(
        home,
        &[
            // the hook's line as `set_release` prints it in the image
            (
                "lessons/good.ipynb",
                &[
                    ("markdown", "# a lesson"),
                    (
                        "code",
                        "print('atlasod: release 2025e-13tev-beta reads the workshop copy in /data/atlas-2025e-13tev-beta')",
                    ),
                    (
                        "code",
                        "import os\nassert os.getcwd().endswith('lessons'), os.getcwd()",
                    ),
                ],
            ),
            (
                "lessons/sub/broken.ipynb",
                &[
                    ("markdown", "# broken"),
                    ("code", "a = 1"),
                    ("code", "# the third cell\nb = a / 0"),
                    ("code", "print('never run')"),
                ],
            ),
            (
                "lessons/sub/big.ipynb",
                &[("code", "b = bytearray(10**16)")],
            ),
            (
                "lessons/sub/slow.ipynb",
                &[("code", "import time\ntime.sleep(300)")],
            ),
            // not in the list: not run
            ("lessons/unlisted.ipynb", &[("code", "1/0")]),
            // no list: every notebook, checkpoints and hidden folders skipped
            (
                "more/a.ipynb",
                &[(
                    "code",
                    "print('atlasod: release 2020e-13tev streams from CERN (no copy in /data)')",
                )],
            ),
            ("more/deep/b.ipynb", &[("code", "x = 2")]),
            (
                "more/.ipynb_checkpoints/a-checkpoint.ipynb",
                &[("code", "1/0")],
            ),
        ],
    );
}

/// A folder with the spec as `workshop.yaml`; the token file, `token`, goes beside it.
fn workshop() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("workshop.yaml"), SPEC).unwrap();
    dir
}

const ATLASOD: &str = env!("CARGO_BIN_EXE_atlasod");

/// `verify <dir>/workshop.yaml --token-file <dir>/token`: how every run of atlasod here starts.
fn verify_args(dir: &Path) -> [OsString; 4] {
    [
        "verify".into(),
        dir.join("workshop.yaml").into(),
        "--token-file".into(),
        dir.join("token").into(),
    ]
}

/// `tests/tools/verify_hub.py` and the hub venv's python, which start a real hub for the
/// notebooks under `<dir>/home` and run atlasod against it (`{hub}` is its URL).
struct Hub {
    python: PathBuf,
    helper: PathBuf,
}

impl Hub {
    /// `None` (the test skips, as `support::tool` decides) without the helper, the venv or the proxy.
    fn find() -> Option<Self> {
        let helper = hub::helper("verify_hub.py")?;
        let python = tool("python-hub")?;
        Some(Self { python, helper })
    }

    /// `verify_hub.py [--tls CA] HOME TOKEN -- atlasod verify ... --hub {hub}`.
    fn verify(&self, dir: &Path, tls: Option<&Path>) -> Command {
        let mut command = Command::new(&self.python);
        command.arg(&self.helper);
        if let Some(ca) = tls {
            command.arg("--tls").arg(ca);
        }
        command
            .arg(dir.join("home"))
            .arg(dir.join("token"))
            .args(["--", ATLASOD])
            .args(verify_args(dir))
            .args(["--hub", "{hub}"]);
        command
    }
}

/// The JSON report on stdout.
fn report(ran: &support::Ran) -> Value {
    serde_json::from_str(&ran.stdout).unwrap_or_else(|e| panic!("{e}: {}", ran.all()))
}

#[test]
fn verify_runs_the_notebooks_on_a_real_hub() {
    let Some(hub) = Hub::find() else {
        return;
    };
    let dir = workshop();
    write_lessons(&dir.path().join("home/atlasod-verify"));
    let verify = |format: &str| {
        run(hub
            .verify(dir.path(), None)
            .args(["--timeout", "20", "--format", format])
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
    let report = report(ran);
    let by_path = |path: &str| -> &Value {
        report["notebooks"]
            .as_array()
            .unwrap()
            .iter()
            .find(|n| n["path"] == path)
            .unwrap_or_else(|| panic!("{path} not in {report:#}"))
    };
    let paths = support::each(&report["notebooks"], "path");
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
    let Some(hub) = Hub::find() else {
        return;
    };
    let dir = workshop();
    write_notebooks(
        &dir.path().join("home/atlasod-verify"),
        &[
            ("lessons/good.ipynb", &[("code", "print(6 * 7)")]),
            ("lessons/sub/broken.ipynb", &[("code", "1/0")]),
            ("lessons/sub/big.ipynb", &[("code", "x = 1")]),
            ("lessons/sub/slow.ipynb", &[("code", "x = 2")]),
        ],
    );
    std::fs::create_dir_all(dir.path().join("home/atlasod-verify/more")).unwrap();
    let ca = dir.path().join("ca.crt");
    let verify = |cacert: bool| {
        let mut command = hub.verify(dir.path(), Some(&ca));
        if cacert {
            command.arg("--cacert").arg(&ca);
        }
        run(command.arg("--format").arg("json"))
    };
    let ran = verify(true);
    assert_eq!(ran.code, Some(1), "{}", ran.all());
    let report = report(&ran);
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
    let dir = workshop();
    let verify = |more: &[&str]| {
        run(Command::new(ATLASOD)
            .args(verify_args(dir.path()))
            .args(more))
    };
    verify(&[]).assert_exit(2, "cannot read");
    std::fs::write(dir.path().join("token"), "\n").unwrap();
    verify(&[]).assert_exit(2, "is empty: put an admin's API token in it");
    std::fs::write(dir.path().join("token"), "abc\n").unwrap();
    // a loopback port nothing listens on
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    verify(&["--hub", &format!("http://127.0.0.1:{port}")])
        .assert_exit(2, &format!("GET http://127.0.0.1:{port}/hub/api/user"));
    let spec = dir.path().join("workshop.yaml");
    run(Command::new(ATLASOD).arg("verify").arg(spec)).assert_exit(2, "--token-file");
}
