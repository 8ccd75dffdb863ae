//! The deployment targets a spec can be built for.

use std::fmt;

#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    clap::ValueEnum,
    serde::Serialize,
    serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Target {
    Aws,
    Gcp,
    Openstack,
    Kubernetes,
    Local,
}

impl Target {
    /// The name people use for the target's cloud: `AWS`, `Google Cloud`.
    pub const fn cloud_name(self) -> &'static str {
        match self {
            Target::Aws => "AWS",
            Target::Gcp => "Google Cloud",
            Target::Openstack => "OpenStack",
            Target::Kubernetes => "Kubernetes",
            Target::Local => "local",
        }
    }

    pub const ALL: &'static [Target] = &[
        Target::Aws,
        Target::Gcp,
        Target::Openstack,
        Target::Kubernetes,
        Target::Local,
    ];

    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Aws => "aws",
            Self::Gcp => "gcp",
            Self::Openstack => "openstack",
            Self::Kubernetes => "kubernetes",
            Self::Local => "local",
        }
    }

    /// Targets that run the hub on one virtual machine.
    pub const fn is_single_vm(self) -> bool {
        matches!(self, Self::Aws | Self::Gcp | Self::Openstack)
    }

    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|t| t.as_str() == name)
    }
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
