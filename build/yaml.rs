//! A YAML data file as JSON, for the build script: block and flow
//! collections, plain scalars resolved with the YAML 1.2 core schema (the
//! library's parser does the same; `data::tests` compares the two on every
//! file). atlasod's data files use no anchors, tags or multiple documents.

use saphyr_parser::{Event, Parser, ScalarStyle};
use serde_json::{Map, Number, Value};

enum Frame {
    Seq(Vec<Value>),
    Map(Map<String, Value>, Option<String>),
}

pub fn to_json(text: &str) -> Result<Value, String> {
    let mut stack: Vec<Frame> = Vec::new();
    let mut root = None;
    for event in Parser::new_from_str(text) {
        let (event, span) = event.map_err(|e| e.to_string())?;
        let value = match event {
            Event::Scalar(text, style, _, tag) => {
                if tag.is_some() {
                    return Err(format!(
                        "line {}: tags are not supported",
                        span.start.line()
                    ));
                }
                if matches!(style, ScalarStyle::Plain) {
                    plain(&text)
                } else {
                    Value::String(text.into_owned())
                }
            }
            Event::SequenceStart(..) => {
                stack.push(Frame::Seq(Vec::new()));
                continue;
            }
            Event::MappingStart(..) => {
                stack.push(Frame::Map(Map::new(), None));
                continue;
            }
            Event::SequenceEnd | Event::MappingEnd => match stack.pop() {
                Some(Frame::Seq(items)) => Value::Array(items),
                Some(Frame::Map(map, _)) => Value::Object(map),
                None => return Err("unbalanced collection".to_owned()),
            },
            Event::Alias(_) => {
                return Err(format!(
                    "line {}: aliases are not supported",
                    span.start.line()
                ));
            }
            _ => continue,
        };
        match stack.last_mut() {
            None => root = Some(value),
            Some(Frame::Seq(items)) => items.push(value),
            Some(Frame::Map(map, key)) => match key.take() {
                Some(key) => {
                    if map.insert(key.clone(), value).is_some() {
                        return Err(format!("line {}: duplicate key `{key}`", span.start.line()));
                    }
                }
                None => match value {
                    Value::String(text) => *key = Some(text),
                    other => *key = Some(other.to_string()),
                },
            },
        }
    }
    root.ok_or_else(|| "the file holds no document".to_owned())
}

/// A plain scalar, YAML 1.2 core schema.
fn plain(text: &str) -> Value {
    match text {
        "" | "~" | "null" | "Null" | "NULL" => return Value::Null,
        "true" | "True" | "TRUE" => return Value::Bool(true),
        "false" | "False" | "FALSE" => return Value::Bool(false),
        _ => {}
    }
    let digits = text.strip_prefix(['-', '+']).unwrap_or(text);
    if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
        if let Ok(int) = text.parse::<i64>() {
            return Value::Number(int.into());
        }
    }
    let float_chars = digits
        .bytes()
        .all(|b| b.is_ascii_digit() || b".eE+-".contains(&b));
    if float_chars
        && digits
            .bytes()
            .next()
            .is_some_and(|b| b.is_ascii_digit() || b == b'.')
    {
        if let Some(number) = text.parse::<f64>().ok().and_then(Number::from_f64) {
            return Value::Number(number);
        }
    }
    Value::String(text.to_owned())
}
