//! Helpers for tests that run the real tools (terraform, checkov, ...).
//!
//! Tools come from `${ATLASOD_TOOLS:-/opt/atlasod-tools}` (installed by
//! `.ci/install-tools.sh`), else from `PATH`. A missing tool fails the test
//! with a message saying how to install it, unless `ATLASOD_SKIP_EXTERNAL=1`,
//! which skips the test instead.

#![allow(dead_code, clippy::unwrap_used, clippy::print_stderr)]

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// The repository root (where Cargo.toml is).
pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

#[derive(Debug, Clone, Copy)]
pub enum Tool {
    Terraform,
    Checkov,
    CloudInit,
    Shellcheck,
    /// The Python of the lint venv, which has python-hcl2.
    LintPython,
}

impl Tool {
    fn candidates(self, tools: &Path) -> Vec<PathBuf> {
        let bin = |name: &str| tools.join("bin").join(name);
        match self {
            Tool::Terraform => vec![bin("terraform"), PathBuf::from("terraform")],
            Tool::Checkov => vec![
                bin("checkov"),
                tools.join("venvs/checkov/bin/checkov"),
                PathBuf::from("checkov"),
            ],
            Tool::CloudInit => vec![bin("cloud-init"), PathBuf::from("cloud-init")],
            Tool::Shellcheck => vec![bin("shellcheck"), PathBuf::from("shellcheck")],
            Tool::LintPython => vec![tools.join("venvs/lint/bin/python")],
        }
    }

    fn name(self) -> &'static str {
        match self {
            Tool::Terraform => "terraform",
            Tool::Checkov => "checkov",
            Tool::CloudInit => "cloud-init",
            Tool::Shellcheck => "shellcheck",
            Tool::LintPython => "python with python-hcl2 (lint venv)",
        }
    }
}

fn on_path(name: &Path) -> Option<PathBuf> {
    if name.components().count() > 1 {
        return name.is_file().then(|| name.to_path_buf());
    }
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(name))
        .find(|candidate| candidate.is_file())
}

/// The tool's path; `None` (test skipped) only when `ATLASOD_SKIP_EXTERNAL=1`.
pub fn tool(tool: Tool) -> Option<PathBuf> {
    let tools = std::env::var_os("ATLASOD_TOOLS")
        .map_or_else(|| PathBuf::from("/opt/atlasod-tools"), PathBuf::from);
    if let Some(found) = tool.candidates(&tools).iter().find_map(|c| on_path(c)) {
        return Some(found);
    }
    if std::env::var("ATLASOD_SKIP_EXTERNAL").is_ok_and(|v| v == "1") {
        eprintln!(
            "skipped: {} is not installed (ATLASOD_SKIP_EXTERNAL=1)",
            tool.name()
        );
        return None;
    }
    panic!(
        "this test needs {}, which is not installed: run `bash .ci/install-tools.sh` (tools go to ${{ATLASOD_TOOLS:-/opt/atlasod-tools}}), or set ATLASOD_SKIP_EXTERNAL=1 to skip tests that need external tools",
        tool.name()
    );
}

/// What a tool printed.
pub struct Output {
    pub ok: bool,
    pub stdout: String,
    /// stdout and stderr together, for failure messages.
    pub all: String,
}

/// Runs `program args` in `dir` with extra `env`, feeding `stdin` if given.
pub fn run(
    program: &Path,
    args: &[&str],
    dir: &Path,
    env: &[(String, String)],
    stdin: Option<&str>,
) -> Output {
    use std::io::Write;
    let mut command = Command::new(program);
    command
        .args(args)
        .current_dir(dir)
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (key, value) in env {
        command.env(key, value);
    }
    let mut child = command
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", program.display()));
    if let Some(input) = stdin {
        child
            .stdin
            .take()
            .unwrap()
            .write_all(input.as_bytes())
            .unwrap();
    }
    let output = child.wait_with_output().unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&output.stderr);
    Output {
        ok: output.status.success(),
        all: format!("{stdout}{stderr}"),
        stdout,
    }
}
