//! The one template environment every target renders with.
//!
//! Templates live under `targets/<name>/` and are embedded at build time.
//! Whitespace: `trim_blocks` and `lstrip_blocks` on, so block tags on their
//! own lines leave no blank lines, and the final newline is kept. Undefined
//! variables are errors, so a misspelt plan field fails the tests instead of
//! rendering empty. Filters quote values for the language being generated,
//! and a template never writes a value from the spec without one:
//! `py` (a Python literal), `sh` (a POSIX shell word), `yaml` (a YAML scalar),
//! `literal(indent)` (multi-line text as a YAML literal block), `comment`
//! (the rest of a `#` line comment, in any of these languages), `md` (Markdown
//! text), `code` (a Markdown code span), `fenced(lang)` (a Markdown fenced
//! code block) and `caddy` (a Caddyfile token).

use std::fmt::Write as _;
use std::sync::{Mutex, OnceLock, PoisonError};

use minijinja::syntax::SyntaxConfig;
use minijinja::{
    AutoEscape, Environment, Error as TemplateError, ErrorKind, UndefinedBehavior, Value,
};

use crate::error::Error;

/// A fresh environment with atlasod's syntax, filters and strictness.
pub fn environment() -> Environment<'static> {
    let mut env = Environment::new();
    if let Ok(syntax) = SyntaxConfig::builder()
        .trim_blocks(true)
        .lstrip_blocks(true)
        .keep_trailing_newline(true)
        .build()
    {
        env.set_syntax(syntax);
    }
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    // We generate code, not HTML: quoting is explicit, through the filters below.
    env.set_auto_escape_callback(|_| AutoEscape::None);
    env.add_filter("py", py);
    env.add_filter("sh", sh);
    env.add_filter("yaml", yaml);
    env.add_filter("literal", literal);
    env.add_filter("comment", comment);
    env.add_filter("md", md);
    env.add_filter("code", code);
    env.add_filter("caddy", caddy);
    env.add_filter("fenced", fenced);
    env
}

/// Renders the embedded template `name` (its text is `source`) with `context`.
///
/// One environment serves the whole process and parses each template the first time it is
/// rendered: a build of several targets renders the compose and cloud-init templates once per
/// target, and parsing them is work that does not depend on the spec.
pub fn render<S: serde::Serialize>(
    name: &'static str,
    source: &'static str,
    context: S,
) -> Result<String, Error> {
    static SHARED: OnceLock<Mutex<Environment<'static>>> = OnceLock::new();
    let fail = |e: TemplateError| Error::Internal(format!("template {name}: {e:#}"));
    // A panic while the lock was held leaves templates that were parsed whole: still usable.
    let mut env = SHARED
        .get_or_init(|| Mutex::new(environment()))
        .lock()
        .unwrap_or_else(PoisonError::into_inner);
    if env.get_template(name).is_err() {
        env.add_template(name, source).map_err(fail)?;
    }
    env.get_template(name)
        .and_then(|t| t.render(minijinja::value::Serde(&context)))
        .map_err(fail)
}

/// A Python literal: strings double-quoted and escaped, `True`/`False`/`None`, lists, dicts.
fn py(value: &Value) -> Result<String, TemplateError> {
    let json: serde_json::Value = serde_json::to_value(value)
        .map_err(|e| TemplateError::new(ErrorKind::InvalidOperation, format!("py: {e}")))?;
    Ok(py_literal(&json))
}

fn py_literal(value: &serde_json::Value) -> String {
    use serde_json::Value as J;
    match value {
        J::Null => "None".to_owned(),
        J::Bool(true) => "True".to_owned(),
        J::Bool(false) => "False".to_owned(),
        J::Number(n) => n.to_string(),
        // A JSON string literal is a valid Python string literal for all text
        // once non-ASCII is escaped, which serde_json does not do; do it here.
        J::String(s) => double_quoted(s, |c| (c as u32) < 0x20 || (c as u32) > 0x7e),
        J::Array(items) => format!(
            "[{}]",
            items.iter().map(py_literal).collect::<Vec<_>>().join(", ")
        ),
        J::Object(map) => format!(
            "{{{}}}",
            map.iter()
                .map(|(k, v)| format!("{}: {}", py_literal(&J::String(k.clone())), py_literal(v)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

/// A POSIX shell word: bare when safe, else single-quoted.
fn sh(value: &Value) -> String {
    let text = value
        .as_str()
        .map_or_else(|| value.to_string(), str::to_owned);
    let safe = !text.is_empty()
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./:=@%+,".contains(c));
    if safe {
        text
    } else {
        format!("'{}'", text.replace('\'', "'\\''"))
    }
}

/// A YAML scalar: bare when it reads back as the same string, else double-quoted.
fn yaml(value: &Value) -> String {
    if let Some(text) = value.as_str() {
        let plain_safe = !text.is_empty()
            && text
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "-_./@+".contains(c))
            && !text.starts_with(['-', '.', '@', '+'])
            // YAML 1.1 readers (Helm, PyYAML) turn `2026-08-17` into a date, `0755` into octal.
            && !text.starts_with(|c: char| c.is_ascii_digit())
            && !matches!(
                text,
                "true"
                    | "false"
                    | "null"
                    | "True"
                    | "False"
                    | "Null"
                    | "TRUE"
                    | "FALSE"
                    | "NULL"
                    | "yes"
                    | "no"
                    | "on"
                    | "off"
                    | "y"
                    | "n"
                    | "Yes"
                    | "No"
                    | "On"
                    | "Off"
            )
            && text.parse::<f64>().is_err();
        if plain_safe {
            text.to_owned()
        } else {
            yaml_quoted(text)
        }
    } else {
        value.to_string()
    }
}

/// Multi-line text as a YAML literal block scalar whose lines are indented by
/// `indent` spaces: `|`, `|-` or `|+` by the text's final newlines. Text a
/// literal block cannot carry (control characters, a first line that starts
/// with a space) becomes a double-quoted scalar instead.
fn literal(value: &Value, indent: usize) -> String {
    let owned;
    let text = if let Some(text) = value.as_str() {
        text
    } else {
        owned = value.to_string();
        &owned
    };
    if !blockable(text) {
        return yaml_quoted(text);
    }
    // One pass to size the output, one to write it: the VM's user data embeds the whole hub
    // bundle through this filter.
    let body = text.trim_end_matches('\n');
    let newlines = text.len() - body.len();
    let chomp = match newlines {
        0 => "-",
        1 => "",
        _ => "+",
    };
    let lines = body.bytes().filter(|&b| b == b'\n').count() + 1;
    let mut out = String::with_capacity(text.len() + lines * indent + 3);
    out.push('|');
    out.push_str(chomp);
    let pad = " ".repeat(indent);
    for line in body.split('\n') {
        out.push('\n');
        if !line.is_empty() {
            out.push_str(&pad);
            out.push_str(line);
        }
    }
    for _ in 1..newlines {
        out.push('\n');
    }
    out
}

/// Whether `text` can be a literal block: YAML takes the block's indentation
/// from its first non-empty line, which must not start with a blank, blank
/// lines before it must be empty, and no character may [break a line](breaks_a_line).
fn blockable(text: &str) -> bool {
    let first = text.split('\n').find(|line| !line.trim().is_empty());
    if first.is_none_or(|line| line.starts_with([' ', '\t'])) {
        return false;
    }
    if !text
        .split('\n')
        .take_while(|line| line.trim().is_empty())
        .all(str::is_empty)
    {
        return false;
    }
    if text.is_ascii() {
        // Of ASCII, only the control characters break a line: one pass over the bytes.
        text.bytes()
            .all(|b| b == b'\n' || b == b'\t' || (b >= 0x20 && b != 0x7f))
    } else {
        text.chars().all(|c| c == '\n' || !breaks_a_line(c))
    }
}

/// A character that some reader of the generated file takes as the end of a
/// line, or refuses to read: the control characters (tab aside), Unicode's
/// line and paragraph separators (YAML 1.1 line breaks), the byte-order mark
/// and the noncharacters YAML does not allow.
fn breaks_a_line(c: char) -> bool {
    (c.is_control() && c != '\t')
        || matches!(
            c,
            '\u{2028}' | '\u{2029}' | '\u{feff}' | '\u{fffe}' | '\u{ffff}'
        )
}

/// A YAML double-quoted scalar, which is also a JSON string: `"` and `\`
/// escaped, and every character of [`breaks_a_line`] as its escape, so the
/// scalar stays on its line and reads back as the same text.
fn yaml_quoted(text: &str) -> String {
    double_quoted(text, breaks_a_line)
}

/// `text` in double quotes with `"` and `\` escaped, the common control
/// characters as `\n`, `\r`, `\t`, and every other character `escape` picks
/// as `\uXXXX` (or `\UXXXXXXXX` beyond the BMP): the string syntax that
/// JSON, YAML and Python share.
fn double_quoted(text: &str, escape: impl Fn(char) -> bool) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if escape(c) => {
                let code = c as u32;
                if code > 0xffff {
                    let _ = write!(out, "\\U{code:08x}");
                } else {
                    let _ = write!(out, "\\u{code:04x}");
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn text_of(value: &Value) -> String {
    value
        .as_str()
        .map_or_else(|| value.to_string(), str::to_owned)
}

/// Writes `c` as a visible escape (`\n`, `\u{2028}`) when it would end a line.
fn push_visible(out: &mut String, c: char) {
    match c {
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        c if breaks_a_line(c) => {
            let _ = write!(out, "\\u{{{:04x}}}", c as u32);
        }
        c => out.push(c),
    }
}

/// The rest of a `#` line comment (YAML, Python, shell, Caddyfile, HCL): a
/// line break would end the comment and make the rest of the text code, so
/// every character of [`breaks_a_line`] is written as a visible escape.
fn comment(value: &Value) -> String {
    let mut out = String::new();
    for c in text_of(value).chars() {
        push_visible(&mut out, c);
    }
    out
}

/// Markdown text on one line: every ASCII character that could start markup,
/// a link, math or raw HTML (and the backslash itself) is backslash-escaped;
/// line breaks are visible escapes, as in [`comment`].
fn md(value: &Value) -> String {
    let mut out = String::new();
    for c in text_of(value).chars() {
        if "\\`*_[]<>#|~&$".contains(c) {
            out.push('\\');
        }
        push_visible(&mut out, c);
    }
    out
}

/// A Markdown code span holding the text literally: fenced by one backtick
/// more than the longest run of backticks inside, padded by a space when the
/// text starts or ends with one; line breaks are visible escapes.
fn code(value: &Value) -> String {
    let mut inner = String::new();
    for c in text_of(value).chars() {
        push_visible(&mut inner, c);
    }
    let mut longest = 0;
    let mut run = 0;
    for c in inner.chars() {
        run = if c == '`' { run + 1 } else { 0 };
        longest = longest.max(run);
    }
    let fence = "`".repeat(longest + 1);
    if inner.starts_with('`') || inner.ends_with('`') {
        format!("{fence} {inner} {fence}")
    } else {
        format!("{fence}{inner}{fence}")
    }
}

/// A Markdown fenced code block of `lang` holding the text: the fence is one
/// backtick longer than any run of backticks at the start of a line inside
/// (three at least), so no line of the text can close it.
fn fenced(value: &Value, lang: &str) -> String {
    let text = text_of(value);
    let longest = text
        .lines()
        .map(|line| line.trim_start().chars().take_while(|c| *c == '`').count())
        .max()
        .unwrap_or(0);
    let fence = "`".repeat((longest + 1).max(3));
    format!("{fence}{lang}\n{}\n{fence}", text.trim_end_matches('\n'))
}

/// A Caddyfile token: bare when it is plain, else double-quoted with `"` and
/// `\` escaped and `{`, `}` escaped so no placeholder expands. A line break
/// or `{$` (which Caddy substitutes from the environment before it reads the
/// file, even inside quotes) cannot be written, and is an error.
fn caddy(value: &Value) -> Result<String, TemplateError> {
    let text = text_of(value);
    if text.chars().any(breaks_a_line) || text.contains("{$") {
        return Err(TemplateError::new(
            ErrorKind::InvalidOperation,
            format!("caddy: {text:?} cannot be written into a Caddyfile"),
        ));
    }
    let plain = !text.is_empty()
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./:@+%=,".contains(c));
    if plain {
        return Ok(text);
    }
    let mut out = String::from("\"");
    for c in text.chars() {
        if matches!(c, '"' | '\\' | '{' | '}') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('"');
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters_quote_for_their_language() {
        assert_eq!(
            py(&Value::from("a\"b\né")).unwrap(),
            r#""a\"b\nAB""#.replace("AB", "\\u00e9")
        );
        assert_eq!(py(&Value::from(true)).unwrap(), "True");
        assert_eq!(sh(&Value::from("it's")), r"'it'\''s'");
        assert_eq!(sh(&Value::from("/data/x")), "/data/x");
        assert_eq!(yaml(&Value::from("off")), "\"off\"");
        assert_eq!(yaml(&Value::from("1.5")), "\"1.5\"");
        assert_eq!(yaml(&Value::from("alice")), "alice");
        assert_eq!(literal(&Value::from("a\n\n b\n"), 2), "|\n  a\n\n   b");
        assert_eq!(literal(&Value::from("a"), 2), "|-\n  a");
        assert_eq!(literal(&Value::from("a\n\n"), 2), "|+\n  a\n");
        assert_eq!(literal(&Value::from(" a\n"), 2), "\" a\\n\"");
        assert_eq!(yaml(&Value::from("2026-08-17")), "\"2026-08-17\"");
        assert_eq!(
            yaml(&Value::from("a\u{2028}b\u{85}")),
            r#""a\u2028b\u0085""#
        );
        assert_eq!(literal(&Value::from("a\u{2028}b\n"), 2), r#""a\u2028b\n""#);
    }

    /// The `literal` filter as it was written first (three passes over the text), to hold
    /// the one-pass version to the same output.
    fn literal_reference(text: &str, indent: usize) -> String {
        let text = text.to_owned();
        // YAML takes the block's indentation from its first non-empty line.
        let first = text.split('\n').find(|line| !line.trim().is_empty());
        let blockable = first.is_some_and(|line| !line.starts_with([' ', '\t']))
            && text
                .split('\n')
                .take_while(|line| line.trim().is_empty())
                .all(str::is_empty)
            && text
                .chars()
                .all(|c| c == '\n' || c == '\t' || !c.is_control())
            && !text.contains('\u{feff}');
        if !blockable || text.chars().any(|c| c != '\n' && breaks_a_line(c)) {
            return yaml_quoted(&text);
        }
        let body = text.trim_end_matches('\n');
        let chomp = match text.len() - body.len() {
            0 => "-",
            1 => "",
            _ => "+",
        };
        let mut out = format!("|{chomp}");
        let pad = " ".repeat(indent);
        let mut lines: Vec<&str> = body.split('\n').collect();
        if chomp == "+" {
            lines.extend(std::iter::repeat_n("", text.len() - body.len() - 1));
        }
        for line in lines {
            out.push('\n');
            if !line.is_empty() {
                out.push_str(&pad);
                out.push_str(line);
            }
        }
        out
    }

    #[test]
    fn literal_is_what_it_was() {
        let texts = [
            "",
            "\n",
            "\n\n",
            "a",
            "a\n",
            "a\n\n\n",
            "\na\n",
            " \na\n",
            "\t\na",
            "a\r\nb\n",
            "a\tb\n",
            "a\u{7f}",
            "a\u{0}b",
            "é\n",
            "a\u{85}b",
            "a\u{2028}",
            "\u{feff}a",
            "a\u{fffe}",
            "a\u{ffff}\n",
            "x\n  y\n\n z\n",
            "  \n\na",
            "日本\n語\n\n",
            "#!/bin/sh\necho \"$x\"\n",
        ];
        for text in texts {
            for indent in [0, 2, 6] {
                assert_eq!(
                    literal(&Value::from(text), indent),
                    literal_reference(text, indent),
                    "{text:?}"
                );
            }
        }
        proptest::proptest!(|(text in "[a \t\n\r\u{0}\u{7f}é\u{85}\u{2028}\u{feff}]{0,12}", indent in 0usize..8)| {
            proptest::prop_assert_eq!(literal(&Value::from(text.as_str()), indent), literal_reference(&text, indent));
        });
    }

    #[test]
    fn one_line_filters_keep_text_on_its_line() {
        assert_eq!(comment(&Value::from("a\nimport os")), r"a\nimport os");
        assert_eq!(comment(&Value::from("x\u{2028}y\r")), r"x\u{2028}y\r");
        assert_eq!(
            comment(&Value::from("Métis 'quoted' ${x}")),
            "Métis 'quoted' ${x}"
        );
        assert_eq!(md(&Value::from("ATLAS: Z -> ll")), r"ATLAS: Z -\> ll");
        assert_eq!(md(&Value::from("[x](y) <b>")), r"\[x\](y) \<b\>");
        assert_eq!(code(&Value::from("ctx")), "`ctx`");
        assert_eq!(code(&Value::from("a`b")), "``a`b``");
        assert_eq!(code(&Value::from("`a")), "`` `a ``");
        assert_eq!(
            caddy(&Value::from("me@example.org")).unwrap(),
            "me@example.org"
        );
        assert_eq!(caddy(&Value::from("a b\"{x}")).unwrap(), r#""a b\"\{x\}""#);
        assert!(caddy(&Value::from("{$SECRET}")).is_err());
        assert!(caddy(&Value::from("a\nb")).is_err());
        assert_eq!(fenced(&Value::from("a\nb\n"), "text"), "```text\na\nb\n```");
        assert_eq!(fenced(&Value::from("```x"), ""), "````\n```x\n````");
    }
}
