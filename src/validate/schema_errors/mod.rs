//! Schema errors, worded for a person and placed on the YAML they concern.
//!
//! Input: one jsonschema error (a JSON pointer and a keyword). Output: a
//! [`Diagnostic`] on the key or value to change. The rules (STYLE.md): an
//! unknown key labels the key, with did-you-mean; a missing key labels its
//! parent and the help shows what to add; a wrong type or value labels the
//! value and says what is allowed; a malformed value gets a did-you-mean
//! when `hint.rs` can guess one. The help says what to do; the note carries
//! the field's description from the schema. No validator text reaches the user.
//!
//! This file maps each error kind to its diagnostic; [`path`] finds where it
//! points, [`wording`] holds the words and skeletons the messages share.

use jsonschema::ValidationError;
use jsonschema::error::{TypeKind, ValidationErrorKind};
use serde_json::Value as Json;

use crate::diagnostic::{Code, Diagnostic};
use crate::parse::{Node, Parsed, Value};
use crate::source::Span;
use crate::units::indent;
use crate::validate::hint::{self, Form, Hint};
use crate::validate::schema::{Seg, Subschema};
use crate::validate::suggest::{closest, one_of};

mod path;
mod wording;

use path::{At, segments};
use wording::{
    branch_words, elide, form_noun, key_synonym, looks_like_key_value, range_help, skeleton,
    synonym, type_word, with_note,
};

/// A worded error, with what `schema::drop_implied_missing` needs to know.
pub(crate) struct Mapped {
    pub(crate) diagnostic: Diagnostic,
    /// The mapping the error is about, for unknown and missing keys.
    pub(crate) path: Vec<Seg>,
    /// The key an unknown key most likely stands for, or the missing key.
    pub(crate) key: Option<String>,
}

impl Mapped {
    fn plain(diagnostic: Diagnostic) -> Self {
        Self {
            diagnostic,
            path: Vec::new(),
            key: None,
        }
    }
}

pub(crate) struct Mapper<'a> {
    parsed: &'a Parsed,
}

impl<'a> Mapper<'a> {
    pub(crate) fn new(parsed: &'a Parsed) -> Self {
        Self { parsed }
    }

    fn root(&self) -> &'a Node {
        &self.parsed.root
    }

    fn error(&self, code: Code, span: Span, message: String) -> Diagnostic {
        Diagnostic::error(code, &self.parsed.file, span, message)
    }

    pub(crate) fn map(&self, error: &ValidationError<'_>, out: &mut Vec<Mapped>) {
        let at = self.at(segments(error));
        let diagnostic = match error.kind() {
            ValidationErrorKind::AdditionalProperties { unexpected }
            | ValidationErrorKind::UnevaluatedProperties { unexpected } => {
                out.extend(unexpected.iter().map(|key| self.unknown_key(&at, key)));
                return;
            }
            ValidationErrorKind::Required { property } => {
                out.push(self.missing_key(&at, property.as_str().unwrap_or_default()));
                return;
            }
            ValidationErrorKind::AnyOf { context }
            | ValidationErrorKind::OneOfNotValid { context } => {
                self.branches(&at, context, out);
                return;
            }
            ValidationErrorKind::Type { kind } => self.wrong_type(&at, kind),
            ValidationErrorKind::Enum { options } => self.bad_value(&at, options),
            ValidationErrorKind::Constant { expected_value } => self.constant(&at, expected_value),
            ValidationErrorKind::Pattern { .. } => self.bad_form(&at, None),
            // `validate::schema`'s lazily compiled `pattern`.
            ValidationErrorKind::Custom { keyword, .. } if keyword == "pattern" => {
                self.bad_form(&at, None)
            }
            ValidationErrorKind::Format { format } => self.bad_form(&at, Some(format)),
            ValidationErrorKind::Minimum { limit } => self.out_of_range(&at, "at least", limit),
            ValidationErrorKind::ExclusiveMinimum { limit } => {
                self.out_of_range(&at, "more than", limit)
            }
            ValidationErrorKind::Maximum { limit } => self.out_of_range(&at, "at most", limit),
            ValidationErrorKind::ExclusiveMaximum { limit } => {
                self.out_of_range(&at, "less than", limit)
            }
            ValidationErrorKind::MinLength { limit } => self.length(&at, "at least", *limit),
            ValidationErrorKind::MaxLength { limit } => self.length(&at, "at most", *limit),
            ValidationErrorKind::MinItems { limit } => self.item_count(&at, "at least", *limit),
            ValidationErrorKind::MaxItems { limit } => self.item_count(&at, "at most", *limit),
            ValidationErrorKind::UniqueItems => self.duplicate_item(&at),
            _ => self.fallback(&at),
        };
        out.push(Mapped::plain(diagnostic));
    }

    fn unknown_key(&self, at: &At<'_>, key: &str) -> Mapped {
        let allowed = at.sub.map(Subschema::keys).unwrap_or_default();
        let span = at
            .node
            .and_then(|node| node.entry(key))
            .map_or_else(|| self.value_span(&at.path), |entry| entry.key_span);
        let suggestion =
            key_synonym(key, &allowed).or_else(|| closest(key, allowed.iter().copied()));
        let help = match suggestion {
            Some(good) => format!("did you mean `{good}`?"),
            None if allowed.is_empty() => "remove this key".to_owned(),
            None => format!(
                "remove it, or use a key allowed {}: {}",
                at.where_(),
                one_of(&allowed)
            ),
        };
        let mut diagnostic = self
            .error(
                Code::UnknownKey,
                span,
                format!("unknown key `{key}` {}", at.where_()),
            )
            .label(suggestion.map_or_else(
                || "unknown key".to_owned(),
                |good| format!("did you mean `{good}`?"),
            ))
            .help(help);
        let (parent, keyed) = self.mapping_span(&at.path);
        if keyed {
            diagnostic = diagnostic.secondary(parent, format!("in `{}`", at.field));
        }
        Mapped {
            diagnostic,
            path: at.path.clone(),
            key: suggestion.map(str::to_owned),
        }
    }

    fn missing_key(&self, at: &At<'_>, name: &str) -> Mapped {
        let mut child = at.path.clone();
        child.push(Seg::Key(name.to_owned()));
        let child_at = self.at(child);
        let snippet = skeleton(name, child_at.sub);
        let (span, keyed) = self.mapping_span(&at.path);
        let label = if at.path.is_empty() {
            format!("the spec has no `{name}`")
        } else if keyed {
            format!("`{}` needs `{name}`", at.leaf())
        } else {
            format!("this item needs `{name}`")
        };
        let under = if at.path.is_empty() {
            "at the top level".to_owned()
        } else {
            format!("under `{}`", at.field)
        };
        let help = if snippet.contains('\n') {
            format!("add {under}:\n{}", indent(&snippet, 2))
        } else {
            format!("add `{snippet}` {under}")
        };
        let diagnostic = self
            .error(
                Code::MissingKey,
                span,
                format!("missing key `{name}` {}", at.where_()),
            )
            .label(label)
            .help(help);
        Mapped {
            diagnostic: with_note(diagnostic, child_at.note()),
            path: at.path.clone(),
            key: Some(name.to_owned()),
        }
    }

    fn wrong_type(&self, at: &At<'_>, kind: &TypeKind) -> Diagnostic {
        let expected = match kind {
            TypeKind::Single(ty) => type_word(&ty.to_string()).to_owned(),
            TypeKind::Multiple(types) => types
                .iter()
                .map(|t| type_word(&t.to_string()))
                .collect::<Vec<_>>()
                .join(" or "),
        };
        let found = at.node.map_or("nothing", Node::type_name);
        let span = self.value_span(&at.path);
        let diagnostic = self
            .error(
                Code::WrongType,
                span,
                format!("`{}` must be {expected}, found {found}", at.field),
            )
            .label(format!("expected {expected}"))
            .help_opt(self.type_help(at, &expected, span));
        with_note(diagnostic, at.note())
    }

    /// What to write instead of a value of the wrong type.
    fn type_help(&self, at: &At<'_>, expected: &str, span: Span) -> Option<String> {
        let leaf = at.leaf();
        let text = self.source(span).trim().to_owned();
        let value = at.node.map(|n| &n.value);
        let help = match (expected, value) {
            ("a mapping", Some(Value::Str(s))) if looks_like_key_value(s) => {
                let (key, rest) = s.split_once(':').unwrap_or((s, ""));
                format!("put a space after the colon: `{key}: {rest}`")
            }
            ("a mapping", _) => format!(
                "write the keys of `{leaf}` indented below it:\n{}",
                indent(&skeleton(leaf, at.sub), 2)
            ),
            ("a list", Some(Value::Str(_) | Value::Int(_) | Value::Float(_) | Value::Bool(_))) => {
                format!("write a list: `{leaf}: [{text}]`, or one item per line starting with `- `")
            }
            ("a string", Some(Value::Int(_) | Value::Float(_) | Value::BigInt)) => {
                match hint::for_number(at.form(), &text) {
                    Some(Hint::Value(fixed)) => format!(
                        "{} need a unit: did you mean `{fixed}`?",
                        if at.form() == Form::Size {
                            "sizes"
                        } else {
                            "durations"
                        }
                    ),
                    _ => format!("quote the value to make it text: `{leaf}: \"{text}\"`"),
                }
            }
            ("a string", Some(Value::Bool(_))) => {
                format!("quote the value to make it text: `{leaf}: \"{text}\"`")
            }
            ("a number" | "an integer", Some(Value::Str(s))) if s.trim().parse::<f64>().is_ok() => {
                format!("remove the quotes: `{leaf}: {}`", s.trim())
            }
            ("an integer", Some(Value::Float(_))) => format!(
                "write a whole number, e.g. `{leaf}: {}`",
                at.example().unwrap_or_else(|| "1".to_owned())
            ),
            _ => format!("write e.g. `{leaf}: {}`", at.example()?),
        };
        Some(help)
    }

    fn bad_value(&self, at: &At<'_>, options: &Json) -> Diagnostic {
        let allowed: Vec<&str> = options
            .as_array()
            .map(|a| a.iter().filter_map(Json::as_str).collect())
            .unwrap_or_default();
        let written = self.written(at);
        let suggestion =
            synonym(&at.field, &written).or_else(|| closest(&written, allowed.iter().copied()));
        let label = match suggestion {
            Some(good) => format!("did you mean `{good}`?"),
            None if allowed.len() <= 3 => format!("expected {}", one_of(&allowed)),
            None => "not an allowed value".to_owned(),
        };
        let help = match suggestion {
            Some(good) => format!("did you mean `{good}`? use {}", one_of(&allowed)),
            None => format!("use {}", one_of(&allowed)),
        };
        let diagnostic = self
            .error(
                Code::InvalidValue,
                self.value_span(&at.path),
                format!("`{written}` is not a valid value for `{}`", at.field),
            )
            .label(label)
            .help(help);
        with_note(diagnostic, at.note())
    }

    fn constant(&self, at: &At<'_>, expected: &Json) -> Diagnostic {
        let expected = crate::validate::schema::yaml_inline(expected);
        let span = self.value_span(&at.path);
        let diagnostic = self
            .error(
                Code::InvalidValue,
                span,
                format!(
                    "`{}` must be `{expected}`, found `{}`",
                    at.field,
                    self.source(span)
                ),
            )
            .label(format!("expected `{expected}`"))
            .help(format!("write `{}: {expected}`", at.leaf()));
        with_note(diagnostic, at.note())
    }

    /// A string that does not match the field's pattern or format.
    fn bad_form(&self, at: &At<'_>, format: Option<&str>) -> Diagnostic {
        let span = self.value_span(&at.path);
        let shown = self.written(at);
        let form = at.form();
        let fix = hint::for_text(form, &shown);
        let label = match (&fix, at.example()) {
            (Some(Hint::Value(_)), _) if form == Form::HttpsUrl => "use `https://`".to_owned(),
            (Some(Hint::Value(value)), _) => format!("did you mean `{value}`?"),
            (_, Some(example)) if example.chars().count() <= 30 => {
                format!("expected e.g. `{example}`")
            }
            _ => format!("not {}", form_noun(form, format)),
        };
        let help = match fix {
            Some(Hint::Value(value)) => Some(format!("did you mean `{value}`?")),
            Some(Hint::Advice(advice)) => Some(advice),
            None => at
                .example()
                .map(|e| format!("write e.g. `{}: {e}`", at.leaf())),
        };
        let diagnostic = self
            .error(
                Code::InvalidFormat,
                span,
                format!(
                    "`{}` is not {} for `{}`",
                    elide(&shown),
                    form_noun(form, format),
                    at.field
                ),
            )
            .label(label)
            .help_opt(help);
        with_note(diagnostic, at.note())
    }

    fn out_of_range(&self, at: &At<'_>, word: &str, limit: &Json) -> Diagnostic {
        let span = self.value_span(&at.path);
        let diagnostic = self
            .error(
                Code::OutOfRange,
                span,
                format!(
                    "`{}` must be {word} {limit}, found {}",
                    at.field,
                    self.source(span)
                ),
            )
            .label(format!("{word} {limit} expected"))
            .help_opt(at.sub.and_then(range_help));
        with_note(diagnostic, at.note())
    }

    fn length(&self, at: &At<'_>, word: &str, limit: u64) -> Diagnostic {
        let span = self.value_span(&at.path);
        let (message, label, help) = if word == "at least" && limit == 1 {
            (
                format!("`{}` must not be empty", at.field),
                "empty".to_owned(),
                at.example()
                    .map(|e| format!("write a value, e.g. `{}: {e}`", at.leaf())),
            )
        } else {
            let length = at
                .node
                .and_then(Node::as_str)
                .map_or(0, |s| s.chars().count());
            (
                format!(
                    "`{}` must have {word} {limit} characters, found {length}",
                    at.field
                ),
                format!("{word} {limit} characters expected"),
                Some(if word == "at most" {
                    "shorten it".to_owned()
                } else {
                    "lengthen it".to_owned()
                }),
            )
        };
        let diagnostic = self
            .error(Code::OutOfRange, span, message)
            .label(label)
            .help_opt(help);
        with_note(diagnostic, at.note())
    }

    fn item_count(&self, at: &At<'_>, word: &str, limit: u64) -> Diagnostic {
        let count = at.node.map_or(0, |n| n.items().len());
        let diagnostic = self
            .error(
                Code::OutOfRange,
                self.value_span(&at.path),
                format!(
                    "`{}` must have {word} {limit} items, found {count}",
                    at.field
                ),
            )
            .label(format!("{word} {limit} items expected"));
        with_note(diagnostic, at.note())
    }

    fn duplicate_item(&self, at: &At<'_>) -> Diagnostic {
        let items = at.node.map(Node::items).unwrap_or_default();
        let mut pair = None;
        'outer: for (i, a) in items.iter().enumerate() {
            for b in &items[i + 1..] {
                if a.to_json() == b.to_json() {
                    pair = Some((a.span, b.span));
                    break 'outer;
                }
            }
        }
        let (first, again) = pair.unwrap_or_else(|| {
            let span = self.value_span(&at.path);
            (span, span)
        });
        self.error(
            Code::DuplicateItem,
            again,
            format!("`{}` is listed twice in `{}`", self.source(again), at.field),
        )
        .label("listed again here")
        .secondary(first, "first listed here")
        .help("remove one of the two")
    }

    /// `anyOf`: report the errors of the branch whose type fits, or a type error.
    fn branches(
        &self,
        at: &At<'_>,
        context: &[Vec<ValidationError<'static>>],
        out: &mut Vec<Mapped>,
    ) {
        // The branch whose type fits has no type error at this very path: its
        // errors are the ones that say what is wrong.
        let here = |e: &ValidationError<'_>| {
            segments(e) == at.path && matches!(e.kind(), ValidationErrorKind::Type { .. })
        };
        if let Some(errors) = context.iter().find(|errors| !errors.iter().any(here)) {
            for error in errors {
                self.map(error, out);
            }
            return;
        }
        let branches: &[Json] = at
            .sub
            .and_then(Subschema::branches)
            .map_or(&[], Vec::as_slice);
        let expected: Vec<&str> = branches
            .iter()
            .filter_map(|b| b.get("type").and_then(Json::as_str))
            .map(type_word)
            .collect();
        let expected = expected.join(" or ");
        let ways: Vec<String> = branches.iter().filter_map(branch_words).collect();
        let diagnostic = self
            .error(
                Code::WrongType,
                self.value_span(&at.path),
                format!(
                    "`{}` must be {expected}, found {}",
                    at.field,
                    at.node.map_or("nothing", Node::type_name)
                ),
            )
            .label(format!("expected {expected}"))
            .help_opt((!ways.is_empty()).then(|| format!("write {}", ways.join(", or "))));
        out.push(Mapped::plain(diagnostic));
    }

    fn fallback(&self, at: &At<'_>) -> Diagnostic {
        let diagnostic = self
            .error(
                Code::InvalidSpec,
                self.value_span(&at.path),
                format!("`{}` is not valid here", at.field),
            )
            .label("rejected by the spec's schema");
        with_note(diagnostic, at.note())
    }
}
