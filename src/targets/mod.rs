//! Stage 4, render: a [`Plan`] → the files of one target's [`Bundle`].
//!
//! One module per target; each maps the plan to files and does nothing else
//! (no I/O, no printing). Templates and per-target data live in
//! `targets/<name>/` at the top of the repository. [`hub`] is the docker
//! compose bundle that `local` writes for a laptop and the cloud targets
//! ship inside their VM.

pub mod hub;
pub mod local;

use crate::bundle::Bundle;
use crate::error::Error;
use crate::plan::Plan;
use crate::spec::Target;

/// Renders the bundle of `target` for `plan`.
pub fn render(plan: &Plan, target: Target) -> Result<Bundle, Error> {
    match target {
        Target::Local => local::render(plan),
        Target::Aws | Target::Gcp | Target::Openstack | Target::Kubernetes => Err(Error::Usage(
            format!("the `{target}` target is not built yet in this version of atlasod"),
        )),
    }
}
