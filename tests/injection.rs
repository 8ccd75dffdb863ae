//! No spec value can break or inject into a generated file.
//!
//! A property test (proptest, a fixed number of cases so it fits CI) puts
//! arbitrary strings (quotes, `${`, `%{`, `{$`, backslashes, line breaks,
//! control characters, text that is not ASCII, very long text) into every
//! free-text field the schema accepts, for the hub bundle (`local`), a cloud
//! VM (`openstack`, whose resource names are free text) and `kubernetes`.
//! A value the schema refuses (a line break in a title) must be refused with
//! a diagnostic; every value it accepts must build, and then:
//! - every file has exactly as many lines as the bundle of the same spec with
//!   plain values: no value starts a line of its own (in a comment, that line
//!   would be code);
//! - `compose.yaml` and `values.yaml` parse to the same tree as with plain
//!   values (the values live only in comments there), and every YAML file parses;
//! - the Terraform files parse (hcl-rs), and each OpenStack name is the
//!   variable's default as a string literal, never a template;
//! - Python's own parser reads `jupyterhub_config.py` with the same statements
//!   as with plain values, and the OIDC settings as the exact strings.
//!
//! The heavy validators (docker-compose config, caddy, terraform fmt and
//! validate, cloud-init, the chart schema) run on the first cases of each
//! target. `tests/fixtures/hub/hostile-text/` is the snapshotted case.

#![allow(clippy::unwrap_used)] // tests may unwrap (clippy.toml covers #[test] fns only)

mod support;

use std::process::Command;

use atlasod::bundle::Bundle;
use atlasod::{SourceFile, Target, program};
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::{Config, TestRunner};
use serde_json::Value;
use support::{bundles, run_with_input, validators};

/// How many random strings each target gets.
const CASES: usize = 48;
/// How many of them also go through the heavy validators.
const HEAVY: usize = 2;

/// Pieces that some generated language reads as syntax.
const PIECES: &[&str] = &[
    "\"",
    "'",
    "\\",
    "${",
    "%{",
    "{$HOME}",
    "}",
    "{{",
    "#",
    "`",
    "```",
    "\n",
    "\r\n",
    "\t",
    "\u{85}",
    "\u{2028}",
    "\u{1b}[2J",
    "\0",
    "<script>",
    "&amp;",
    "$(id)",
    ";",
    "|",
    "]]",
    "'''",
    "\"\"\"",
    "é",
    "粒子",
    "🎓",
    "\u{feff}",
    " ",
    ": ",
    "- ",
    "*",
    "_",
];

fn strategy() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => proptest::collection::vec(
            prop_oneof![
                proptest::sample::select(PIECES).prop_map(str::to_owned),
                "[A-Za-z0-9 .-]{1,6}",
            ],
            1..10
        )
        .prop_map(|parts| parts.concat()),
        2 => any::<String>(),
        1 => "[ -~]{150,200}",
    ]
}

/// `CASES` strings, the same on every run.
fn strings() -> Vec<String> {
    let mut runner = TestRunner::new_with_rng(
        Config::default(),
        proptest::test_runner::TestRng::deterministic_rng(
            proptest::test_runner::RngAlgorithm::ChaCha,
        ),
    );
    let strategy = strategy();
    (0..CASES)
        .map(|_| strategy.new_tree(&mut runner).unwrap().current())
        .collect()
}

/// A spec file as JSON (JSON is YAML, so any string is quoted right).
fn base(path: &str) -> Value {
    let text = std::fs::read_to_string(support::repo().join(path)).unwrap();
    atlasod::parse::parse_document(&SourceFile::new(path, text))
        .unwrap()
        .to_json()
}

/// One target's spec and the free-text fields it gets the value in.
struct Subject {
    target: Target,
    spec: Value,
    fields: &'static [&'static str],
}

fn subjects() -> Vec<Subject> {
    vec![
        Subject {
            target: Target::Local,
            spec: base("tests/fixtures/hub/oidc-cern/workshop.yaml"),
            fields: &[
                "/title",
                "/auth/oidc/client_id",
                "/auth/oidc/username_claim",
            ],
        },
        Subject {
            target: Target::Openstack,
            spec: base("examples/cern-openstack.yaml"),
            fields: &[
                "/title",
                "/cloud/openstack/region",
                "/cloud/openstack/flavor",
                "/cloud/openstack/image",
                "/cloud/openstack/network",
                "/cloud/openstack/floating_ip_pool",
            ],
        },
        Subject {
            target: Target::Kubernetes,
            spec: base("examples/online-k8s.yaml"),
            fields: &["/title", "/cloud/kubernetes/context"],
        },
    ]
}

fn with(spec: &Value, fields: &[&str], value: &str) -> Value {
    let mut spec = spec.clone();
    for field in fields {
        let (parent, key) = field.rsplit_once('/').unwrap();
        let object = spec.pointer_mut(parent).unwrap().as_object_mut().unwrap();
        object.insert(key.to_owned(), Value::String(value.to_owned()));
    }
    spec
}

/// Builds the spec; `None` when `check` refuses it (with a diagnostic).
fn build(spec: &Value, target: Target) -> Option<Bundle> {
    let text = serde_json::to_string_pretty(spec).unwrap();
    match program::build(SourceFile::new("workshop.yaml", text), target) {
        Ok(built) => Some(built.bundle),
        Err(program::BuildFailure::Invalid(diagnostics)) => {
            assert!(diagnostics.has_errors(), "refused without an error");
            None
        }
        Err(program::BuildFailure::Failed(error)) => {
            panic!("a spec that passes check fails to build: {error}\n{spec:#}")
        }
    }
}

/// Every document of a YAML stream (a manifest file holds several).
fn yaml(text: &str, what: &str) -> Value {
    let documents: Vec<Value> = text
        .split("\n---\n")
        .map(|document| {
            atlasod::parse::parse_document(&SourceFile::new(what, document))
                .unwrap_or_else(|_| panic!("{what} is not YAML any more:\n{text}"))
                .to_json()
        })
        .collect();
    Value::Array(documents)
}

/// `text` with the environment's fingerprint on the login page masked: it is a hash of the
/// spec, so it differs between any two specs by design.
fn without_fingerprint(text: &str) -> String {
    const SHOWN: &str = "Workshop environment <code>";
    let (mut out, mut rest) = (String::new(), text);
    while let Some(at) = rest.find(SHOWN) {
        let end = at + SHOWN.len();
        out.push_str(&rest[..end]);
        out.push_str("FINGERPRINT");
        rest = rest
            .get(end + atlasod::plan::fingerprint::SHORT..)
            .unwrap_or("");
    }
    out.push_str(rest);
    out
}

/// The parse-level checks of one bundle against the bundle of plain values.
fn same_shape(bundle: &Bundle, plain: &Bundle, value: &str, what: &str) {
    assert_eq!(
        bundle.files.keys().collect::<Vec<_>>(),
        plain.files.keys().collect::<Vec<_>>(),
        "{what}: other files"
    );
    for (path, file) in &bundle.files {
        let text = String::from_utf8(file.contents.clone()).unwrap();
        let plain_text = plain.text(path).unwrap();
        assert_eq!(
            text.lines().count(),
            plain_text.lines().count(),
            "{what}: {path} has other lines with {value:?}:\n{text}"
        );
        let extension = std::path::Path::new(path.as_str()).extension();
        if extension.is_some_and(|e| e == "yaml" || e == "yml") {
            yaml(&text, path); // still YAML
            if path == "compose.yaml" || path == "values.yaml" {
                let (tree, plain_tree) = (
                    yaml(&without_fingerprint(&text), path),
                    yaml(&without_fingerprint(plain_text), path),
                );
                assert_eq!(tree, plain_tree, "{what}: {path} changed shape");
            }
        }
        if extension.is_some_and(|e| e == "tf") {
            let body = hcl::parse(&text)
                .unwrap_or_else(|e| panic!("{what}: {path} is not HCL any more: {e}\n{text}"));
            if path == "terraform/variables.tf" {
                for name in ["image", "network", "floating_ip_pool"] {
                    if let Some(default) = variable_default(&body, name) {
                        assert_eq!(
                            default,
                            &hcl::Expression::String(value.to_owned()),
                            "{what}: variable {name}"
                        );
                    }
                }
            }
        }
    }
}

fn variable_default<'a>(body: &'a hcl::Body, name: &str) -> Option<&'a hcl::Expression> {
    body.blocks()
        .find(|b| b.identifier() == "variable" && b.labels()[0].as_str() == name)?
        .body()
        .attributes()
        .find(|a| a.key() == "default")
        .map(hcl::Attribute::expr)
}

/// What Python's parser sees in a `jupyterhub_config.py`: the number of
/// top-level statements and every string constant, as JSON.
fn python_view(config: &str) -> Value {
    const VIEW: &str = "import ast, json, sys\n\
        tree = ast.parse(sys.stdin.read())\n\
        strings = [n.value for n in ast.walk(tree) if isinstance(n, ast.Constant) and isinstance(n.value, str)]\n\
        print(json.dumps({'statements': len(tree.body), 'strings': strings}))\n";
    let ran = run_with_input(Command::new("python3").args(["-c", VIEW]), config);
    ran.assert_ok("python3 ast.parse(jupyterhub_config.py)");
    serde_json::from_str(&ran.stdout).unwrap()
}

#[test]
fn no_spec_value_breaks_or_injects_into_a_generated_file() {
    let strings = strings();
    let scratch = bundles::scratch(&["injection"]);
    let mut summary = Vec::new();
    for subject in subjects() {
        let target = subject.target;
        let plain = build(&with(&subject.spec, subject.fields, "plain"), target)
            .unwrap_or_else(|| panic!("{target}: the plain spec must build"));
        let plain_python = plain.text("jupyterhub_config.py").map(python_view);
        let (mut built, mut refused) = (0, 0);
        for (index, value) in strings.iter().enumerate() {
            let what = format!("{target} case {index}");
            let Some(bundle) = build(&with(&subject.spec, subject.fields, value), target) else {
                refused += 1;
                continue;
            };
            same_shape(&bundle, &plain, value, &what);
            if let (Some(config), Some(plain_view)) =
                (bundle.text("jupyterhub_config.py"), &plain_python)
            {
                let view = python_view(config);
                assert_eq!(
                    view["statements"], plain_view["statements"],
                    "{what}: other statements in jupyterhub_config.py"
                );
                let strings = view["strings"].as_array().unwrap();
                assert!(
                    strings.iter().filter(|s| *s == value).count() >= 2,
                    "{what}: client_id and username_claim are not the exact strings {value:?}"
                );
            }
            if built < HEAVY {
                heavy(
                    &bundle,
                    target,
                    &scratch.join(format!("{target}-{index}")),
                    &what,
                );
            }
            built += 1;
        }
        summary.push(format!("{target}: {built} built, {refused} refused"));
        assert!(
            built >= CASES / 4,
            "{target}: too few cases built: {summary:?}"
        );
    }
    // `cargo test -- --nocapture` shows how many cases each target built.
    #[allow(clippy::print_stderr)]
    {
        eprintln!("{}", summary.join("; "));
    }
}

/// The real programs, on a few bundles.
fn heavy(bundle: &Bundle, target: Target, dir: &std::path::Path, what: &str) {
    bundles::write(bundle, dir);
    match target {
        Target::Local => {
            let unset: Vec<String> = Vec::new();
            validators::compose_config(dir, &unset, what);
            if bundle.get("Caddyfile").is_some() {
                validators::caddy(&dir.join("Caddyfile"), what);
            }
        }
        Target::Kubernetes => {
            validators::z2jh_values(&[dir.join("values.yaml")], what);
        }
        _ => {
            // Not python-hcl2 here: 8.1.4 cannot read an escaped `$${` without a
            // closing `}` (a valid literal, which Terraform reads as `${`).
            let module = dir.join("terraform");
            validators::terraform(&module, what);
            let values = serde_json::json!({ "host_env": "A=1\n", "dotenv": "B='2'\n" });
            let template = module.join("user-data.yaml.tftpl");
            if let Some(report) = validators::user_data_as_received(&template, &values, false, what)
            {
                assert_eq!(
                    report["problems"],
                    serde_json::json!([]),
                    "{what}: {report:#}"
                );
            }
        }
    }
}

#[test]
fn the_strings_reach_every_kind_of_trouble() {
    let strings = strings();
    for piece in ["\n", "${", "%{", "\\", "\"", "'"] {
        assert!(
            strings.iter().any(|s| s.contains(piece)),
            "no case has {piece:?}"
        );
    }
    assert!(
        strings.iter().any(|s| s.chars().count() >= 150),
        "no long case"
    );
    assert!(strings.iter().any(|s| !s.is_ascii()), "no non-ASCII case");
}
