//! Per-cloud tables from `targets/<cloud>/`: regions, zones and instance types
//! with vCPU, memory and on-demand prices.
//!
//! Used by validation (is this region or type real, is it big enough) and by
//! sizing (the cheapest type that fits). OpenStack has no public catalogue, so
//! it has no table: its flavor is chosen at apply time.

use crate::spec::Target;

pub use super::{InstanceTable, InstanceType, Region, Regions};

impl InstanceType {
    /// The machine series, as the regions table names it: `n2-standard-8` → `N2`.
    pub fn series(&self) -> String {
        let family = self.name.split(['-', '.']).next().unwrap_or(self.name);
        family.to_ascii_uppercase()
    }
}

/// What the tables say about one type in one region.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Offer {
    /// Offered, at this on-demand price per hour.
    Priced(f64),
    /// The region has no price data at all, so whether the type is offered is unknown.
    Unknown,
    /// The region is priced, and this type has no price there: not offered.
    NotOffered,
}

/// The tables of one cloud.
#[derive(Debug)]
pub struct CloudTables {
    pub regions: &'static Regions,
    pub instances: &'static InstanceTable,
}

impl CloudTables {
    pub fn region(&self, code: &str) -> Option<&'static Region> {
        self.regions.regions.iter().find(|r| r.code == code)
    }

    pub fn region_codes(&self) -> impl Iterator<Item = &'static str> + use<> {
        self.regions.regions.iter().map(|r| r.code)
    }

    pub fn instance(&self, name: &str) -> Option<&'static InstanceType> {
        self.instances.instances.iter().find(|i| i.name == name)
    }

    pub fn instance_names(&self) -> impl Iterator<Item = &'static str> + use<> {
        self.instances.instances.iter().map(|i| i.name)
    }

    /// Whether the sources give prices for `region` (most regions; see `unpriced_regions`).
    pub fn is_priced(&self, region: &str) -> bool {
        !self.instances.unpriced_regions.contains(&region)
    }

    /// Whether `instance` is offered in `region`, and at what price.
    pub fn offer(&self, instance: &InstanceType, region: &str) -> Offer {
        if let Some(price) = instance.prices.get(region) {
            return Offer::Priced(*price);
        }
        if self.is_priced(region) {
            return Offer::NotOffered;
        }
        let series_known = self
            .region(region)
            .and_then(|r| r.series.as_ref())
            .is_some_and(|series| !series.iter().any(|s| *s == instance.series()));
        if series_known {
            Offer::NotOffered
        } else {
            Offer::Unknown
        }
    }

    /// The type with the most memory, then the most vCPUs.
    pub fn largest(&self) -> Option<&'static InstanceType> {
        self.instances.instances.iter().max_by(|a, b| {
            a.memory_gib
                .total_cmp(&b.memory_gib)
                .then(a.vcpu.cmp(&b.vcpu))
        })
    }
}

/// The tables for a cloud target, or `None` for targets without a public catalogue.
pub fn for_target(target: Target) -> Option<&'static CloudTables> {
    static AWS: CloudTables = CloudTables {
        regions: &super::AWS_REGIONS,
        instances: &super::AWS_INSTANCES,
    };
    static GCP: CloudTables = CloudTables {
        regions: &super::GCP_REGIONS,
        instances: &super::GCP_INSTANCES,
    };
    match target {
        Target::Aws => Some(&AWS),
        Target::Gcp => Some(&GCP),
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
            for instance in tables.instances.instances {
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
                    assert!(
                        tables.is_priced(region),
                        "{} priced in {region}, which is listed as unpriced",
                        instance.name
                    );
                }
            }
            for region in tables.instances.unpriced_regions {
                assert!(tables.region(region).is_some(), "unpriced {region} unknown");
            }
        }
    }
}
