//! Stage 4, render: a [`Plan`] → the files of one target's [`Bundle`].
//!
//! One module per target; each maps the plan to files and does nothing else
//! (no I/O, no printing). Templates and per-target data live in
//! `targets/<name>/` at the top of the repository. [`compose`] is the docker
//! compose bundle that `local` writes for a laptop and the cloud targets
//! ship inside their VM. The single-VM clouds (`aws`, `gcp`, `openstack`)
//! live in [`vm`]; Terraform is built with [`terraform`].

pub mod compose;
pub mod kubernetes;
pub(crate) mod templates;
pub(crate) mod terraform;
pub(crate) mod vm;

use crate::bundle::Bundle;
use crate::error::Error;
use crate::plan::Plan;
use crate::spec::Target;

/// Renders the bundle of `target` for `plan`.
pub fn render(plan: &Plan, target: Target) -> Result<Bundle, Error> {
    match target {
        Target::Kubernetes => kubernetes::render(plan),
        Target::Local => compose::render_local(plan),
        Target::Aws | Target::Gcp | Target::Openstack => vm::render(plan, target),
    }
}

/// The build summary of `target` for a terminal, if the target has one: the
/// chosen machine and why, disks, cost and the commands to run next, for the
/// bundle written to `bundle_dir`.
pub fn summary(plan: &Plan, target: Target, bundle_dir: &str) -> Result<Option<String>, Error> {
    match target {
        Target::Aws | Target::Gcp | Target::Openstack => {
            vm::summary(plan, target, bundle_dir).map(Some)
        }
        Target::Kubernetes => Ok(plan
            .kubernetes
            .as_ref()
            .map(|k8s| kubernetes::summary(plan, k8s))),
        Target::Local => Ok(None),
    }
}

/// The Python of `targets/hub/<name>.py` that a hub's config runs after its settings
/// ([`crate::plan::HubConfig::code`]): the compose hub's `jupyterhub_config.py` and the
/// chart's `hub.extraConfig` carry the same text.
pub(crate) fn hub_code(plan: &Plan) -> Result<Vec<(&'static str, &'static str)>, Error> {
    plan.jupyterhub
        .code
        .iter()
        .map(|name| match name.as_str() {
            "native_admins" => Ok((
                "native_admins",
                include_str!("../../targets/hub/native_admins.py"),
            )),
            other => Err(Error::Internal(format!("no hub code named `{other}`"))),
        })
        .collect()
}
