//! Stage 2a, validate the shape: the YAML tree against `schema/workshop.schema.json`.
//!
//! Input: a parsed spec. Output: its JSON value, or diagnostics. The
//! jsonschema crate speaks in JSON pointers and raw keyword text; this module
//! maps each error back to the YAML key or value it concerns and words it for
//! a person: unknown key → the key, with did-you-mean; missing key → the
//! parent key, with the field in the help; wrong type or value → the value,
//! with what is allowed. No validator text reaches the user.

use std::fmt::Write as _;
use std::sync::OnceLock;

use jsonschema::error::{TypeKind, ValidationErrorKind};
use jsonschema::paths::LocationSegment;
use jsonschema::{ValidationError, Validator};
use serde_json::Value as Json;

use crate::diagnostic::{Code, Diagnostic, Diagnostics};
use crate::parse::{Node, Parsed, Step, Value};
use crate::source::Span;
use crate::validate::suggest::{closest, one_of};

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

fn validator() -> &'static Validator {
    static VALIDATOR: OnceLock<Validator> = OnceLock::new();
    VALIDATOR.get_or_init(|| {
        jsonschema::options()
            .should_validate_formats(true)
            .build(schema())
            .unwrap_or_else(|error| {
                panic!("schema/workshop.schema.json is not a valid schema: {error}")
            })
    })
}

/// Checks the spec's shape; returns the JSON the typed model is read from.
pub fn check(parsed: &Parsed) -> Result<Json, Diagnostics> {
    let instance = parsed.root.to_json();
    let mut diagnostics = Diagnostics::new();
    for error in validator().iter_errors(&instance) {
        Mapper { parsed }.map(&error, &mut diagnostics);
    }
    if diagnostics.is_empty() {
        Ok(instance)
    } else {
        Err(drop_implied_missing(diagnostics).sorted())
    }
}

/// A misspelt key also makes the key it stands for "missing"; report only the misspelling.
fn drop_implied_missing(diagnostics: Diagnostics) -> Diagnostics {
    let misspelt: Vec<(usize, String)> = diagnostics
        .iter()
        .filter(|d| d.code == Code::UnknownKey)
        .filter_map(|d| {
            let meant = d
                .primary
                .text
                .strip_prefix("did you mean `")?
                .strip_suffix("`?")?;
            Some((d.secondary.first()?.span.start, meant.to_owned()))
        })
        .collect();
    diagnostics
        .into_iter()
        .filter(|d| {
            d.code != Code::MissingKey
                || !misspelt.iter().any(|(parent, meant)| {
                    *parent == d.primary.span.start
                        && d.message.starts_with(&format!("missing key `{meant}`"))
                })
        })
        .collect()
}

/// An owned path segment into the instance.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Seg {
    Key(String),
    Index(usize),
}

fn segments(error: &ValidationError<'_>) -> Vec<Seg> {
    error
        .instance_path()
        .segments()
        .map(|segment| match segment {
            LocationSegment::Property(key) => Seg::Key(key.into_owned()),
            LocationSegment::Index(index) => Seg::Index(index),
        })
        .collect()
}

fn steps(path: &[Seg]) -> Vec<Step<'_>> {
    path.iter()
        .map(|seg| match seg {
            Seg::Key(key) => Step::Key(key),
            Seg::Index(index) => Step::Index(*index),
        })
        .collect()
}

/// `cloud.aws.instance`, `datasets[1].url`; the whole spec is "the spec".
fn dotted(path: &[Seg]) -> String {
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
                let _ = write!(out, "[{index}]");
            }
        }
    }
    out
}

fn where_(path: &[Seg]) -> String {
    if path.is_empty() {
        "at the top level".to_owned()
    } else {
        format!("in `{}`", dotted(path))
    }
}

/// The subschema that governs the value at `path`, following `$ref`, with the
/// description of the property that refers (which says more than the `$def`).
fn schema_at(path: &[Seg], instance: &Node) -> Option<Subschema> {
    let root = schema();
    let mut current = Subschema::new(root, root);
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
        current = Subschema::new(next, root);
        if let Some(branch) = current.branch_for(node) {
            current = branch;
        }
    }
    Some(current)
}

#[derive(Clone, Copy)]
struct Subschema {
    schema: &'static Json,
    /// The description and examples of the property itself, before `$ref`.
    outer: &'static Json,
}

impl Subschema {
    fn new(schema: &'static Json, root: &'static Json) -> Self {
        let resolved = schema
            .get("$ref")
            .and_then(Json::as_str)
            .and_then(|pointer| pointer.strip_prefix('#'))
            .and_then(|pointer| root.pointer(pointer))
            .unwrap_or(schema);
        Self {
            schema: resolved,
            outer: schema,
        }
    }

    /// For `anyOf`, the branch whose type fits the node.
    fn branch_for(self, node: Option<&Node>) -> Option<Self> {
        let branches = self
            .schema
            .get("anyOf")
            .or_else(|| self.schema.get("oneOf"))?;
        let node = node?;
        branches
            .as_array()?
            .iter()
            .find(|branch| type_fits(branch, node))
            .map(|branch| Self::new(branch, schema()))
    }

    fn description(self) -> Option<&'static str> {
        self.outer
            .get("description")
            .or_else(|| self.schema.get("description"))
            .and_then(Json::as_str)
    }

    fn example(self) -> Option<String> {
        let examples = self
            .outer
            .get("examples")
            .or_else(|| self.schema.get("examples"))?;
        let first = examples.as_array()?.first()?;
        Some(yaml_inline(first))
    }

    fn keys(self) -> Vec<&'static str> {
        self.schema
            .get("properties")
            .and_then(Json::as_object)
            .map(|props| props.keys().map(String::as_str).collect())
            .unwrap_or_default()
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
fn yaml_inline(value: &Json) -> String {
    match value {
        Json::String(s) => s.clone(),
        Json::Array(items) => format!(
            "[{}]",
            items.iter().map(yaml_inline).collect::<Vec<_>>().join(", ")
        ),
        other => other.to_string(),
    }
}

fn type_word(ty: &str) -> &'static str {
    match ty {
        "string" => "a string",
        "object" => "a mapping",
        "array" => "a list",
        "integer" => "an integer",
        "number" => "a number",
        "boolean" => "`true` or `false`",
        "null" => "nothing",
        _ => "a value",
    }
}

struct Mapper<'a> {
    parsed: &'a Parsed,
}

impl Mapper<'_> {
    fn root(&self) -> &Node {
        &self.parsed.root
    }

    fn error(&self, code: Code, span: Span, message: String) -> Diagnostic {
        Diagnostic::error(code, &self.parsed.file, span, message)
    }

    /// Where to point for a value: the value itself, else the closest thing that exists.
    fn value_span(&self, path: &[Seg]) -> Span {
        let steps = steps(path);
        let (found, _) = self.root().find_closest(&steps);
        found.node.span
    }

    /// Where to point for an object that lacks a key: its own key, or for the
    /// root, the first key of the file.
    fn parent_key_span(&self, path: &[Seg]) -> Span {
        let steps = steps(path);
        match self.root().find(&steps) {
            Some(found) => found
                .key_span
                .unwrap_or_else(|| match found.node.entries().first() {
                    Some(first) if path.is_empty() => first.key_span,
                    _ => found.node.span,
                }),
            None => self.value_span(path),
        }
    }

    fn source(&self, span: Span) -> &str {
        self.parsed.file.slice(span)
    }

    #[allow(clippy::too_many_lines)]
    fn map(&self, error: &ValidationError<'_>, out: &mut Diagnostics) {
        let path = segments(error);
        let node = self.root().find(&steps(&path)).map(|found| found.node);
        let sub = schema_at(&path, self.root());
        let description = sub.and_then(Subschema::description);
        let field = dotted(&path);
        match error.kind() {
            ValidationErrorKind::AdditionalProperties { unexpected }
            | ValidationErrorKind::UnevaluatedProperties { unexpected } => {
                let allowed = sub.map(Subschema::keys).unwrap_or_default();
                for key in unexpected {
                    out.push(self.unknown_key(&path, key, &allowed));
                }
            }
            ValidationErrorKind::Required { property } => {
                let name = property.as_str().unwrap_or_default();
                let mut child = path.clone();
                child.push(Seg::Key(name.to_owned()));
                let child_schema = schema_at(&child, self.root());
                let example = child_schema
                    .and_then(Subschema::example)
                    .map_or_else(|| "...".to_owned(), |e| e.clone());
                let what = child_schema
                    .and_then(Subschema::description)
                    .map(|d| format!(": {}", lower_first(d)))
                    .unwrap_or_default();
                let under = if path.is_empty() {
                    "at the top level".to_owned()
                } else {
                    format!("under `{field}`")
                };
                out.push(
                    self.error(
                        Code::MissingKey,
                        self.parent_key_span(&path),
                        format!("missing key `{name}` {}", where_(&path)),
                    )
                    .label(format!("`{name}` is required here"))
                    .help(format!("add `{name}: {example}` {under}{what}")),
                );
            }
            ValidationErrorKind::Type { kind } => {
                let expected = match kind {
                    TypeKind::Single(ty) => type_word(&ty.to_string()).to_owned(),
                    TypeKind::Multiple(types) => {
                        let words: Vec<&str> =
                            types.iter().map(|t| type_word(&t.to_string())).collect();
                        words.join(" or ")
                    }
                };
                let found = node.map_or("nothing", Node::type_name);
                let mut diagnostic = self
                    .error(
                        Code::WrongType,
                        self.value_span(&path),
                        format!("`{field}` must be {expected}, found {found}"),
                    )
                    .label(format!("expected {expected}"));
                diagnostic = diagnostic.help_opt(type_help(&field, &expected, sub, node));
                out.push(diagnostic);
            }
            ValidationErrorKind::Enum { options } => {
                let allowed: Vec<&str> = options
                    .as_array()
                    .map(|a| a.iter().filter_map(Json::as_str).collect())
                    .unwrap_or_default();
                out.push(self.bad_value(&path, node, &allowed, description));
            }
            ValidationErrorKind::Constant { expected_value } => {
                let expected = yaml_inline(expected_value);
                let span = self.value_span(&path);
                out.push(
                    self.error(
                        Code::InvalidValue,
                        span,
                        format!(
                            "`{field}` must be `{expected}`, found `{}`",
                            self.source(span)
                        ),
                    )
                    .label(format!("expected `{expected}`"))
                    .help_opt(description.map(str::to_owned)),
                );
            }
            ValidationErrorKind::Pattern { .. } | ValidationErrorKind::Format { .. } => {
                let span = self.value_span(&path);
                let shown = node
                    .and_then(Node::as_str)
                    .unwrap_or_else(|| self.source(span));
                let fix = fix_size(shown).filter(|_| is_size_field(sub));
                let mut diagnostic = self
                    .error(
                        Code::InvalidFormat,
                        span,
                        format!("`{shown}` is not a valid value for `{field}`"),
                    )
                    .label(fix.as_ref().map_or_else(
                        || "not of the expected form".to_owned(),
                        |f| format!("did you mean `{f}`?"),
                    ));
                diagnostic = match fix {
                    Some(fix) => diagnostic.help(format!(
                        "did you mean `{fix}`? sizes take a unit: `GiB`, `MiB` (binary) or `GB`, `MB` (decimal)"
                    )),
                    None => diagnostic.help_opt(description.map(|d| format!("`{field}` is {}", lower_first(d)))),
                };
                out.push(diagnostic);
            }
            ValidationErrorKind::Minimum { limit }
            | ValidationErrorKind::ExclusiveMinimum { limit }
            | ValidationErrorKind::Maximum { limit }
            | ValidationErrorKind::ExclusiveMaximum { limit } => {
                let (word, bound) = match error.kind() {
                    ValidationErrorKind::Minimum { .. } => ("at least", limit),
                    ValidationErrorKind::ExclusiveMinimum { .. } => ("more than", limit),
                    ValidationErrorKind::Maximum { .. } => ("at most", limit),
                    _ => ("less than", limit),
                };
                let span = self.value_span(&path);
                out.push(
                    self.error(
                        Code::OutOfRange,
                        span,
                        format!(
                            "`{field}` must be {word} {bound}, found {}",
                            self.source(span)
                        ),
                    )
                    .label(format!("{word} {bound} expected"))
                    .help_opt(description.map(str::to_owned)),
                );
            }
            ValidationErrorKind::MinLength { limit } | ValidationErrorKind::MaxLength { limit } => {
                let word = if matches!(error.kind(), ValidationErrorKind::MinLength { .. }) {
                    "at least"
                } else {
                    "at most"
                };
                out.push(
                    self.error(
                        Code::OutOfRange,
                        self.value_span(&path),
                        format!("`{field}` must have {word} {limit} characters"),
                    )
                    .label(format!("{word} {limit} characters expected"))
                    .help_opt(description.map(str::to_owned)),
                );
            }
            ValidationErrorKind::MinItems { limit } | ValidationErrorKind::MaxItems { limit } => {
                let word = if matches!(error.kind(), ValidationErrorKind::MinItems { .. }) {
                    "at least"
                } else {
                    "at most"
                };
                out.push(
                    self.error(
                        Code::OutOfRange,
                        self.value_span(&path),
                        format!("`{field}` must have {word} {limit} items"),
                    )
                    .label("wrong number of items")
                    .help_opt(description.map(str::to_owned)),
                );
            }
            ValidationErrorKind::UniqueItems => out.push(self.duplicate_item(&path, node)),
            ValidationErrorKind::AnyOf { context }
            | ValidationErrorKind::OneOfNotValid { context } => {
                self.branches(&path, node, context, out);
            }
            _ => {
                out.push(
                    self.error(
                        Code::InvalidSpec,
                        self.value_span(&path),
                        format!("`{field}` is not valid here"),
                    )
                    .label("rejected by the spec's schema")
                    .help_opt(description.map(str::to_owned)),
                );
            }
        }
    }

    fn unknown_key(&self, path: &[Seg], key: &str, allowed: &[&'static str]) -> Diagnostic {
        let steps = steps(path);
        let span = self
            .root()
            .find(&steps)
            .and_then(|found| found.node.entry(key))
            .map_or_else(|| self.value_span(path), |entry| entry.key_span);
        let suggestion = closest(key, allowed.iter().copied());
        let help = match suggestion {
            Some(good) => format!("did you mean `{good}`?"),
            None if allowed.is_empty() => "remove this key".to_owned(),
            None => format!("the keys allowed {} are {}", where_(path), one_of(allowed)),
        };
        let label = suggestion.map_or_else(
            || "unknown key".to_owned(),
            |good| format!("did you mean `{good}`?"),
        );
        self.error(
            Code::UnknownKey,
            span,
            format!("unknown key `{key}` {}", where_(path)),
        )
        .label(label)
        .secondary(
            self.parent_key_span(path),
            format!(
                "in `{}`",
                if path.is_empty() {
                    "the spec".to_owned()
                } else {
                    dotted(path)
                }
            ),
        )
        .help(help)
    }

    fn bad_value(
        &self,
        path: &[Seg],
        node: Option<&Node>,
        allowed: &[&str],
        description: Option<&str>,
    ) -> Diagnostic {
        let span = self.value_span(path);
        let written = node
            .and_then(Node::as_str)
            .map_or_else(|| self.source(span).to_owned(), str::to_owned);
        let field = dotted(path);
        let suggestion = closest(&written, allowed.iter().copied());
        let mut diagnostic = self
            .error(
                Code::InvalidValue,
                span,
                format!("`{written}` is not a valid value for `{field}`"),
            )
            .label(suggestion.map_or_else(
                || format!("expected {}", one_of(allowed)),
                |good| format!("did you mean `{good}`?"),
            ));
        diagnostic = match suggestion {
            Some(good) => diagnostic.help(format!(
                "did you mean `{good}`? `{field}` is one of {}",
                one_of(allowed)
            )),
            None => diagnostic.help(format!("`{field}` is one of {}", one_of(allowed))),
        };
        let _ = description;
        diagnostic
    }

    fn duplicate_item(&self, path: &[Seg], node: Option<&Node>) -> Diagnostic {
        let items = node.map(Node::items).unwrap_or_default();
        let mut pair = None;
        'outer: for (i, a) in items.iter().enumerate() {
            for b in &items[i + 1..] {
                if a.to_json() == b.to_json() {
                    pair = Some((a.span, b.span));
                    break 'outer;
                }
            }
        }
        let field = dotted(path);
        let (first, again) = pair.unwrap_or_else(|| {
            let span = self.value_span(path);
            (span, span)
        });
        self.error(
            Code::DuplicateItem,
            again,
            format!("`{}` is listed twice in `{field}`", self.source(again)),
        )
        .label("listed again here")
        .secondary(first, "first listed here")
        .help("remove one of the two")
    }

    /// `anyOf`: report the errors of the branch whose type fits, or a type error.
    fn branches(
        &self,
        path: &[Seg],
        node: Option<&Node>,
        context: &[Vec<ValidationError<'static>>],
        out: &mut Diagnostics,
    ) {
        // The branch whose type fits has no type error at this very path: its
        // errors are the ones that say what is wrong.
        let here = |e: &ValidationError<'_>| {
            segments(e) == path && matches!(e.kind(), ValidationErrorKind::Type { .. })
        };
        if let Some(errors) = context.iter().find(|errors| !errors.iter().any(here)) {
            for error in errors {
                self.map(error, out);
            }
            return;
        }
        let options = schema_at(path, self.root())
            .and_then(|sub| sub.outer.get("anyOf").or_else(|| sub.outer.get("oneOf")))
            .and_then(Json::as_array);
        let field = dotted(path);
        let expected: Vec<&str> = options
            .map(|o| {
                o.iter()
                    .filter_map(|b| b.get("type").and_then(Json::as_str))
                    .map(type_word)
                    .collect()
            })
            .unwrap_or_default();
        let expected = expected.join(" or ");
        out.push(
            self.error(
                Code::WrongType,
                self.value_span(path),
                format!(
                    "`{field}` must be {expected}, found {}",
                    node.map_or("nothing", Node::type_name)
                ),
            )
            .label(format!("expected {expected}"))
            .help_opt(
                options
                    .map(|o| {
                        o.iter()
                            .filter_map(|b| b.get("description").and_then(Json::as_str))
                            .collect::<Vec<_>>()
                            .join(" Or: ")
                    })
                    .filter(|s| !s.is_empty()),
            ),
        );
    }
}

fn is_size_field(sub: Option<Subschema>) -> bool {
    sub.is_some_and(|s| {
        std::ptr::eq(
            s.schema,
            schema().pointer("/$defs/size").unwrap_or(&Json::Null),
        )
    })
}

/// `2G` → `2GiB`, `512mb` → `512MB`: the size the user most likely meant.
fn fix_size(text: &str) -> Option<String> {
    let text = text.trim();
    let split = text.find(|c: char| !(c.is_ascii_digit() || c == '.'))?;
    let (number, unit) = text.split_at(split);
    if number.is_empty() || number.parse::<f64>().is_err() {
        return None;
    }
    let unit = match unit.trim().to_ascii_lowercase().as_str() {
        "g" | "gi" | "gib" | "gig" => "GiB",
        "m" | "mi" | "mib" => "MiB",
        "t" | "ti" | "tib" => "TiB",
        "gb" => "GB",
        "mb" => "MB",
        "tb" => "TB",
        _ => return None,
    };
    Some(format!("{number}{unit}"))
}

fn lower_first(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) if !text.starts_with('`') => first.to_lowercase().chain(chars).collect(),
        _ => text.to_owned(),
    }
}

fn type_help(
    field: &str,
    expected: &str,
    sub: Option<Subschema>,
    node: Option<&Node>,
) -> Option<String> {
    let example = sub.and_then(Subschema::example);
    let leaf = field.rsplit(['.', ']']).next().unwrap_or(field);
    match (expected, node.map(|n| &n.value)) {
        ("a mapping", Some(Value::Null)) => {
            let key = sub
                .map(Subschema::keys)
                .and_then(|keys| keys.first().copied())
                .unwrap_or("key");
            Some(format!(
                "write the keys of `{field}` indented below it, e.g. `{key}: ...`"
            ))
        }
        ("a list", Some(Value::Str(_) | Value::Int(_) | Value::Float(_))) => Some(format!(
            "write a list, one item per line starting with `- `, or inline as `[{}]`",
            example
                .as_deref()
                .map_or("...", |e| e.trim_start_matches('[').trim_end_matches(']'))
        )),
        ("a string", Some(Value::Int(_) | Value::Float(_) | Value::Bool(_))) => Some(format!(
            "quote the value to make it text, e.g. `{leaf}: \"{}\"`",
            example.as_deref().unwrap_or("...")
        )),
        (_, _) => sub
            .and_then(Subschema::description)
            .map(str::to_owned)
            .or_else(|| example.map(|e| format!("for example `{leaf}: {e}`"))),
    }
}
