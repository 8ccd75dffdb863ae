//! Helpers shared by the integration tests and the benchmarks (`mod support;`
//! in each test file; `#[path = "../tests/support/mod.rs"] mod support;` in
//! `benches/`). Nothing else in `tests/` finds a tool, a spec or a snapshot.
//!
//! - [`repo`]: the repository root.
//! - [`tool`], [`script`]: an external validator or a helper of
//!   `tests/tools/`, with the project's one policy for missing tools.
//! - [`run`], [`run_with_input`]: runs a program, keeps what it printed;
//!   [`atlasod_in`] and [`terraform_in`] make the commands most tests run.
//! - [`hub`]: a real JupyterHub's helper, its `PATH`, what `hub_smoke.py` reports.
//! - [`LoopbackServer`]: a `tests/tools/` server on 127.0.0.1 that prints its port.
//! - [`specs`]: spec discovery (`examples()`, `valid()`, `hub()`,
//!   `declaring(target)`), building, and which specs are snapshotted.
//! - [`fixtures`]: the `check` fixtures under `tests/fixtures/`.
//! - [`snapshots`]: the one snapshot layout and the orphan check.
//! - [`bundles`]: writing bundles to a test's own folder.
//! - [`validators`]: the real programs that consume generated files.
//!
//! Adding a target `x` needs one small test file, `tests/x.rs`: `mod support;`,
//! its cases from `specs::declaring(Target::X)` (add fixtures that show more
//! to `specs::SNAPSHOTTED`), `snapshots::snapshot_bundle!("x", &spec.name,
//! &bundle)` in one test and `snapshots::assert_no_orphans(&["x"], ...)` over
//! `snapshots::bundle_files` in a `no_orphan_snapshots` test (and `("x",
//! "tests/x.rs")` in `tests/snapshot_layout.rs`), and one test per real
//! consumer from [`validators`] on the bundles written with [`bundles`].
// Each test crate uses part of this module; tests may unwrap and report skips on stderr.
#![allow(dead_code, clippy::unwrap_used, clippy::print_stderr)]

pub mod bundles;
pub mod fixtures;
pub mod hub;
pub mod snapshots;
pub mod specs;
pub mod validators;

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// The repository root (where `Cargo.toml` is).
pub fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The folder `.ci/install-tools.sh` installs external tools into:
/// `$ATLASOD_TOOLS` (empty counts as unset), default `/opt/atlasod-tools`.
pub fn tools_dir() -> PathBuf {
    std::env::var_os("ATLASOD_TOOLS")
        .filter(|v| !v.is_empty())
        .map_or_else(|| PathBuf::from("/opt/atlasod-tools"), PathBuf::from)
}

/// Whether tests that need an external tool may be skipped when it is missing
/// (`ATLASOD_SKIP_EXTERNAL=1`). CI never sets it: there, a missing tool fails.
pub fn skip_external() -> bool {
    std::env::var("ATLASOD_SKIP_EXTERNAL").is_ok_and(|v| v == "1")
}

/// The Python venvs of `.ci/install-tools.sh`, searched after `bin/` and `PATH`.
const VENVS: &[&str] = &["lint", "checkov", "hub"];

/// An external tool: the first executable `<tools dir>/bin/<name>`, `<name>`
/// on `PATH`, or `<tools dir>/venvs/{lint,checkov,hub}/bin/<name>`.
///
/// The policy for a missing tool, in one place: the test FAILS with a message
/// saying how to install it, unless `ATLASOD_SKIP_EXTERNAL=1` is set, in which
/// case this returns `None` and the test returns early after saying so on
/// stderr. Use it as:
///
/// ```ignore
/// let Some(check_jsonschema) = support::tool("check-jsonschema") else { return };
/// ```
pub fn tool(name: &str) -> Option<PathBuf> {
    let tools = tools_dir();
    let mut candidates = vec![tools.join("bin").join(name)];
    if let Some(path) = std::env::var_os("PATH") {
        candidates.extend(std::env::split_paths(&path).map(|dir| dir.join(name)));
    }
    candidates.extend(
        VENVS
            .iter()
            .map(|venv| tools.join("venvs").join(venv).join("bin").join(name)),
    );
    if let Some(found) = candidates.into_iter().find(|c| is_executable(c)) {
        return Some(found);
    }
    missing(&format!(
        "the external tool `{name}` (looked in {}/bin, on PATH and in its venvs)",
        tools.display()
    ))
}

/// Writes an executable `#!/bin/sh` stand-in for the program `name` into `bin`: for a
/// test that runs a generated script against programs it cannot run here.
#[allow(dead_code)] // not every test binary uses every helper
pub fn stand_in(bin: &Path, name: &str, body: &str) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::create_dir_all(bin).unwrap();
    let path = bin.join(name);
    std::fs::write(&path, format!("#!/bin/sh\n{body}\n")).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
}

/// A helper script under `tests/tools/`.
pub fn script(name: &str) -> Option<PathBuf> {
    let path = repo().join("tests/tools").join(name);
    if path.is_file() {
        return Some(path);
    }
    missing(&format!("the test helper `tests/tools/{name}`"))
}

fn missing(what: &str) -> Option<PathBuf> {
    assert!(
        skip_external(),
        "{what} is missing. Install the test tools with `bash .ci/install-tools.sh` \
         (into $ATLASOD_TOOLS, default /opt/atlasod-tools), or set ATLASOD_SKIP_EXTERNAL=1 \
         to skip the tests that need them (never in CI)."
    );
    eprintln!("skipped: {what} is missing and ATLASOD_SKIP_EXTERNAL=1");
    None
}

fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

/// What a program printed, and whether it succeeded.
pub struct Ran {
    pub ok: bool,
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

impl Ran {
    /// stdout and stderr together, for failure messages.
    pub fn all(&self) -> String {
        format!("{}{}", self.stdout, self.stderr)
    }

    /// Fails the test, showing both streams, unless the program succeeded.
    pub fn assert_ok(&self, what: &str) -> &Self {
        assert!(
            self.ok,
            "{what} failed ({:?}):\n--- stdout\n{}\n--- stderr\n{}",
            self.code, self.stdout, self.stderr
        );
        self
    }

    /// Fails the test, showing stderr, unless the program exited with `code`
    /// and said `says` on stderr.
    pub fn assert_exit(&self, code: i32, says: &str) -> &Self {
        assert_eq!(self.code, Some(code), "{}", self.stderr);
        assert!(
            self.stderr.contains(says),
            "stderr does not say `{says}`:\n{}",
            self.stderr
        );
        self
    }
}

/// Runs `command` to the end with no input.
pub fn run(command: &mut Command) -> Ran {
    spawn(command.stdin(Stdio::null()), None)
}

/// Runs `command` to the end with `input` on its standard input.
pub fn run_with_input(command: &mut Command, input: &str) -> Ran {
    spawn(command.stdin(Stdio::piped()), Some(input))
}

fn spawn(command: &mut Command, input: Option<&str>) -> Ran {
    let mut child = command
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run {command:?}: {e}"));
    if let Some(input) = input {
        child
            .stdin
            .take()
            .unwrap()
            .write_all(input.as_bytes())
            .unwrap();
    }
    let output = child.wait_with_output().unwrap();
    Ran {
        ok: output.status.success(),
        code: output.status.code(),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// The `key` string of each item of the JSON array `items`: `report["notebooks"]`' paths.
pub fn each<'a>(items: &'a serde_json::Value, key: &str) -> Vec<&'a str> {
    items
        .as_array()
        .unwrap_or_else(|| panic!("not an array: {items}"))
        .iter()
        .map(|item| {
            item[key]
                .as_str()
                .unwrap_or_else(|| panic!("no `{key}` in {item}"))
        })
        .collect()
}

/// The `atlasod` binary run in `dir`, with no terminal to colour for.
pub fn atlasod_in(dir: &Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_atlasod"));
    command.current_dir(dir).env("TERM", "dumb");
    command
}

/// `terraform` run in `module`, with the providers of the offline kit.
pub fn terraform_in(terraform: &Path, module: &Path) -> Command {
    let mut command = Command::new(terraform);
    command
        .current_dir(module)
        .env("TF_CLI_CONFIG_FILE", tf_offline_config());
    command
}

/// `terraform init` and `apply` in `module` (no provider needed), then `terraform output -raw
/// <output>`: what Terraform itself computes for an expression taken from a bundle.
pub fn terraform_output(
    terraform: &Path,
    module: &Path,
    vars: &[(&str, &str)],
    output: &str,
) -> String {
    let command = || {
        let mut command = terraform_in(terraform, module);
        command.envs(
            vars.iter()
                .map(|(name, value)| (format!("TF_VAR_{name}"), value)),
        );
        command
    };
    run(command().args(["init", "-no-color", "-input=false"])).assert_ok("terraform init");
    run(command().args(["apply", "-no-color", "-input=false", "-auto-approve"]))
        .assert_ok("terraform apply");
    let ran = run(command().args(["output", "-raw", output]));
    ran.assert_ok("terraform output");
    ran.stdout
}

/// The `TF_CLI_CONFIG_FILE` of the offline Terraform kit
/// (`../shared/tf-offline/setup.sh`), which serves the pinned providers
/// from disk so `terraform validate` needs no network.
pub fn tf_offline_config() -> String {
    let kit = repo().join("../shared/tf-offline/setup.sh");
    assert!(
        kit.exists(),
        "the offline Terraform kit is missing: {}",
        kit.display()
    );
    let ran = run(Command::new("bash").arg(&kit));
    ran.assert_ok("tf-offline setup");
    let line = ran.stdout.trim();
    let Some((_, value)) = line.split_once('=') else {
        panic!("tf-offline setup printed no `KEY=value`: {line}");
    };
    value.to_owned()
}

/// A server from `tests/tools/` on loopback that prints its port as its first line
/// (`range_server.py`, `atlas_api_stub.py`); killed when dropped.
pub struct LoopbackServer {
    child: std::process::Child,
    pub port: u16,
}

impl LoopbackServer {
    /// Starts `command` (the caller sets its program, arguments and stderr) and reads its port.
    pub fn start(mut command: Command) -> Self {
        use std::io::BufRead as _;
        let mut child = command.stdout(Stdio::piped()).spawn().unwrap();
        let mut line = String::new();
        std::io::BufReader::new(child.stdout.as_mut().unwrap())
            .read_line(&mut line)
            .unwrap();
        let port = line
            .trim()
            .parse()
            .unwrap_or_else(|_| panic!("{command:?} printed {line:?}, not its port"));
        Self { child, port }
    }
}

impl Drop for LoopbackServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
