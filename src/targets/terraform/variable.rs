//! One input variable of a Terraform root module, and `variables.tf`.
//!
//! Input: a name, an HCL type, a description, and optionally a default, an
//! example for `terraform.tfvars.example`, validations (conditions written by
//! atlasod) and the sensitive flag. Output: the `variable` block. Every value
//! from the spec (defaults, examples, descriptions) enters as an hcl-rs
//! expression, never as HCL text.

use hcl::{Block, Expression};

use super::{File, block, string};
use crate::error::Error;

/// One input variable of a module.
#[derive(Debug, Clone)]
pub(crate) struct Variable {
    pub name: String,
    /// The type constraint, as HCL (`string`, `number`).
    pub ty: &'static str,
    pub description: String,
    /// `None`: required. `Some(Expression::Null)`: optional, absent by default.
    pub default: Option<Expression>,
    pub sensitive: bool,
    /// (condition, error message) pairs, conditions written in HCL by atlasod.
    pub validations: Vec<(String, String)>,
    /// What `terraform.tfvars.example` shows for a required variable.
    pub example: Option<Expression>,
}

impl Variable {
    pub fn new(name: &str, ty: &'static str, description: impl Into<String>) -> Self {
        Self {
            name: name.to_owned(),
            ty,
            description: description.into(),
            default: None,
            sensitive: false,
            validations: Vec::new(),
            example: None,
        }
    }

    pub fn default(mut self, value: impl Into<Expression>) -> Self {
        self.default = Some(value.into());
        self
    }

    pub fn optional_string(mut self, value: Option<&str>) -> Self {
        self.default = Some(value.map_or(Expression::Null, string));
        self
    }

    pub fn validate(mut self, condition: &str, message: impl Into<String>) -> Self {
        self.validations
            .push((condition.to_owned(), message.into()));
        self
    }

    pub fn example(mut self, value: impl Into<Expression>) -> Self {
        self.example = Some(value.into());
        self
    }

    pub fn sensitive(mut self) -> Self {
        self.sensitive = true;
        self
    }

    pub fn block(&self) -> Result<Block, Error> {
        let mut b = block("variable", &[&self.name])
            .attr("description", string(&self.description))
            .raw("type", self.ty)?;
        if let Some(default) = &self.default {
            b = b.attr("default", default.clone());
        }
        if self.sensitive {
            b = b.attr("sensitive", true);
        }
        for (condition, message) in &self.validations {
            b = b.child(
                block("validation", &[])
                    .raw("condition", condition)?
                    .attr("error_message", string(message))
                    .build(),
            );
        }
        Ok(b.build())
    }
}

/// `variables.tf`: one `variable` block each, in the order given, under
/// `header` (comment lines, may be empty).
pub(crate) fn variables_file(header: &[String], variables: &[Variable]) -> Result<File, Error> {
    let mut file = File::new(header);
    for variable in variables {
        file.push(variable.block()?);
    }
    Ok(file)
}
