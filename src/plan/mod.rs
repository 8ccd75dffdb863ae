//! Stage 3, lower: a checked spec → one target-neutral [`Plan`].
//!
//! The plan holds every decision the targets need, already made: pinned
//! images (the hub's, and the single-user image derived from the preset so
//! hub and servers share JupyterHub's major version), users and limits, the
//! JupyterHub settings that do not depend on the spawner ([`HubConfig`]),
//! datasets and notebooks to place, TLS and culling, storage arithmetic.
//! Targets only render it. Invariant: no time, host or random data and no
//! secret values; ordered collections only, so the same spec always gives
//! the same plan (and the same bundle).
//!
//! One concept per file: [`images`] (hub and single-user images),
//! [`jupyterhub`] (the hub's settings as `Class → trait → value`),
//! [`datasets`] (what to download and how to check it), [`kubernetes`] (the
//! cluster's decisions), [`vm`] (the machine of each single-VM cloud).

pub mod datasets;
pub mod fingerprint;
pub mod images;
pub mod jupyterhub;
pub mod kubernetes;
pub mod vm;

use std::collections::BTreeMap;

use serde::Serialize;

pub use datasets::{DatasetFile, DatasetPlan, ResolvePlan};
pub use images::{HubImage, Package, SingleUserImage};
pub use jupyterhub::{EnvTrait, HubConfig, HubRole, HubService};
pub use kubernetes::KubernetesPlan;
pub use vm::VmPlan;

use crate::data::images::images;
use crate::error::Error;
use crate::spec::{Access, AuthMethod, Clouds, Https, Spec, Target};
use crate::validate::Checked;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Plan {
    pub name: String,
    pub title: String,
    pub contact: Option<String>,
    pub schedule: Option<PlannedSchedule>,
    /// The cloud blocks as written (with defaults), for the targets that need them.
    pub clouds: Clouds,
    /// Who may reach the VM's SSH port, and with which key (single-VM targets).
    pub access: Access,
    pub hub: HubImage,
    pub singleuser: SingleUserImage,
    pub users: UsersPlan,
    pub auth: AuthPlan,
    /// The hub's settings that every target shares, whatever its spawner.
    pub jupyterhub: HubConfig,
    pub tls: TlsPlan,
    pub culler: CullerPlan,
    pub datasets: Vec<DatasetPlan>,
    pub notebooks: Vec<NotebookPlan>,
    pub storage: StoragePlan,
    /// The Kubernetes decisions, when the spec is lowered for that target.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kubernetes: Option<KubernetesPlan>,
    /// The machine of each single-VM target the spec is lowered for, sized once.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub vms: BTreeMap<Target, VmPlan>,
    /// What the students get, as one hash ([`fingerprint`]): shown by `build`, in the
    /// manifest, and on the hub's login page.
    pub fingerprint: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PlannedSchedule {
    pub start: String,
    pub end: String,
    /// `YYYY-MM-DD HH:MM:SS` in UTC, for systemd timers.
    pub end_utc: String,
    pub hours: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UsersPlan {
    pub count: u32,
    pub cpu_limit: f64,
    pub cpu_guarantee: f64,
    pub mem_limit_bytes: u64,
    pub mem_guarantee_bytes: u64,
    /// The memory as written in the spec, e.g. `2GiB`.
    pub memory: String,
    pub storage_bytes: u64,
    /// `users.admins` and the roster's admins.
    pub admins: Vec<String>,
    /// The roster's accounts (no password: those are never in the plan).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub roster: Vec<crate::spec::Student>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AuthPlan {
    pub method: AuthMethod,
    /// Usernames allowed explicitly; `None` when the spec allows everyone the method admits.
    pub allowed_users: Option<Vec<String>>,
    /// `org/*` (every member) or `org/team` entries, for github and gitlab.
    pub allowed_groups: Vec<String>,
    pub oidc: Option<OidcPlan>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OidcPlan {
    pub issuer: String,
    pub client_id: String,
    pub username_claim: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TlsPlan {
    pub mode: Https,
    pub domain: Option<String>,
    /// `https://<domain>` when the domain is known; else the target decides.
    pub public_url: Option<String>,
    /// Where the certificate authority sends notices (the spec's `contact`).
    pub acme_email: Option<String>,
    /// The spec's public name, when this plan is a laptop's rehearsal of its hub on
    /// localhost (see [`crate::targets::compose::render_local`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rehearsal_of: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CullerPlan {
    pub timeout_seconds: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NotebookPlan {
    pub repo: String,
    pub branch: Option<String>,
    /// The folder in each user's work directory.
    pub folder: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StoragePlan {
    pub homes_bytes: u64,
    pub datasets_bytes: u64,
    /// The data disk as written in the spec, if any.
    pub disk_bytes: Option<u64>,
}

/// Lowers a checked spec. Validation has rejected every spec that cannot be
/// lowered, so an error here is a bug in atlasod ([`Error::Internal`]), never
/// a problem in the user's file.
pub fn lower(checked: &Checked) -> Result<Plan, Error> {
    let mut plan = lower_spec(&checked.spec);
    if checked.targets.contains(&Target::Kubernetes) {
        if let Some(block) = &checked.spec.cloud.kubernetes {
            let lowered = kubernetes::lower(&checked.spec, block).map_err(|problem| {
                Error::Internal(format!(
                    "the cluster passed validation but cannot be sized ({problem:?})"
                ))
            })?;
            plan.kubernetes = Some(lowered);
        }
    }
    for &target in checked.targets.iter().filter(|t| t.is_single_vm()) {
        let vm = vm::lower(&plan, target)?;
        plan.vms.insert(target, vm);
    }
    Ok(plan)
}

impl Plan {
    /// The bytes the datasets' downloads add up to, as far as their sizes
    /// are known (the catalogue's; a URL of the spec's own may have none).
    pub fn download_bytes(&self) -> u64 {
        self.datasets.iter().map(DatasetPlan::download_bytes).sum()
    }
}

/// The file beside a bundle's files where `atlasod accounts` writes the roster's passwords
/// (`username,password`, mode 0600, in the bundle's `.gitignore`, never in its manifest).
pub const ACCOUNTS_FILE_NAME: &str = "accounts.csv";

impl Plan {
    /// Whether the hub creates the roster's accounts with passwords: `native` with a roster.
    pub fn has_accounts(&self) -> bool {
        self.auth.method == AuthMethod::Native && !self.users.roster.is_empty()
    }
}

/// Who may log in by name: `auth.allowed`'s usernames and the roster's; `None` when neither
/// is given (everyone the method admits).
fn allowed_names(spec: &Spec, mut names: Vec<String>) -> Option<Vec<String>> {
    if !spec.users.has_roster() {
        return spec.auth.allowed.as_ref().map(|_| names);
    }
    for name in spec.users.roster_names() {
        if !names.contains(&name) {
            names.push(name);
        }
    }
    Some(names)
}

/// Lowers a spec that passed validation.
pub fn lower_spec(spec: &Spec) -> Plan {
    let mut plan = lower_fields(spec);
    plan.fingerprint = fingerprint::of(spec, &plan);
    plan.jupyterhub.show_fingerprint(&plan.fingerprint);
    plan
}

fn lower_fields(spec: &Spec) -> Plan {
    let images = images();
    let datasets = datasets::lower(&spec.datasets);
    let (allowed_groups, allowed_users): (Vec<String>, Vec<String>) = spec
        .auth
        .allowed
        .iter()
        .flatten()
        .cloned()
        .partition(|entry| entry.contains('/'));
    let mode = spec.hub.https_mode();
    let public_url = spec
        .hub
        .domain
        .as_ref()
        .filter(|_| mode != Https::Off)
        .map(|domain| format!("https://{domain}"));
    Plan {
        name: spec.name.clone(),
        title: spec.title.clone(),
        contact: spec.contact.clone(),
        schedule: spec.schedule.as_ref().map(|s| PlannedSchedule {
            start: s.start.as_str().to_owned(),
            end: s.end.as_str().to_owned(),
            end_utc: s.end.utc_calendar(),
            hours: s.hours(),
        }),
        clouds: spec.cloud.clone(),
        access: spec.access.clone(),
        hub: images::hub_image(images),
        singleuser: images::single_user_image(&spec.name, &spec.environment, images),
        users: UsersPlan {
            count: spec.users.count(),
            cpu_limit: spec.users.cpu,
            cpu_guarantee: spec.users.cpu,
            mem_limit_bytes: spec.users.memory.bytes(),
            mem_guarantee_bytes: spec.users.memory.bytes(),
            memory: spec.users.memory.as_str().to_owned(),
            storage_bytes: spec.users.storage.bytes(),
            admins: spec.users.all_admins(),
            roster: spec.users.students.clone(),
        },
        auth: AuthPlan {
            method: spec.auth.method,
            allowed_users: allowed_names(spec, allowed_users),
            allowed_groups,
            oidc: spec
                .auth
                .oidc
                .as_ref()
                .filter(|_| spec.auth.method == AuthMethod::Oidc)
                .map(|o| OidcPlan {
                    issuer: o.issuer.trim_end_matches('/').to_owned(),
                    client_id: o.client_id.clone(),
                    username_claim: o.username_claim.clone(),
                }),
        },
        jupyterhub: jupyterhub::lower(spec, public_url.as_deref()),
        tls: TlsPlan {
            mode,
            domain: spec.hub.domain.clone(),
            public_url,
            acme_email: spec.contact.clone().filter(|c| c.contains('@')),
            rehearsal_of: None,
        },
        culler: CullerPlan {
            timeout_seconds: spec.hub.idle_timeout.seconds(),
        },
        storage: StoragePlan {
            homes_bytes: u64::from(spec.users.count()) * spec.users.storage.bytes(),
            datasets_bytes: datasets.iter().map(|d| d.unpacked_bytes).sum(),
            disk_bytes: spec.disk.as_ref().map(crate::spec::Size::bytes),
        },
        datasets,
        kubernetes: None,
        vms: BTreeMap::new(),
        notebooks: spec
            .notebooks
            .iter()
            .map(|n| NotebookPlan {
                repo: n.repo.clone(),
                branch: n.r#ref.clone(),
                folder: n.folder(),
            })
            .collect(),
        fingerprint: String::new(),
    }
}
