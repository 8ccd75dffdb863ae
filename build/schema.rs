//! The schema as the quick yes reads it (`src/validate/accept.rs`): the
//! published schema without its annotations (`description`, `examples`,
//! `default`, `title`, `$comment`), minified. Annotations are most of the
//! schema's text and constrain nothing. It is written as a Rust expression of
//! `validate::accept::Schema` ([`to_rust`]), so a `check` of a spec that fits
//! parses no schema at all. The messages still read the published schema.

use serde_json::Value;

const ANNOTATIONS: &[&str] = &["description", "examples", "default", "title", "$comment"];

/// `schema` without annotations, at schema positions only: a property named
/// `title` or `default` stays (the spec has one), and so do `enum` and `const` values.
pub fn checks(schema: &Value) -> Value {
    let Value::Object(keywords) = schema else {
        return schema.clone();
    };
    let mut out = serde_json::Map::new();
    for (keyword, value) in keywords {
        if ANNOTATIONS.contains(&keyword.as_str()) {
            continue;
        }
        let value = match (keyword.as_str(), value) {
            ("properties" | "$defs", Value::Object(named)) => Value::Object(
                named
                    .iter()
                    .map(|(name, schema)| (name.clone(), checks(schema)))
                    .collect(),
            ),
            ("anyOf" | "oneOf" | "allOf", Value::Array(branches)) => {
                Value::Array(branches.iter().map(checks).collect())
            }
            ("items" | "additionalProperties" | "not", schema) => checks(schema),
            _ => value.clone(),
        };
        out.insert(keyword.clone(), value);
    }
    Value::Object(out)
}

/// `value` as a Rust expression of `validate::accept::Schema`.
pub fn to_rust(value: &Value) -> String {
    match value {
        Value::Null => "Schema::Null".to_owned(),
        Value::Bool(b) => format!("Schema::Bool({b})"),
        Value::Number(n) => match n.as_i64() {
            Some(i) => format!("Schema::Int({i})"),
            None => format!(
                "Schema::Float({:?})",
                n.as_f64().expect("a JSON number is an f64")
            ),
        },
        Value::String(s) => format!("Schema::Str({s:?})"),
        Value::Array(items) => format!(
            "Schema::List(&[{}])",
            items.iter().map(to_rust).collect::<Vec<_>>().join(", ")
        ),
        Value::Object(entries) => format!(
            "Schema::Object(&[{}])",
            entries
                .iter()
                .map(|(k, v)| format!("({k:?}, {})", to_rust(v)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}
