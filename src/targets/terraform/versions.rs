//! `versions.tf`: the Terraform version and the providers a module pins.
//!
//! The pins live in one place, `targets/terraform.yaml`; every module (the
//! single-VM clouds, the kubernetes target and its EKS, GKE and Magnum
//! clusters) names the providers it uses and gets their pins from there.

use serde::Deserialize;

use super::{File, block, object, string};
use crate::error::Error;

/// `targets/terraform.yaml`: the Terraform and provider versions the modules pin.
#[derive(Debug, Deserialize)]
struct Pins {
    terraform: String,
    providers: std::collections::BTreeMap<String, Provider>,
}

#[derive(Debug, Deserialize)]
struct Provider {
    source: String,
    version: String,
}

fn pins() -> &'static Pins {
    static PINS: std::sync::OnceLock<Pins> = std::sync::OnceLock::new();
    PINS.get_or_init(|| {
        crate::data::load(
            "targets/terraform.yaml",
            include_str!("../../../targets/terraform.yaml"),
        )
    })
}

/// `versions.tf`: `required_version` and `required_providers` for the
/// providers named (in that order), under `header` (comment lines).
pub(crate) fn versions(header: &[String], providers: &[&str]) -> Result<File, Error> {
    let pins = pins();
    let mut required = block("required_providers", &[]);
    for name in providers {
        let pin = pins.providers.get(*name).ok_or_else(|| {
            Error::Internal(format!("targets/terraform.yaml pins no provider `{name}`"))
        })?;
        required = required.attr(
            name,
            object([
                ("source", string(&pin.source)),
                ("version", string(&pin.version)),
            ]),
        );
    }
    let mut file = File::new(header);
    file.push(
        block("terraform", &[])
            .attr("required_version", string(&pins.terraform))
            .child(required.build())
            .build(),
    );
    Ok(file)
}
