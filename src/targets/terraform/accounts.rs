//! How a Terraform bundle reads the roster's passwords: the file `atlasod accounts` wrote
//! beside it (`<bundle>/accounts.csv`, mode 0600, in the bundle's `.gitignore`), never a file
//! of the bundle itself.
//!
//! Input: the target (for the command a missing file names). Output: the `local.accounts`
//! expression (the file's text, sensitive: Terraform never prints it) and the
//! `terraform_data.accounts` guard, whose precondition stops the plan with the command to
//! run while the file is missing (a hub without it would not start).

use hcl::{Block, Expression};

use super::{Part, block, call, string, template};
use crate::plan::ACCOUNTS_FILE_NAME;
use crate::spec::Target;

/// The file, relative to the Terraform module (`<bundle>/terraform/`).
fn path() -> Expression {
    template(&[
        Part::Ref("path.module"),
        Part::Lit("/../"),
        Part::Lit(ACCOUNTS_FILE_NAME),
    ])
}

/// `local.accounts`: the file's text, sensitive; empty while it is missing (the guard stops the
/// plan then).
pub(crate) fn local() -> Expression {
    call(
        "sensitive",
        vec![Expression::from(hcl::expr::Conditional::new(
            call("fileexists", vec![path()]),
            call("file", vec![path()]),
            string(""),
        ))],
    )
}

/// `terraform_data.accounts`: refuses to plan without the file.
pub(crate) fn guard(target: Target) -> Block {
    let command = if target == Target::Local {
        "atlasod accounts".to_owned()
    } else {
        format!("atlasod accounts --target {target}")
    };
    block("resource", &["terraform_data", "accounts"])
        .child(
            block("lifecycle", &[])
                .child(
                    block("precondition", &[])
                        .attr("condition", call("fileexists", vec![path()]))
                        .attr(
                            "error_message",
                            string(format!(
                                "The roster's passwords are missing: run `{command}` in the folder of workshop.yaml, which writes ../{ACCOUNTS_FILE_NAME} (beside this folder), then apply again."
                            )),
                        )
                        .build(),
                )
                .build(),
        )
        .build()
}

/// The `.gitignore` at the bundle's root: the passwords file stays out of git.
pub(crate) const GITIGNORE: &str = include_str!("../../../targets/accounts.gitignore");
