//! Helpers shared by the integration tests (`mod support;` in each test file).
//!
//! - [`tool`]: finds an external validator, with the project's one policy for
//!   missing tools.
//! - [`fixtures`]: the spec fixtures under `tests/fixtures/`.
//! - [`snapshots`]: the one snapshot layout and the orphan check.
// Each test crate uses part of this module; tests may unwrap and report skips on stderr.
#![allow(dead_code, clippy::unwrap_used, clippy::print_stderr)]

pub mod fixtures;
pub mod snapshots;

use std::path::{Path, PathBuf};

/// The repository root (where `Cargo.toml` is).
pub fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The folder `.ci/install-tools.sh` installs external tools into:
/// `$ATLASOD_TOOLS`, default `/opt/atlasod-tools`.
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

/// The path of an external tool: `<tools dir>/bin/<name>`, else `<name>` on `PATH`.
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
    let installed = tools_dir().join("bin").join(name);
    if is_executable(&installed) {
        return Some(installed);
    }
    if let Some(found) = on_path(name) {
        return Some(found);
    }
    assert!(
        skip_external(),
        "the external tool `{name}` is missing: looked in {} and on PATH.\n\
         Install the test tools with `bash .ci/install-tools.sh` (into $ATLASOD_TOOLS, \
         default /opt/atlasod-tools), or set ATLASOD_SKIP_EXTERNAL=1 to skip the tests \
         that need them (never in CI).",
        installed.display()
    );
    eprintln!("skipped: `{name}` is not installed and ATLASOD_SKIP_EXTERNAL=1");
    None
}

fn on_path(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(name))
        .find(|candidate| is_executable(candidate))
}

fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}
