//! The driver: runs the stages in order, stopping at the first stage with errors.
//!
//! parse → validate → lower → render → bundle. Each function here is one
//! user-visible job; the CLI calls these, and so do tests and benchmarks.

use crate::diagnostic::Diagnostics;
use crate::parse;
use crate::source::SourceFile;
use crate::spec::Target;
use crate::validate::{self, Checked};

/// Parses and validates one spec held in memory.
pub fn check(file: SourceFile, targets: Option<&[Target]>) -> Result<Checked, Diagnostics> {
    let parsed = parse::parse_source(file)?;
    validate::validate(parsed, targets)
}

/// Why a build stopped: problems in the spec, or an operational failure.
#[derive(Debug)]
pub enum BuildFailure {
    Invalid(Diagnostics),
    Failed(crate::error::Error),
}

impl From<Diagnostics> for BuildFailure {
    fn from(diagnostics: Diagnostics) -> Self {
        Self::Invalid(diagnostics)
    }
}

impl From<crate::error::Error> for BuildFailure {
    fn from(error: crate::error::Error) -> Self {
        Self::Failed(error)
    }
}

/// What a build produced: the checked spec, its plan and the bundle for `target`.
#[derive(Debug)]
pub struct Built {
    pub checked: Checked,
    pub plan: crate::plan::Plan,
    pub bundle: crate::bundle::Bundle,
}

/// Parses, validates for `target`, lowers and renders, all in memory.
pub fn build(file: SourceFile, target: Target) -> Result<Built, BuildFailure> {
    let checked = check(file, Some(&[target]))?;
    let plan = crate::plan::lower(&checked)?;
    let bundle = crate::targets::render(&plan, target)?;
    Ok(Built {
        checked,
        plan,
        bundle,
    })
}
