//! `--format json`: one object per diagnostic, with stable documented fields.
//!
//! ```json
//! {"diagnostics": [{"code": "unknown-key", "severity": "error", "message": "...",
//!   "file": "workshop.yaml", "line": 3, "column": 5, "end_line": 3, "end_column": 13,
//!   "label": "...", "help": "...", "note": null,
//!   "related": [{"line": 1, "column": 1, "end_line": 1, "end_column": 5, "label": "..."}]}],
//!  "errors": 1, "warnings": 0}
//! ```
//! Lines and columns are 1-based; columns count characters; `end_*` is exclusive.

use serde_json::{Value, json};

use crate::diagnostic::{Diagnostic, Diagnostics};

pub fn to_value(diagnostics: &Diagnostics) -> Value {
    let items: Vec<Value> = diagnostics.iter().map(one).collect();
    let errors = diagnostics.iter().filter(|d| d.is_error()).count();
    json!({
        "diagnostics": items,
        "errors": errors,
        "warnings": diagnostics.len() - errors,
    })
}

pub fn render(diagnostics: &Diagnostics) -> String {
    let mut text = serde_json::to_string_pretty(&to_value(diagnostics)).unwrap_or_default();
    text.push('\n');
    text
}

fn one(d: &Diagnostic) -> Value {
    let start = d.file.line_col(d.primary.span.start);
    let end = d.file.line_col(d.primary.span.end);
    let related: Vec<Value> = d
        .secondary
        .iter()
        .map(|label| {
            let s = d.file.line_col(label.span.start);
            let e = d.file.line_col(label.span.end);
            json!({"line": s.line, "column": s.column, "end_line": e.line, "end_column": e.column, "label": label.text})
        })
        .collect();
    json!({
        "code": d.code.as_str(),
        "severity": d.severity.as_str(),
        "message": d.message,
        "file": d.file.name(),
        "line": start.line,
        "column": start.column,
        "end_line": end.line,
        "end_column": end.column,
        "label": d.primary.text,
        "help": d.help,
        "note": d.note,
        "related": related,
    })
}
