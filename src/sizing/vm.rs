//! How big one machine must be for a workshop, and which instance type fits.
//!
//! The rule (TLJH's rule of thumb, extended): every user's CPU and memory
//! limit, plus 128 MiB for the hub, 256 MiB for the proxy and culler, and
//! 1 GiB and half a core for the operating system and Docker. The cheapest
//! type offered in the region that covers both wins. The arithmetic is kept
//! as text so the build summary can show it.
//!
//! The data disk is sized from the same numbers: every home, the datasets
//! unpacked, the images (Docker keeps its data on that disk) and headroom.

use crate::data::images::images;
use crate::data::tables::{CloudTables, InstanceType, Offer};
use crate::spec::{Environment, GB, GIB, MIB, Users};
use crate::units::{fmt_gib, fmt_num};

/// Users one VM should serve at most; beyond this, use the `kubernetes` target.
///
/// In line with single-machine JupyterHub distributions (TLJH documents
/// "up to about 100 users" for one machine).
pub const MAX_USERS_PER_VM: u32 = 100;

pub const HUB_MEMORY: u64 = 128 * MIB;
pub const PROXY_MEMORY: u64 = 256 * MIB;
pub const OS_MEMORY: u64 = GIB;
pub const OS_CPU: f64 = 0.5;

/// What one machine needs for the users, with the arithmetic spelled out.
#[derive(Debug, Clone, PartialEq)]
pub struct Requirement {
    pub cpu: f64,
    pub memory: u64,
    /// Lines such as `CPU: 30 users x 1 core + 0.5 (hub, proxy, OS) = 30.5 cores`.
    pub arithmetic: Vec<String>,
}

pub fn vm_requirement(users: &Users) -> Requirement {
    requirement(
        users.count(),
        users.cpu,
        users.memory.bytes(),
        &users.memory.to_string(),
    )
}

/// [`vm_requirement`] from plain numbers (the plan keeps bytes, not the spec's text).
pub fn requirement(
    count: u32,
    cpu_per_user: f64,
    memory_per_user: u64,
    memory_text: &str,
) -> Requirement {
    let cpu = f64::from(count) * cpu_per_user + OS_CPU;
    let memory = u64::from(count) * memory_per_user + HUB_MEMORY + PROXY_MEMORY + OS_MEMORY;
    let arithmetic = vec![
        format!(
            "CPU: {count} users x {} core{} + {OS_CPU} (hub, proxy, OS) = {} cores",
            fmt_num(cpu_per_user),
            if (cpu_per_user - 1.0).abs() < f64::EPSILON {
                ""
            } else {
                "s"
            },
            fmt_num(cpu)
        ),
        format!(
            "memory: {count} users x {memory_text} + 128 MiB (hub) + 256 MiB (proxy, culler) + 1 GiB (OS) = {}",
            fmt_gib(memory)
        ),
    ];
    Requirement {
        cpu,
        memory,
        arithmetic,
    }
}

impl InstanceType {
    pub fn memory_bytes(&self) -> u64 {
        #[allow(
            clippy::cast_possible_truncation,
            clippy::cast_sign_loss,
            clippy::cast_precision_loss
        )]
        let bytes = (self.memory_gib * GIB as f64) as u64;
        bytes
    }

    pub fn fits(&self, need: &Requirement) -> bool {
        f64::from(self.vcpu) >= need.cpu && self.memory_bytes() >= need.memory
    }
}

/// A type that fits, with its hourly price in the region when the tables know it.
#[derive(Debug, Clone, Copy)]
pub struct Fit<'a> {
    pub instance: &'a InstanceType,
    pub price: Option<f64>,
}

/// The types that may run in `region`: priced there, or in a region without
/// price data where they are not known to be missing.
pub fn candidates<'a>(
    tables: &'a CloudTables,
    region: &'a str,
) -> impl Iterator<Item = Fit<'a>> + 'a {
    tables
        .instances
        .instances
        .iter()
        .filter_map(move |instance| match tables.offer(instance, region) {
            Offer::Priced(price) => Some(Fit {
                instance,
                price: Some(price),
            }),
            Offer::Unknown => Some(Fit {
                instance,
                price: None,
            }),
            Offer::NotOffered => None,
        })
}

/// What `instance: auto` picks: the cheapest type offered in `region` that
/// fits and is not burstable (ties: less memory, then the name). In a region without price data
/// the smallest type that fits (fewest vCPUs, then least memory), whose price
/// is then unknown.
pub fn choose<'a>(tables: &'a CloudTables, region: &'a str, need: &Requirement) -> Option<Fit<'a>> {
    candidates(tables, region)
        .filter(|fit| fit.instance.fits(need) && !fit.instance.burstable)
        .min_by(|a, b| {
            let by_price = match (a.price, b.price) {
                (Some(pa), Some(pb)) => pa.total_cmp(&pb),
                _ => a.instance.vcpu.cmp(&b.instance.vcpu),
            };
            by_price
                .then(a.instance.memory_gib.total_cmp(&b.instance.memory_gib))
                .then(a.instance.name.cmp(b.instance.name))
        })
}

/// The type `instance: auto` picks in `region`, if any fits.
pub fn cheapest_fit<'a>(
    tables: &'a CloudTables,
    region: &'a str,
    need: &Requirement,
) -> Option<&'a InstanceType> {
    choose(tables, region, need).map(|fit| fit.instance)
}

/// The biggest type that may run in `region` (most memory, then most vCPUs).
pub fn largest_in<'a>(tables: &'a CloudTables, region: &'a str) -> Option<&'a InstanceType> {
    candidates(tables, region)
        .map(|fit| fit.instance)
        .max_by(|a, b| {
            a.memory_gib
                .total_cmp(&b.memory_gib)
                .then(a.vcpu.cmp(&b.vcpu))
        })
}

/// The boot disk of every VM: Ubuntu, Docker Engine and logs. Images and
/// volumes live on the data disk, so this does not grow with the workshop.
pub const BOOT_DISK_GIB: u64 = 30;

/// Disk for the hub image (built on the VM), the TLS proxy and the
/// build cache, in GB (the dataset fetcher runs in the single-user base image).
pub const STACK_IMAGES_GB: u64 = 3;

/// Disk budgeted for a single-user image that is not a preset, in GB.
pub const CUSTOM_IMAGE_GB: u64 = 10;

/// Headroom on the data disk: this share of the contents, and at least `MIN_HEADROOM_GIB`.
pub const HEADROOM_PERCENT: u64 = 20;
pub const MIN_HEADROOM_GIB: u64 = 10;

/// Disk to budget for the single-user image of `environment`, in GB.
pub fn image_budget_gb(environment: &Environment) -> u64 {
    match (&environment.image, environment.preset) {
        (None, Some(preset)) => images()
            .presets
            .get(preset.as_str())
            .map_or(CUSTOM_IMAGE_GB, |p| p.disk_budget_gb),
        _ => CUSTOM_IMAGE_GB,
    }
}

/// What the data disk must hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DiskContents {
    pub users: u32,
    pub storage_per_user: u64,
    pub datasets: u64,
    /// The single-user image's budget, in GB.
    pub image_gb: u64,
}

impl DiskContents {
    pub fn homes(&self) -> u64 {
        u64::from(self.users) * self.storage_per_user
    }

    pub fn images(&self) -> u64 {
        (self.image_gb + STACK_IMAGES_GB) * GB
    }

    /// Bytes the contents take, without headroom: the least a data disk may have.
    pub fn minimum(&self) -> u64 {
        self.homes() + self.datasets + self.images()
    }
}

/// The data disk, in GiB, with the arithmetic that gave it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct DataDisk {
    pub gib: u64,
    /// The least size that holds the contents, in GiB (rounded up).
    pub minimum_gib: u64,
    /// Whether `disk` in the spec set the size.
    pub explicit: bool,
    pub arithmetic: Vec<String>,
}

/// Sizes the data disk for `contents`, or takes the size written in the spec.
pub fn data_disk(contents: &DiskContents, written: Option<u64>) -> DataDisk {
    let minimum = contents.minimum();
    let minimum_gib = minimum.div_ceil(GIB);
    let mut arithmetic = vec![
        format!(
            "homes: {} users x {} = {}",
            contents.users,
            fmt_gib(contents.storage_per_user),
            fmt_gib(contents.homes())
        ),
        format!("datasets (unpacked): {}", fmt_gib(contents.datasets)),
        format!(
            "images: {} GB (single-user image) + {STACK_IMAGES_GB} GB (hub, proxy, build cache) = {}",
            contents.image_gb,
            fmt_gib(contents.images())
        ),
    ];
    if let Some(bytes) = written {
        let gib = bytes.div_ceil(GIB);
        arithmetic.push(format!(
            "data disk: {gib} GiB as written in `disk` (the contents need {})",
            fmt_gib(minimum)
        ));
        return DataDisk {
            gib,
            minimum_gib,
            explicit: true,
            arithmetic,
        };
    }
    let headroom = (minimum * HEADROOM_PERCENT / 100).max(MIN_HEADROOM_GIB * GIB);
    let gib = (minimum + headroom).div_ceil(10 * GIB) * 10;
    arithmetic.push(format!(
        "headroom: {HEADROOM_PERCENT}% of {}, at least {MIN_HEADROOM_GIB} GiB = {}",
        fmt_gib(minimum),
        fmt_gib(headroom)
    ));
    arithmetic.push(format!(
        "data disk: {} rounded up to a multiple of 10 GiB = {gib} GiB",
        fmt_gib(minimum + headroom)
    ));
    DataDisk {
        gib,
        minimum_gib,
        explicit: false,
        arithmetic,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sizing::users;

    /// T3 runs on CPU credits: a class at full CPU is throttled or billed
    /// more than the estimate. A 3-user class once got a `t3.xlarge`.
    #[test]
    fn auto_never_picks_a_burstable_type() {
        let aws = crate::data::tables::for_target(crate::spec::Target::Aws).unwrap();
        assert!(aws.instance("t3.xlarge").unwrap().burstable);
        for count in [1, 3, 5, 12, 30] {
            let need = vm_requirement(&users(count, 1.0, "2GiB"));
            for region in ["us-east-1", "eu-central-1", "sa-east-1"] {
                let picked = cheapest_fit(aws, region, &need).unwrap();
                assert!(
                    !picked.burstable,
                    "{count} users in {region}: {}",
                    picked.name
                );
            }
        }
    }

    #[test]
    fn unpriced_regions_are_unknown_not_missing() {
        let aws = crate::data::tables::for_target(crate::spec::Target::Aws).unwrap();
        let need = vm_requirement(&users(12, 1.0, "3GiB"));
        // Priced region: the cheapest fit, with its price.
        let priced = choose(aws, "eu-central-1", &need).unwrap();
        assert!(priced.price.is_some());
        // sa-east-1 has no price data: a type still fits, its price unknown.
        let unpriced = choose(aws, "sa-east-1", &need).unwrap();
        assert_eq!(unpriced.price, None);
        assert_eq!(unpriced.instance.vcpu, 16);
        // asia-southeast3 offers none of the Google series in the table.
        let gcp = crate::data::tables::for_target(crate::spec::Target::Gcp).unwrap();
        assert!(choose(gcp, "asia-southeast3", &need).is_none());
        // A type missing from a priced region is not offered there.
        let m8i = aws.instance("m8i.96xlarge").unwrap();
        assert_eq!(
            aws.offer(m8i, "eu-west-1"),
            crate::data::tables::Offer::NotOffered
        );
        assert_eq!(
            aws.offer(m8i, "sa-east-1"),
            crate::data::tables::Offer::Unknown
        );
    }

    #[test]
    fn data_disk_adds_images_and_headroom() {
        let contents = DiskContents {
            users: 30,
            storage_per_user: 2 * GIB,
            datasets: 2 * GIB,
            image_gb: 12,
        };
        let disk = data_disk(&contents, None);
        // 60 + 2 GiB + 15 GB (13.97 GiB) = 75.97 GiB; + 20 % = 91.16 GiB -> 100 GiB.
        assert_eq!(disk.gib, 100);
        assert_eq!(disk.minimum_gib, 76);
        assert!(!disk.explicit);
        assert_eq!(
            disk.arithmetic.last().map(String::as_str),
            Some("data disk: 91.16 GiB rounded up to a multiple of 10 GiB = 100 GiB")
        );
        let written = data_disk(&contents, Some(500 * GIB));
        assert_eq!((written.gib, written.explicit), (500, true));
        let small = data_disk(
            &DiskContents {
                users: 1,
                storage_per_user: GIB,
                datasets: 0,
                image_gb: 6,
            },
            None,
        );
        // 1 GiB + 9 GB = 9.38 GiB; headroom is the 10 GiB minimum -> 19.38 -> 20 GiB.
        assert_eq!(small.gib, 20);
    }

    #[test]
    fn requirement_adds_hub_proxy_and_os() {
        let need = vm_requirement(&users(30, 1.0, "2GiB"));
        assert!((need.cpu - 30.5).abs() < 1e-9);
        assert_eq!(need.memory, 60 * GIB + 384 * MIB + GIB);
        assert_eq!(
            need.arithmetic[0],
            "CPU: 30 users x 1 core + 0.5 (hub, proxy, OS) = 30.5 cores"
        );
        assert_eq!(
            need.arithmetic[1],
            "memory: 30 users x 2GiB + 128 MiB (hub) + 256 MiB (proxy, culler) + 1 GiB (OS) = 61.38 GiB"
        );
    }
}
