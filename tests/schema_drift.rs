//! The JSON Schema (`schema/workshop.schema.json`) and the typed model
//! (`src/spec/`) describe the same language. These tests fail when they drift:
//!
//! - a maximal spec, built from every schema property's `examples`, is valid
//!   for the schema, deserializes into `Spec` (which denies unknown fields, so
//!   every schema property is known to the model), and serializes back to the
//!   same values (so every field keeps its name and meaning);
//! - a default-filled `Spec` serialized back validates against the schema;
//! - every schema `default` means what the model does when the key is absent;
//! - the catalogue ids the schema lists as examples are exactly the ids of
//!   `targets/datasets.yaml`.

// Tests may unwrap (clippy.toml allows it in #[test] functions; this covers their helpers).
#![allow(clippy::unwrap_used)]

use atlasod::Spec;
use atlasod::data::catalogue::catalogue;
use atlasod::validate::schema::{SCHEMA_TEXT, resolve, schema};
use serde_json::{Map, Value, json};

fn validator() -> jsonschema::Validator {
    jsonschema::options()
        .should_validate_formats(true)
        .build(schema())
        .unwrap()
}

fn errors(value: &Value) -> Vec<String> {
    validator()
        .iter_errors(value)
        .map(|e| format!("{}: {e}", e.instance_path()))
        .collect()
}

/// A value built from the schema's examples: every property, every branch.
fn maximal(node: &Value) -> Value {
    if let Some(example) = node.get("examples").and_then(|e| e.get(0)) {
        return example.clone();
    }
    let node = resolve(node);
    if let Some(example) = node.get("examples").and_then(|e| e.get(0)) {
        return example.clone();
    }
    if let Some(properties) = node.get("properties").and_then(Value::as_object) {
        let object: Map<String, Value> = properties
            .iter()
            .map(|(key, sub)| (key.clone(), maximal(sub)))
            .collect();
        return Value::Object(object);
    }
    if let Some(items) = node.get("items") {
        let items = resolve(items);
        return match items.get("anyOf").and_then(Value::as_array) {
            Some(branches) => Value::Array(branches.iter().map(maximal).collect()),
            None => Value::Array(vec![maximal(items)]),
        };
    }
    if let Some(constant) = node.get("const") {
        return constant.clone();
    }
    panic!("no example for schema node {node}");
}

fn maximal_spec() -> Value {
    maximal(schema())
}

/// Numbers compare by value (`1` and `1.0` are the same number to both sides).
fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(x, y)| same(x, y))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| same(v, w)))
        }
        _ => a == b,
    }
}

#[test]
fn the_maximal_spec_is_valid_and_round_trips_through_the_model() {
    let spec_json = maximal_spec();
    assert_eq!(
        errors(&spec_json),
        Vec::<String>::new(),
        "the schema's own examples must be valid:\n{spec_json:#}"
    );
    let spec: Spec = serde_json::from_value(spec_json.clone())
        .unwrap_or_else(|e| panic!("the model cannot read the maximal spec: {e}\n{spec_json:#}"));
    let back = serde_json::to_value(&spec).unwrap();
    assert!(
        same(&spec_json, &back),
        "the model changed the maximal spec:\nschema examples: {spec_json:#}\nmodel: {back:#}"
    );
}

#[test]
fn a_default_filled_spec_is_valid_for_the_schema() {
    for text in [
        json!({"version": 1, "name": "min", "users": {"count": 1}}),
        maximal_spec(),
    ] {
        let spec: Spec = serde_json::from_value(text).unwrap();
        let back = serde_json::to_value(&spec).unwrap();
        assert_eq!(errors(&back), Vec::<String>::new(), "{back:#}");
    }
}

/// Every property that has a `default`, with its path and the default.
fn defaults(node: &Value, path: &mut Vec<String>, out: &mut Vec<(Vec<String>, Value)>) {
    let resolved = resolve(node);
    if let Some(default) = node.get("default").or_else(|| resolved.get("default")) {
        if !path.is_empty() {
            out.push((path.clone(), default.clone()));
        }
    }
    if let Some(properties) = resolved.get("properties").and_then(Value::as_object) {
        for (key, sub) in properties {
            path.push(key.clone());
            defaults(sub, path, out);
            path.pop();
        }
    }
}

/// The smallest spec that contains the object at `path`: each ancestor with
/// only its required keys (from the examples).
fn minimal_with_parents(path: &[String]) -> Value {
    let mut spec = json!({"version": 1, "name": "min", "users": {"count": 1}});
    let mut node = schema();
    let mut at = &mut spec;
    for key in &path[..path.len() - 1] {
        node = resolve(node.get("properties").and_then(|p| p.get(key)).unwrap());
        let required: Map<String, Value> = node
            .get("required")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .map(|name| {
                let sub = node.get("properties").unwrap().get(name).unwrap();
                (name.to_owned(), maximal(sub))
            })
            .collect();
        let object = at.as_object_mut().unwrap();
        let entry = object
            .entry(key.clone())
            .or_insert_with(|| Value::Object(Map::new()));
        for (name, value) in required {
            entry.as_object_mut().unwrap().entry(name).or_insert(value);
        }
        at = entry;
    }
    spec
}

#[test]
fn schema_defaults_mean_what_the_model_does_for_an_absent_key() {
    let mut found = Vec::new();
    defaults(schema(), &mut Vec::new(), &mut found);
    assert!(found.len() > 10, "the schema documents its defaults");
    let mut wrong = Vec::new();
    for (path, default) in found {
        let (last, parents) = path.split_last().unwrap();
        let absent = minimal_with_parents(&path);
        let mut written = absent.clone();
        let mut at = &mut written;
        for key in parents {
            at = at.get_mut(key).unwrap();
        }
        let parent_required = at
            .as_object()
            .is_some_and(|o| o.contains_key(last.as_str()));
        if parent_required {
            continue; // a required key has no "absent" case
        }
        at.as_object_mut()
            .unwrap()
            .insert(last.clone(), default.clone());
        let absent: Spec = serde_json::from_value(absent).unwrap();
        let written: Spec = serde_json::from_value(written).unwrap_or_else(|e| {
            panic!(
                "the schema default of `{}` ({default}) is not readable: {e}",
                path.join(".")
            )
        });
        if absent != written {
            wrong.push(format!(
                "`{}`: the schema says the default is {default}, but writing it gives a different spec than leaving it out",
                path.join(".")
            ));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn the_schema_lists_exactly_the_catalogue_ids() {
    let branches = schema()
        .pointer("/properties/datasets/items/anyOf")
        .and_then(Value::as_array)
        .unwrap();
    let mut listed: Vec<&str> = branches
        .iter()
        .find(|b| b.get("type") == Some(&json!("string")))
        .and_then(|b| b.get("examples"))
        .and_then(Value::as_array)
        .unwrap()
        .iter()
        .filter_map(Value::as_str)
        .collect();
    listed.sort_unstable();
    let catalogue: Vec<&str> = catalogue().ids().collect();
    assert_eq!(
        listed, catalogue,
        "schema/workshop.schema.json's dataset examples and targets/datasets.yaml differ"
    );
}

#[test]
fn the_schema_is_a_valid_json_schema() {
    let meta = jsonschema::meta::validate(schema());
    assert!(
        meta.is_ok(),
        "the schema is not a valid JSON Schema: {meta:?}"
    );
    assert!(SCHEMA_TEXT.ends_with('\n'));
}
