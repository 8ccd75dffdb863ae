//! The YAML tree with a span on every node.
//!
//! Output of the parse stage and input of validation: a [`Node`] per value,
//! a [`MapEntry`] per mapping pair with the key's own span, and lookups by JSON
//! pointer path so schema errors (which speak in pointers) find their YAML.

use serde_json::{Map, Number, Value as Json};

use crate::source::Span;

#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub value: Value,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    Int(i64),
    /// An integer too large for 64 bits; its digits are in the source.
    BigInt,
    Float(f64),
    Str(String),
    Seq(Vec<Node>),
    Map(Vec<MapEntry>),
}

#[derive(Debug, Clone, PartialEq)]
pub struct MapEntry {
    pub key: String,
    pub key_span: Span,
    pub value: Node,
}

/// One step of a path into the tree.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step<'a> {
    Key(&'a str),
    Index(usize),
}

/// What a path leads to: the node, and the key it sits under when it is a mapping value.
#[derive(Debug, Clone, Copy)]
pub struct Found<'a> {
    pub node: &'a Node,
    pub key_span: Option<Span>,
}

impl Node {
    /// A type name for messages: what the user wrote, in YAML words.
    pub fn type_name(&self) -> &'static str {
        match self.value {
            Value::Null => "nothing (null)",
            Value::Bool(_) => "a boolean",
            Value::Int(_) | Value::BigInt => "an integer",
            Value::Float(_) => "a number",
            Value::Str(_) => "a string",
            Value::Seq(_) => "a list",
            Value::Map(_) => "a mapping",
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            Value::Str(s) => Some(s),
            _ => None,
        }
    }

    pub fn entries(&self) -> &[MapEntry] {
        match &self.value {
            Value::Map(entries) => entries,
            _ => &[],
        }
    }

    pub fn items(&self) -> &[Node] {
        match &self.value {
            Value::Seq(items) => items,
            _ => &[],
        }
    }

    pub fn entry(&self, key: &str) -> Option<&MapEntry> {
        self.entries().iter().find(|entry| entry.key == key)
    }

    pub fn get(&self, key: &str) -> Option<&Node> {
        self.entry(key).map(|entry| &entry.value)
    }

    /// Follows `path` from this node.
    pub fn find<'a>(&'a self, path: &[Step<'_>]) -> Option<Found<'a>> {
        let mut found = Found {
            node: self,
            key_span: None,
        };
        for step in path {
            found = match *step {
                Step::Key(key) => {
                    let entry = found.node.entry(key)?;
                    Found {
                        node: &entry.value,
                        key_span: Some(entry.key_span),
                    }
                }
                Step::Index(index) => Found {
                    node: found.node.items().get(index)?,
                    key_span: None,
                },
            };
        }
        Some(found)
    }

    /// The deepest node along `path` that exists, and how many steps it took.
    pub fn find_closest<'a>(&'a self, path: &[Step<'_>]) -> (Found<'a>, usize) {
        for depth in (0..=path.len()).rev() {
            if let Some(found) = self.find(&path[..depth]) {
                return (found, depth);
            }
        }
        (
            Found {
                node: self,
                key_span: None,
            },
            0,
        )
    }

    /// The JSON value the schema sees.
    pub fn to_json(&self) -> Json {
        match &self.value {
            Value::Null => Json::Null,
            Value::Bool(b) => Json::Bool(*b),
            Value::Int(i) => Json::Number((*i).into()),
            // Larger than any bound the schema sets, so range checks report it.
            Value::BigInt => Json::Number(Number::from_f64(f64::MAX).unwrap_or_else(|| 0.into())),
            Value::Float(f) => float_json(*f),
            Value::Str(s) => Json::String(s.clone()),
            Value::Seq(items) => Json::Array(items.iter().map(Node::to_json).collect()),
            Value::Map(entries) => {
                let mut map = Map::with_capacity(entries.len());
                for entry in entries {
                    map.insert(entry.key.clone(), entry.value.to_json());
                }
                Json::Object(map)
            }
        }
    }
}

/// A float as JSON. JSON Schema counts `30.0` as an integer, so a whole float
/// becomes a JSON integer: the schema and the typed model then agree on it.
fn float_json(f: f64) -> Json {
    const EXACT: f64 = 9_007_199_254_740_992.0; // 2^53: every whole float below is exact
    #[allow(clippy::float_cmp, clippy::cast_possible_truncation)]
    if f.trunc() == f && f.abs() < EXACT {
        return Json::Number((f as i64).into());
    }
    Number::from_f64(f).map_or(Json::Null, Json::Number)
}
