//! The machine a single-VM target asks for, sized once at lowering: instance
//! type, disks and cost, with the arithmetic that chose them.
//!
//! Input: the plan (users, storage, images, schedule, the cloud block) and
//! the cloud. Output: a [`VmPlan`], plain data that the Terraform module, the
//! README, the build summary and the semantic diff all read from
//! [`super::Plan::vms`]. Validation has already rejected specs no machine can
//! hold, so a failure here is a bug ([`Error::Internal`]).

use serde::Serialize;

use super::Plan;
use crate::data::tables;
use crate::error::Error;
use crate::sizing::vm::{self as sizing, DataDisk, DiskContents, Requirement};
use crate::spec::{MIB, Target};
use crate::units::{self, fmt_gib, fmt_num};

/// The usual vCPU counts of OpenStack flavors; `flavor: auto` asks for the
/// first one that covers the class.
const FLAVOR_VCPUS: &[u32] = &[1, 2, 4, 8, 16, 32, 48, 64, 96, 128, 192, 256];

/// The VM of one single-VM cloud.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct VmPlan {
    /// `AWS`, `Google Cloud`, `OpenStack`.
    pub cloud: &'static str,
    pub region: Option<String>,
    /// The class's needs, one line per resource.
    pub requirement: Vec<String>,
    /// Whole vCPUs and MiB of memory the class needs.
    pub min_vcpus: u32,
    pub min_memory_mib: u64,
    pub instance: Instance,
    pub boot_disk_gib: u64,
    pub data_disk: DataDisk,
    pub cost: Option<Cost>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Instance {
    /// The type or flavor name; `None` for an OpenStack flavor chosen at apply time.
    pub name: Option<String>,
    pub vcpu: Option<u32>,
    pub memory_gib: Option<f64>,
    /// Whether atlasod chose it (`auto`) rather than the spec naming it.
    pub auto: bool,
    /// Why this machine: one sentence per line.
    pub why: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Cost {
    pub currency: String,
    /// On-demand price per hour; `None` where the tables have no price.
    pub hourly: Option<f64>,
    pub prices_read: String,
    /// Hours in the schedule, when there is one.
    pub hours: Option<u64>,
    pub total: Option<f64>,
}

/// Sizes the VM for `plan` on `target`.
pub(crate) fn lower(plan: &Plan, target: Target) -> Result<VmPlan, Error> {
    let users = &plan.users;
    let need = sizing::requirement(
        users.count,
        users.cpu_limit,
        users.mem_limit_bytes,
        &units::fmt_memory(users.mem_limit_bytes),
    );
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    let min_vcpus = need.cpu.ceil() as u32;
    let min_memory_mib = need.memory.div_ceil(MIB);
    let data_disk = sizing::data_disk(
        &DiskContents {
            users: users.count,
            storage_per_user: users.storage_bytes,
            datasets: plan.storage.datasets_bytes,
            image_gb: plan.singleuser.disk_budget_gb,
        },
        plan.storage.disk_bytes,
    );
    let (region, instance, cost) = match target {
        Target::Aws => {
            let aws = plan.clouds.aws.as_ref().ok_or_else(|| missing(target))?;
            let (instance, cost) = from_table(plan, target, &aws.region, &aws.instance, &need)?;
            (Some(aws.region.clone()), instance, Some(cost))
        }
        Target::Gcp => {
            let gcp = plan.clouds.gcp.as_ref().ok_or_else(|| missing(target))?;
            let (instance, cost) = from_table(plan, target, &gcp.region, &gcp.instance, &need)?;
            (Some(gcp.region.clone()), instance, Some(cost))
        }
        Target::Openstack => {
            let openstack = plan
                .clouds
                .openstack
                .as_ref()
                .ok_or_else(|| missing(target))?;
            let instance = if openstack.is_auto() {
                let vcpus = flavor_vcpus(min_vcpus);
                Instance {
                    name: None,
                    vcpu: Some(vcpus),
                    memory_gib: None,
                    auto: true,
                    why: vec![
                        format!(
                            "`flavor: auto`: at apply time Terraform asks the cloud for the flavor with exactly {vcpus} vCPUs and at least {min_memory_mib} MiB of memory (OpenStack has no public flavor catalogue to choose from in advance)"
                        ),
                        "if the cloud has none or several such flavors, `terraform plan` stops and says so: then set `flavor` in terraform.tfvars to a name from `openstack flavor list`".to_owned(),
                    ],
                }
            } else {
                Instance {
                    name: Some(openstack.flavor.clone()),
                    vcpu: None,
                    memory_gib: None,
                    auto: false,
                    why: vec![format!(
                        "`flavor: {}` as written in the spec; Terraform warns at plan time if it has fewer than {min_vcpus} vCPUs or {min_memory_mib} MiB",
                        openstack.flavor
                    )],
                }
            };
            (openstack.region.clone(), instance, None)
        }
        Target::Kubernetes | Target::Local => {
            return Err(Error::Internal(format!(
                "`{target}` is not a single-VM target"
            )));
        }
    };
    Ok(VmPlan {
        cloud: target.cloud_name(),
        region,
        requirement: need.arithmetic.clone(),
        min_vcpus,
        min_memory_mib,
        instance,
        boot_disk_gib: sizing::BOOT_DISK_GIB,
        data_disk,
        cost,
    })
}

fn missing(target: Target) -> Error {
    Error::Internal(format!(
        "the plan has no `cloud.{target}` block, which validation requires"
    ))
}

/// The first usual flavor size that covers `vcpus`.
pub(crate) fn flavor_vcpus(vcpus: u32) -> u32 {
    FLAVOR_VCPUS
        .iter()
        .copied()
        .find(|&v| v >= vcpus)
        .unwrap_or(vcpus)
}

fn from_table(
    plan: &Plan,
    target: Target,
    region: &str,
    written: &str,
    need: &Requirement,
) -> Result<(Instance, Cost), Error> {
    let tables = tables::for_target(target)
        .ok_or_else(|| Error::Internal(format!("no instance table for `{target}`")))?;
    let priced = tables.is_priced(region);
    let (chosen, price, auto) = if written == "auto" {
        let fit = sizing::choose(tables, region, need).ok_or_else(|| {
            Error::Internal(format!(
                "no {target} type fits in {region}, which validation should have reported"
            ))
        })?;
        (fit.instance, fit.price, true)
    } else {
        let instance = tables
            .instance(written)
            .ok_or_else(|| Error::Internal(format!("`{written}` is not in the {target} table")))?;
        (instance, instance.prices.get(region).copied(), false)
    };
    let spec_line = format!(
        "{} vCPU and {} GiB",
        chosen.vcpu,
        fmt_num(chosen.memory_gib)
    );
    let mut why = Vec::new();
    if auto && priced {
        why.push(format!(
            "`instance: auto`: `{}` ({spec_line}) is the cheapest type in `{region}` with at least {} vCPU and {}",
            chosen.name,
            fmt_num(need.cpu),
            fmt_gib(need.memory)
        ));
    } else if auto {
        why.push(format!(
            "`instance: auto`: `{}` ({spec_line}) is the smallest type with at least {} vCPU and {}",
            chosen.name,
            fmt_num(need.cpu),
            fmt_gib(need.memory)
        ));
        why.push(format!(
            "atlasod has no prices for `{region}`, so neither the cost nor whether the type is offered there is known; Terraform checks the offer at plan time"
        ));
    } else {
        why.push(format!(
            "`instance: {}` ({spec_line}) as written in the spec; it holds at least {} vCPU and {}",
            chosen.name,
            fmt_num(need.cpu),
            fmt_gib(need.memory)
        ));
    }
    if chosen.name.starts_with("t3") {
        why.push(
            "t3 types are burstable: their CPU baseline is below 100 %, fine for light notebooks only"
                .to_owned(),
        );
    }
    let hours = plan.schedule.as_ref().map(|s| s.hours);
    #[allow(clippy::cast_precision_loss)]
    let total = price.zip(hours).map(|(p, h)| p * h as f64);
    Ok((
        Instance {
            name: Some(chosen.name.to_owned()),
            vcpu: Some(chosen.vcpu),
            memory_gib: Some(chosen.memory_gib),
            auto,
            why,
        },
        Cost {
            currency: tables.instances.currency.to_owned(),
            hourly: price,
            prices_read: tables.instances.prices_read.to_owned(),
            hours,
            total,
        },
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flavor_sizes_round_up_to_usual_counts() {
        assert_eq!(flavor_vcpus(1), 1);
        assert_eq!(flavor_vcpus(3), 4);
        assert_eq!(flavor_vcpus(31), 32);
        assert_eq!(flavor_vcpus(33), 48);
        assert_eq!(flavor_vcpus(300), 300);
    }
}
