//! Terraform files from hcl-rs structures, laid out as `terraform fmt` would.
//!
//! Input: an [`hcl::Body`] built by a target. Output: its text, with the one
//! rule hcl-rs's formatter does not apply: the `=` of consecutive one-line
//! attributes at the same depth are aligned. A line that opens a multi-line
//! value, a blank line, a block or a closing bracket ends a group, as in
//! `terraform fmt`. A test runs `terraform fmt -check` on every generated
//! file, so a difference fails there.

use crate::error::Error;

/// Formats `body` as `terraform fmt` lays it out.
pub fn to_string(body: &hcl::Body) -> Result<String, Error> {
    let text = hcl::to_string(body)
        .map_err(|e| Error::Internal(format!("cannot format Terraform: {e}")))?;
    Ok(align(&text.replace(" {  }\n", " {}\n")))
}

/// Comments to place in a formatted file, keyed by a block's header line
/// such as `resource "helm_release" "jupyterhub" {`.
#[derive(Debug, Clone, Default)]
pub struct Comments {
    /// Lines written above the block (without `# `).
    pub above: Vec<(String, Vec<String>)>,
    /// Lines written first inside the block, such as `checkov:skip=...` (without `# `).
    pub inside: Vec<(String, Vec<String>)>,
}

impl Comments {
    pub fn above(&mut self, header: impl Into<String>, line: impl Into<String>) {
        push(&mut self.above, header.into(), line.into());
    }

    pub fn inside(&mut self, header: impl Into<String>, line: impl Into<String>) {
        push(&mut self.inside, header.into(), line.into());
    }
}

fn push(list: &mut Vec<(String, Vec<String>)>, header: String, line: String) {
    match list.iter_mut().find(|(h, _)| *h == header) {
        Some((_, lines)) => lines.push(line),
        None => list.push((header, vec![line])),
    }
}

/// Formats `body` and places `comments` around and inside its blocks.
pub fn to_string_with(body: &hcl::Body, comments: &Comments) -> Result<String, Error> {
    let text = to_string(body)?;
    let mut out = String::with_capacity(text.len() + 1024);
    for line in text.lines() {
        let indent = &line[..line.len() - line.trim_start().len()];
        let header = line.trim_start();
        if let Some((_, lines)) = comments.above.iter().find(|(h, _)| h == header) {
            for comment in lines {
                out.push_str(indent);
                out.push_str(&comment_line(comment));
                out.push('\n');
            }
        }
        out.push_str(line);
        out.push('\n');
        if let Some((_, lines)) = comments.inside.iter().find(|(h, _)| h == header) {
            for comment in lines {
                out.push_str(indent);
                out.push_str("  ");
                out.push_str(&comment_line(comment));
                out.push('\n');
            }
        }
    }
    Ok(out)
}

fn comment_line(text: &str) -> String {
    if text.is_empty() {
        "#".to_owned()
    } else {
        format!("# {text}")
    }
}

/// Parses one HCL expression written in Terraform syntax, such as `var.name`.
///
/// # Panics
/// When `source` is not an HCL expression: the sources are atlasod's own
/// literals, and the tests render every target, so this cannot ship.
pub fn expr(source: &str) -> hcl::Expression {
    source
        .parse()
        .unwrap_or_else(|e| panic!("atlasod wrote an invalid HCL expression `{source}`: {e}"))
}

/// The key of a one-line attribute (`  key = value`), with its indent.
fn one_line_attribute(line: &str) -> Option<(usize, &str, &str)> {
    let indent = line.len() - line.trim_start().len();
    let rest = &line[indent..];
    let eq = rest.find(" = ")?;
    let key = &rest[..eq];
    let valid_key = !key.is_empty()
        && (key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
            || (key.starts_with('"') && key.ends_with('"') && !key.contains(' ')));
    let value = &rest[eq + 3..];
    let opens = value.ends_with('{') || value.ends_with('[') || value.ends_with('(');
    (valid_key && !opens).then_some((indent, key, value))
}

fn align(text: &str) -> String {
    let lines: Vec<&str> = text.lines().collect();
    let mut out = String::with_capacity(text.len() + text.len() / 8);
    let mut i = 0;
    while i < lines.len() {
        let Some((indent, _, _)) = one_line_attribute(lines[i]) else {
            out.push_str(lines[i]);
            out.push('\n');
            i += 1;
            continue;
        };
        let mut end = i;
        let mut width = 0;
        while end < lines.len() {
            match one_line_attribute(lines[end]) {
                Some((level, key, _)) if level == indent => {
                    width = width.max(key.len());
                    end += 1;
                }
                _ => break,
            }
        }
        for line in &lines[i..end] {
            if let Some((_, key, value)) = one_line_attribute(line) {
                out.push_str(&" ".repeat(indent));
                out.push_str(key);
                out.push_str(&" ".repeat(width - key.len()));
                out.push_str(" = ");
                out.push_str(value);
                out.push('\n');
            }
        }
        i = end;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aligns_runs_of_one_line_attributes() {
        let text = "a {\n  name = 1\n  long_name = 2\n  values = [\n    x\n  ]\n  b = 3\n}\n";
        assert_eq!(
            align(text),
            "a {\n  name      = 1\n  long_name = 2\n  values = [\n    x\n  ]\n  b = 3\n}\n"
        );
    }

    #[test]
    fn strings_with_equals_signs_stay_as_they_are() {
        let text = "  k = \"a = b\"\n  key = 1\n";
        assert_eq!(align(text), "  k   = \"a = b\"\n  key = 1\n");
    }
}
