//! How a schema error is worded: skeletons to paste, synonyms of keys, the
//! words for ranges, types and forms, and elided quotes of what was written.
//!
//! Pure text functions; no positions and no validator text.

use serde_json::Value as Json;

use crate::diagnostic::Diagnostic;
use crate::units::indent;
use crate::validate::hint::Form;
use crate::validate::schema::Subschema;

pub(super) fn with_note(diagnostic: Diagnostic, note: Option<String>) -> Diagnostic {
    match note {
        Some(note) => diagnostic.note(note),
        None => diagnostic,
    }
}

/// `key: example`, or for a mapping its required keys with examples, as YAML lines.
pub(super) fn skeleton(key: &str, sub: Option<Subschema>) -> String {
    let Some(sub) = sub else {
        return format!("{key}: ...");
    };
    if let Some(example) = sub.example() {
        return format!("{key}: {example}");
    }
    let required = sub.required();
    if required.is_empty() {
        // Every key optional (`users`: `count` or `roster`): the first one that has an example.
        return sub
            .keys()
            .into_iter()
            .find_map(|name| {
                let example = sub.property(name)?.example()?;
                Some(format!("{key}:\n  {name}: {example}"))
            })
            .unwrap_or_else(|| format!("{key}: ..."));
    }
    let mut lines = vec![format!("{key}:")];
    for name in required {
        let child = sub.property(name);
        lines.push(indent(&skeleton(name, child), 2));
    }
    lines.join("\n")
}

/// `region:eu-central-1`: a key and value with no space after the colon.
pub(super) fn looks_like_key_value(text: &str) -> bool {
    text.split_once(':').is_some_and(|(key, value)| {
        !key.is_empty()
            && !value.starts_with([' ', '/'])
            && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
    })
}

/// Keys people write for a key the spec spells differently (`branch` for `ref`).
pub(super) fn key_synonym(key: &str, allowed: &[&'static str]) -> Option<&'static str> {
    let meant = match key.to_ascii_lowercase().as_str() {
        "branch" | "tag" | "revision" => "ref",
        "url" | "repository" | "git" => "repo",
        "flavour" | "instance_type" | "machine_type" | "type" | "size" => {
            if allowed.contains(&"flavor") {
                "flavor"
            } else {
                "instance"
            }
        }
        "number" | "students" | "participants" | "n" => "count",
        "cores" | "cpus" | "vcpu" => "cpu",
        "ram" | "mem" => "memory",
        "home" | "disk" => "storage",
        "image_name" | "docker_image" | "container" => "image",
        "dataset" | "data" => "datasets",
        "notebook" | "repos" => "notebooks",
        _ => return None,
    };
    allowed.contains(&meant).then_some(meant)
}

/// Words people use for a value the spec spells differently.
pub(super) fn synonym(field: &str, written: &str) -> Option<&'static str> {
    match (field, written.to_ascii_lowercase().as_str()) {
        ("hub.https", "no" | "false" | "none" | "disabled" | "http") => Some("off"),
        ("hub.https", "letsencrypt.org" | "acme" | "lets-encrypt" | "let's encrypt") => {
            Some("letsencrypt")
        }
        ("auth.method", "password" | "shared") => Some("shared-password"),
        ("auth.method", "cern" | "sso" | "keycloak") => Some("oidc"),
        _ => None,
    }
}

/// "use a number from 1 to 10000", from the subschema's bounds.
pub(super) fn range_help(sub: Subschema) -> Option<String> {
    // A bound in words: `[inclusive keyword, word]` then `[exclusive keyword, word]`.
    let bound = |[(key, word), (exclusive, exclusive_word)]: [(&str, &str); 2]| {
        sub.number(key).map(|n| format!("{word} {n}")).or_else(|| {
            sub.number(exclusive)
                .map(|n| format!("{exclusive_word} {n}"))
        })
    };
    let low = bound([("minimum", "from"), ("exclusiveMinimum", "more than")]);
    let high = bound([("maximum", "to"), ("exclusiveMaximum", "less than")]);
    let kind = if sub.schema.get("type").and_then(Json::as_str) == Some("integer") {
        "a whole number"
    } else {
        "a number"
    };
    match (low, high) {
        (Some(low), Some(high)) if low.starts_with("from") && high.starts_with("to") => {
            Some(format!("use {kind} {low} {high}"))
        }
        (Some(low), Some(high)) => Some(format!(
            "use {kind} {low} and {}",
            high.replacen("to ", "at most ", 1)
        )),
        (Some(one), None) | (None, Some(one)) => Some(format!(
            "use {kind} {}",
            one.replacen("from ", "of at least ", 1)
                .replacen("to ", "of at most ", 1)
        )),
        (None, None) => None,
    }
}

/// "a catalogue id such as ..." or "a file of your own, downloaded once: a mapping with `name` and `url`".
pub(super) fn branch_words(branch: &Json) -> Option<String> {
    let description = branch.get("description").and_then(Json::as_str)?;
    let words = lower_first(description.trim_end_matches('.'));
    let required: Vec<&str> = branch
        .get("required")
        .and_then(Json::as_array)
        .map(|r| r.iter().filter_map(Json::as_str).collect())
        .unwrap_or_default();
    Some(if required.is_empty() {
        words
    } else {
        let keys: Vec<String> = required.iter().map(|k| format!("`{k}`")).collect();
        format!("{words}: a mapping with {}", keys.join(" and "))
    })
}

pub(super) fn form_noun(form: Form, format: Option<&str>) -> &'static str {
    match (form, format) {
        (Form::Size, _) => "a size",
        (Form::Duration, _) => "a duration",
        (Form::DateTime, _) => "an RFC 3339 date-time",
        (Form::Cidr, _) => "an IPv4 network in CIDR notation",
        (Form::Slug, _) => "a valid name",
        (Form::HttpsUrl, _) => "an `https://` URL",
        (Form::SshKey, _) => "an SSH public key",
        (Form::Sha256, _) => "a SHA-256",
        (Form::OneLine, _) => "one line of text",
        (Form::Email, _) | (Form::Other, Some("email")) => "an e-mail address",
        (Form::Other, Some("uri")) => "a URL",
        (Form::Other, _) => "a valid value",
    }
}

/// Long values are shortened in messages; the label shows them whole.
/// Control characters (a line break) are shown as their escapes, so the
/// message stays on one line.
pub(super) fn elide(text: &str) -> String {
    const MAX: usize = 40;
    let shown: String = text
        .chars()
        .map(|c| {
            if c.is_control() || matches!(c, '\u{2028}' | '\u{2029}') {
                c.escape_default().collect()
            } else {
                c.to_string()
            }
        })
        .collect();
    if shown.chars().count() <= MAX {
        shown
    } else {
        let head: String = shown.chars().take(MAX - 3).collect();
        format!("{head}...")
    }
}

/// `A catalogue id` → `a catalogue id`; acronyms (`CPU cores`) stay.
pub(super) fn lower_first(text: &str) -> String {
    let mut chars = text.chars();
    match (chars.next(), chars.next()) {
        (Some(first), Some(second)) if first.is_uppercase() && !second.is_uppercase() => {
            first.to_lowercase().chain(text.chars().skip(1)).collect()
        }
        _ => text.to_owned(),
    }
}

pub(super) fn type_word(ty: &str) -> &'static str {
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
