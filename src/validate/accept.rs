//! The quick yes of stage 2a: does the spec's JSON fit the schema, without
//! building jsonschema's validator?
//!
//! Input: the schema, as the build script writes it ([`Schema`]: the
//! published schema without annotations, a Rust static, so nothing is parsed)
//! and a spec's JSON. Output: `true` only when
//! jsonschema's validator (`schema::validator`) would find no error. `false`
//! means "not sure": the caller then builds that validator, which has the last
//! word and the errors to report. Building it cost more than half of every
//! `check` process; a spec that fits, the common case, no longer pays it.
//!
//! The invariant is one-sided and tested both ways: every keyword the schema
//! uses is read as JSON Schema 2020-12 reads it (jsonschema's semantics, with
//! formats asserted) or answered `false`; formats accept a plain subset of
//! what jsonschema accepts. `schema::tests::start_up_validator_and_the_quick_yes_report_what_jsonschema_reports`
//! holds the two to the same verdict on every fixture, valid and invalid, and
//! `tests/no_panic.rs` on mutated specs (a quick yes where jsonschema says no
//! fails it). A keyword this file does not know answers `false`, so a schema
//! that grows one stays correct, only slower, until it is taught here.

use serde_json::{Number, Value as Json};

/// A schema as `build/schema.rs` writes it: JSON made of static parts.
#[derive(Debug)]
#[allow(dead_code)] // the schema holds no `null` or fractional number today; the type holds any JSON
pub(crate) enum Schema {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(&'static str),
    List(&'static [Schema]),
    Object(&'static [(&'static str, Schema)]),
}

impl Schema {
    fn get(&self, key: &str) -> Option<&Schema> {
        match self {
            Schema::Object(entries) => entries.iter().find(|(k, _)| *k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    fn as_str(&self) -> Option<&'static str> {
        match self {
            Schema::Str(text) => Some(text),
            _ => None,
        }
    }

    fn as_list(&self) -> Option<&'static [Schema]> {
        match self {
            Schema::List(items) => Some(items),
            _ => None,
        }
    }

    fn as_u64(&self) -> Option<u64> {
        match self {
            Schema::Int(n) => u64::try_from(*n).ok(),
            _ => None,
        }
    }

    fn as_bool(&self) -> Option<bool> {
        match self {
            Schema::Bool(b) => Some(*b),
            _ => None,
        }
    }

    /// A JSON pointer (`/$defs/size`) into this schema.
    fn pointer(&self, pointer: &str) -> Option<&Schema> {
        if pointer.contains('~') {
            return None; // escaped segments: not used by the schema, not taught here
        }
        let mut at = self;
        for segment in pointer.split('/').skip(1) {
            at = at.get(segment)?;
        }
        Some(at)
    }

    /// Equal as serde_json compares, which is stricter than JSON Schema (`1` is not `1.0`).
    fn equals(&self, instance: &Json) -> bool {
        match (self, instance) {
            (Schema::Null, Json::Null) => true,
            (Schema::Bool(a), Json::Bool(b)) => a == b,
            (Schema::Int(a), Json::Number(b)) => {
                b.as_i64() == Some(*a) || (*a >= 0 && b.as_u64() == u64::try_from(*a).ok())
            }
            #[allow(clippy::float_cmp)] // exact equality is the point
            (Schema::Float(a), Json::Number(b)) => b.is_f64() && b.as_f64() == Some(*a),
            (Schema::Str(a), Json::String(b)) => a == b,
            (Schema::List(a), Json::Array(b)) => {
                a.len() == b.len() && a.iter().zip(b).all(|(a, b)| a.equals(b))
            }
            (Schema::Object(a), Json::Object(b)) => {
                a.len() == b.len()
                    && a.iter()
                        .all(|(k, v)| b.get(*k).is_some_and(|b| v.equals(b)))
            }
            _ => false,
        }
    }
}

/// Whether `instance` surely fits `schema`; `root` resolves `$ref`s, `pattern`
/// matches a `pattern` keyword's source against a string.
pub(crate) fn accepts(
    schema: &Schema,
    instance: &Json,
    root: &Schema,
    pattern: &dyn Fn(&str, &str) -> bool,
) -> bool {
    let context = Context { root, pattern };
    context.fits(schema, instance)
}

struct Context<'a> {
    root: &'a Schema,
    pattern: &'a dyn Fn(&str, &str) -> bool,
}

impl Context<'_> {
    fn fits(&self, schema: &Schema, instance: &Json) -> bool {
        match schema {
            Schema::Bool(accepts) => *accepts,
            Schema::Object(keywords) => keywords
                .iter()
                .all(|(keyword, value)| self.keyword(schema, keyword, value, instance)),
            _ => false,
        }
    }

    #[allow(clippy::too_many_lines)] // one arm per keyword
    fn keyword(&self, keywords: &Schema, name: &str, value: &Schema, instance: &Json) -> bool {
        match name {
            // Annotations: they constrain nothing.
            "$schema" | "$id" | "$defs" | "$comment" | "title" | "description" | "default"
            | "examples" => true,
            "$ref" => value
                .as_str()
                .and_then(|reference| reference.strip_prefix('#'))
                .and_then(|pointer| self.root.pointer(pointer))
                .is_some_and(|target| self.fits(target, instance)),
            "type" => value.as_str().is_some_and(|ty| has_type(ty, instance)),
            "const" => value.equals(instance),
            "enum" => value
                .as_list()
                .is_some_and(|allowed| allowed.iter().any(|a| a.equals(instance))),
            "anyOf" => value
                .as_list()
                .is_some_and(|branches| branches.iter().any(|branch| self.fits(branch, instance))),
            "properties" => {
                let Schema::Object(_) = value else {
                    return false;
                };
                let Some(object) = instance.as_object() else {
                    return true;
                };
                object
                    .iter()
                    .all(|(key, item)| value.get(key).is_none_or(|schema| self.fits(schema, item)))
            }
            "additionalProperties" => {
                // With `patternProperties` the extra keys are another set: not taught here.
                if keywords.get("patternProperties").is_some() {
                    return false;
                }
                let Some(object) = instance.as_object() else {
                    return true;
                };
                let declared = keywords.get("properties");
                object
                    .iter()
                    .filter(|(key, _)| declared.is_none_or(|declared| declared.get(key).is_none()))
                    .all(|(_, extra)| self.fits(value, extra))
            }
            "required" => {
                let Some(names) = value.as_list() else {
                    return false;
                };
                let Some(object) = instance.as_object() else {
                    return true;
                };
                names
                    .iter()
                    .all(|name| name.as_str().is_some_and(|name| object.contains_key(name)))
            }
            "items" => match instance.as_array() {
                Some(items) => items.iter().all(|item| self.fits(value, item)),
                None => true,
            },
            "uniqueItems" => match (value.as_bool(), instance.as_array()) {
                (Some(false), _) | (Some(true), None) => true,
                (Some(true), Some(items)) => unique_strings(items),
                (None, _) => false,
            },
            "minLength" | "maxLength" => match (value.as_u64(), instance.as_str()) {
                (Some(bound), Some(text)) => {
                    let length = text.chars().count() as u64;
                    if name == "minLength" {
                        length >= bound
                    } else {
                        length <= bound
                    }
                }
                (Some(_), None) => true,
                (None, _) => false,
            },
            "minimum" | "maximum" | "exclusiveMinimum" | "exclusiveMaximum" => {
                match (value, instance.as_number()) {
                    (Schema::Int(bound), Some(number)) => within(name, number, *bound),
                    (Schema::Int(_), None) => true,
                    _ => false,
                }
            }
            "pattern" => match (value.as_str(), instance.as_str()) {
                (Some(source), Some(text)) => (self.pattern)(source, text),
                (Some(_), None) => true,
                (None, _) => false,
            },
            "format" => match (value.as_str(), instance.as_str()) {
                (Some(format), Some(text)) => plain_format(format, text),
                (Some(_), None) => true,
                (None, _) => false,
            },
            _ => false,
        }
    }
}

fn has_type(ty: &str, instance: &Json) -> bool {
    match ty {
        "null" => instance.is_null(),
        "boolean" => instance.is_boolean(),
        "string" => instance.is_string(),
        "object" => instance.is_object(),
        "array" => instance.is_array(),
        "number" => instance.is_number(),
        // A float with no fraction (`2.0`) is an integer to JSON Schema; it is
        // left to jsonschema.
        "integer" => instance.is_i64() || instance.is_u64(),
        _ => false,
    }
}

/// All strings, none twice. Anything else (where `1` equals `1.0`) is left to jsonschema.
fn unique_strings(items: &[Json]) -> bool {
    let mut seen = std::collections::HashSet::with_capacity(items.len());
    items
        .iter()
        .all(|item| item.as_str().is_some_and(|text| seen.insert(text)))
}

/// `number` against an integer bound: exact for integers, and for a float
/// when the bound is one a float holds exactly. Anything else is left to jsonschema.
fn within(keyword: &str, number: &Number, bound: i64) -> bool {
    use std::cmp::Ordering;
    const EXACT: i64 = 1 << 53;
    let order = if let Some(n) = as_i128(number) {
        n.cmp(&i128::from(bound))
    } else {
        let Some(n) = number.as_f64() else {
            return false;
        };
        if !n.is_finite() || !(-EXACT..=EXACT).contains(&bound) {
            return false;
        }
        #[allow(clippy::cast_precision_loss)] // |bound| <= 2^53: exact
        let bound = bound as f64;
        match n.partial_cmp(&bound) {
            Some(order) => order,
            None => return false,
        }
    };
    match keyword {
        "minimum" => order != Ordering::Less,
        "maximum" => order != Ordering::Greater,
        "exclusiveMinimum" => order == Ordering::Greater,
        "exclusiveMaximum" => order == Ordering::Less,
        _ => false,
    }
}

fn as_i128(number: &Number) -> Option<i128> {
    number
        .as_i64()
        .map(i128::from)
        .or_else(|| number.as_u64().map(i128::from))
}

/// A plain subset of each format jsonschema asserts; anything outside it is left to jsonschema.
fn plain_format(format: &str, text: &str) -> bool {
    match format {
        "date-time" => plain_date_time(text),
        "email" => plain_email(text),
        "uri" => plain_uri(text),
        _ => false,
    }
}

/// `2027-03-14T09:00:00Z`, `2027-03-14T09:00:00.5+01:00`: RFC 3339 with an
/// upper-case `T` and `Z` and no leap second.
fn plain_date_time(text: &str) -> bool {
    let bytes = text.as_bytes();
    let digits = |range: std::ops::Range<usize>| -> Option<u32> {
        let part = bytes.get(range)?;
        part.iter()
            .all(u8::is_ascii_digit)
            .then(|| part.iter().fold(0, |n, d| n * 10 + u32::from(d - b'0')))
    };
    let at = |i: usize, c: u8| bytes.get(i) == Some(&c);
    let (Some(year), Some(month), Some(day)) = (digits(0..4), digits(5..7), digits(8..10)) else {
        return false;
    };
    let (Some(hour), Some(minute), Some(second)) = (digits(11..13), digits(14..16), digits(17..19))
    else {
        return false;
    };
    if !(at(4, b'-') && at(7, b'-') && at(10, b'T') && at(13, b':') && at(16, b':')) {
        return false;
    }
    let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    let days = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    if day == 0 || day > days || hour > 23 || minute > 59 || second > 59 {
        return false;
    }
    let mut rest = &text[19..];
    if let Some(fraction) = rest.strip_prefix('.') {
        let count = fraction.bytes().take_while(u8::is_ascii_digit).count();
        if count == 0 {
            return false;
        }
        rest = &fraction[count..];
    }
    match rest.as_bytes() {
        b"Z" => true,
        [b'+' | b'-', h1, h2, b':', m1, m2] => {
            let all = [h1, h2, m1, m2].iter().all(|d| d.is_ascii_digit());
            all && (h1 - b'0') * 10 + (h2 - b'0') <= 23 && (m1 - b'0') * 10 + (m2 - b'0') <= 59
        }
        _ => false,
    }
}

/// `name.o'brien+tag@cern.ch`: a dot-atom (RFC 5322's atext: letters, digits and
/// ``!#$%&'*+/=?^_`{|}~-``), at a
/// host name of at least two labels whose last is letters.
fn plain_email(text: &str) -> bool {
    let Some((local, domain)) = text.split_once('@') else {
        return false;
    };
    // RFC 5321's limits: 64 for the local part, 254 for the whole address.
    let local_ok = text.len() <= 254
        && !local.is_empty()
        && local.len() <= 64
        && local.split('.').all(|atom| {
            !atom.is_empty()
                && atom
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+/=?^_`{|}~-".contains(&b))
        });
    local_ok && plain_host(domain) && domain.contains('.')
}

/// `example.org`: labels of letters, digits and inner `-`, the last of letters.
fn plain_host(host: &str) -> bool {
    let labels: Vec<&str> = host.split('.').collect();
    host.len() <= 253
        && labels.iter().all(|label| {
            let bytes = label.as_bytes();
            (1..=63).contains(&bytes.len())
                && bytes
                    .iter()
                    .all(|b| b.is_ascii_alphanumeric() || *b == b'-')
                && bytes.first() != Some(&b'-')
                && bytes.last() != Some(&b'-')
        })
        && labels
            .last()
            .is_some_and(|last| last.bytes().all(|b| b.is_ascii_alphabetic()))
}

/// `https://host.example.org:8443/path/file.tar.gz?x=1#top`: a lower-case
/// scheme, `://`, a plain host, an optional port, and a path, query and
/// fragment of unreserved characters, sub-delimiters, `:@/?` and `%XX`.
fn plain_uri(text: &str) -> bool {
    let Some((scheme, rest)) = text.split_once("://") else {
        return false;
    };
    let scheme_ok = scheme
        .bytes()
        .next()
        .is_some_and(|b| b.is_ascii_lowercase())
        && scheme
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"+.-".contains(&b));
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(end);
    let (host, port) = authority.split_once(':').unwrap_or((authority, "1"));
    let port_ok = !port.is_empty() && port.len() <= 5 && port.bytes().all(|b| b.is_ascii_digit());
    scheme_ok && plain_host(host) && port_ok && plain_uri_tail(tail)
}

fn plain_uri_tail(tail: &str) -> bool {
    let bytes = tail.as_bytes();
    let mut fragment = false;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b == b'%' {
            let hex = bytes.get(i + 1..i + 3);
            if !hex.is_some_and(|h| h.iter().all(u8::is_ascii_hexdigit)) {
                return false;
            }
            i += 3;
            continue;
        }
        if b == b'#' {
            if fragment {
                return false;
            }
            fragment = true;
        } else if !(b.is_ascii_alphanumeric() || b"-._~!$&'()*+,;=:@/?".contains(&b)) {
            return false;
        }
        i += 1;
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_formats_are_what_jsonschema_accepts() {
        let options = jsonschema::options().should_validate_formats(true);
        for (format, samples) in [
            (
                "date-time",
                &[
                    "2027-03-14T09:00:00Z",
                    "2028-02-29T23:59:59.123+01:00",
                    "2027-02-29T09:00:00Z",
                    "2027-03-14 09:00:00Z",
                    "2027-03-14T09:00:60Z",
                    "2027-13-01T00:00:00Z",
                    "2027-03-14T09:00:00",
                    "2027-03-14T09:00:00.Z",
                    "2027-03-14T24:00:00Z",
                    "2027-03-14T09:00:00-23:59",
                ][..],
            ),
            (
                "email",
                &[
                    "ana@cern.ch",
                    "a.b+c_d-e@x-y.example.org",
                    "o'brien!#$%&*/=?^_`{|}~@example.org",
                    "a..b@cern.ch",
                    "a@b",
                    "a@-b.org",
                    "@cern.ch",
                    "a@cern.c0",
                ][..],
            ),
            (
                "uri",
                &[
                    "https://opendata.cern.ch/record/15005/files/x.root?a=1#f",
                    "http://host:8080/p%20q",
                    "s3://bucket.example.org/key",
                    "https://x y.org/",
                    "https://host/%zz",
                    "https:///path",
                    "relative/path",
                    "https://host:/p",
                ][..],
            ),
        ] {
            let schema = serde_json::json!({ "format": format });
            let validator = options.build(&schema).expect("a format schema");
            let mut yes = 0;
            for sample in samples {
                let instance = Json::String((*sample).to_owned());
                let plain = plain_format(format, sample);
                assert!(
                    !plain || validator.is_valid(&instance),
                    "{format}: {sample:?} is plain but jsonschema rejects it"
                );
                yes += usize::from(plain);
            }
            assert!(
                yes >= 2,
                "{format}: the plain subset accepts only {yes} samples"
            );
        }
    }

    #[test]
    fn numbers_compare_exactly() {
        let n = |v: Json| v.as_number().cloned().expect("a number");
        assert!(within("minimum", &n(0.into()), 0));
        assert!(!within("exclusiveMinimum", &n(0.into()), 0));
        assert!(within("exclusiveMinimum", &n(0.5.into()), 0));
        assert!(!within("maximum", &n(64.5.into()), 64));
        assert!(within("maximum", &n(i64::MAX.into()), i64::MAX));
        assert!(within("minimum", &n(u64::MAX.into()), i64::MAX));
        assert!(
            !within("maximum", &n(0.5.into()), i64::MAX),
            "left to jsonschema"
        );
    }

    #[test]
    fn static_values_equal_as_serde_json_does() {
        static LIST: [Schema; 2] = [Schema::Null, Schema::Bool(true)];
        static OBJECT: [(&str, Schema); 1] = [("k", Schema::Int(2))];
        assert!(Schema::Int(1).equals(&serde_json::json!(1)));
        assert!(!Schema::Int(1).equals(&serde_json::json!(1.0)));
        assert!(Schema::Float(0.5).equals(&serde_json::json!(0.5)));
        assert!(Schema::Str("a").equals(&serde_json::json!("a")));
        assert!(!Schema::Str("a").equals(&serde_json::json!(["a"])));
        assert!(Schema::List(&LIST).equals(&serde_json::json!([null, true])));
        assert!(Schema::Object(&OBJECT).equals(&serde_json::json!({"k": 2})));
        assert!(!Schema::Object(&OBJECT).equals(&serde_json::json!({"k": 2, "j": 1})));
        assert_eq!(
            Schema::Object(&OBJECT)
                .pointer("/k")
                .and_then(Schema::as_u64),
            Some(2)
        );
    }
}
