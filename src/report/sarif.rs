//! `--format sarif`: SARIF 2.1.0, for GitHub code scanning and other tools.
//!
//! One run; the tool's rules are every diagnostic code with its summary (so
//! `ruleIndex` is the code's place in [`Code::ALL`]); one result per
//! diagnostic with its level, message (and help), the primary region and the
//! secondary labels as related locations. Columns count Unicode code points
//! (`columnKind`), as the other formats do; `endColumn` is exclusive, as
//! SARIF defines it. Deterministic: no timestamps or host paths.

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use serde_json::{Value, json};

use crate::diagnostic::{Code, Diagnostic, Diagnostics, Severity};
use crate::source::{SourceFile, Span};

const SCHEMA: &str =
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";

pub fn to_value(diagnostics: &Diagnostics) -> Value {
    let rules: Vec<Value> = Code::ALL.iter().map(|code| rule(*code)).collect();
    let results: Vec<Value> = diagnostics.iter().map(result).collect();
    json!({
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {
                "driver": {
                    "name": "atlasod",
                    "version": env!("CARGO_PKG_VERSION"),
                    "semanticVersion": env!("CARGO_PKG_VERSION"),
                    "rules": rules,
                }
            },
            "invocations": [{ "executionSuccessful": true }],
            "columnKind": "unicodeCodePoints",
            "results": results,
        }]
    })
}

pub fn render(diagnostics: &Diagnostics) -> String {
    let mut text = serde_json::to_string_pretty(&to_value(diagnostics)).unwrap_or_default();
    text.push('\n');
    text
}

fn rule(code: Code) -> Value {
    let summary = sentence(code.summary());
    json!({
        "id": code.as_str(),
        "name": pascal_case(code.as_str()),
        "shortDescription": { "text": summary },
        "fullDescription": { "text": summary },
        "help": {
            "text": format!("Run `atlasod explain {}` for details.", code.as_str()),
        },
    })
}

fn result(d: &Diagnostic) -> Value {
    let rule_index = Code::ALL.iter().position(|c| *c == d.code).unwrap_or(0);
    let mut text = sentence(&d.message);
    if let Some(help) = &d.help {
        text.push_str(" Help: ");
        text.push_str(&sentence(help));
    }
    if let Some(note) = &d.note {
        text.push_str(" Note: ");
        text.push_str(&sentence(note));
    }
    let related: Vec<Value> = d
        .secondary
        .iter()
        .enumerate()
        .map(|(id, label)| {
            json!({
                "id": id,
                "physicalLocation": physical(&d.file, label.span),
                "message": { "text": sentence(&label.text) },
            })
        })
        .collect();
    let mut location = json!({ "physicalLocation": physical(&d.file, d.primary.span) });
    if !d.primary.text.is_empty() {
        location["message"] = json!({ "text": sentence(&d.primary.text) });
    }
    let mut value = json!({
        "ruleId": d.code.as_str(),
        "ruleIndex": rule_index,
        "level": match d.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        },
        "message": { "text": text },
        "locations": [location],
    });
    if !related.is_empty() {
        value["relatedLocations"] = Value::Array(related);
    }
    value
}

fn physical(file: &SourceFile, span: Span) -> Value {
    let start = file.line_col(span.start);
    let end = file.line_col(span.end);
    let lines = Span::new(
        file.line_span(start.line).start,
        file.line_span(end.line).end,
    );
    let last = file.line_col(lines.end);
    json!({
        "artifactLocation": { "uri": uri(file.name()) },
        "region": {
            "startLine": start.line,
            "startColumn": start.column,
            "endLine": end.line,
            "endColumn": end.column,
            "snippet": { "text": file.slice(span) },
        },
        "contextRegion": {
            "startLine": start.line,
            "startColumn": 1,
            "endLine": last.line,
            "endColumn": last.column,
            "snippet": { "text": file.slice(lines) },
        }
    })
}

/// What a file URI's path keeps as it is: RFC 3986's unreserved characters and `/`.
const URI_PATH: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~')
    .remove(b'/');

/// A file name as a relative URI reference: `/` separators, reserved and
/// non-ASCII bytes percent-encoded; standard input becomes `stdin`.
fn uri(name: &str) -> String {
    if name == "<stdin>" {
        return "stdin".to_owned();
    }
    let name = name.replace('\\', "/");
    let out = utf8_percent_encode(&name, URI_PATH).to_string();
    if name.starts_with('/') {
        format!("file://{out}")
    } else {
        out
    }
}

/// SARIF messages are sentences: a capital letter and a final period.
fn sentence(text: &str) -> String {
    let mut chars = text.trim().chars();
    let mut out: String = match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => return String::new(),
    };
    if !out.ends_with(['.', '?', '!']) {
        out.push('.');
    }
    out
}

/// `unknown-key` → `UnknownKey`.
fn pascal_case(kebab: &str) -> String {
    kebab
        .split('-')
        .map(|part| {
            let mut chars = part.chars();
            chars
                .next()
                .map(|c| c.to_uppercase().chain(chars).collect::<String>())
                .unwrap_or_default()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris_are_relative_references() {
        assert_eq!(uri("examples/laptop.yaml"), "examples/laptop.yaml");
        assert_eq!(uri("my spec.yaml"), "my%20spec.yaml");
        assert_eq!(uri("/tmp/w.yaml"), "file:///tmp/w.yaml");
        assert_eq!(uri("<stdin>"), "stdin");
    }

    #[test]
    fn messages_become_sentences() {
        assert_eq!(sentence("unknown key `x`"), "Unknown key `x`.");
        assert_eq!(sentence("done."), "Done.");
        assert_eq!(pascal_case("https-needs-domain"), "HttpsNeedsDomain");
    }
}
