//! Where a schema error points: the error's location as path segments, and
//! the node, subschema and spans at that path.
//!
//! Input: a jsonschema error and the parsed tree. Output: an [`At`] and the
//! span to label (the value, or the mapping's key). Spans always lie inside
//! the user's file: a path that does not exist resolves to its closest parent.

use jsonschema::ValidationError;
use jsonschema::paths::LocationSegment;

use super::Mapper;
use crate::parse::Node;
use crate::source::Span;
use crate::validate::hint::Form;
use crate::validate::schema::{Seg, Subschema, dotted, schema_at, steps};

/// Everything known about the place an error points at.
pub(super) struct At<'a> {
    pub(super) path: Vec<Seg>,
    pub(super) node: Option<&'a Node>,
    pub(super) sub: Option<Subschema>,
    /// `users.count`; the spec itself is `the spec`.
    pub(super) field: String,
}

impl At<'_> {
    /// The last key of the path: what the user typed before the colon.
    pub(super) fn leaf(&self) -> &str {
        self.path
            .iter()
            .rev()
            .find_map(|seg| match seg {
                Seg::Key(key) => Some(key.as_str()),
                Seg::Index(_) => None,
            })
            .unwrap_or("value")
    }

    pub(super) fn form(&self) -> Form {
        self.sub.map_or(Form::Other, |sub| sub.form(&self.path))
    }

    pub(super) fn example(&self) -> Option<String> {
        self.sub.and_then(Subschema::example)
    }

    /// `` `users.count`: the number of users, ... `` from the schema's description.
    pub(super) fn note(&self) -> Option<String> {
        let description = self.sub.and_then(Subschema::description)?;
        Some(format!("`{}`: {description}", self.field))
    }

    /// "at the top level" or "in `cloud.aws`".
    pub(super) fn where_(&self) -> String {
        if self.path.is_empty() {
            "at the top level".to_owned()
        } else {
            format!("in `{}`", self.field)
        }
    }
}

impl<'a> Mapper<'a> {
    pub(super) fn at(&self, path: Vec<Seg>) -> At<'a> {
        let node = self.root().find(&steps(&path)).map(|found| found.node);
        let sub = schema_at(&path, self.root());
        let field = if path.is_empty() {
            "the spec".to_owned()
        } else {
            dotted(&path)
        };
        At {
            path,
            node,
            sub,
            field,
        }
    }

    /// Where to point for a value: the value itself, else the closest thing that exists.
    pub(super) fn value_span(&self, path: &[Seg]) -> Span {
        self.root().find_closest(&steps(path)).0.node.span
    }

    /// Where to point for a mapping as a whole: its key; for the spec or a
    /// list item (no key), its first key, so the label stays on one line.
    pub(super) fn mapping_span(&self, path: &[Seg]) -> (Span, bool) {
        let (found, _) = self.root().find_closest(&steps(path));
        match (found.key_span, found.node.entries().first()) {
            (Some(key), _) => (key, true),
            (None, Some(first)) => (first.key_span, false),
            (None, None) => (found.node.span, false),
        }
    }

    pub(super) fn source(&self, span: Span) -> &str {
        self.parsed.file.slice(span)
    }

    /// What the user wrote for the value at `at`, as text.
    pub(super) fn written(&self, at: &At<'_>) -> String {
        at.node.and_then(Node::as_str).map_or_else(
            || self.source(self.value_span(&at.path)).to_owned(),
            str::to_owned,
        )
    }
}

pub(super) fn segments(error: &ValidationError<'_>) -> Vec<Seg> {
    error
        .instance_path()
        .segments()
        .map(|segment| match segment {
            LocationSegment::Property(key) => Seg::Key(key.into_owned()),
            LocationSegment::Index(index) => Seg::Index(index),
        })
        .collect()
}
