//! What the documentation shows must be true:
//!
//! - every spec in `examples/` passes `check` for the targets it declares,
//!   with no warning, and starts with the `$schema` comment;
//! - every ```yaml block of `README.md` passes `check`;
//! - the spec reference in `README.md` is the one generated from the schema
//!   (`ATLASOD_UPDATE_README=1 cargo test --test examples` rewrites it).

// Tests may unwrap (clippy.toml allows it in #[test] functions; this covers their helpers).
#![allow(clippy::unwrap_used)]

mod support;

use std::fmt::Write as _;

use atlasod::report::{self, HumanStyle};
use atlasod::validate::schema::{resolve, schema};
use atlasod::{SourceFile, program};
use serde_json::Value;
use support::{repo, specs};

fn must_pass(name: &str, text: &str) {
    match program::check(SourceFile::new(name, text), None) {
        Ok(checked) => assert!(
            checked.warnings.is_empty(),
            "{name} has warnings:\n{}",
            report::human(&checked.warnings, HumanStyle::PLAIN)
        ),
        Err(diagnostics) => panic!(
            "{name} must pass `atlasod check`:\n{}",
            report::human(&diagnostics, HumanStyle::PLAIN)
        ),
    }
}

#[test]
fn every_example_passes_check() {
    let examples = specs::examples();
    let names: Vec<String> = examples
        .iter()
        .map(|e| e.path.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    for expected in [
        "masterclass-aws.yaml",
        "university-gcp.yaml",
        "cern-openstack.yaml",
        "laptop.yaml",
        "online-k8s.yaml",
    ] {
        assert!(
            names.iter().any(|n| n == expected),
            "examples/{expected} is missing"
        );
    }
    for example in &examples {
        let text = example.text();
        let name = example.relative();
        assert!(
            text.starts_with("# yaml-language-server: $schema=../schema/workshop.schema.json\n"),
            "{name} must start with the $schema comment for editors"
        );
        must_pass(&name, &text);
    }
}

/// The ```yaml blocks of a Markdown text, with the line each starts on.
fn yaml_blocks(markdown: &str) -> Vec<(usize, String)> {
    let mut blocks = Vec::new();
    let mut current: Option<(usize, String)> = None;
    for (number, line) in markdown.lines().enumerate() {
        match &mut current {
            None if line.trim_start().starts_with("```yaml") => {
                current = Some((number + 2, String::new()));
            }
            Some(_) if line.trim_start().starts_with("```") => {
                blocks.extend(current.take());
            }
            Some((_, block)) => {
                block.push_str(line);
                block.push('\n');
            }
            None => {}
        }
    }
    blocks
}

#[test]
fn every_yaml_block_of_the_readme_passes_check() {
    let readme = std::fs::read_to_string(repo().join("README.md")).unwrap();
    let blocks = yaml_blocks(&readme);
    assert!(!blocks.is_empty(), "README.md shows no ```yaml spec");
    for (line, block) in blocks {
        must_pass(&format!("README.md, block at line {line}"), &block);
    }
}

const START: &str = "<!-- spec-reference:start (generated from schema/workshop.schema.json by tests/examples.rs) -->\n";
const END: &str = "<!-- spec-reference:end -->";

#[test]
fn the_readme_spec_reference_is_generated_from_the_schema() {
    let path = repo().join("README.md");
    let readme = std::fs::read_to_string(&path).unwrap();
    let (Some(start), Some(end)) = (readme.find(START), readme.find(END)) else {
        panic!("README.md lacks the spec reference markers:\n{START}{END}");
    };
    let current = &readme[start + START.len()..end];
    let fresh = reference();
    if current == fresh {
        return;
    }
    if std::env::var("ATLASOD_UPDATE_README").is_ok_and(|v| v == "1") {
        let updated = format!("{}{START}{fresh}{}", &readme[..start], &readme[end..]);
        std::fs::write(&path, updated).unwrap();
        return;
    }
    panic!(
        "the spec reference in README.md is stale: run `ATLASOD_UPDATE_README=1 cargo test --test examples` and review the diff"
    );
}

/// A Markdown table of every key of the spec: type, default, description.
fn reference() -> String {
    let mut out = String::from("| Key | Type | Default | Meaning |\n|---|---|---|---|\n");
    let required: Vec<&str> = schema()["required"]
        .as_array()
        .map(|r| r.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    rows(schema(), "", &required, &mut out);
    out
}

fn rows(node: &Value, prefix: &str, required: &[&str], out: &mut String) {
    let Some(properties) = resolve(node).get("properties").and_then(Value::as_object) else {
        return;
    };
    for (key, sub) in properties {
        let path = if prefix.is_empty() {
            key.clone()
        } else {
            format!("{prefix}.{key}")
        };
        let resolved = resolve(sub);
        let default = if required.contains(&key.as_str()) {
            "required".to_owned()
        } else {
            sub.get("default")
                .or_else(|| resolved.get("default"))
                .map_or_else(|| "—".to_owned(), |d| format!("`{}`", inline(d)))
        };
        let description = sub
            .get("description")
            .or_else(|| resolved.get("description"))
            .and_then(Value::as_str)
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "| `{path}` | {} | {default} | {} |",
            type_name(sub),
            description.replace('|', "\\|")
        );
        let child_required: Vec<&str> = resolved
            .get("required")
            .and_then(Value::as_array)
            .map(|r| r.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        let items = resolved.get("items").map(resolve);
        let object_branch = items
            .and_then(|i| i.get("anyOf"))
            .and_then(Value::as_array)
            .and_then(|b| b.iter().find(|b| b.get("properties").is_some()))
            .or(items);
        match object_branch {
            Some(item) if item.get("properties").is_some() => {
                let item_required: Vec<&str> = item
                    .get("required")
                    .and_then(Value::as_array)
                    .map(|r| r.iter().filter_map(Value::as_str).collect())
                    .unwrap_or_default();
                rows(item, &format!("{path}[]"), &item_required, out);
            }
            _ => rows(sub, &path, &child_required, out),
        }
    }
}

fn inline(value: &Value) -> String {
    match value {
        Value::String(s) if s.is_empty() => "\"\"".to_owned(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn type_name(node: &Value) -> String {
    match node.get("$ref").and_then(Value::as_str) {
        Some("#/$defs/size") => return "size (`2GiB`, `1.5GB`)".to_owned(),
        Some("#/$defs/duration") => return "duration (`30m`, `1h`)".to_owned(),
        _ => {}
    }
    let node = resolve(node);
    if let Some(options) = node.get("enum").and_then(Value::as_array) {
        let words: Vec<String> = options.iter().map(|o| format!("`{}`", inline(o))).collect();
        return format!("one of {}", words.join(", "));
    }
    if let Some(constant) = node.get("const") {
        return format!("`{constant}`");
    }
    match node.get("type").and_then(Value::as_str) {
        Some("array") => {
            let items = node.get("items").map(resolve);
            match items.and_then(|i| i.get("anyOf")) {
                Some(_) => "list of catalogue ids or mappings".to_owned(),
                None => format!("list of {}", items.map_or_else(String::new, type_name)),
            }
        }
        Some("object") => "mapping".to_owned(),
        Some("string") => match node.get("format").and_then(Value::as_str) {
            Some("date-time") => "RFC 3339 date-time".to_owned(),
            Some("email") => "e-mail address".to_owned(),
            Some("uri") => "URL".to_owned(),
            _ => "string".to_owned(),
        },
        Some(other) => other.to_owned(),
        None => "value".to_owned(),
    }
}
