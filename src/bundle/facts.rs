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

use crate::plan::Plan;
use crate::sizing::{cheapest_fit, fmt_num, vm_requirement};
use crate::spec::{Target, Users};
use crate::tables;

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

impl TargetFacts {
    /// Fills what the target left empty from the plan and atlasod's tables:
    /// for `aws` and `gcp` the instance type `instance: auto` picks (or the
    /// one written) with its price; for `openstack` the flavor as written.
    /// A target that knows better sets the field itself.
    pub fn fill_defaults(&mut self, plan: &Plan, users: &Users, target: Target) {
        if self.machine.is_none() {
            self.machine = default_machine(plan, users, target);
        }
    }
}

/// Where a single-VM target's machine runs and its OS image: a change of
/// either means a new VM (and, for the location, a new data disk).
pub(crate) fn machine_place(plan: &Plan, target: Target) -> Option<(String, String)> {
    let clouds = &plan.clouds;
    let ubuntu = || String::from("Ubuntu 24.04 LTS");
    match target {
        Target::Aws => clouds
            .aws
            .as_ref()
            .map(|aws| (format!("aws {}", aws.region), ubuntu())),
        Target::Gcp => clouds.gcp.as_ref().map(|gcp| {
            let place = gcp.zone.as_deref().unwrap_or(&gcp.region);
            (format!("gcp {} {place}", gcp.project), ubuntu())
        }),
        Target::Openstack => clouds.openstack.as_ref().map(|os| {
            let region = os
                .region
                .as_deref()
                .map(|r| format!(" {r}"))
                .unwrap_or_default();
            (
                format!("openstack {}{region}", os.auth_url),
                os.image.clone(),
            )
        }),
        Target::Kubernetes | Target::Local => None,
    }
}

fn default_machine(plan: &Plan, users: &Users, target: Target) -> Option<Machine> {
    let (location, os_image) = machine_place(plan, target)?;
    let clouds = &plan.clouds;
    let instance = match target {
        Target::Aws => clouds.aws.as_ref()?.instance.clone(),
        Target::Gcp => clouds.gcp.as_ref()?.instance.clone(),
        Target::Openstack => {
            return Some(Machine {
                location,
                kind: clouds.openstack.as_ref()?.flavor.clone(),
                os_image,
                ..Machine::default()
            });
        }
        Target::Kubernetes | Target::Local => return None,
    };
    let region = match target {
        Target::Aws => clouds.aws.as_ref().map(|a| a.region.as_str()),
        _ => clouds.gcp.as_ref().map(|g| g.region.as_str()),
    }?;
    let tables = tables::for_target(target)?;
    let need = vm_requirement(users);
    let chosen = if instance == "auto" {
        cheapest_fit(tables, region, &need)
    } else {
        tables.instance(&instance)
    };
    Some(match chosen {
        Some(chosen) => Machine {
            location,
            kind: chosen.name.clone(),
            vcpu: Some(chosen.vcpu),
            memory_gib: Some(chosen.memory_gib),
            hourly_price: chosen.prices.get(region).copied(),
            currency: tables.instances.currency.clone(),
            os_image,
        },
        None => Machine {
            location,
            kind: format!("{instance} (≥ {} vCPU)", fmt_num(need.cpu)),
            os_image,
            ..Machine::default()
        },
    })
}
