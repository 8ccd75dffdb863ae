//! The workshop spec as typed Rust values.
//!
//! Input: the JSON value of a YAML document that passed the JSON Schema in
//! `schema/workshop.schema.json`. Output: a [`Spec`] with every default
//! filled in. Invariant: these types and the schema describe the same
//! language; `tests/schema_drift.rs` fails when they drift apart.

mod quantity;
mod target;

use serde::{Deserialize, Serialize};

pub use quantity::{Duration, GB, GIB, MIB, Size, Timestamp};
pub use target::Target;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Spec {
    pub version: u32,
    pub name: String,
    #[serde(default)]
    pub title: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schedule: Option<Schedule>,
    #[serde(default)]
    pub cloud: Clouds,
    #[serde(default)]
    pub access: Access,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disk: Option<Size>,
    pub users: Users,
    #[serde(default)]
    pub auth: Auth,
    #[serde(default)]
    pub environment: Environment,
    #[serde(default)]
    pub datasets: Vec<DatasetRef>,
    #[serde(default)]
    pub notebooks: Vec<Notebook>,
    #[serde(default)]
    pub hub: Hub,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Schedule {
    pub start: Timestamp,
    pub end: Timestamp,
}

impl Schedule {
    /// Hours between start and end, rounded up (what a cloud bills).
    pub fn hours(&self) -> u64 {
        u64::try_from(self.end.unix() - self.start.unix())
            .unwrap_or(0)
            .div_ceil(3600)
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Clouds {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub aws: Option<Aws>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gcp: Option<Gcp>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub openstack: Option<OpenStack>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kubernetes: Option<Kubernetes>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub local: Option<Local>,
}

impl Clouds {
    /// The targets this spec declares a block for, in a fixed order; `local` is
    /// listed only when declared.
    pub fn declared(&self) -> Vec<Target> {
        Target::ALL
            .iter()
            .copied()
            .filter(|target| self.is_declared(*target))
            .collect()
    }

    pub fn is_declared(&self, target: Target) -> bool {
        match target {
            Target::Aws => self.aws.is_some(),
            Target::Gcp => self.gcp.is_some(),
            Target::Openstack => self.openstack.is_some(),
            Target::Kubernetes => self.kubernetes.is_some(),
            Target::Local => self.local.is_some(),
        }
    }
}

fn auto() -> String {
    "auto".to_owned()
}

fn is_auto(value: &str) -> bool {
    value == "auto"
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Aws {
    pub region: String,
    #[serde(default = "auto")]
    pub instance: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Gcp {
    pub project: String,
    pub region: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub zone: Option<String>,
    #[serde(default = "auto")]
    pub instance: String,
}

fn ubuntu_image() -> String {
    "Ubuntu 24.04".to_owned()
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OpenStack {
    pub auth_url: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    #[serde(default = "auto")]
    pub flavor: String,
    #[serde(default = "ubuntu_image")]
    pub image: String,
    pub network: String,
    pub floating_ip_pool: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Kubernetes {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub context: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cluster: Option<Cluster>,
}

/// Who runs a managed cluster that atlasod creates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ClusterProvider {
    Gcp,
    Aws,
    Openstack,
}

impl ClusterProvider {
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Gcp => "gcp",
            Self::Aws => "aws",
            Self::Openstack => "openstack",
        }
    }

    /// The VM target whose region and instance tables this provider shares.
    pub const fn cloud(self) -> Target {
        match self {
            Self::Gcp => Target::Gcp,
            Self::Aws => Target::Aws,
            Self::Openstack => Target::Openstack,
        }
    }
}

/// `cloud.kubernetes.cluster`: the managed cluster to create.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Cluster {
    pub provider: ClusterProvider,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub project: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub zone: Option<String>,
    #[serde(default = "auto")]
    pub node_type: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_nodes: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_nodes: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auth_url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub template: Option<String>,
}

impl Cluster {
    pub fn is_auto(&self) -> bool {
        is_auto(&self.node_type)
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Local {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub port: Option<u16>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Access {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub admin_cidr: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ssh_public_key: Option<String>,
}

fn one_cpu() -> f64 {
    1.0
}

fn two_gib() -> Size {
    Size::gib(2)
}

fn five_gib() -> Size {
    Size::gib(5)
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Users {
    /// Read through [`Users::count`]: after validation it is always set (from the roster when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub count: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub roster: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pattern: Option<String>,
    #[serde(default = "one_cpu")]
    pub cpu: f64,
    #[serde(default = "two_gib")]
    pub memory: Size,
    #[serde(default = "five_gib")]
    pub storage: Size,
    #[serde(default)]
    pub admins: Vec<String>,
    /// The accounts of the roster (`roster` rows, or `count` names made from `pattern`):
    /// filled by validation, not written in the spec.
    #[serde(skip)]
    pub students: Vec<Student>,
}

impl Users {
    /// How many users the workshop serves: `count`, or the roster's length without it.
    pub fn count(&self) -> u32 {
        self.count
            .unwrap_or_else(|| u32::try_from(self.students.len()).unwrap_or(u32::MAX))
    }

    /// Whether the workshop has a roster: every account is known before anyone logs in.
    pub fn has_roster(&self) -> bool {
        self.roster.is_some() || self.pattern.is_some()
    }

    /// The hub's admins: `admins`, then the roster's rows of the group `admin`.
    pub fn all_admins(&self) -> Vec<String> {
        let mut all = self.admins.clone();
        for student in &self.students {
            if student.is_admin() && !all.contains(&student.username) {
                all.push(student.username.clone());
            }
        }
        all
    }

    /// The roster's usernames, in roster order.
    pub fn roster_names(&self) -> Vec<String> {
        self.students.iter().map(|s| s.username.clone()).collect()
    }
}

/// One account of the roster.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Student {
    pub username: String,
    /// The person's name, for the login sheet.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
}

impl Student {
    /// A row of the group `admin` (or `admins`) is a hub admin.
    pub fn is_admin(&self) -> bool {
        self.group
            .as_deref()
            .is_some_and(|g| g.eq_ignore_ascii_case("admin") || g.eq_ignore_ascii_case("admins"))
    }
}

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize,
)]
#[serde(rename_all = "kebab-case")]
pub enum AuthMethod {
    #[default]
    Native,
    SharedPassword,
    Github,
    Gitlab,
    Oidc,
    Dummy,
}

impl AuthMethod {
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Native => "native",
            Self::SharedPassword => "shared-password",
            Self::Github => "github",
            Self::Gitlab => "gitlab",
            Self::Oidc => "oidc",
            Self::Dummy => "dummy",
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Auth {
    #[serde(default)]
    pub method: AuthMethod,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub allowed: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub oidc: Option<Oidc>,
}

fn preferred_username() -> String {
    "preferred_username".to_owned()
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Oidc {
    pub issuer: String,
    pub client_id: String,
    #[serde(default = "preferred_username")]
    pub username_claim: String,
}

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize,
)]
#[serde(rename_all = "kebab-case")]
pub enum Preset {
    #[default]
    Root,
    Python,
}

impl Preset {
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Root => "root",
            Self::Python => "python",
        }
    }
}

/// The single-user environment: a preset, or the spec's own image.
///
/// With no image, the preset defaults to `root`, also for an empty
/// `environment: {}` block (the schema's `default`); with an image, the
/// preset is absent unless written (and `check` reports writing both).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(from = "EnvironmentFields")]
pub struct Environment {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub preset: Option<Preset>,
}

/// `environment` as written, before the preset's default applies.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct EnvironmentFields {
    #[serde(default)]
    image: Option<String>,
    #[serde(default)]
    preset: Option<Preset>,
}

impl From<EnvironmentFields> for Environment {
    fn from(fields: EnvironmentFields) -> Self {
        let preset = match (&fields.image, fields.preset) {
            (None, None) => Some(Preset::Root),
            (_, preset) => preset,
        };
        Self {
            image: fields.image,
            preset,
        }
    }
}

impl Default for Environment {
    fn default() -> Self {
        Self {
            image: None,
            preset: Some(Preset::Root),
        }
    }
}

/// A dataset: a catalogue id, or a file of the user's own.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum DatasetRef {
    Catalogue(String),
    Custom(CustomDataset),
}

impl DatasetRef {
    /// The folder name under `/data`.
    pub fn name(&self) -> &str {
        match self {
            Self::Catalogue(id) => id,
            Self::Custom(custom) => &custom.name,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CustomDataset {
    pub name: String,
    pub url: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sha256: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub size: Option<Size>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Notebook {
    pub repo: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub r#ref: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// The notebooks `atlasod verify` runs (paths inside the repository); empty: every `.ipynb`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub verify: Vec<String>,
}

impl Notebook {
    /// The folder name in each home: `path`, else the repository's last URL segment.
    pub fn folder(&self) -> String {
        if let Some(path) = &self.path {
            return path.clone();
        }
        let trimmed = self.repo.trim_end_matches('/');
        let last = trimmed.rsplit('/').next().unwrap_or(trimmed);
        last.strip_suffix(".git").unwrap_or(last).to_owned()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Https {
    Letsencrypt,
    SelfSigned,
    Off,
}

impl Https {
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Letsencrypt => "letsencrypt",
            Self::SelfSigned => "self-signed",
            Self::Off => "off",
        }
    }
}

fn one_hour() -> Duration {
    Duration::parse("1h").unwrap_or_else(|_| unreachable!("`1h` is a valid duration"))
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Hub {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub domain: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub https: Option<Https>,
    #[serde(default = "one_hour")]
    pub idle_timeout: Duration,
}

impl Default for Hub {
    fn default() -> Self {
        Self {
            domain: None,
            https: None,
            idle_timeout: one_hour(),
        }
    }
}

impl Hub {
    /// The TLS mode in effect: as written, else Let's Encrypt with a domain and self-signed without.
    pub fn https_mode(&self) -> Https {
        self.https.unwrap_or(if self.domain.is_some() {
            Https::Letsencrypt
        } else {
            Https::SelfSigned
        })
    }
}

impl Aws {
    pub fn is_auto(&self) -> bool {
        is_auto(&self.instance)
    }
}

impl Gcp {
    pub fn is_auto(&self) -> bool {
        is_auto(&self.instance)
    }
}

impl OpenStack {
    pub fn is_auto(&self) -> bool {
        is_auto(&self.flavor)
    }
}
