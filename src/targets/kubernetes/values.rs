//! `values.yaml` for the Zero to JupyterHub chart, the single-user start
//! script it mounts, and the optional derived image's Dockerfile.
//!
//! Input: the plan, its Kubernetes part and the hub settings. Output: text
//! from the templates in `targets/kubernetes/`. Values are quoted with the
//! `yaml` filter, or written as JSON (valid YAML flow) for `hub.config`.

use serde::Serialize;

use super::hub::HubSettings;
use super::split_image;
use crate::error::Error;
use crate::plan::{KubernetesPlan, Package, Plan, jupyterhub};
use crate::targets::templates;

const VALUES: &str = include_str!("../../../targets/kubernetes/values.yaml.j2");
const START: &str = include_str!("../../../targets/kubernetes/start-singleuser.sh.j2");

#[derive(Serialize)]
struct TraitLine {
    name: String,
    /// JSON text: a valid YAML flow value.
    value: String,
    comment: Option<String>,
}

#[derive(Serialize)]
struct ClassLines {
    name: String,
    traits: Vec<TraitLine>,
}

#[derive(Serialize)]
struct Image {
    name: String,
    tag: String,
}

#[derive(Serialize)]
struct Cull {
    timeout: u64,
    every: u64,
    /// `JUPYTERHUB_ACTIVITY_INTERVAL` for the servers, when the timeout is short (see
    /// [`jupyterhub::activity_interval`]); the hub's `last_activity_interval` is in `hub.config`.
    activity_interval: Option<u64>,
}

/// The culler checks every 10 minutes, or twice per timeout when shorter.
fn cull(timeout: u64) -> Cull {
    Cull {
        timeout,
        every: (timeout / 2).clamp(jupyterhub::CULL_EVERY_MIN_SECONDS, 600),
        activity_interval: jupyterhub::activity_interval(timeout),
    }
}

pub fn render(plan: &Plan, k8s: &KubernetesPlan, hub: &HubSettings) -> Result<String, Error> {
    let hub_config: Vec<ClassLines> = hub
        .traits
        .iter()
        .map(|(class, traits)| ClassLines {
            name: class.clone(),
            traits: traits
                .iter()
                .map(|(name, value)| TraitLine {
                    name: name.clone(),
                    value: value.to_string(),
                    comment: hub.comments.get(&format!("{class}.{name}")).cloned(),
                })
                .collect(),
        })
        .collect();
    let (name, tag) = split_image(&plan.singleuser.base_image);
    let start_script = start_script(plan, k8s)?;
    templates::render(
        "kubernetes/values.yaml",
        VALUES,
        serde_json::json!({
            "name": plan.name,
            "title": plan.title,
            "contact": plan.contact,
            "chart": k8s.chart,
            "hub_config": hub_config,
            "hub_code": super::super::hub_code(plan)?
                .into_iter()
                .map(|(name, code)| serde_json::json!({ "name": name, "code": code.trim_end() }))
                .collect::<Vec<_>>(),
            "concurrent_spawn_limit": k8s.concurrent_spawn_limit,
            "users": plan.users,
            "tls": plan.tls,
            "image": Image { name, tag },
            "singleuser_jupyterhub": k8s.singleuser_jupyterhub,
            "pod": k8s.pod,
            "datasets": k8s.datasets,
            "start_script": start_script.trim_end(),
            "data_hook": crate::targets::DATA_HOOK.trim_end(),
            "data_hook_dir": crate::targets::DATA_HOOK_DIR,
            "placeholders": k8s.placeholders,
            "node_purpose": if k8s.cluster.is_some() { "require" } else { "prefer" },
            "cull": cull(plan.culler.timeout_seconds),
        }),
    )
}

/// The script every user's server starts with.
pub fn start_script(plan: &Plan, k8s: &KubernetesPlan) -> Result<String, Error> {
    templates::render(
        "kubernetes/start-singleuser.sh",
        START,
        serde_json::json!({
            "name": plan.name,
            "jupyterhub": k8s.singleuser_jupyterhub,
            "nbgitpuller": k8s.nbgitpuller,
            "notebooks": plan.notebooks,
        }),
    )
}

/// `image/Dockerfile`: the single-user layer every target builds, at the chart's JupyterHub.
pub fn dockerfile(plan: &Plan, k8s: &KubernetesPlan) -> Result<String, Error> {
    let name = &plan.name;
    let major = k8s
        .singleuser_jupyterhub
        .split('.')
        .next()
        .unwrap_or_default();
    crate::targets::SingleUserLayer {
        base_image: &plan.singleuser.base_image,
        preset: plan.singleuser.preset.as_deref(),
        base_jupyterhub: plan.singleuser.base_jupyterhub.as_deref(),
        base_is_moving: plan.singleuser.base_is_moving(),
        packages: vec![
            Package::new("jupyterhub", &k8s.singleuser_jupyterhub),
            Package::new("nbgitpuller", &k8s.nbgitpuller),
        ],
        hub_version: &k8s.singleuser_jupyterhub,
        hub_major: major,
        usage: vec![
            "For Zero to JupyterHub: optional, and what a large class wants.".to_owned(),
            "Without it every server installs JupyterHub and nbgitpuller at its first start (see".to_owned(),
            "values.yaml, start-singleuser.sh), which costs that start some seconds and needs PyPI.".to_owned(),
            format!("  docker build -t REGISTRY/{name}-singleuser:1 image/"),
            format!("  docker push REGISTRY/{name}-singleuser:1"),
            "then set singleuser_image_name and singleuser_image_tag in terraform/terraform.tfvars.".to_owned(),
        ],
        pull_command: "docker build --pull",
        start_hook: false,
    }
    .render()
}
