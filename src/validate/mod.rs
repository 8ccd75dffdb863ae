//! Stage 2, validate: a parsed spec → a typed, checked [`Spec`].
//!
//! First the shape (JSON Schema, `schema.rs`), then the meaning for the
//! targets being checked (`rules/`). Every problem of a stage is
//! reported; the meaning is checked only when the shape is right.

mod accept;
mod hint;
mod pattern;
mod roster;
mod rules;
pub mod schema;
mod schema_errors;
pub mod suggest;

use crate::diagnostic::{Code, Diagnostic, Diagnostics};
use crate::parse::Parsed;
use crate::parse::Step;
use crate::spec::{Spec, Target};
use crate::validate::schema::Seg;

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
    let mut spec = read_model(&parsed, json)?;
    let mut diagnostics = roster::resolve(&parsed, &mut spec);
    // Without its accounts the spec has no user count to check the rest against.
    if diagnostics.has_errors() {
        return Err(diagnostics.sorted());
    }
    let targets = targets.map_or_else(|| default_targets(&spec), <[Target]>::to_vec);
    diagnostics.extend(rules::check(&parsed, &spec, &targets));
    let diagnostics = diagnostics.sorted();
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

/// Reads the typed model from JSON the schema accepted.
///
/// The model is stricter than the schema in one way the schema cannot say: a
/// size or duration too large to count (`99999999999999999999TiB`). Such a
/// value is reported on the value itself; any other failure here would be a
/// drift between the schema and the model, which `tests/schema_drift.rs` and
/// the property tests guard against.
fn read_model(parsed: &Parsed, json: serde_json::Value) -> Result<Spec, Diagnostics> {
    serde_path_to_error::deserialize(json).map_err(|error| {
        let path: Vec<Seg> = error
            .path()
            .iter()
            .filter_map(|segment| match segment {
                serde_path_to_error::Segment::Map { key } => Some(Seg::Key(key.clone())),
                serde_path_to_error::Segment::Seq { index } => Some(Seg::Index(*index)),
                _ => None,
            })
            .collect();
        let steps: Vec<Step<'_>> = schema::steps(&path);
        let span = parsed.root.find_closest(&steps).0.node.span;
        let field = schema::dotted(&path);
        let field = if field.is_empty() {
            "the spec".to_owned()
        } else {
            field
        };
        // The schema accepted the value's shape; only a size or duration can
        // still fail here (too large to count). Decided by the field's schema,
        // never by the error's text.
        let is_quantity = schema::schema_at(&path, &parsed.root).is_some_and(|sub| {
            matches!(
                sub.form(&path),
                crate::validate::hint::Form::Size | crate::validate::hint::Form::Duration
            )
        });
        let mut diagnostic = Diagnostic::error(
            Code::InvalidSpec,
            &parsed.file,
            span,
            format!("`{field}` cannot be used: {}", error.inner()),
        )
        .label("cannot be used")
        .help(if is_quantity {
            "write a smaller value"
        } else {
            "this may be a bug in atlasod: please report it with this file"
        });
        if let Some(description) = schema::description_at(&path, &parsed.root) {
            diagnostic = diagnostic.note(format!("`{field}`: {description}"));
        }
        Diagnostics::from(diagnostic)
    })
}
