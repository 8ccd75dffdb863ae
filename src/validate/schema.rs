//! Stage 2a, validate the shape: the YAML tree against `schema/workshop.schema.json`.
//!
//! Input: a parsed spec. Output: its JSON value, or diagnostics. A spec that
//! fits is told so by the quick yes (`accept.rs`, over a static copy of the
//! schema's checks); any other meets jsonschema's validator, built once per
//! process and only then, which has the last word. The jsonschema crate speaks
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
use crate::validate::accept::Schema;
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

/// The schema as the quick yes reads it: without annotations, a Rust static
/// (`build/schema.rs`), so a spec that fits parses no schema.
static CHECKS: Schema = include!(concat!(env!("OUT_DIR"), "/workshop_checks.rs"));

/// The pattern of free text that must stay on one line (`title`, the names of
/// OpenStack resources, ...): no control character, no line or paragraph separator.
pub const ONE_LINE: &str = "^[^\\u0000-\\u001f\\u007f-\\u009f\\u2028\\u2029]*$";

/// What [`ONE_LINE`] rejects: a control character, or a line or paragraph separator.
fn is_line_breaking(c: char) -> bool {
    matches!(c, '\u{0}'..='\u{1f}' | '\u{7f}'..='\u{9f}' | '\u{2028}' | '\u{2029}')
}

/// The node a local `$ref` (`#/$defs/...`) points to, or `node` itself.
pub fn resolve(node: &Json) -> &Json {
    node.get("$ref")
        .and_then(Json::as_str)
        .and_then(|pointer| pointer.strip_prefix('#'))
        .and_then(|pointer| schema().pointer(pointer))
        .unwrap_or(node)
}

/// The schema's `$id`: the validator reaches it through a registry.
const SCHEMA_ID: &str = "https://atlasod.dev/schema/workshop.schema.json";

/// The validator of the schema, built once per process for what it costs:
///
/// - jsonschema checks the schema it is given against its draft's
///   meta-schema, which means building a validator for the draft 2020-12
///   meta-schema first (a third of a `check`'s start-up). The schema is
///   atlasod's own and does not change at run time, so the validator is
///   built from a one-line draft-04 root that `$ref`s it (draft-04's
///   meta-schema is small) and the schema itself, as a registry resource,
///   keeps its own draft. `tests::the_schema_is_valid_against_its_meta_schema`
///   checks it the way jsonschema would.
/// - `pattern`s compile when a spec first reaches them ([`LazyPattern`]).
fn validator() -> &'static Validator {
    static REGISTRY: OnceLock<jsonschema::Registry<'static>> = OnceLock::new();
    static VALIDATOR: OnceLock<Validator> = OnceLock::new();
    VALIDATOR.get_or_init(|| {
        let registry = REGISTRY.get_or_init(|| {
            jsonschema::Registry::new()
                .add(SCHEMA_ID, schema())
                .and_then(jsonschema::RegistryBuilder::prepare)
                .unwrap_or_else(|error| panic!("schema/workshop.schema.json: {error}"))
        });
        let root = serde_json::json!({
            "$schema": "http://json-schema.org/draft-04/schema#",
            "$ref": SCHEMA_ID,
        });
        options()
            .with_registry(registry)
            .with_keyword("pattern", move |_, pattern, _| {
                let source = pattern.as_str().ok_or_else(|| {
                    jsonschema::ValidationError::custom("`pattern` must be a string")
                })?;
                Ok(Box::new(patterns().get(source)))
            })
            .build(&root)
            .unwrap_or_else(|error| {
                panic!("schema/workshop.schema.json is not a valid schema: {error}")
            })
    })
}

/// One [`LazyPattern`] per distinct pattern: the one-line pattern alone is
/// used a dozen times, and is compiled once.
#[derive(Default)]
struct Patterns(std::sync::Mutex<std::collections::HashMap<String, LazyPattern>>);

/// The patterns of this process, shared by the validator and the quick yes.
fn patterns() -> &'static Patterns {
    static PATTERNS: OnceLock<Patterns> = OnceLock::new();
    PATTERNS.get_or_init(Patterns::default)
}

impl Patterns {
    fn get(&self, source: &str) -> LazyPattern {
        let mut known = self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(pattern) = known.get(source) {
            return pattern.clone();
        }
        let pattern = LazyPattern::new(source);
        known.insert(source.to_owned(), pattern.clone());
        pattern
    }
}

/// The validator options, shared with the test that builds the stock validator.
fn options() -> jsonschema::ValidationOptions<'static> {
    jsonschema::options()
        .should_validate_formats(true)
        // The schema's patterns need no lookaround, and the `regex` engine
        // compiles them faster.
        .with_pattern_options(jsonschema::PatternOptions::regex())
}

/// The `pattern` keyword, its regex compiled the first time a spec reaches
/// it: compiling all of the schema's patterns was a third of every
/// process's start-up, and a spec uses few of them. Its error is a custom
/// one with keyword `pattern`, which `schema_errors` words like jsonschema's
/// own; `tests::start_up_validator_and_the_quick_yes_report_what_jsonschema_reports` holds the two
/// validators to the same verdicts.
///
/// A pattern is first matched by atlasod's own matcher (`pattern.rs`), which
/// costs almost nothing to build (a few patterns per spec, once per process);
/// after [`PROMOTE_AFTER`] matches (an allow-list of thousands of users) it is
/// compiled with `regex`, whose match costs less. A pattern the matcher does
/// not read goes to `regex` at once. The two agree on every pattern of the
/// schema (`tests::both_engines_agree_on_every_pattern`).
#[derive(Clone)]
struct LazyPattern {
    source: std::sync::Arc<str>,
    engines: std::sync::Arc<Engines>,
}

/// The two compiled forms of one pattern, and how often it was matched.
#[derive(Default)]
struct Engines {
    own: OnceLock<Option<crate::validate::pattern::Pattern>>,
    full: OnceLock<Option<regex::Regex>>,
    matched: std::sync::atomic::AtomicUsize,
}

/// How many matches a pattern gets from the own matcher before `regex` compiles it.
const PROMOTE_AFTER: usize = 32;

impl LazyPattern {
    fn new(source: &str) -> Self {
        Self {
            source: source.into(),
            engines: std::sync::Arc::default(),
        }
    }

    fn matches(&self, text: &str) -> bool {
        if *self.source == *ONE_LINE {
            // A dozen fields use it, so it would soon move to `regex`, whose
            // costliest build it is (Unicode ranges); this is the same test,
            // character by character (`one_line_is_its_pattern`).
            return text.chars().all(|c| !is_line_breaking(c));
        }
        let engines = &*self.engines;
        let promoted = engines.full.get().is_some()
            || engines
                .matched
                .fetch_add(1, std::sync::atomic::Ordering::Relaxed)
                >= PROMOTE_AFTER;
        match self.own() {
            Some(pattern) if !promoted => pattern.is_match(text),
            _ => self.full_match(text),
        }
    }

    fn full_match(&self, text: &str) -> bool {
        self.engines
            .full
            .get_or_init(|| regex::Regex::new(&self.source).ok())
            .as_ref()
            .is_some_and(|regex| regex.is_match(text))
    }

    fn own(&self) -> Option<&crate::validate::pattern::Pattern> {
        self.engines
            .own
            .get_or_init(|| crate::validate::pattern::Pattern::new(&self.source))
            .as_ref()
    }
}

impl<'i> jsonschema::Keyword<'i> for LazyPattern {
    fn validate(&self, instance: &'i Json) -> Result<(), jsonschema::ValidationError<'i>> {
        if self.is_valid(instance) {
            Ok(())
        } else {
            Err(jsonschema::ValidationError::custom(format!(
                "does not match `{}`",
                self.source
            )))
        }
    }

    fn is_valid(&self, instance: &'i Json) -> bool {
        instance.as_str().is_none_or(|text| self.matches(text))
    }
}

/// Whether the spec surely fits the schema, without building [`validator`]
/// (`accept.rs`): `false` means "ask the validator".
fn quick_yes(instance: &Json) -> bool {
    // The patterns this spec reaches, found again by where their source sits
    // in CHECKS: an allow-list of 10,000 users matches one pattern 10,000
    // times, and hashing its source each time cost more than the match.
    let reached: std::cell::RefCell<Vec<(usize, LazyPattern)>> = std::cell::RefCell::default();
    crate::validate::accept::accepts(&CHECKS, instance, &CHECKS, &|source, text| {
        let address = source.as_ptr() as usize;
        let mut reached = reached.borrow_mut();
        if let Some((_, pattern)) = reached.iter().find(|(at, _)| *at == address) {
            return pattern.matches(text);
        }
        let pattern = patterns().get(source);
        let matched = pattern.matches(text);
        reached.push((address, pattern));
        matched
    })
}

/// Checks the spec's shape; returns the JSON the typed model is read from.
///
/// A spec that fits is told so by [`quick_yes`]; any other is checked by
/// jsonschema's validator, which has the last word and words the errors.
pub fn check(parsed: &Parsed) -> Result<Json, Diagnostics> {
    let instance = parsed.root.to_json();
    if quick_yes(&instance) {
        return Ok(instance);
    }
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

#[cfg(test)]
mod tests {
    use std::path::{Path, PathBuf};

    use super::*;

    /// Every spec the repository holds: examples and fixtures, valid and invalid.
    fn every_spec() -> Vec<PathBuf> {
        fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
            for entry in std::fs::read_dir(dir).expect("a readable folder") {
                let path = entry.expect("a directory entry").path();
                if path.is_dir() {
                    walk(&path, out);
                } else if path.extension().is_some_and(|e| e == "yaml") {
                    out.push(path);
                }
            }
        }
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut out = Vec::new();
        walk(&root.join("examples"), &mut out);
        walk(&root.join("tests/fixtures"), &mut out);
        out.sort();
        out
    }

    #[test]
    fn start_up_validator_and_the_quick_yes_report_what_jsonschema_reports() {
        let stock = options().build(schema()).expect("the schema compiles");
        let specs = every_spec();
        assert!(specs.len() > 100, "found only {} specs", specs.len());
        let mut invalid = 0;
        for path in specs {
            let bytes = std::fs::read(&path).expect("a readable spec");
            let Ok(text) = String::from_utf8(bytes) else {
                continue; // a fixture of the parse stage
            };
            let file = crate::SourceFile::new(path.display().to_string(), text);
            let Ok(parsed) = crate::parse::parse_source(file) else {
                continue;
            };
            let instance = parsed.root.to_json();
            let mapper = Mapper::new(&parsed);
            let diagnostics =
                |errors: &mut dyn Iterator<Item = jsonschema::ValidationError<'_>>| {
                    let mut found = Vec::new();
                    for error in errors {
                        mapper.map(&error, &mut found);
                    }
                    format!("{:?}", drop_implied_missing(found).sorted())
                };
            let ours = diagnostics(&mut validator().iter_errors(&instance));
            let theirs = diagnostics(&mut stock.iter_errors(&instance));
            assert_eq!(ours, theirs, "{}", path.display());
            invalid += usize::from(!stock.is_valid(&instance));
            // The quick yes says yes exactly where jsonschema does: never
            // where it says no (that would hide errors), and on every fixture
            // that fits (else the quick path would be a slow one).
            assert_eq!(
                quick_yes(&instance),
                stock.is_valid(&instance),
                "quick yes vs jsonschema: {}",
                path.display()
            );
        }
        assert!(
            invalid > 50,
            "only {invalid} specs fail the schema: the test would prove little"
        );
    }

    #[test]
    fn the_schema_is_valid_against_its_meta_schema() {
        assert_eq!(schema().get("$id").and_then(Json::as_str), Some(SCHEMA_ID));
        jsonschema::meta::validate(schema()).expect("valid against draft 2020-12");
        // And the stock build, which checks it too, accepts it.
        options().build(schema()).expect("the schema compiles");
    }

    #[test]
    fn one_line_is_its_pattern() {
        let regex = regex::Regex::new(ONE_LINE).expect("ONE_LINE compiles");
        let pattern = LazyPattern::new(ONE_LINE);
        let mut samples: Vec<String> = (0..0x3000u32)
            .filter_map(char::from_u32)
            .map(|c| format!("ab{c}cd"))
            .collect();
        samples.extend(
            [
                "",
                "plain",
                "two\nlines",
                "tab\there",
                "\u{85}",
                "é ü 漢字 🙂",
            ]
            .map(String::from),
        );
        for text in samples {
            assert_eq!(pattern.matches(&text), regex.is_match(&text), "{text:?}");
        }
    }

    /// Every string value of every spec, and each pattern's own pieces, as texts to match.
    fn sample_texts() -> Vec<String> {
        fn strings(node: &Node, out: &mut Vec<String>) {
            match &node.value {
                Value::Str(text) => out.push(text.clone()),
                Value::Map(entries) => {
                    for entry in entries {
                        out.push(entry.key.clone());
                        strings(&entry.value, out);
                    }
                }
                Value::Seq(items) => items.iter().for_each(|item| strings(item, out)),
                _ => {}
            }
        }
        let mut out = Vec::new();
        for path in every_spec() {
            let Ok(text) = std::fs::read_to_string(&path) else {
                continue;
            };
            let file = crate::SourceFile::new(path.display().to_string(), text);
            if let Ok(parsed) = crate::parse::parse_source(file) {
                strings(&parsed.root, &mut out);
            }
        }
        let edits: Vec<String> = out
            .iter()
            .flat_map(|text| {
                [
                    format!("{text}\n"),
                    format!(" {text}"),
                    text.to_uppercase(),
                    text.chars().skip(1).collect(),
                    text.chars().rev().collect(),
                ]
            })
            .collect();
        out.extend(edits);
        out.extend(
            (0..0x3000u32)
                .filter_map(char::from_u32)
                .map(|c| format!("a{c}b")),
        );
        out.extend(
            [
                "",
                "a",
                "ab",
                "-a",
                "a-",
                "ssh-ed25519 AAAA x",
                "ssh-ed25519 AAAA x\ny",
                "10.0.0.0/8",
                "256.1.1.1/8",
                "1h30m",
                "90m",
                "1.5 GiB",
                "2GB",
                "a{n}",
                "{n}",
                "a.b.example.org",
                "https://x",
                "http://x",
                "ftp://x",
                "user/*",
                "x:1@sha256:",
            ]
            .map(String::from),
        );
        out.sort();
        out.dedup();
        out
    }

    #[test]
    fn both_engines_agree_on_every_pattern() {
        let mut patterns = Vec::new();
        collect_patterns(schema(), &mut patterns);
        patterns.sort();
        patterns.dedup();
        let texts = sample_texts();
        assert!(texts.len() > 10_000, "only {} texts", texts.len());
        for pattern in &patterns {
            let lazy = LazyPattern::new(pattern);
            let mut agreed_on_a_match = false;
            for text in &texts {
                let full = lazy.full_match(text);
                let own = lazy
                    .own()
                    .unwrap_or_else(|| panic!("the own matcher does not read {pattern}"));
                assert_eq!(own.is_match(text), full, "{pattern} on {text:?}");
                agreed_on_a_match |= full;
            }
            assert!(agreed_on_a_match, "no sample matches {pattern}");
        }
    }

    #[test]
    fn a_pattern_matched_often_moves_to_the_full_engine() {
        let pattern = LazyPattern::new("^[a-z]+$");
        for _ in 0..PROMOTE_AFTER {
            assert!(pattern.matches("abc"));
            assert!(pattern.engines.full.get().is_none());
        }
        assert!(pattern.matches("abc"));
        assert!(!pattern.matches("ABC"));
        assert!(pattern.engines.full.get().is_some());
    }

    fn collect_patterns(node: &Json, found: &mut Vec<String>) {
        match node {
            Json::Object(map) => {
                if let Some(Json::String(pattern)) = map.get("pattern") {
                    found.push(pattern.clone());
                }
                map.values().for_each(|v| collect_patterns(v, found));
            }
            Json::Array(items) => items.iter().for_each(|v| collect_patterns(v, found)),
            _ => {}
        }
    }

    #[test]
    fn every_pattern_in_the_schema_compiles() {
        let mut found = Vec::new();
        collect_patterns(schema(), &mut found);
        assert!(found.len() > 20);
        for pattern in found {
            assert!(regex::Regex::new(&pattern).is_ok(), "{pattern}");
        }
    }
}
