//! Stage 2, validate: a parsed spec → a typed, checked [`Spec`].
//!
//! First the shape (JSON Schema, `schema.rs`), then the meaning for the
//! targets being checked (`semantic.rs`). Every problem of a stage is
//! reported; the meaning is checked only when the shape is right.

pub mod schema;
mod semantic;
pub mod suggest;

use crate::diagnostic::{Code, Diagnostic, Diagnostics};
use crate::parse::Parsed;
use crate::spec::{Spec, Target};

/// A spec that passed validation for `targets`, with any warnings.
#[derive(Debug, Clone)]
pub struct Checked {
    pub parsed: Parsed,
    pub spec: Spec,
    pub targets: Vec<Target>,
    pub warnings: Diagnostics,
}

/// The targets to check when none are named: every declared one, else `local`.
pub fn default_targets(spec: &Spec) -> Vec<Target> {
    let declared = spec.cloud.declared();
    if declared.is_empty() {
        vec![Target::Local]
    } else {
        declared
    }
}

/// Validates `parsed` for `targets` (or the spec's default targets).
pub fn validate(parsed: Parsed, targets: Option<&[Target]>) -> Result<Checked, Diagnostics> {
    let json = schema::check(&parsed)?;
    let spec: Spec = serde_json::from_value(json).map_err(|error| {
        Diagnostics::from(
            Diagnostic::error(
                Code::InvalidSpec,
                &parsed.file,
                parsed.root.span,
                format!(
                    "internal error: the schema accepted a spec the model cannot read ({error})"
                ),
            )
            .label("here")
            .help("this is a bug in atlasod, please report it with this file"),
        )
    })?;
    let targets = targets.map_or_else(|| default_targets(&spec), <[Target]>::to_vec);
    let diagnostics = semantic::check(&parsed, &spec, &targets);
    if diagnostics.has_errors() {
        return Err(diagnostics);
    }
    Ok(Checked {
        parsed,
        spec,
        targets,
        warnings: diagnostics,
    })
}
