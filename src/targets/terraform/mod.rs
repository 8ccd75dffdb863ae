//! Terraform root modules as HCL structure (hcl-rs), printed as `terraform fmt` would.
//!
//! Input: what a target wants in its module (blocks built with hcl-rs).
//! Output: the files of the module. Expressions are parsed from HCL text
//! that atlasod writes itself; values from the spec always enter as
//! [`Expression::String`] or numbers, never as HCL text, so no spec value can
//! change the structure.

pub(crate) mod fmt;

use std::fmt::Write as _;

use hcl::{Attribute, Block, Expression};

pub(crate) use fmt::File;

use crate::error::Error;

/// Parses an HCL expression that atlasod wrote, e.g. `var.region` or `length(var.x) > 0`.
pub(crate) fn expr(text: &str) -> Result<Expression, Error> {
    text.parse::<Expression>()
        .map_err(|e| Error::Internal(format!("HCL expression `{text}`: {e}")))
}

/// A string literal.
pub(crate) fn string(text: impl Into<String>) -> Expression {
    Expression::String(text.into())
}

/// An object from key/expression pairs, in the order given.
pub(crate) fn object<K: Into<String>>(
    items: impl IntoIterator<Item = (K, Expression)>,
) -> Expression {
    Expression::Object(
        items
            .into_iter()
            .map(|(k, v)| (hcl::ObjectKey::from(k.into()), v))
            .collect(),
    )
}

/// A block builder: identifier and labels, then attributes and nested blocks in order.
pub(crate) struct BlockBuilder {
    block: Block,
}

pub(crate) fn block(identifier: &str, labels: &[&str]) -> BlockBuilder {
    let mut block = Block::new(identifier);
    block.labels = labels
        .iter()
        .map(|l| hcl::BlockLabel::String((*l).to_owned()))
        .collect();
    BlockBuilder { block }
}

impl BlockBuilder {
    /// An attribute with an expression value.
    pub fn attr(mut self, key: &str, value: impl Into<Expression>) -> Self {
        self.block
            .body
            .0
            .push(hcl::Structure::Attribute(Attribute::new(key, value.into())));
        self
    }

    /// An attribute whose value is HCL that atlasod wrote (`var.region`).
    pub fn raw(self, key: &str, text: &str) -> Result<Self, Error> {
        Ok(self.attr(key, expr(text)?))
    }

    pub fn child(mut self, child: Block) -> Self {
        self.block.body.0.push(hcl::Structure::Block(child));
        self
    }

    pub fn build(self) -> Block {
        self.block
    }
}

impl From<BlockBuilder> for Block {
    fn from(builder: BlockBuilder) -> Self {
        builder.build()
    }
}

/// A piece of a string template: literal text, or an interpolated reference.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Part<'a> {
    Lit(&'a str),
    /// HCL that atlasod wrote, placed inside `${...}`.
    Ref(&'a str),
}

/// A quoted string template such as `"https://${aws_eip.hub.public_ip}"`.
/// Literal parts are escaped, so any text (a domain, a password) stays literal.
pub(crate) fn template(parts: &[Part<'_>]) -> Expression {
    let mut text = String::new();
    for part in parts {
        match part {
            Part::Lit(literal) => {
                let mut chars = literal.chars().peekable();
                while let Some(c) = chars.next() {
                    match c {
                        '\\' => text.push_str("\\\\"),
                        '"' => text.push_str("\\\""),
                        '\n' => text.push_str("\\n"),
                        '\r' => text.push_str("\\r"),
                        '\t' => text.push_str("\\t"),
                        '$' | '%' if chars.peek() == Some(&'{') => {
                            text.push(c);
                            text.push(c);
                        }
                        c if c.is_control() => {
                            let _ = write!(text, "\\u{:04x}", u32::from(c));
                        }
                        c => text.push(c),
                    }
                }
            }
            Part::Ref(reference) => {
                text.push_str("${");
                text.push_str(reference);
                text.push('}');
            }
        }
    }
    Expression::TemplateExpr(Box::new(hcl::expr::TemplateExpr::QuotedString(text)))
}

/// A function call with `args`.
pub(crate) fn call(name: &str, args: Vec<Expression>) -> Expression {
    let mut call = hcl::expr::FuncCall::new(name);
    call.args = args;
    Expression::from(call)
}

/// A resource name from the workshop's name: `local.workshop`, or
/// `"${local.workshop}<suffix>"`.
pub(crate) fn workshop_name(suffix: &str) -> Expression {
    if suffix.is_empty() {
        Expression::from(
            hcl::expr::Traversal::builder(hcl::expr::Variable::unchecked("local"))
                .attr("workshop")
                .build(),
        )
    } else {
        template(&[Part::Ref("local.workshop"), Part::Lit(suffix)])
    }
}
