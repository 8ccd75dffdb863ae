//! Prints an hcl-rs [`Body`] the way `terraform fmt` would.
//!
//! hcl-rs builds and parses HCL structure but does not lay it out like
//! Terraform (no `=` alignment, its own object style). This printer walks the
//! structure and applies `terraform fmt`'s rules: two-space indents, `=`
//! aligned across a run of consecutive single-line attributes (a multi-line
//! value or a blank line ends the run), multi-line objects, spaces around
//! operators. Comments, which an hcl-rs body cannot hold, come from a side
//! table keyed by block address (`resource.aws_instance.hub`).
//! Invariant: the output parses back to the same body, and `terraform fmt`
//! leaves it unchanged (both checked by the test suite).

use std::collections::BTreeMap;

use hcl::expr::{BinaryOperator, Conditional, FuncCall, ObjectKey, Operation, UnaryOperator};
use hcl::{Block, Body, Expression, Structure};

const INDENT: &str = "  ";

/// A Terraform file: structure from hcl-rs, plus comments.
#[derive(Debug, Clone, Default)]
pub(crate) struct File {
    /// Comment lines at the top of the file, without the leading `# `.
    pub header: Vec<String>,
    pub body: Body,
    /// Comment lines written first inside a top-level block, by the block's
    /// address: its identifier and labels joined with `.`.
    pub notes: BTreeMap<String, Vec<String>>,
    /// Comment lines written just above a top-level block, by its address.
    pub above: BTreeMap<String, Vec<String>>,
}

impl File {
    pub fn new<S: AsRef<str>>(header: &[S]) -> Self {
        Self {
            header: header.iter().map(|line| line.as_ref().to_owned()).collect(),
            ..Self::default()
        }
    }

    pub fn push(&mut self, block: Block) {
        self.body.0.push(Structure::Block(block));
    }

    /// Adds a comment line inside the block at `address` (e.g. a checkov skip).
    pub fn note(&mut self, address: &str, line: impl Into<String>) {
        self.notes
            .entry(address.to_owned())
            .or_default()
            .push(line.into());
    }

    /// Adds a comment line just above the block at `address`.
    pub fn above(&mut self, address: &str, line: impl Into<String>) {
        self.above
            .entry(address.to_owned())
            .or_default()
            .push(line.into());
    }

    /// Adds `block` with comment lines: `checkov:...` ones go inside it (a
    /// skip must be in the block), the others above it.
    pub fn push_commented(&mut self, block: Block, comments: &[&str]) {
        let address = address(&block);
        for line in comments {
            if line.starts_with("checkov:") {
                self.note(&address, *line);
            } else {
                self.above(&address, *line);
            }
        }
        self.push(block);
    }

    pub fn to_text(&self) -> String {
        let mut out = String::new();
        for line in &self.header {
            comment(&mut out, 0, line);
        }
        if !self.header.is_empty() && !self.body.0.is_empty() {
            out.push('\n');
        }
        body(&mut out, &self.body, 0, Some(self), true);
        out
    }
}

/// The address of a block: `resource.aws_instance.hub`.
pub(crate) fn address(block: &Block) -> String {
    let mut parts = vec![block.identifier().to_owned()];
    parts.extend(block.labels().iter().map(|l| l.as_str().to_owned()));
    parts.join(".")
}

fn comment(out: &mut String, level: usize, line: &str) {
    push_indent(out, level);
    if line.is_empty() {
        out.push('#');
    } else {
        out.push_str("# ");
        out.push_str(line);
    }
    out.push('\n');
}

fn push_indent(out: &mut String, level: usize) {
    for _ in 0..level {
        out.push_str(INDENT);
    }
}

fn body(out: &mut String, body: &Body, level: usize, file: Option<&File>, top: bool) {
    let mut run: Vec<(String, &Expression)> = Vec::new();
    let mut previous_was_block = false;
    let mut first = true;
    for structure in body {
        match structure {
            Structure::Attribute(attribute) => {
                if previous_was_block {
                    out.push('\n');
                }
                run.push((key(attribute.key()), attribute.expr()));
                previous_was_block = false;
            }
            Structure::Block(block) => {
                if !run.is_empty() {
                    assignments(out, &run, level);
                    run.clear();
                }
                if !first {
                    out.push('\n');
                }
                let comments = file.filter(|_| top).map(|f| {
                    let address = address(block);
                    (
                        f.above.get(&address).map(Vec::as_slice).unwrap_or_default(),
                        f.notes.get(&address).map(Vec::as_slice).unwrap_or_default(),
                    )
                });
                let (above, own) = comments.unwrap_or_default();
                for line in above {
                    comment(out, level, line);
                }
                self::block(out, block, level, own);
                previous_was_block = true;
            }
        }
        first = false;
    }
    assignments(out, &run, level);
}

fn block(out: &mut String, block: &Block, level: usize, notes: &[String]) {
    push_indent(out, level);
    out.push_str(block.identifier());
    for label in block.labels() {
        out.push(' ');
        out.push_str(&quoted(label.as_str()));
    }
    if block.body().0.is_empty() && notes.is_empty() {
        out.push_str(" {}\n");
        return;
    }
    out.push_str(" {\n");
    for line in notes {
        comment(out, level + 1, line);
    }
    body(out, block.body(), level + 1, None, false);
    push_indent(out, level);
    out.push_str("}\n");
}

/// Writes `key = value` lines, aligning `=` across runs of single-line values.
fn assignments(out: &mut String, items: &[(String, &Expression)], level: usize) {
    let rendered: Vec<(&str, String)> = items
        .iter()
        .map(|(k, v)| (k.as_str(), expression(v, level)))
        .collect();
    let mut start = 0;
    while start < rendered.len() {
        // A run ends after a multi-line value, which is never aligned itself.
        let mut end = start;
        while end < rendered.len() && !rendered[end].1.contains('\n') {
            end += 1;
        }
        let width = rendered[start..end]
            .iter()
            .map(|(k, _)| k.chars().count())
            .max()
            .unwrap_or(0);
        for (k, v) in &rendered[start..end] {
            push_indent(out, level);
            out.push_str(k);
            for _ in k.chars().count()..width {
                out.push(' ');
            }
            out.push_str(" = ");
            out.push_str(v);
            out.push('\n');
        }
        if end < rendered.len() {
            let (k, v) = &rendered[end];
            push_indent(out, level);
            out.push_str(k);
            out.push_str(" = ");
            out.push_str(v);
            out.push('\n');
        }
        start = end + 1;
    }
}

/// An attribute or object key: bare when it is a plain identifier, else quoted.
fn key(text: &str) -> String {
    let mut chars = text.chars();
    let plain = chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_');
    if plain { text.to_owned() } else { quoted(text) }
}

fn quoted(text: &str) -> String {
    leaf(&Expression::String(text.to_owned()))
}

/// Formats a leaf expression with hcl-rs (strings, numbers, references, templates).
fn leaf(expr: &Expression) -> String {
    hcl::format::to_string(expr).unwrap_or_else(|_| String::from("null"))
}

/// Formats `expr`; lines after the first are indented for nesting `level`.
pub(crate) fn expression(expr: &Expression, level: usize) -> String {
    match expr {
        Expression::Object(object) if object.is_empty() => "{}".to_owned(),
        Expression::Object(object) => {
            let items: Vec<(String, &Expression)> =
                object.iter().map(|(k, v)| (object_key(k), v)).collect();
            let mut out = String::from("{\n");
            assignments(&mut out, &items, level + 1);
            push_indent(&mut out, level);
            out.push('}');
            out
        }
        Expression::Array(items) => {
            let inline: Vec<String> = items.iter().map(|i| expression(i, level)).collect();
            if inline.iter().all(|i| !i.contains('\n')) {
                return format!("[{}]", inline.join(", "));
            }
            let mut out = String::from("[\n");
            for item in items {
                push_indent(&mut out, level + 1);
                out.push_str(&expression(item, level + 1));
                out.push_str(",\n");
            }
            push_indent(&mut out, level);
            out.push(']');
            out
        }
        Expression::FuncCall(call) => func_call(call, level),
        Expression::Conditional(conditional) => {
            let Conditional {
                cond_expr,
                true_expr,
                false_expr,
            } = conditional.as_ref();
            format!(
                "{} ? {} : {}",
                expression(cond_expr, level),
                expression(true_expr, level),
                expression(false_expr, level)
            )
        }
        Expression::Operation(operation) => match operation.as_ref() {
            Operation::Unary(op) => {
                let sign = match op.operator {
                    UnaryOperator::Neg => "-",
                    UnaryOperator::Not => "!",
                };
                format!("{sign}{}", expression(&op.expr, level))
            }
            Operation::Binary(op) => format!(
                "{} {} {}",
                expression(&op.lhs_expr, level),
                binary(op.operator),
                expression(&op.rhs_expr, level)
            ),
        },
        Expression::Parenthesis(inner) => format!("({})", expression(inner, level)),
        other => leaf(other),
    }
}

fn func_call(call: &FuncCall, level: usize) -> String {
    let args: Vec<String> = call.args.iter().map(|a| expression(a, level)).collect();
    let expand = if call.expand_final { "..." } else { "" };
    format!("{}({}{expand})", leaf_name(call), args.join(", "))
}

fn leaf_name(call: &FuncCall) -> String {
    let name = &call.name;
    let mut text = String::new();
    for part in &name.namespace {
        text.push_str(part.as_str());
        text.push_str("::");
    }
    text.push_str(name.name.as_str());
    text
}

fn object_key(key: &ObjectKey) -> String {
    match key {
        ObjectKey::Identifier(ident) => self::key(ident.as_str()),
        ObjectKey::Expression(Expression::String(text)) => self::key(text),
        ObjectKey::Expression(expr) => expression(expr, 0),
        other => leaf(&Expression::String(other.to_string())),
    }
}

fn binary(op: BinaryOperator) -> &'static str {
    match op {
        BinaryOperator::Eq => "==",
        BinaryOperator::NotEq => "!=",
        BinaryOperator::LessEq => "<=",
        BinaryOperator::GreaterEq => ">=",
        BinaryOperator::Less => "<",
        BinaryOperator::Greater => ">",
        BinaryOperator::Plus => "+",
        BinaryOperator::Minus => "-",
        BinaryOperator::Mul => "*",
        BinaryOperator::Div => "/",
        BinaryOperator::Mod => "%",
        BinaryOperator::And => "&&",
        BinaryOperator::Or => "||",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Body {
        hcl::parse(text).unwrap()
    }

    #[test]
    fn aligns_runs_and_prints_objects_like_terraform_fmt() {
        let body = parse(
            r#"
resource "aws_instance" "hub" {
  ami = data.aws_ami.ubuntu.id
  instance_type = var.instance_type
  tags = { Name = "hub", "atlasod-workshop" = var.name }
  count = var.x == null ? 0 : 1
  metadata_options {
    http_tokens = "required"
  }
  user_data = yamlencode({ write_files = [{ path = "/a", content = "x" }] })
}
"#,
        );
        let mut file = File::new(&["Generated."]);
        file.body = body.clone();
        file.note("resource.aws_instance.hub", "checkov:skip=CKV_X:reason");
        let text = file.to_text();
        assert_eq!(
            text,
            r#"# Generated.

resource "aws_instance" "hub" {
  # checkov:skip=CKV_X:reason
  ami           = data.aws_ami.ubuntu.id
  instance_type = var.instance_type
  tags = {
    Name               = "hub"
    "atlasod-workshop" = var.name
  }
  count = var.x == null ? 0 : 1

  metadata_options {
    http_tokens = "required"
  }

  user_data = yamlencode({
    write_files = [
      {
        path    = "/a"
        content = "x"
      },
    ]
  })
}
"#
        );
        assert_eq!(hcl::parse(&text).unwrap(), body);
    }

    #[test]
    fn quotes_keys_and_escapes_strings() {
        assert_eq!(key("atlasod-workshop"), "\"atlasod-workshop\"");
        assert_eq!(key("user_data"), "user_data");
        assert_eq!(
            expression(&Expression::String("a ${b} \"c\"".into()), 0),
            r#""a $${b} \"c\"""#
        );
    }
}
