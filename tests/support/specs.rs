//! Spec discovery, written once: the specs the tests and benchmarks build.
//!
//! - [`examples`] reads `examples/<stem>.yaml`, named `example-<stem>`;
//! - [`valid`] reads `tests/fixtures/valid/<case>/workshop.yaml`;
//! - [`hub`] reads `tests/fixtures/hub/<case>/workshop.yaml`, and
//!   [`for_the_hub`] gives the examples and these, which the hub bundle tests
//!   build for `local`;
//! - [`declaring`] gives every spec above, plus [`BUILDS_WITH_WARNINGS`],
//!   that declares a target under `cloud:`.
//!
//! [`edit`] makes a one-line variant of a spec's text.
//!
//! Which of them are snapshotted file by file is data: every example, and
//! the fixtures listed in [`SNAPSHOTTED`]. The others go through the real
//! validators only.

use std::path::{Path, PathBuf};

use atlasod::bundle::Bundle;
use atlasod::plan::Plan;
use atlasod::program::{self, BuildFailure, Built};
use atlasod::report::{self, HumanStyle};
use atlasod::targets::compose::{self, HubHost};
use atlasod::validate::Checked;
use atlasod::{SourceFile, Target};

use super::repo;

/// The fixtures (besides every example) whose bundles are snapshotted, for
/// every target the tests build them for.
pub const SNAPSHOTTED: &[&str] = &[
    // tests/fixtures/hub/: every login method and TLS mode of the hub bundle
    "github-teams",
    "gitlab-groups",
    "hostile-text", // free text that every generated language reads as syntax
    "laptop-dummy",
    "native-self-signed",
    "oidc-cern",
    "shared-password",
    // tests/fixtures/valid/: what the examples do not show
    "openstack-named-flavor", // a named OpenStack flavor, used as is
    "k8s-eks",
    "k8s-existing",
    "k8s-magnum",
    "online-k8s",
    "atlas-2025-gamgam", // a 2025 skim listed at apply time, for every target
    // a region without prices (a warning fixture that builds)
    "aws-unpriced-region",
];

/// Specs that pass `check` with a warning, and are built too, by name.
pub const BUILDS_WITH_WARNINGS: &[(&str, &str)] = &[(
    "aws-unpriced-region",
    "tests/fixtures/warnings/unpriced-region/auto_native_python.yaml",
)];

/// The spec `text` with `from` replaced by `to`, which must occur exactly
/// once: a one-line edit of a shipped example.
pub fn edit(text: &str, from: &str, to: &str) -> String {
    assert_eq!(text.matches(from).count(), 1, "`{from}` must occur once");
    text.replace(from, to)
}

/// One spec file, by a short name unique over every folder.
#[derive(Debug, Clone)]
pub struct Spec {
    /// `example-<stem>` for an example, else the fixture's folder name.
    pub name: String,
    /// The absolute path.
    pub path: PathBuf,
}

/// `examples/*.yaml`, sorted.
pub fn examples() -> Vec<Spec> {
    let mut paths = files_with_extension(&repo().join("examples"), "yaml");
    paths.sort();
    let specs: Vec<Spec> = paths
        .into_iter()
        .map(|path| Spec {
            name: format!("example-{}", stem(&path)),
            path,
        })
        .collect();
    assert!(!specs.is_empty(), "no spec in examples/");
    specs
}

/// `tests/fixtures/valid/<case>/workshop.yaml`, sorted.
pub fn valid() -> Vec<Spec> {
    workshops("tests/fixtures/valid")
}

/// `tests/fixtures/hub/<case>/workshop.yaml`, sorted.
pub fn hub() -> Vec<Spec> {
    workshops("tests/fixtures/hub")
}

/// The specs the hub bundle (`local`, and the same as a cloud VM ships it)
/// is built from: every example, then every hub fixture.
pub fn for_the_hub() -> Vec<Spec> {
    examples().into_iter().chain(hub()).collect()
}

/// Every spec of [`examples`], [`valid`], [`hub`] and
/// [`BUILDS_WITH_WARNINGS`] that declares `target`, sorted by name.
pub fn declaring(target: Target) -> Vec<Spec> {
    let mut specs: Vec<Spec> = examples()
        .into_iter()
        .chain(valid())
        .chain(hub())
        .chain(BUILDS_WITH_WARNINGS.iter().map(|(name, path)| Spec {
            name: (*name).to_owned(),
            path: repo().join(path),
        }))
        .filter(|spec| spec.declares(target))
        .collect();
    specs.sort_by(|a, b| a.name.cmp(&b.name));
    assert!(!specs.is_empty(), "no spec declares `{target}`");
    specs
}

/// The names of `specs`, e.g. as a benchmark's `args`.
pub fn names(specs: Vec<Spec>) -> Vec<String> {
    specs.into_iter().map(|spec| spec.name).collect()
}

/// The spec called `name` among `specs`; a missing one fails.
pub fn named(specs: Vec<Spec>, name: &str) -> Spec {
    specs
        .into_iter()
        .find(|spec| spec.name == name)
        .unwrap_or_else(|| panic!("no spec named `{name}`"))
}

/// The `workshop.yaml` of every subfolder of `folder` (from the repository root), sorted.
pub fn workshops(folder: &str) -> Vec<Spec> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(repo().join(folder))
        .unwrap_or_else(|e| panic!("{folder}: {e}"))
        .map(|e| e.unwrap().path())
        .filter(|p| p.join("workshop.yaml").is_file())
        .collect();
    dirs.sort();
    dirs.into_iter()
        .map(|dir| Spec {
            name: dir.file_name().unwrap().to_string_lossy().into_owned(),
            path: dir.join("workshop.yaml"),
        })
        .collect()
}

fn files_with_extension(dir: &Path, extension: &str) -> Vec<PathBuf> {
    std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .map(|e| e.unwrap().path())
                .filter(|p| p.extension().is_some_and(|e| e == extension))
                .collect()
        })
        .unwrap_or_default()
}

fn stem(path: &Path) -> String {
    path.file_stem().unwrap().to_string_lossy().into_owned()
}

impl Spec {
    /// The path from the repository root, as diagnostics name it.
    pub fn relative(&self) -> String {
        self.path
            .strip_prefix(repo())
            .unwrap_or(&self.path)
            .display()
            .to_string()
    }

    pub fn text(&self) -> String {
        std::fs::read_to_string(&self.path)
            .unwrap_or_else(|e| panic!("{}: {e}", self.path.display()))
    }

    pub fn source(&self) -> SourceFile {
        SourceFile::new(self.relative(), self.text()).located(&self.path)
    }

    /// Whether its bundles are snapshotted file by file: every example, and
    /// the fixtures of [`SNAPSHOTTED`].
    pub fn snapshotted(&self) -> bool {
        self.path.starts_with(repo().join("examples")) || SNAPSHOTTED.contains(&self.name.as_str())
    }

    /// `atlasod check` with the spec's own targets; a failure fails the test.
    pub fn check(&self) -> Checked {
        program::check(self.source(), None).unwrap_or_else(|d| {
            panic!(
                "{} must pass `check`:\n{}",
                self.name,
                report::human(&d, HumanStyle::PLAIN)
            )
        })
    }

    /// Whether `cloud:` declares `target`.
    pub fn declares(&self, target: Target) -> bool {
        self.check().spec.cloud.is_declared(target)
    }

    /// `atlasod build --target <target>`, in memory; a failure fails the test.
    pub fn build(&self, target: Target) -> Built {
        match program::build(self.source(), target) {
            Ok(built) => built,
            Err(BuildFailure::Invalid(d)) => panic!(
                "{} does not build for {target}:\n{}",
                self.name,
                report::human(&d, HumanStyle::PLAIN)
            ),
            Err(BuildFailure::Failed(e)) => {
                panic!("{} does not build for {target}: {e}", self.name)
            }
        }
    }

    /// The plan and the bundle of `build --target local`.
    pub fn build_local(&self) -> (Plan, Bundle) {
        let built = self.build(Target::Local);
        (built.plan, built.bundle)
    }

    /// The hub bundle as a cloud target ships it inside its VM.
    pub fn build_vm(&self) -> Bundle {
        let (plan, _) = self.build_local();
        compose::render(&plan, &HubHost::vm(&plan)).unwrap()
    }
}
