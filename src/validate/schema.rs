//! Stage 2a, validate the shape: the YAML tree against `schema/workshop.schema.json`.
//!
//! Input: a parsed spec. Output: its JSON value, or diagnostics. The schema
//! and its validator are built once per process. The jsonschema crate speaks
//! in JSON pointers and raw keyword text; `schema_errors.rs` maps each error
//! back to the YAML key or value it concerns and words it for a person. This
//! file also answers "what does the schema say about the value at this path"
//! (description, examples, allowed keys), for those messages and for the
//! model stage.

use std::sync::OnceLock;

use jsonschema::Validator;
use serde_json::Value as Json;

use crate::diagnostic::{Code, Diagnostics};
use crate::parse::{Node, Parsed, Step, Value};
use crate::validate::hint::Form;
use crate::validate::schema_errors::{Mapped, Mapper};

/// The schema, as shipped with this build of atlasod.
pub const SCHEMA_TEXT: &str = include_str!("../../schema/workshop.schema.json");

/// The schema as JSON, parsed once.
pub fn schema() -> &'static Json {
    static SCHEMA: OnceLock<Json> = OnceLock::new();
    SCHEMA.get_or_init(|| {
        serde_json::from_str(SCHEMA_TEXT)
            .unwrap_or_else(|error| panic!("schema/workshop.schema.json is not JSON: {error}"))
    })
}

/// The pattern of free text that must stay on one line (`title`, the names of
/// OpenStack resources, ...): no control character, no line or paragraph separator.
pub const ONE_LINE: &str = "^[^\\u0000-\\u001f\\u007f-\\u009f\\u2028\\u2029]*$";

/// The node a local `$ref` (`#/$defs/...`) points to, or `node` itself.
pub fn resolve(node: &Json) -> &Json {
    node.get("$ref")
        .and_then(Json::as_str)
        .and_then(|pointer| pointer.strip_prefix('#'))
        .and_then(|pointer| schema().pointer(pointer))
        .unwrap_or(node)
}

fn validator() -> &'static Validator {
    static VALIDATOR: OnceLock<Validator> = OnceLock::new();
    VALIDATOR.get_or_init(|| {
        jsonschema::options()
            .should_validate_formats(true)
            // The schema's patterns need no lookaround, and the `regex` engine
            // compiles them faster: this is most of a process's start-up.
            .with_pattern_options(jsonschema::PatternOptions::regex())
            .build(schema())
            .unwrap_or_else(|error| {
                panic!("schema/workshop.schema.json is not a valid schema: {error}")
            })
    })
}

/// Checks the spec's shape; returns the JSON the typed model is read from.
pub fn check(parsed: &Parsed) -> Result<Json, Diagnostics> {
    let instance = parsed.root.to_json();
    let mut found = Vec::new();
    let mapper = Mapper::new(parsed);
    for error in validator().iter_errors(&instance) {
        mapper.map(&error, &mut found);
    }
    if found.is_empty() {
        Ok(instance)
    } else {
        Err(drop_implied_missing(found).sorted())
    }
}

/// A misspelt key also makes the key it stands for "missing"; report only the misspelling.
fn drop_implied_missing(found: Vec<Mapped>) -> Diagnostics {
    let misspelt: Vec<(&[Seg], &str)> = found
        .iter()
        .filter(|m| m.diagnostic.code == Code::UnknownKey)
        .filter_map(|m| Some((m.path.as_slice(), m.key.as_deref()?)))
        .collect();
    let implied = |m: &Mapped| {
        m.diagnostic.code == Code::MissingKey
            && misspelt
                .iter()
                .any(|(path, meant)| *path == m.path.as_slice() && m.key.as_deref() == Some(*meant))
    };
    let keep: Vec<bool> = found.iter().map(|m| !implied(m)).collect();
    found
        .into_iter()
        .zip(keep)
        .filter_map(|(m, keep)| keep.then_some(m.diagnostic))
        .collect()
}

/// An owned path segment into the instance.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Seg {
    Key(String),
    Index(usize),
}

pub(crate) fn steps(path: &[Seg]) -> Vec<Step<'_>> {
    path.iter()
        .map(|seg| match seg {
            Seg::Key(key) => Step::Key(key),
            Seg::Index(index) => Step::Index(*index),
        })
        .collect()
}

/// `cloud.aws.instance`, `datasets[1].url`.
pub(crate) fn dotted(path: &[Seg]) -> String {
    let mut out = String::new();
    for seg in path {
        match seg {
            Seg::Key(key) => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(key);
            }
            Seg::Index(index) => {
                out.push('[');
                out.push_str(&index.to_string());
                out.push(']');
            }
        }
    }
    out
}

/// The subschema that governs the value at `path`, following `$ref` and
/// choosing the `anyOf` branch whose type fits the value written there.
pub(crate) fn schema_at(path: &[Seg], instance: &Node) -> Option<Subschema> {
    let root = schema();
    let mut current = Subschema::new(root);
    let mut node = Some(instance);
    for seg in path {
        let next = match seg {
            Seg::Key(key) => current.schema.get("properties")?.get(key.as_str())?,
            Seg::Index(_) => current.schema.get("items")?,
        };
        node = node.and_then(|n| match seg {
            Seg::Key(key) => n.get(key),
            Seg::Index(i) => n.items().get(*i),
        });
        current = Subschema::new(next);
        if let Some(branch) = current.branch_for(node) {
            current = branch;
        }
    }
    Some(current)
}

/// A location in the schema: the resolved schema and the property that refers to it.
#[derive(Clone, Copy)]
pub(crate) struct Subschema {
    pub(crate) schema: &'static Json,
    /// The property itself, before `$ref`: its description and examples say more.
    pub(crate) outer: &'static Json,
}

impl Subschema {
    fn new(schema: &'static Json) -> Self {
        Self {
            schema: resolve(schema),
            outer: schema,
        }
    }

    /// For `anyOf`, the branch whose type fits the node.
    fn branch_for(self, node: Option<&Node>) -> Option<Self> {
        let node = node?;
        self.branches()?
            .iter()
            .find(|branch| type_fits(branch, node))
            .map(Self::new)
    }

    pub(crate) fn branches(self) -> Option<&'static Vec<Json>> {
        self.schema
            .get("anyOf")
            .or_else(|| self.schema.get("oneOf"))
            .and_then(Json::as_array)
    }

    fn field(self, name: &str) -> Option<&'static Json> {
        self.outer.get(name).or_else(|| self.schema.get(name))
    }

    pub(crate) fn description(self) -> Option<&'static str> {
        self.field("description").and_then(Json::as_str)
    }

    /// The first example, written as a person would write it in YAML.
    pub(crate) fn example(self) -> Option<String> {
        let first = self.field("examples")?.as_array()?.first()?;
        Some(yaml_inline(first))
    }

    pub(crate) fn keys(self) -> Vec<&'static str> {
        self.schema
            .get("properties")
            .and_then(Json::as_object)
            .map(|props| props.keys().map(String::as_str).collect())
            .unwrap_or_default()
    }

    pub(crate) fn required(self) -> Vec<&'static str> {
        self.schema
            .get("required")
            .and_then(Json::as_array)
            .map(|r| r.iter().filter_map(Json::as_str).collect())
            .unwrap_or_default()
    }

    pub(crate) fn property(self, key: &str) -> Option<Self> {
        self.schema.get("properties")?.get(key).map(Self::new)
    }

    pub(crate) fn number(self, keyword: &str) -> Option<&'static Json> {
        self.schema.get(keyword)
    }

    /// The kind of value, for did-you-mean hints.
    pub(crate) fn form(self, path: &[Seg]) -> Form {
        let reference = self.outer.get("$ref").and_then(Json::as_str);
        let format = self.schema.get("format").and_then(Json::as_str);
        let last = match path.last() {
            Some(Seg::Key(key)) => key.as_str(),
            _ => "",
        };
        match (reference, format, last) {
            (Some("#/$defs/size"), _, _) => Form::Size,
            (Some("#/$defs/duration"), _, _) => Form::Duration,
            (_, Some("date-time"), _) => Form::DateTime,
            (_, _, "admin_cidr") => Form::Cidr,
            (_, _, "name") if path.len() == 1 => Form::Slug,
            (_, _, "repo" | "issuer") => Form::HttpsUrl,
            (_, _, "ssh_public_key") => Form::SshKey,
            (_, _, "sha256") => Form::Sha256,
            (_, _, "contact") if path.len() == 1 => Form::Email,
            _ if self.schema.get("pattern").and_then(Json::as_str) == Some(ONE_LINE) => {
                Form::OneLine
            }
            _ => Form::Other,
        }
    }
}

fn type_fits(branch: &Json, node: &Node) -> bool {
    let Some(ty) = branch.get("type").and_then(Json::as_str) else {
        return true;
    };
    matches!(
        (ty, &node.value),
        ("string", Value::Str(_))
            | ("object", Value::Map(_))
            | ("array", Value::Seq(_))
            | ("integer", Value::Int(_) | Value::BigInt)
            | ("number", Value::Int(_) | Value::BigInt | Value::Float(_))
            | ("boolean", Value::Bool(_))
    )
}

/// A JSON example as a person would write it in YAML.
pub(crate) fn yaml_inline(value: &Json) -> String {
    match value {
        Json::String(s) => s.clone(),
        Json::Array(items) => format!(
            "[{}]",
            items.iter().map(yaml_inline).collect::<Vec<_>>().join(", ")
        ),
        other => other.to_string(),
    }
}

/// The description of the value at `path`, if the schema has one.
pub(crate) fn description_at(path: &[Seg], instance: &Node) -> Option<&'static str> {
    schema_at(path, instance).and_then(Subschema::description)
}
