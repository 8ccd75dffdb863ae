//! The facts of one build that a trainer cares about, for the semantic diff.
//!
//! Input: a [`Plan`] and the [`TargetFacts`] its target filled. Output: a
//! [`BuildRecord`], small and serializable, stored in the bundle's manifest so a
//! later `atlasod diff` can say what changed in trainer words (`users 30 →
//! 60`) without re-reading the old spec. Every field has a default, so a
//! manifest written by an older atlasod still reads; a fact it lacks is
//! simply not compared.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::bundle::facts::TargetFacts;
use crate::plan::Plan;
use crate::spec::Target;

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct BuildRecord {
    pub target: String,
    /// The workshop's name: it names volumes and cloud resources.
    pub name: String,
    pub users: Users,
    pub admins: Vec<String>,
    pub auth: Auth,
    /// Settings the trainer fills in `.env` (or Terraform variables), by
    /// variable name, each marked secret or not.
    pub inputs: BTreeMap<String, bool>,
    pub domain: Option<String>,
    /// `letsencrypt`, `self-signed` or `off`.
    pub tls: String,
    pub idle_timeout_seconds: u64,
    pub jupyterhub: String,
    /// The image every student's server is built from (a preset's or the spec's own).
    pub image: String,
    pub datasets: BTreeMap<String, Dataset>,
    /// Notebook repositories, by the folder they land in.
    pub notebooks: BTreeMap<String, Notebook>,
    pub schedule: Option<Schedule>,
    /// The data disk as written in the spec (`disk:`), in bytes.
    pub disk_bytes: Option<u64>,
    pub infrastructure: TargetFacts,
    /// What the students get, as one hash (`plan::fingerprint`); empty in older manifests.
    pub fingerprint: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Users {
    pub count: u32,
    pub cpu: f64,
    pub memory_bytes: u64,
    pub storage_bytes: u64,
    /// The roster's usernames (empty without a roster), in roster order.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub roster: Vec<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Auth {
    /// `native`, `shared-password`, `github`, `gitlab`, `oidc` or `dummy`.
    pub method: String,
    /// `None`: everyone the method admits; else only these users (and groups).
    pub allowed_users: Option<Vec<String>>,
    pub allowed_groups: Vec<String>,
    pub oidc_issuer: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Dataset {
    pub download_bytes: u64,
    pub unpacked_bytes: u64,
    /// The download URLs (and checksums when known): a change means a new download.
    pub sources: Vec<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Notebook {
    pub repo: String,
    pub branch: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Schedule {
    pub start: String,
    pub end: String,
    pub hours: u64,
}

impl BuildRecord {
    pub fn new(plan: &Plan, target: Target, facts: &TargetFacts) -> Self {
        Self {
            target: target.as_str().to_owned(),
            name: plan.name.clone(),
            users: Users {
                count: plan.users.count,
                cpu: plan.users.cpu_limit,
                memory_bytes: plan.users.mem_limit_bytes,
                storage_bytes: plan.users.storage_bytes,
                roster: plan
                    .users
                    .roster
                    .iter()
                    .map(|s| s.username.clone())
                    .collect(),
            },
            admins: plan.users.admins.clone(),
            auth: Auth {
                method: plan.auth.method.as_str().to_owned(),
                allowed_users: plan.auth.allowed_users.clone(),
                allowed_groups: plan.auth.allowed_groups.clone(),
                oidc_issuer: plan.auth.oidc.as_ref().map(|o| o.issuer.clone()),
            },
            inputs: plan
                .jupyterhub
                .from_env
                .iter()
                .map(|e| (e.env.clone(), e.secret))
                .collect(),
            domain: plan.tls.domain.clone(),
            tls: plan.tls.mode.as_str().to_owned(),
            idle_timeout_seconds: plan.culler.timeout_seconds,
            jupyterhub: plan.hub.jupyterhub_version.clone(),
            image: plan.singleuser.base_image.clone(),
            datasets: plan
                .datasets
                .iter()
                .map(|d| {
                    let mut sources: Vec<String> = d
                        .files
                        .iter()
                        .map(|f| match &f.sha256 {
                            Some(sha) => format!("{} sha256:{sha}", f.url),
                            None => f.url.clone(),
                        })
                        .collect();
                    if let Some(r) = &d.resolve {
                        sources.push(format!(
                            "{}/datasets release {} skim {}",
                            r.api, r.release, r.skim
                        ));
                    }
                    let dataset = Dataset {
                        download_bytes: d.download_bytes(),
                        unpacked_bytes: d.unpacked_bytes,
                        sources,
                    };
                    (d.name.clone(), dataset)
                })
                .collect(),
            notebooks: plan
                .notebooks
                .iter()
                .map(|n| {
                    let notebook = Notebook {
                        repo: n.repo.clone(),
                        branch: n.branch.clone(),
                    };
                    (n.folder.clone(), notebook)
                })
                .collect(),
            schedule: plan.schedule.as_ref().map(|s| Schedule {
                start: s.start.clone(),
                end: s.end.clone(),
                hours: s.hours,
            }),
            disk_bytes: plan.storage.disk_bytes,
            infrastructure: facts.clone(),
            fingerprint: plan.fingerprint.clone(),
        }
    }
}
