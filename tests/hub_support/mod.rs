//! Helpers for the hub-bundle tests: the specs to build, building them, and
//! finding external validators.
//!
//! The tool policy matches the project's (`tests/support`, to be unified):
//! a missing tool FAILS the test with a message saying how to install it,
//! unless `ATLASOD_SKIP_EXTERNAL=1`, which skips it and says so.
#![allow(dead_code, clippy::unwrap_used, clippy::print_stderr)]

use std::path::{Path, PathBuf};

use atlasod::bundle::Bundle;
use atlasod::plan::Plan;
use atlasod::targets::compose::{self as hub, HubHost};
use atlasod::{SourceFile, Target};

/// The repository root (where `Cargo.toml` is).
pub fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// A spec the hub bundle is built from: `examples/<name>.yaml` or
/// `tests/fixtures/hub/<name>/workshop.yaml`.
pub struct Case {
    pub name: String,
    pub path: PathBuf,
}

/// Every example, then every hub fixture, sorted by name within each group.
pub fn cases() -> Vec<Case> {
    let mut cases = Vec::new();
    let mut examples: Vec<PathBuf> = std::fs::read_dir(repo().join("examples"))
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "yaml"))
        .collect();
    examples.sort();
    for path in examples {
        let stem = path.file_stem().unwrap().to_string_lossy().into_owned();
        cases.push(Case {
            name: format!("example-{stem}"),
            path,
        });
    }
    let mut fixtures: Vec<PathBuf> = std::fs::read_dir(repo().join("tests/fixtures/hub"))
        .unwrap()
        .flatten()
        .map(|e| e.path().join("workshop.yaml"))
        .filter(|p| p.is_file())
        .collect();
    fixtures.sort();
    for path in fixtures {
        let name = path
            .parent()
            .unwrap()
            .file_name()
            .unwrap()
            .to_string_lossy()
            .into_owned();
        cases.push(Case { name, path });
    }
    assert!(!cases.is_empty(), "no specs found to build");
    cases
}

impl Case {
    pub fn source(&self) -> SourceFile {
        let text = std::fs::read_to_string(&self.path).unwrap();
        let name = self
            .path
            .strip_prefix(repo())
            .unwrap_or(&self.path)
            .display()
            .to_string();
        SourceFile::new(name, text)
    }

    /// `atlasod build --target local`, in memory.
    pub fn build_local(&self) -> (Plan, Bundle) {
        match atlasod::program::build(self.source(), Target::Local) {
            Ok(built) => (built.plan, built.bundle),
            Err(e) => panic!("{}: the local build failed: {e:?}", self.name),
        }
    }

    /// The hub bundle as a cloud target ships it inside its VM.
    pub fn build_vm(&self) -> Bundle {
        let (plan, _) = self.build_local();
        hub::render(&plan, &HubHost::vm(&plan)).unwrap()
    }
}

/// The folder `.ci/install-tools.sh` installs tools into (`$ATLASOD_TOOLS`).
pub fn tools_dir() -> PathBuf {
    std::env::var_os("ATLASOD_TOOLS")
        .filter(|v| !v.is_empty())
        .map_or_else(|| PathBuf::from("/opt/atlasod-tools"), PathBuf::from)
}

pub fn skip_external() -> bool {
    std::env::var("ATLASOD_SKIP_EXTERNAL").is_ok_and(|v| v == "1")
}

/// An external tool: `<tools>/bin/<name>`, else on `PATH`, else in one of
/// the tools' Python venvs. Missing: fails, or `None` with `ATLASOD_SKIP_EXTERNAL=1`.
pub fn tool(name: &str) -> Option<PathBuf> {
    let tools = tools_dir();
    let mut candidates = vec![tools.join("bin").join(name)];
    if let Some(path) = std::env::var_os("PATH") {
        candidates.extend(std::env::split_paths(&path).map(|d| d.join(name)));
    }
    for venv in ["lint", "checkov", "hub"] {
        candidates.push(tools.join("venvs").join(venv).join("bin").join(name));
    }
    if let Some(found) = candidates.into_iter().find(|c| is_executable(c)) {
        return Some(found);
    }
    missing(&format!("the external tool `{name}`"))
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
