//! `versions.tf`: the Terraform version and the providers a module pins.
//!
//! The pins live in one place, `targets/terraform.yaml`; every module (the
//! single-VM clouds, the kubernetes target and its EKS, GKE and Magnum
//! clusters) names the providers it uses and gets their pins from there.

use super::{File, block, object, string};
use crate::error::Error;

/// `versions.tf`: `required_version` and `required_providers` for the
/// providers named (in that order), under `header` (comment lines).
pub(crate) fn versions(header: &[String], providers: &[&str]) -> Result<File, Error> {
    let pins = &crate::data::TERRAFORM;
    let mut required = block("required_providers", &[]);
    for name in providers {
        let pin = pins.providers.get(name).ok_or_else(|| {
            Error::Internal(format!("targets/terraform.yaml pins no provider `{name}`"))
        })?;
        required = required.attr(
            name,
            object([
                ("source", string(pin.source)),
                ("version", string(pin.version)),
            ]),
        );
    }
    let mut file = File::new(header);
    file.push(
        block("terraform", &[])
            .attr("required_version", string(pins.terraform))
            .child(required.build())
            .build(),
    );
    Ok(file)
}
