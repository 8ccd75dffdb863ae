//! Stage 4, render: a [`Plan`] → the files of one target's [`Bundle`].
//!
//! One module per target; each maps the plan to files and does nothing else
//! (no I/O, no printing). Templates and per-target data live in
//! `targets/<name>/` at the top of the repository. [`compose`] is the docker
//! compose bundle that `local` writes for a laptop and the cloud targets
//! ship inside their VM. The single-VM clouds (`aws`, `gcp`, `openstack`)
//! live in [`vm`]; Terraform is built with [`terraform`]. Every target's
//! bundle fetches its datasets with the one fetcher of [`datasets`].

pub mod compose;
pub(crate) mod datasets;
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

/// The hook that makes `atlasopenmagic.set_release(R)` read the workshop's copy of release `R`
/// under `/data` when it is there (`targets/sitecustomize.py`): every target's single-user
/// environment has it in [`DATA_HOOK_DIR`], first on `PYTHONPATH`, so every Python process
/// (Jupyter kernels too) runs it at start.
pub(crate) const DATA_HOOK: &str = include_str!("../../targets/sitecustomize.py");
/// Where the single-user environment holds [`DATA_HOOK`] as `sitecustomize.py`.
pub(crate) const DATA_HOOK_DIR: &str = "/opt/atlasod/python";

/// The single-user layer every target builds on its base image: JupyterHub at the hub's
/// version (checked), nbgitpuller and, where the image runs it, the start hook. One template,
/// `targets/hub/singleuser.Dockerfile.j2`, so every target's image is the same and checkov
/// checks it the same way.
#[derive(Debug, serde::Serialize)]
pub(crate) struct SingleUserLayer<'a> {
    pub base_image: &'a str,
    pub preset: Option<&'a str>,
    pub base_jupyterhub: Option<&'a str>,
    pub base_is_moving: bool,
    /// pip packages the layer installs, pinned.
    pub packages: Vec<crate::plan::Package>,
    /// The hub's JupyterHub version, which the layer's must share the major of.
    pub hub_version: &'a str,
    pub hub_major: &'a str,
    /// How the image is built and used, one comment line each.
    pub usage: Vec<String>,
    /// The command that rebuilds it from a newer base.
    pub pull_command: &'a str,
    /// Whether the image runs `pull-notebooks.sh` at each start (before-notebook.d).
    pub start_hook: bool,
}

/// The folder of [`DATA_HOOK`] in the image, for the template.
#[derive(serde::Serialize)]
struct LayerPaths {
    data_hook_dir: &'static str,
}

impl SingleUserLayer<'_> {
    pub(crate) fn render(&self) -> Result<String, Error> {
        templates::render(
            "hub/singleuser.Dockerfile.j2",
            include_str!("../../targets/hub/singleuser.Dockerfile.j2"),
            serde_json::json!({
                "layer": self,
                "paths": LayerPaths { data_hook_dir: DATA_HOOK_DIR },
            }),
        )
    }
}
