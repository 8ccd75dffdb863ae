//! A real JupyterHub on loopback, for the tests that start one: the `tests/tools/` helper that
//! starts it, the `PATH` it runs with, and what `hub_smoke.py` says of a roster hub.

use std::ffi::OsString;
use std::path::PathBuf;
use std::process::Command;

use super::{Ran, script, tool, tools_dir};

/// A `tests/tools/` helper that starts a hub (`hub_smoke.py`, `verify_hub.py`), when it and the
/// `configurable-http-proxy` the hub runs are installed; else `None`, as [`tool`] decides.
pub fn helper(name: &str) -> Option<PathBuf> {
    let helper = script(name)?;
    tool("configurable-http-proxy")?;
    Some(helper)
}

/// `python3 <helper>` with the tools' `bin/` first on `PATH`, where the hub finds the proxy.
pub fn python3(helper: &std::path::Path) -> Command {
    let bin = tools_dir().join("bin");
    let path: OsString = std::env::join_paths(std::iter::once(bin).chain(std::env::split_paths(
        &std::env::var_os("PATH").unwrap_or_default(),
    )))
    .unwrap();
    let mut command = Command::new("python3");
    command.arg(helper).env("PATH", path);
    command
}

/// `hub_smoke.py --method native-roster` passed: each of the `students` roster users logged in,
/// the outsider did not. Its PASS lines go to stderr, the test's evidence.
pub fn assert_roster_logins(ran: &Ran, students: usize) {
    for line in ran.stdout.lines().filter(|l| l.starts_with("PASS")) {
        eprintln!("{line}");
    }
    assert_eq!(
        ran.stdout.matches("PASS: roster user").count(),
        students,
        "{}",
        ran.stdout
    );
    assert!(ran.stdout.contains("PASS: the outsider"), "{}", ran.stdout);
}
