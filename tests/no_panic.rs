//! No input makes `check` panic, and every diagnostic it returns points
//! inside the file: random bytes, random YAML-ish text, random JSON built
//! from the spec's own keys (JSON is YAML, and these reach deep into the
//! schema and the semantic rules), and the examples with random edits.

// Tests may unwrap (clippy.toml allows it in #[test] functions; this covers their helpers).
#![allow(clippy::unwrap_used)]

mod support;

use atlasod::parse::{self, ParseFailure};
use atlasod::report::{self, HumanStyle};
use atlasod::{Diagnostics, Target, program};
use proptest::prelude::*;
use serde_json::{Map, Value};

/// Checks `bytes` the way `atlasod check` does; panics only on a broken invariant.
fn check_bytes(bytes: Vec<u8>, targets: Option<&[Target]>) {
    let file = match parse::source_from_bytes("fuzz.yaml", bytes) {
        Ok(file) => file,
        Err(ParseFailure::Invalid(diagnostics)) => return assert_sound(&diagnostics),
        Err(ParseFailure::Io(error)) => panic!("no I/O here: {error}"),
    };
    if let Ok(parsed) = parse::parse_source(file.clone()) {
        // The schema stage says yes without jsonschema when it is sure
        // (validate/accept.rs) and compiles `pattern`s lazily, with two
        // engines (validate::schema): its verdict is jsonschema's own on the
        // published schema, a quick yes included.
        let instance = parsed.root.to_json();
        assert_eq!(
            atlasod::validate::schema::check(&parsed).is_ok(),
            stock_validator().is_valid(&instance),
            "the schema stage and jsonschema disagree on {instance}"
        );
    }
    match program::check(file, targets) {
        Ok(checked) => assert_sound(&checked.warnings),
        Err(diagnostics) => {
            assert!(diagnostics.has_errors(), "a failed check reports an error");
            assert_sound(&diagnostics);
        }
    }
}

/// jsonschema's validator for the published schema, built as it ships.
fn stock_validator() -> &'static jsonschema::Validator {
    static STOCK: std::sync::OnceLock<jsonschema::Validator> = std::sync::OnceLock::new();
    STOCK.get_or_init(|| {
        jsonschema::options()
            .should_validate_formats(true)
            .build(atlasod::validate::schema::schema())
            .expect("the schema compiles")
    })
}

/// Every span lies inside the text on character boundaries, and every renderer works.
fn assert_sound(diagnostics: &Diagnostics) {
    for d in diagnostics {
        let text = d.file.text();
        for span in std::iter::once(d.primary.span).chain(d.secondary.iter().map(|l| l.span)) {
            assert!(span.start <= span.end && span.end <= text.len(), "{span:?}");
            assert!(text.is_char_boundary(span.start) && text.is_char_boundary(span.end));
        }
        assert!(!d.message.contains("internal error"), "{}", d.message);
    }
    let human = report::human(diagnostics, HumanStyle::PLAIN);
    assert_eq!(human.is_empty(), diagnostics.is_empty());
    let _ = report::json(diagnostics);
    let _ = report::github(diagnostics);
}

fn examples() -> Vec<String> {
    support::specs::examples()
        .iter()
        .map(support::specs::Spec::text)
        .collect()
}

/// Keys of the spec language, so random documents reach past "unknown key".
const KEYS: &[&str] = &[
    "version",
    "name",
    "title",
    "contact",
    "schedule",
    "start",
    "end",
    "cloud",
    "aws",
    "gcp",
    "openstack",
    "kubernetes",
    "local",
    "region",
    "instance",
    "project",
    "zone",
    "auth_url",
    "flavor",
    "image",
    "network",
    "floating_ip_pool",
    "context",
    "namespace",
    "port",
    "access",
    "admin_cidr",
    "ssh_public_key",
    "disk",
    "users",
    "count",
    "cpu",
    "memory",
    "storage",
    "admins",
    "auth",
    "method",
    "allowed",
    "oidc",
    "issuer",
    "client_id",
    "username_claim",
    "environment",
    "preset",
    "datasets",
    "url",
    "sha256",
    "size",
    "notebooks",
    "repo",
    "ref",
    "path",
    "hub",
    "domain",
    "https",
    "idle_timeout",
    "instanse",
    "",
];

/// Values that mean something somewhere in a spec.
const WORDS: &[&str] = &[
    "auto",
    "eu-central-1",
    "europe-west1",
    "europe-west1-b",
    "t3.medium",
    "m6i.4xlarge",
    "n2-standard-16",
    "2GiB",
    "0.5GiB",
    "99999999999999999999TiB",
    "1h",
    "2m",
    "1h30",
    "2027-03-10T08:00:00Z",
    "2027-02-30T08:00:00Z",
    "203.0.113.0/24",
    "native",
    "github",
    "oidc",
    "dummy",
    "off",
    "letsencrypt",
    "root",
    "python",
    "atlas-2020-13tev-4lep",
    "atlas-2016-8tev",
    "my-org/*",
    "https://auth.cern.ch/auth/realms/cern",
    "alice",
    "Alice",
    "masterclass-2027",
    "",
    "é🎓",
    "quay.io/jupyter/scipy-notebook:2025-03-17",
];

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        (-1.0e6f64..1.0e6).prop_map(Value::from),
        prop::sample::select(WORDS).prop_map(Value::from),
        "[a-z0-9./:-]{0,12}".prop_map(Value::from),
    ];
    leaf.prop_recursive(5, 64, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..5).prop_map(Value::Array),
            prop::collection::vec((prop::sample::select(KEYS), inner), 0..6).prop_map(|pairs| {
                let map: Map<String, Value> =
                    pairs.into_iter().map(|(k, v)| (k.to_owned(), v)).collect();
                Value::Object(map)
            }),
        ]
    })
}

/// A spec with the required keys and random values elsewhere.
fn spec_like() -> impl Strategy<Value = Value> {
    (
        prop::collection::vec((prop::sample::select(KEYS), json_value()), 0..8),
        json_value(),
    )
        .prop_map(|(pairs, users)| {
            let mut map = Map::new();
            map.insert("version".into(), Value::from(1));
            map.insert("name".into(), Value::from("fuzz-spec"));
            map.insert("users".into(), users);
            for (k, v) in pairs {
                map.insert(k.to_owned(), v);
            }
            Value::Object(map)
        })
}

#[derive(Debug, Clone)]
enum Edit {
    Delete { at: usize, len: usize },
    Insert { at: usize, text: String },
    DuplicateLine { line: usize },
    Indent { line: usize, by: usize },
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        (any::<usize>(), 0usize..40).prop_map(|(at, len)| Edit::Delete { at, len }),
        (
            any::<usize>(),
            prop_oneof![
                prop::sample::select(WORDS).prop_map(str::to_owned),
                prop::sample::select(KEYS).prop_map(|k| format!("{k}: ")),
                "[ :\\-\\[\\]{}'\"#&*!|>\t\n]{1,4}",
            ]
        )
            .prop_map(|(at, text)| Edit::Insert { at, text }),
        any::<usize>().prop_map(|line| Edit::DuplicateLine { line }),
        (any::<usize>(), 1usize..4).prop_map(|(line, by)| Edit::Indent { line, by }),
    ]
}

/// Applies an edit at a position taken modulo the text, on a char boundary.
fn apply(text: &mut String, edit: &Edit) {
    let boundary = |text: &str, at: usize| {
        let mut at = at % (text.len() + 1);
        while !text.is_char_boundary(at) {
            at -= 1;
        }
        at
    };
    let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
    match edit {
        Edit::Delete { at, len } => {
            let start = boundary(text, *at);
            let end = boundary(text, start + len).max(start);
            text.replace_range(start..end, "");
            return;
        }
        Edit::Insert { at, text: insert } => {
            let at = boundary(text, *at);
            text.insert_str(at, insert);
            return;
        }
        Edit::DuplicateLine { line } if !lines.is_empty() => {
            let line = line % lines.len();
            lines.insert(line, lines[line].clone());
        }
        Edit::Indent { line, by } if !lines.is_empty() => {
            let line = line % lines.len();
            lines[line].insert_str(0, &" ".repeat(*by));
        }
        _ => return,
    }
    *text = lines.join("\n");
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn random_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..400)) {
        check_bytes(bytes, None);
    }

    #[test]
    fn yaml_ish_text_never_panics(text in "[a-z0-9_:\\- \n\t\\[\\]{},'\"#&*!|>.%@`?~]{0,300}") {
        check_bytes(text.into_bytes(), None);
    }

    #[test]
    fn random_specs_never_panic(spec in spec_like(), all_targets in any::<bool>()) {
        let targets = all_targets.then_some(Target::ALL);
        let pretty = serde_json::to_string_pretty(&spec).unwrap();
        check_bytes(pretty.into_bytes(), targets);
    }

    #[test]
    fn edited_examples_never_panic(
        which in any::<prop::sample::Index>(),
        edits in prop::collection::vec(edit(), 1..6),
        all_targets in any::<bool>(),
    ) {
        let examples = examples();
        let mut text = which.get(&examples).clone();
        for e in &edits {
            apply(&mut text, e);
        }
        let targets = all_targets.then_some(Target::ALL);
        check_bytes(text.into_bytes(), targets);
    }
}

#[test]
fn check_is_deterministic() {
    for text in examples() {
        let mut text = text.replace("region: eu-central-1", "regoin: eu-centrl-1");
        text.push_str("\nusers: {count: 0}\n");
        let render =
            || match program::check(atlasod::SourceFile::new("a.yaml", text.as_str()), None) {
                Ok(_) => String::new(),
                Err(d) => report::json(&d),
            };
        assert_eq!(render(), render());
    }
}
