//! Stage 3, lower: a checked spec → one target-neutral [`Plan`].
//!
//! The plan holds every decision the targets need, already made: pinned
//! images, users and limits, volumes, datasets and notebooks to place, the
//! auth settings, TLS and culling, storage arithmetic. Targets only render
//! it. Invariant: no time, host or random data; ordered collections only, so
//! the same spec always gives the same plan (and the same bundle).

pub mod kubernetes;

use serde::Serialize;

pub use kubernetes::KubernetesPlan;

use crate::catalogue::{Format, catalogue};
use crate::diagnostic::Diagnostics;
use crate::images::images;
use crate::spec::{AuthMethod, Clouds, DatasetRef, Https, Preset, Spec};
use crate::validate::Checked;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Plan {
    pub name: String,
    pub title: String,
    pub contact: Option<String>,
    pub schedule: Option<PlannedSchedule>,
    /// The cloud blocks as written (with defaults), for the targets that need them.
    pub clouds: Clouds,
    pub hub: HubPlan,
    pub singleuser: SingleUserPlan,
    pub users: UsersPlan,
    pub auth: AuthPlan,
    pub tls: TlsPlan,
    pub culler: CullerPlan,
    pub datasets: Vec<DatasetPlan>,
    pub notebooks: Vec<NotebookPlan>,
    pub storage: StoragePlan,
    /// The Kubernetes decisions, when the spec is lowered for that target.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kubernetes: Option<KubernetesPlan>,
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
pub struct HubPlan {
    /// The base image the hub is built from, e.g. `quay.io/jupyterhub/jupyterhub:5.5.1`.
    pub base_image: String,
    pub jupyterhub_version: String,
    /// pip pins installed into the hub image, sorted by package name.
    pub packages: Vec<(String, String)>,
    pub proxy_image: String,
    pub fetcher_image: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SingleUserPlan {
    /// The image users get, as named in the spec or by the preset.
    pub image: String,
    pub preset: Option<String>,
    pub has_nbgitpuller: bool,
    /// Disk to budget for this image, in GB.
    pub disk_budget_gb: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UsersPlan {
    pub count: u32,
    pub cpu_limit: f64,
    pub mem_limit_bytes: u64,
    pub storage_bytes: u64,
    pub admins: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AuthPlan {
    pub method: AuthMethod,
    /// Usernames allowed explicitly.
    pub allowed_users: Vec<String>,
    /// `org` (every member) or `org/team` entries, for github and gitlab.
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
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CullerPlan {
    pub timeout_seconds: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DatasetPlan {
    /// The folder under `/data`.
    pub name: String,
    pub from_catalogue: bool,
    pub files: Vec<DatasetFile>,
    /// Unpack `.zip` files after download.
    pub unzip: bool,
    /// Bytes on disk once in place.
    pub unpacked_bytes: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DatasetFile {
    pub url: String,
    /// The file name under the dataset folder.
    pub filename: String,
    /// Expected size in bytes, when known.
    pub size: Option<u64>,
    pub sha256: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NotebookPlan {
    pub repo: String,
    pub branch: Option<String>,
    /// The folder in each home.
    pub folder: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StoragePlan {
    pub homes_bytes: u64,
    pub datasets_bytes: u64,
    /// The data disk as written in the spec, if any.
    pub disk_bytes: Option<u64>,
}

/// Lowers a checked spec. Errors here are bugs or rules only a plan can see.
pub fn lower(checked: &Checked) -> Result<Plan, Diagnostics> {
    let mut plan = lower_spec(&checked.spec);
    if checked.targets.contains(&crate::spec::Target::Kubernetes) {
        if let Some(block) = &checked.spec.cloud.kubernetes {
            let lowered = kubernetes::lower(&checked.spec, block).map_err(|problem| {
                crate::diagnostic::Diagnostic::error(
                    crate::diagnostic::Code::ClusterSettings,
                    &checked.parsed.file,
                    checked.parsed.root.span,
                    format!("internal error: the cluster passed validation but cannot be sized ({problem:?})"),
                )
                .label("here")
                .help("this is a bug in atlasod, please report it with this file")
            })?;
            plan.kubernetes = Some(lowered);
        }
    }
    Ok(plan)
}

#[allow(clippy::too_many_lines)] // one struct literal, rewritten by the hub-bundle issue
fn lower_spec(spec: &Spec) -> Plan {
    let images = images();
    let preset = spec
        .environment
        .preset
        .filter(|_| spec.environment.image.is_none());
    let preset_image = preset.and_then(|p| images.presets.get(p.as_str()));
    let singleuser = match (&spec.environment.image, preset_image) {
        (Some(image), _) => SingleUserPlan {
            image: image.clone(),
            preset: None,
            has_nbgitpuller: false,
            disk_budget_gb: 10,
        },
        (None, Some(p)) => SingleUserPlan {
            image: p.image.clone(),
            preset: preset.map(|p: Preset| p.as_str().to_owned()),
            has_nbgitpuller: p.has_nbgitpuller,
            disk_budget_gb: p.disk_budget_gb,
        },
        (None, None) => SingleUserPlan {
            image: String::new(),
            preset: None,
            has_nbgitpuller: false,
            disk_budget_gb: 10,
        },
    };
    let datasets: Vec<DatasetPlan> = spec.datasets.iter().map(dataset).collect();
    let (allowed_groups, allowed_users): (Vec<String>, Vec<String>) = spec
        .auth
        .allowed
        .iter()
        .flatten()
        .cloned()
        .partition(|entry| entry.contains('/'));
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
        hub: HubPlan {
            base_image: images.hub.image.clone(),
            jupyterhub_version: images.hub.jupyterhub.clone(),
            packages: images
                .hub
                .packages
                .iter()
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
            proxy_image: images.proxy.image.clone(),
            fetcher_image: images.fetcher.image.clone(),
        },
        singleuser,
        users: UsersPlan {
            count: spec.users.count,
            cpu_limit: spec.users.cpu,
            mem_limit_bytes: spec.users.memory.bytes(),
            storage_bytes: spec.users.storage.bytes(),
            admins: spec.users.admins.clone(),
        },
        auth: AuthPlan {
            method: spec.auth.method,
            allowed_users,
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
        tls: TlsPlan {
            mode: spec.hub.https_mode(),
            domain: spec.hub.domain.clone(),
        },
        culler: CullerPlan {
            timeout_seconds: spec.hub.idle_timeout.seconds(),
        },
        storage: StoragePlan {
            homes_bytes: u64::from(spec.users.count) * spec.users.storage.bytes(),
            datasets_bytes: datasets.iter().map(|d| d.unpacked_bytes).sum(),
            disk_bytes: spec.disk.as_ref().map(crate::spec::Size::bytes),
        },
        datasets,
        kubernetes: None,
        notebooks: spec
            .notebooks
            .iter()
            .map(|n| NotebookPlan {
                repo: n.repo.clone(),
                branch: n.r#ref.clone(),
                folder: n.folder(),
            })
            .collect(),
    }
}

fn file_name(url: &str) -> String {
    let path = url.split(['?', '#']).next().unwrap_or(url);
    path.rsplit('/')
        .next()
        .filter(|s| !s.is_empty())
        .unwrap_or("download")
        .to_owned()
}

fn dataset(dataset: &DatasetRef) -> DatasetPlan {
    match dataset {
        DatasetRef::Catalogue(id) => {
            let entry = catalogue().get(id);
            DatasetPlan {
                name: id.clone(),
                from_catalogue: true,
                files: entry
                    .map(|e| {
                        e.files
                            .iter()
                            .map(|f| DatasetFile {
                                url: f.url.clone(),
                                filename: file_name(&f.url),
                                size: Some(f.size),
                                sha256: f.sha256.clone(),
                            })
                            .collect()
                    })
                    .unwrap_or_default(),
                unzip: entry.is_some_and(|e| e.format == Format::Zip),
                unpacked_bytes: entry.map_or(0, |e| e.unpacked_size),
            }
        }
        DatasetRef::Custom(custom) => {
            let filename = file_name(&custom.url);
            let size = custom.size.as_ref().map(crate::spec::Size::bytes);
            DatasetPlan {
                name: custom.name.clone(),
                from_catalogue: false,
                unzip: filename.to_ascii_lowercase().ends_with(".zip"),
                files: vec![DatasetFile {
                    url: custom.url.clone(),
                    filename,
                    size,
                    sha256: custom.sha256.as_ref().map(|s| s.to_ascii_lowercase()),
                }],
                unpacked_bytes: size.unwrap_or(0),
            }
        }
    }
}
