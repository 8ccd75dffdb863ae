//! YAML text → [`Node`] tree, keeping a span for every key and value.
//!
//! Built on saphyr-parser's event stream (YAML 1.2, so `off` and `no` stay
//! strings and dates stay strings). Scalars are resolved with the YAML 1.2
//! core schema ([`super::scalar`]); syntax errors are explained by
//! [`super::syntax`]. Duplicate keys, tabs in indentation, several documents and
//! non-scalar keys are reported as diagnostics; aliases are expanded within a
//! fixed budget so no input can make the tree explode.

use std::collections::HashMap;

use saphyr_parser::{Event, Parser, ScalarStyle, ScanError, Span as YamlSpan};

use crate::diagnostic::{Code, Diagnostic, Diagnostics};
use crate::parse::node::{MapEntry, Node, Value};
use crate::parse::scalar::resolve_plain;
use crate::parse::syntax::{explain_syntax_error, tab_at, unclosed_bracket};
use crate::source::{CharToByte, SourceFile, Span};

/// Deepest nesting a spec may have; real specs use four or five levels.
const MAX_DEPTH: usize = 64;
/// Most nodes a spec may expand to, aliases included.
const MAX_NODES: usize = 1_000_000;

/// Parses the single YAML document of `file`.
///
/// Returns the root node, or every problem found. An empty document or a
/// document that is not a mapping is an error here: every spec is a mapping.
pub fn parse_document(file: &SourceFile) -> Result<Node, Diagnostics> {
    let mut loader = Loader::new(file);
    let root = loader.run();
    match root {
        Some(root) if loader.diagnostics.is_empty() => Ok(root),
        _ => Err(loader.diagnostics.sorted()),
    }
}

enum Frame {
    Seq {
        start: usize,
        anchor: usize,
        items: Vec<Node>,
    },
    Map {
        start: usize,
        anchor: usize,
        entries: Vec<MapEntry>,
        pending_key: Option<(String, Span)>,
        /// The key was not a scalar: its value is parsed and dropped.
        skip_value: bool,
    },
    /// A mapping or sequence used as a key: parsed, reported, discarded.
    ComplexKey { depth: usize },
}

struct Loader<'a> {
    file: &'a SourceFile,
    chars: CharToByte,
    diagnostics: Diagnostics,
    stack: Vec<Frame>,
    anchors: HashMap<usize, (Node, usize)>,
    nodes: usize,
    documents: usize,
    too_large: bool,
}

impl<'a> Loader<'a> {
    fn new(file: &'a SourceFile) -> Self {
        Self {
            file,
            chars: CharToByte::new(file.text()),
            diagnostics: Diagnostics::new(),
            stack: Vec::new(),
            anchors: HashMap::new(),
            nodes: 0,
            documents: 0,
            too_large: false,
        }
    }

    fn span(&self, span: YamlSpan) -> Span {
        let start = self.chars.byte(span.start.index());
        let end = self.chars.byte(span.end.index()).max(start);
        Span::new(start, end)
    }

    fn run(&mut self) -> Option<Node> {
        let text = self.file.text();
        let mut parser = Parser::new_from_str(text);
        let mut root = None;
        while let Some(event) = parser.next_event() {
            match event {
                Err(error) => {
                    self.syntax_error(&error);
                    return None;
                }
                Ok((Event::StreamEnd, _)) => break,
                Ok((Event::DocumentStart(_), span)) => {
                    self.documents += 1;
                    if self.documents == 2 {
                        let at = self.span(span);
                        self.diagnostics.push(
                            Diagnostic::error(
                                Code::MultipleDocuments,
                                self.file,
                                Span::new(at.start, (at.start + 3).min(text.len())),
                                "a spec holds one YAML document, this file has more",
                            )
                            .label("a second document starts here")
                            .help("keep one workshop per file: move this document to a file of its own"),
                        );
                    }
                }
                Ok((event, span)) => {
                    if self.documents > 1 {
                        continue;
                    }
                    if let Some(node) = self.event(event, span) {
                        root = Some(node);
                    }
                    if self.too_large {
                        return None;
                    }
                }
            }
        }
        self.check_root(root)
    }

    fn check_root(&mut self, root: Option<Node>) -> Option<Node> {
        let Some(root) = root.filter(|root| !matches!(root.value, Value::Null)) else {
            let whole = Span::new(0, self.file.text().len());
            let diagnostic = if self.file.text().trim().is_empty() {
                Diagnostic::error(
                    Code::EmptyFile,
                    self.file,
                    Span::new(0, 0),
                    "the spec is empty",
                )
                .label("nothing here")
            } else {
                Diagnostic::error(Code::EmptyFile, self.file, whole, "the spec has no content")
                    .label("only comments or `null` here")
            };
            self.diagnostics
                .push(diagnostic.help(
                    "start from a template: `atlasod init` writes a commented workshop.yaml",
                ));
            return None;
        };
        if !matches!(root.value, Value::Map(_)) {
            let (span, help) = match root.items().first() {
                Some(first) => (
                    self.file
                        .line_span(self.file.line_col(first.span.start).line),
                    "remove the `- ` in front of the top-level keys: a spec is `key: value` lines, such as `version: 1`",
                ),
                None => (
                    root.span,
                    "write the spec as `key: value` lines: `version: 1`, then `name: my-workshop`, then `users:` (`atlasod init` writes a starter spec)",
                ),
            };
            self.diagnostics.push(
                Diagnostic::error(
                    Code::NotAMapping,
                    self.file,
                    span,
                    format!(
                        "a spec is a mapping of keys to values, found {}",
                        root.type_name()
                    ),
                )
                .label("expected `key: value` lines here")
                .help(help),
            );
            return None;
        }
        Some(root)
    }

    fn syntax_error(&mut self, error: &ScanError) {
        let text = self.file.text();
        let at = self.chars.byte(error.marker().index());
        let info = error.info();
        if let Some(tab) = tab_at(text, at) {
            self.diagnostics.push(
                Diagnostic::error(
                    Code::TabIndentation,
                    self.file,
                    Span::new(tab, (tab + 1).min(text.len())),
                    "tabs are not allowed for indentation in YAML",
                )
                .label("tab here")
                .help("indent with spaces (two per level is usual); most editors can convert tabs to spaces"),
            );
            return;
        }
        let end = text[at..].chars().next().map_or(at, |c| at + c.len_utf8());
        let syntax = explain_syntax_error(info);
        let mut diagnostic = Diagnostic::error(
            Code::YamlSyntax,
            self.file,
            Span::new(at, end),
            format!("invalid YAML: {}", syntax.message),
        )
        .label(syntax.label)
        .help(syntax.help);
        if syntax.unclosed {
            if let Some(open) = unclosed_bracket(text, at) {
                diagnostic = diagnostic.secondary(Span::new(open, open + 1), "opened here");
            }
        }
        self.diagnostics.push(diagnostic);
    }

    fn count_node(&mut self, span: Span) -> bool {
        self.nodes += 1;
        let too_deep = self.stack.len() > MAX_DEPTH;
        if self.nodes <= MAX_NODES && !too_deep {
            return true;
        }
        if !self.too_large {
            self.too_large = true;
            let (message, help) = if too_deep {
                (
                    format!("the document nests deeper than {MAX_DEPTH} levels"),
                    "a workshop spec is a few levels deep: look for runaway nesting",
                )
            } else {
                (
                    format!("aliases expand the document to more than {MAX_NODES} values"),
                    "a workshop spec is small: look for aliases (`*name`) that expand into each other",
                )
            };
            self.diagnostics.push(
                Diagnostic::error(Code::YamlTooDeep, self.file, span, message)
                    .label("limit reached here")
                    .help(help),
            );
        }
        false
    }

    /// Handles one event; returns the root node when the document completes.
    fn event(&mut self, event: Event<'_>, span: YamlSpan) -> Option<Node> {
        let span = self.span(span);
        if matches!(self.stack.last(), Some(Frame::ComplexKey { .. })) {
            self.inside_complex_key(&event);
            return None;
        }
        match event {
            Event::Scalar(text, style, anchor, tag) => {
                let forced_string = tag.as_ref().is_some_and(|tag| tag.suffix == "str");
                let plain = matches!(style, ScalarStyle::Plain) && !forced_string;
                self.scalar(text, plain, anchor, span)
            }
            Event::Alias(id) => self.alias(id, span),
            Event::SequenceStart(anchor, _) => {
                self.start_collection(anchor, span, false);
                None
            }
            Event::MappingStart(anchor, _) => {
                self.start_collection(anchor, span, true);
                None
            }
            Event::SequenceEnd | Event::MappingEnd => self.end_collection(span),
            _ => None,
        }
    }

    /// Skips the events of a mapping or sequence used as a key.
    fn inside_complex_key(&mut self, event: &Event<'_>) {
        let Some(Frame::ComplexKey { depth }) = self.stack.last_mut() else {
            return;
        };
        match event {
            Event::MappingStart(..) | Event::SequenceStart(..) => *depth += 1,
            Event::MappingEnd | Event::SequenceEnd => {
                *depth -= 1;
                if *depth == 0 {
                    self.stack.pop();
                    if let Some(Frame::Map { skip_value, .. }) = self.stack.last_mut() {
                        *skip_value = true;
                    }
                }
            }
            _ => {}
        }
    }

    fn scalar(
        &mut self,
        text: std::borrow::Cow<'_, str>,
        plain: bool,
        anchor: usize,
        span: Span,
    ) -> Option<Node> {
        if !self.count_node(span) {
            return None;
        }
        let value = if plain {
            resolve_plain(text)
        } else {
            Value::Str(text.into_owned())
        };
        let node = Node { value, span };
        self.remember(anchor, &node);
        self.push_value(node)
    }

    fn alias(&mut self, id: usize, span: Span) -> Option<Node> {
        let size = self.anchors.get(&id).map_or(1, |(_, size)| *size);
        self.nodes += size.saturating_sub(1);
        if !self.count_node(span) {
            return None;
        }
        let node = self.anchors.get(&id).map_or(
            Node {
                value: Value::Null,
                span,
            },
            |(node, _)| node.clone(),
        );
        // The alias stands where it is written, for positions in diagnostics.
        self.push_value(Node { span, ..node })
    }

    fn start_collection(&mut self, anchor: usize, span: Span, mapping: bool) {
        if self.is_key_position() {
            self.stack.push(Frame::ComplexKey { depth: 1 });
            self.complex_key(span);
        } else if self.count_node(span) {
            self.stack.push(if mapping {
                Frame::Map {
                    start: span.start,
                    anchor,
                    entries: Vec::new(),
                    pending_key: None,
                    skip_value: false,
                }
            } else {
                Frame::Seq {
                    start: span.start,
                    anchor,
                    items: Vec::new(),
                }
            });
        }
    }

    /// Closes the innermost mapping or sequence and places it in its parent.
    fn end_collection(&mut self, span: Span) -> Option<Node> {
        let (start, anchor, value, end) = match self.stack.pop()? {
            Frame::Seq {
                start,
                anchor,
                items,
            } => {
                let end = items
                    .last()
                    .map_or(span.end, |last| last.span.end.max(span.end));
                (start, anchor, Value::Seq(items), end)
            }
            Frame::Map {
                start,
                anchor,
                entries,
                ..
            } => {
                // The end event may sit at the next key, lines below: stop at the last value.
                let end = entries.last().map_or(span.end, |last| last.value.span.end);
                (start, anchor, Value::Map(entries), end)
            }
            Frame::ComplexKey { .. } => return None,
        };
        let node = Node {
            value,
            span: Span::new(start, end.max(start)),
        };
        self.remember(anchor, &node);
        self.push_value(node)
    }

    fn remember(&mut self, anchor: usize, node: &Node) {
        if anchor != 0 {
            self.anchors
                .insert(anchor, (node.clone(), count_nodes(node)));
        }
    }

    fn is_key_position(&self) -> bool {
        matches!(
            self.stack.last(),
            Some(Frame::Map {
                pending_key: None,
                skip_value: false,
                ..
            })
        )
    }

    fn complex_key(&mut self, span: Span) {
        self.diagnostics.push(
            Diagnostic::error(
                Code::NonStringKey,
                self.file,
                Span::new(span.start, (span.start + 1).min(self.file.text().len())),
                "keys in a spec are plain names, found a list or mapping used as a key",
            )
            .label("this key is not a name")
            .help("write the key as a plain word followed by `:`"),
        );
    }

    /// Places a finished node in its parent; returns it when it is the document root.
    fn push_value(&mut self, node: Node) -> Option<Node> {
        match self.stack.last_mut() {
            None => Some(node),
            Some(Frame::Seq { items, .. }) => {
                items.push(node);
                None
            }
            Some(Frame::Map {
                entries,
                pending_key,
                skip_value,
                ..
            }) => {
                if *skip_value {
                    *skip_value = false;
                    return None;
                }
                match pending_key.take() {
                    None => {
                        let span = node.span;
                        // A key that is not text (`1.0:`, `true:`) is named as written.
                        let key = match node.value {
                            Value::Str(text) => text,
                            _ => self.file.slice(span).to_owned(),
                        };
                        *pending_key = Some((key, span));
                    }
                    Some((key, key_span)) => {
                        if let Some(first) = entries.iter().find(|entry| entry.key == key) {
                            let first_span = first.key_span;
                            self.diagnostics.push(
                                Diagnostic::error(
                                    Code::DuplicateKey,
                                    self.file,
                                    key_span,
                                    format!("the key `{key}` is written twice in this mapping"),
                                )
                                .label("written again here")
                                .secondary(first_span, "first written here")
                                .help("keep one of the two and delete the other"),
                            );
                        } else {
                            entries.push(MapEntry {
                                key,
                                key_span,
                                value: node,
                            });
                        }
                    }
                }
                None
            }
            Some(Frame::ComplexKey { .. }) => None,
        }
    }
}

fn count_nodes(node: &Node) -> usize {
    match &node.value {
        Value::Seq(items) => 1 + items.iter().map(count_nodes).sum::<usize>(),
        Value::Map(entries) => {
            1 + entries
                .iter()
                .map(|e| 1 + count_nodes(&e.value))
                .sum::<usize>()
        }
        _ => 1,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Node, Diagnostics> {
        parse_document(&SourceFile::new("t.yaml", text))
    }

    /// The first problem found in `text`, which must not parse.
    fn first_error(text: &str) -> crate::diagnostic::Diagnostic {
        let errors = parse(text).unwrap_err();
        errors.iter().next().unwrap().clone()
    }

    #[test]
    fn yaml_1_2_keeps_off_and_dates_as_strings() {
        let root =
            parse("https: off\nstart: 2027-03-10T08:00:00Z\nn: 12\nf: 0.5\nb: true\n").unwrap();
        assert_eq!(root.get("https").unwrap().as_str(), Some("off"));
        assert_eq!(
            root.get("start").unwrap().as_str(),
            Some("2027-03-10T08:00:00Z")
        );
        assert_eq!(root.get("n").unwrap().value, Value::Int(12));
        assert_eq!(root.get("f").unwrap().value, Value::Float(0.5));
        assert_eq!(root.get("b").unwrap().value, Value::Bool(true));
    }

    #[test]
    fn spans_are_bytes_after_multibyte_text() {
        let text = "title: Métis\nname: x\n";
        let root = parse(text).unwrap();
        let entry = root.entry("name").unwrap();
        assert_eq!(&text[entry.key_span.start..entry.key_span.end], "name");
        let value = root.get("name").unwrap();
        assert_eq!(&text[value.span.start..value.span.end], "x");
    }

    #[test]
    fn duplicate_keys_are_reported_with_both_places() {
        let diagnostic = first_error("a: 1\nb: 2\na: 3\n");
        assert_eq!(diagnostic.code, Code::DuplicateKey);
        assert_eq!(diagnostic.primary.span, Span::new(10, 11));
        assert_eq!(diagnostic.secondary[0].span, Span::new(0, 1));
    }

    #[test]
    fn big_integers_and_quoted_numbers() {
        let root = parse("a: 99999999999999999999999\nb: \"12\"\n").unwrap();
        assert_eq!(root.get("a").unwrap().value, Value::BigInt);
        assert_eq!(root.get("b").unwrap().as_str(), Some("12"));
    }

    #[test]
    fn tabs_point_at_the_tab() {
        let diagnostic = first_error("a: 1\n\tb: 2\n");
        assert_eq!(diagnostic.code, Code::TabIndentation);
        assert_eq!(diagnostic.primary.span, Span::new(5, 6));
    }

    #[test]
    fn aliases_expand_within_budget() {
        let root = parse("a: &x [1, 2]\nb: *x\n").unwrap();
        assert_eq!(root.get("b").unwrap().items().len(), 2);
        let bomb = "a: &a [1,1,1,1,1,1,1,1,1,1]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d,*d]\nf: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e,*e]\ng: [*f,*f,*f,*f,*f,*f,*f,*f,*f,*f]\n";
        assert_eq!(first_error(bomb).code, Code::YamlTooDeep);
    }

    #[test]
    fn scalars_and_lists_are_not_specs() {
        assert_eq!(first_error("just text").code, Code::NotAMapping);
        assert_eq!(first_error("").code, Code::EmptyFile);
        assert_eq!(first_error("# only\n").code, Code::EmptyFile);
        assert_eq!(
            first_error("a: 1\n---\nb: 2\n").code,
            Code::MultipleDocuments
        );
    }
}
