//! Per-cloud tables from `targets/<cloud>/`: regions, zones and instance types
//! with vCPU, memory and on-demand prices.
//!
//! Used by validation (is this region or type real, is it big enough) and by
//! sizing (the cheapest type that fits). OpenStack has no public catalogue, so
//! it has no table: its flavor is chosen at apply time.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use serde::Deserialize;

use crate::spec::Target;

#[derive(Debug, Clone, Deserialize)]
pub struct Regions {
    pub regions: Vec<Region>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Region {
    pub code: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub zones: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct InstanceTable {
    /// The date the prices were read, `YYYY-MM-DD`.
    pub prices_read: String,
    pub currency: String,
    #[serde(default)]
    pub price_kind: String,
    pub instances: Vec<InstanceType>,
    /// Regions of the cloud with no price for any type here: a type named
    /// there is taken on trust, and `auto` cannot choose.
    #[serde(default)]
    pub unpriced_regions: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct InstanceType {
    #[serde(rename = "type")]
    pub name: String,
    pub vcpu: u32,
    pub memory_gib: f64,
    /// Hourly price per region where the type is offered.
    pub prices: BTreeMap<String, f64>,
}

/// The tables of one cloud.
#[derive(Debug)]
pub struct CloudTables {
    pub regions: Regions,
    pub instances: InstanceTable,
}

impl CloudTables {
    pub fn region(&self, code: &str) -> Option<&Region> {
        self.regions.regions.iter().find(|r| r.code == code)
    }

    pub fn region_codes(&self) -> impl Iterator<Item = &str> {
        self.regions.regions.iter().map(|r| r.code.as_str())
    }

    pub fn instance(&self, name: &str) -> Option<&InstanceType> {
        self.instances.instances.iter().find(|i| i.name == name)
    }

    pub fn instance_names(&self) -> impl Iterator<Item = &str> {
        self.instances.instances.iter().map(|i| i.name.as_str())
    }

    /// The type with the most memory, then the most vCPUs.
    pub fn largest(&self) -> Option<&InstanceType> {
        self.instances.instances.iter().max_by(|a, b| {
            a.memory_gib
                .total_cmp(&b.memory_gib)
                .then(a.vcpu.cmp(&b.vcpu))
        })
    }
}

/// The tables for a cloud target, or `None` for targets without a public catalogue.
pub fn for_target(target: Target) -> Option<&'static CloudTables> {
    static AWS: OnceLock<CloudTables> = OnceLock::new();
    static GCP: OnceLock<CloudTables> = OnceLock::new();
    match target {
        Target::Aws => Some(AWS.get_or_init(|| CloudTables {
            regions: crate::data::load(
                "targets/aws/regions.yaml",
                include_str!("../targets/aws/regions.yaml"),
            ),
            instances: crate::data::load(
                "targets/aws/instances.yaml",
                include_str!("../targets/aws/instances.yaml"),
            ),
        })),
        Target::Gcp => Some(GCP.get_or_init(|| CloudTables {
            regions: crate::data::load(
                "targets/gcp/regions.yaml",
                include_str!("../targets/gcp/regions.yaml"),
            ),
            instances: crate::data::load(
                "targets/gcp/instances.yaml",
                include_str!("../targets/gcp/instances.yaml"),
            ),
        })),
        Target::Openstack | Target::Kubernetes | Target::Local => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_load_and_are_consistent() {
        for target in [Target::Aws, Target::Gcp] {
            let tables = for_target(target).unwrap();
            assert!(!tables.regions.regions.is_empty());
            for instance in &tables.instances.instances {
                assert!(
                    instance.vcpu > 0 && instance.memory_gib > 0.0,
                    "{}",
                    instance.name
                );
                for region in instance.prices.keys() {
                    assert!(
                        tables.region(region).is_some(),
                        "{} priced in unknown region {region}",
                        instance.name
                    );
                }
            }
        }
    }
}
