//! The starter spec `atlasod init` writes, from `targets/init/workshop.yaml.j2`.

use minijinja::context;

use crate::error::Error;
use crate::spec::Target;

const TEMPLATE: &str = include_str!("../../targets/init/workshop.yaml.j2");

/// The text of a starter spec for `target`; it passes `atlasod check`.
pub fn starter_spec(target: Target) -> Result<String, Error> {
    let https = if target == Target::Local {
        "off"
    } else {
        "self-signed"
    };
    let method = if target == Target::Local {
        "dummy"
    } else {
        "native"
    };
    crate::targets::templates::render(
        "targets/init/workshop.yaml.j2",
        TEMPLATE,
        context! {
            target => target.as_str(),
            users => if target == Target::Kubernetes { 200 } else { 20 },
            https => https,
            method => method,
        },
    )
}
