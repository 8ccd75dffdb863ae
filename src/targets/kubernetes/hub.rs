//! The hub's settings under Zero to JupyterHub's `hub.config`, and the
//! values Terraform passes beside them.
//!
//! Input: the plan's [`HubConfig`](crate::plan::HubConfig), the same
//! `Class → trait → value` map the hub bundle writes into
//! `jupyterhub_config.py`. Output: the traits written under `hub.config`,
//! and the traits read from the environment there (secrets, OAuth client
//! id), each given to the chart by Terraform from a variable of the same
//! name in lower case. What the chart configures with keys of its own is
//! left out: the spawner's limits (`singleuser.*`), the spawn limits
//! (`hub.concurrentSpawnLimit`, `hub.activeServerLimit`) and the idle
//! culler with its role (`cull.*`).

use std::collections::BTreeMap;

use serde_json::Value;

use crate::plan::Plan;
use crate::plan::jupyterhub::NATIVE_ADMIN_CLASS;

/// Where the chart's hub keeps the roster's account state: its database volume, mounted at
/// `/srv/jupyterhub`.
pub const ROSTER_STATE_FILE: &str = "/srv/jupyterhub/atlasod-roster.json";

/// A trait set by Terraform from a variable, with `set` or `set_sensitive`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecretTrait {
    pub class: String,
    pub name: String,
    /// The Terraform variable that holds it.
    pub variable: String,
    pub description: String,
    pub min_length: usize,
    pub sensitive: bool,
}

impl SecretTrait {
    /// The chart value path, e.g. `hub.config.GitHubOAuthenticator.client_secret`.
    pub fn path(&self) -> String {
        format!("hub.config.{}.{}", self.class, self.name)
    }
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct HubSettings {
    pub traits: BTreeMap<String, BTreeMap<String, Value>>,
    /// `Class.trait` → a one-line reason, written as a comment.
    pub comments: BTreeMap<String, String>,
    pub secrets: Vec<SecretTrait>,
}

/// Settings the chart owns under its own keys (`singleuser.*`, `hub.*`).
/// `Spawner.http_timeout` has no chart key: it goes to `hub.config` as
/// KubeSpawner's (see [`class_in_hub_config`]).
fn chart_owned(class: &str, name: &str) -> bool {
    (class == "Spawner" && name != "http_timeout")
        || (class == "JupyterHub"
            && matches!(name, "concurrent_spawn_limit" | "active_server_limit"))
}

/// The class a trait is set on in `hub.config`: the spawner is KubeSpawner.
fn class_in_hub_config(class: &str) -> &str {
    if class == "Spawner" {
        "KubeSpawner"
    } else {
        class
    }
}

/// The hub settings of `plan`, for `hub.config`.
pub fn settings(plan: &Plan) -> HubSettings {
    let config = &plan.jupyterhub;
    let mut traits: BTreeMap<String, BTreeMap<String, Value>> = BTreeMap::new();
    for (class, values) in &config.traits {
        for (name, value) in values {
            if !chart_owned(class, name) {
                traits
                    .entry(class_in_hub_config(class).to_owned())
                    .or_default()
                    .insert(name.clone(), value.clone());
            }
        }
    }
    let mut comments: BTreeMap<String, String> = config
        .comments
        .iter()
        .filter_map(|(key, comment)| {
            let (class, name) = key.split_once('.')?;
            (!chart_owned(class, name)).then(|| {
                (
                    format!("{}.{name}", class_in_hub_config(class)),
                    comment.clone(),
                )
            })
        })
        .collect();
    if plan.has_accounts() {
        // The compose hub keeps it on its data volume; the chart's hub has its database volume.
        traits
            .entry(NATIVE_ADMIN_CLASS.to_owned())
            .or_default()
            .insert("state_file".to_owned(), Value::from(ROSTER_STATE_FILE));
        comments.insert(
            format!("{NATIVE_ADMIN_CLASS}.state_file"),
            "on the hub's database volume (`hub.db`), so it survives a restart".to_owned(),
        );
    }
    let secrets = config
        .from_env
        .iter()
        .map(|t| SecretTrait {
            class: t.class.clone(),
            name: t.name.clone(),
            variable: t.env.to_ascii_lowercase(),
            description: if t.min_length > 1 {
                format!(
                    "{} At least {} characters.",
                    sentence(&t.purpose),
                    t.min_length
                )
            } else {
                sentence(&t.purpose)
            },
            min_length: t.min_length,
            sensitive: t.secret,
        })
        .collect();
    HubSettings {
        traits,
        comments,
        secrets,
    }
}

/// `the workshop password` → `The workshop password.`
fn sentence(text: &str) -> String {
    let mut chars = text.chars();
    let mut out: String = chars
        .next()
        .map(|c| c.to_uppercase().collect::<String>())
        .unwrap_or_default();
    out.push_str(chars.as_str());
    if !out.ends_with('.') {
        out.push('.');
    }
    out
}
