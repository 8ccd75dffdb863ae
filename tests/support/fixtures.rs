//! The spec fixtures under `tests/fixtures/` (see its README).
//!
//! A case may start with a directive comment naming the targets to check,
//! `# atlasod-test: --target aws --target gcp`; without one the spec's
//! declared targets are checked, as `atlasod check` does.

use std::path::{Path, PathBuf};

use atlasod::parse::{self, ParseFailure};
use atlasod::{Code, Diagnostics, Spec, Target, program};

use super::repo;

const DIRECTIVE: &str = "# atlasod-test:";

pub fn root() -> PathBuf {
    repo().join("tests/fixtures")
}

/// `snapshots/check/`: the diagnostics of the fixtures keep a layout of their own.
pub fn snapshot_root() -> PathBuf {
    super::snapshots::root().join("check")
}

/// One fixture file.
#[derive(Debug, Clone)]
pub struct Case {
    /// Path from the repository root, e.g. `tests/fixtures/invalid/unknown-key/instanse.yaml`.
    pub path: PathBuf,
    /// Path from `tests/fixtures/`: the name diagnostics show.
    pub name: String,
    pub kind: Kind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Invalid,
    Warnings,
    Valid,
}

pub enum Outcome {
    Invalid(Diagnostics),
    Valid {
        spec: Box<Spec>,
        warnings: Diagnostics,
    },
}

impl Case {
    pub fn bytes(&self) -> Vec<u8> {
        std::fs::read(repo().join(&self.path)).unwrap()
    }

    /// The command-line arguments of the directive, e.g. `["--target", "aws"]`.
    pub fn args(&self) -> Vec<String> {
        let bytes = self.bytes();
        let first = bytes.split(|&b| b == b'\n').next().unwrap_or_default();
        let first = String::from_utf8_lossy(first);
        first
            .strip_prefix(DIRECTIVE)
            .map(|rest| rest.split_whitespace().map(str::to_owned).collect())
            .unwrap_or_default()
    }

    /// The targets the directive names, or `None` for the spec's own.
    pub fn targets(&self) -> Option<Vec<Target>> {
        let args = self.args();
        if args.is_empty() {
            return None;
        }
        let mut targets = Vec::new();
        let mut words = args.iter();
        while let Some(word) = words.next() {
            assert!(
                word == "--target" || word == "-t",
                "{}: the directive knows only `--target T`, found `{word}`",
                self.name
            );
            let name = words.next().expect("a target after --target");
            targets.push(
                Target::from_name(name)
                    .unwrap_or_else(|| panic!("{}: `{name}` is not a target", self.name)),
            );
        }
        Some(targets)
    }

    /// Runs the library's `check` on the case, as `atlasod check` does.
    pub fn check(&self) -> Outcome {
        let file = match parse::source_from_bytes(&self.name, self.bytes()) {
            // Located, as `atlasod check FILE` reads it: a roster is found beside it.
            Ok(file) => file.located(repo().join(&self.path)),
            Err(ParseFailure::Invalid(diagnostics)) => return Outcome::Invalid(diagnostics),
            Err(ParseFailure::Io(error)) => panic!("{}: {error}", self.name),
        };
        let targets = self.targets();
        match program::check(file, targets.as_deref()) {
            Ok(checked) => Outcome::Valid {
                spec: Box::new(checked.spec),
                warnings: checked.warnings,
            },
            Err(diagnostics) => Outcome::Invalid(diagnostics),
        }
    }

    /// The code a case of `invalid/<code>/` or `warnings/<code>/` is about.
    pub fn code(&self) -> Code {
        let dir = self.path.parent().and_then(Path::file_name).unwrap();
        let dir = dir.to_string_lossy();
        Code::from_name(&dir).unwrap_or_else(|| panic!("{}: `{dir}` is not a code", self.name))
    }

    /// `instanse` for `invalid/unknown-key/instanse.yaml`; `unicode-title` for
    /// `valid/unicode-title/workshop.yaml`.
    pub fn stem(&self) -> String {
        let path = if self.kind == Kind::Valid {
            self.path.parent().unwrap()
        } else {
            &self.path
        };
        path.file_stem().unwrap().to_string_lossy().into_owned()
    }

    /// Where this case's snapshots live: `snapshots/check/<kind>/<code>/`, or
    /// `snapshots/check/valid/`.
    pub fn snapshot_dir(&self) -> PathBuf {
        match self.kind {
            Kind::Invalid => snapshot_root().join("invalid").join(self.code().as_str()),
            Kind::Warnings => snapshot_root().join("warnings").join(self.code().as_str()),
            Kind::Valid => snapshot_root().join("valid"),
        }
    }
}

/// The subfolders of `dir`, sorted.
pub fn subdirs(dir: &Path) -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .map(|e| e.unwrap().path())
                .filter(|p| p.is_dir())
                .collect()
        })
        .unwrap_or_default();
    dirs.sort();
    dirs
}

fn case(path: &Path, kind: Kind) -> Case {
    let relative = path.strip_prefix(repo()).unwrap().to_path_buf();
    let name = path
        .strip_prefix(root())
        .unwrap()
        .to_string_lossy()
        .into_owned();
    Case {
        path: relative,
        name,
        kind,
    }
}

fn coded(kind_dir: &str, kind: Kind) -> Vec<Case> {
    let mut cases = Vec::new();
    for dir in subdirs(&root().join(kind_dir)) {
        let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
            .collect();
        files.sort();
        cases.extend(files.iter().map(|p| case(p, kind)));
    }
    cases
}

/// `tests/fixtures/invalid/<code>/<case>.yaml`
pub fn invalid() -> Vec<Case> {
    coded("invalid", Kind::Invalid)
}

/// `tests/fixtures/warnings/<code>/<case>.yaml`
pub fn warnings() -> Vec<Case> {
    coded("warnings", Kind::Warnings)
}

/// `tests/fixtures/valid/<case>/workshop.yaml`
pub fn valid() -> Vec<Case> {
    super::specs::valid()
        .iter()
        .map(|spec| case(&spec.path, Kind::Valid))
        .collect()
}
