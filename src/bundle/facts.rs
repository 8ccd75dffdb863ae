//! What a target says about the infrastructure its bundle creates.
//!
//! The plan knows users, datasets and auth; only a target knows which
//! machine it asks the cloud for, how big the data disk is and which secrets
//! it generates. A target fills [`TargetFacts`] beside its files (every field
//! is optional and new fields are only ever added), and the semantic diff
//! compares two of them to say, in trainer words, what `terraform apply`
//! would do: resize the VM (and at what cost), replace it, replace or shrink
//! the data disk, rotate a secret, rename home volumes.
//!
//! Invariant: facts are derived from the plan and atlasod's own tables only,
//! so they are as deterministic as the files.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct TargetFacts {
    /// The virtual machine the hub runs on, for single-VM targets.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub machine: Option<Machine>,
    /// The persistent disk that holds homes, datasets and Docker's data.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub data_disk: Option<DataDisk>,
    /// How each user's home volume is named, e.g. `jupyterhub-user-{username}`:
    /// when it changes, students start with an empty home.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub home_volume: Option<String>,
    /// Secrets the bundle generates or asks for, by name, each with a key
    /// that changes exactly when the secret is regenerated (e.g. the
    /// `keepers` of a Terraform `random_password`).
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub secrets: BTreeMap<String, String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Machine {
    /// Where it runs, e.g. `aws eu-central-1` or `gcp my-project europe-west1-b`:
    /// a change means a new VM and a new data disk.
    pub location: String,
    /// The instance type or flavor, e.g. `m6i.4xlarge`.
    pub kind: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub vcpu: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub memory_gib: Option<f64>,
    /// Estimated on-demand price per hour, when the target knows it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hourly_price: Option<f64>,
    /// ISO currency of `hourly_price`, e.g. `USD`.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub currency: String,
    /// The operating system image: a change replaces the VM.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub os_image: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct DataDisk {
    /// Where the disk lives (region or zone): a change means a new, empty disk.
    pub location: String,
    /// Size in GiB.
    pub size_gib: u64,
}
