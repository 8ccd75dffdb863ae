//! The driver: runs the stages in order, stopping at the first stage with errors.
//!
//! parse → validate → lower → render → bundle. Each function here is one
//! user-visible job; the CLI calls these, and so do tests and benchmarks.

use std::path::Path;

use crate::bundle::{Manifest, sha256_hex};
use crate::diagnostic::Diagnostics;
use crate::diff::record::BuildRecord;
use crate::diff::{self, DiffReport};
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
    /// The spec has errors (parse, validate): the user's to fix.
    Invalid(Diagnostics),
    /// I/O, usage, or a bug in atlasod (lowering and rendering fail only
    /// with [`crate::error::Error::Internal`]): never a diagnostic.
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

/// The targets `atlasod build` builds when none is named: every target the
/// spec declares, plus `local`, in [`Target::ALL`] order.
pub fn build_targets(spec: &crate::spec::Spec) -> Vec<Target> {
    Target::ALL
        .iter()
        .copied()
        .filter(|t| *t == Target::Local || spec.cloud.is_declared(*t))
        .collect()
}

/// Builds `file` for each of `targets` (`None`: [`build_targets`]) in memory,
/// checking it once for all of them. Each bundle is the one [`build`] makes
/// for its target alone.
pub fn build_all(
    file: SourceFile,
    targets: Option<&[Target]>,
) -> Result<Vec<(Target, Built)>, BuildFailure> {
    let parsed = parse::parse_source(file)?;
    let targets = match targets {
        Some(targets) => targets.to_vec(),
        None => build_targets(&validate::validate(parsed.clone(), Some(&[]))?.spec),
    };
    let all = validate::validate(parsed, Some(&targets))?;
    let mut built = Vec::with_capacity(targets.len());
    for target in targets {
        let checked = Checked {
            targets: vec![target],
            ..all.clone()
        };
        let plan = crate::plan::lower(&checked)?;
        let bundle = crate::targets::render(&plan, target)?;
        built.push((
            target,
            Built {
                checked,
                plan,
                bundle,
            },
        ));
    }
    Ok(built)
}

impl Built {
    /// The facts of this build the semantic diff compares.
    pub fn record(&self, target: Target) -> BuildRecord {
        BuildRecord::new(&self.plan, target, &self.bundle.facts)
    }

    /// The manifest `atlasod build` writes beside the files.
    pub fn manifest(&self, target: Target) -> Manifest {
        let spec = sha256_hex(self.checked.parsed.file.text().as_bytes());
        Manifest::new(&self.bundle, target.as_str(), &spec, self.record(target))
    }
}

/// Builds `file` for `target` in memory and compares it with the bundle in `dir`.
pub fn diff_disk(file: SourceFile, target: Target, dir: &Path) -> Result<DiffReport, BuildFailure> {
    let label = file.name().to_owned();
    let built = build(file, target)?;
    let record = built.record(target);
    Ok(diff::against_disk(
        target,
        &built.bundle,
        &record,
        dir,
        &label,
    )?)
}

/// Builds two specs for `target` in memory and compares their bundles.
/// `old` is `None` when the spec is new; when the old spec does not declare
/// `target`, every file of the new bundle counts as added.
pub fn diff_specs(
    old: Option<SourceFile>,
    new: SourceFile,
    target: Target,
    old_label: &str,
) -> Result<DiffReport, BuildFailure> {
    let new_label = new.name().to_owned();
    let new_built = build(new, target)?;
    let old_built = match old {
        Some(file) => {
            let declared = check(file.clone(), Some(&[]))?
                .spec
                .cloud
                .is_declared(target);
            if declared || target == Target::Local {
                Some(build(file, target)?)
            } else {
                None
            }
        }
        None => None,
    };
    let old_record = old_built.as_ref().map(|b| b.record(target));
    let new_record = new_built.record(target);
    Ok(diff::between(
        target,
        old_built
            .as_ref()
            .map(|b| &b.bundle)
            .zip(old_record.as_ref()),
        (&new_built.bundle, &new_record),
        old_label,
        &new_label,
    ))
}
