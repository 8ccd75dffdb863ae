//! The schema as the quick yes reads it (`src/validate/accept.rs`): the
//! published schema without its annotations (`description`, `examples`,
//! `default`, `title`, `$comment`), minified. Annotations are most of the
//! schema's text and constrain nothing; a `check` of a spec that fits parses
//! only this. The messages still read the published schema.

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
