//! How big one machine must be for a workshop, and which instance type fits.
//!
//! The rule (TLJH's rule of thumb, extended): every user's CPU and memory
//! limit, plus 128 MiB for the hub, 256 MiB for the proxy and culler, and
//! 1 GiB and half a core for the operating system and Docker. The cheapest
//! type offered in the region that covers both wins. The arithmetic is kept
//! as text so the build summary can show it.

use crate::spec::{GIB, MIB, Users};
use crate::tables::{CloudTables, InstanceType};

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
    let count = users.count;
    let cpu = f64::from(count) * users.cpu + OS_CPU;
    let per_user = users.memory.bytes();
    let memory = u64::from(count) * per_user + HUB_MEMORY + PROXY_MEMORY + OS_MEMORY;
    let arithmetic = vec![
        format!(
            "CPU: {count} users x {} core{} + {OS_CPU} (hub, proxy, OS) = {} cores",
            fmt_num(users.cpu),
            if (users.cpu - 1.0).abs() < f64::EPSILON {
                ""
            } else {
                "s"
            },
            fmt_num(cpu)
        ),
        format!(
            "memory: {count} users x {} + 128 MiB (hub) + 256 MiB (proxy, culler) + 1 GiB (OS) = {}",
            users.memory,
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

/// The cheapest type offered in `region` that fits; ties go to less memory, then the name.
pub fn cheapest_fit<'a>(
    tables: &'a CloudTables,
    region: &str,
    need: &Requirement,
) -> Option<&'a InstanceType> {
    tables
        .instances
        .instances
        .iter()
        .filter(|i| i.fits(need))
        .filter_map(|i| i.prices.get(region).map(|price| (i, *price)))
        .min_by(|(a, pa), (b, pb)| {
            pa.total_cmp(pb)
                .then(a.memory_gib.total_cmp(&b.memory_gib))
                .then(a.name.cmp(&b.name))
        })
        .map(|(i, _)| i)
}

/// `30.5`, `1`, `0.25`: numbers as a person writes them.
pub fn fmt_num(value: f64) -> String {
    let text = format!("{value:.2}");
    text.trim_end_matches('0').trim_end_matches('.').to_owned()
}

/// Bytes as GiB with up to two decimals: `61.38 GiB`.
pub fn fmt_gib(bytes: u64) -> String {
    #[allow(clippy::cast_precision_loss)]
    let gib = bytes as f64 / GIB as f64;
    format!("{} GiB", fmt_num(gib))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::Size;

    fn users(count: u32, cpu: f64, memory: &str) -> Users {
        Users {
            count,
            cpu,
            memory: Size::parse(memory).unwrap(),
            storage: Size::gib(5),
            admins: vec![],
        }
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
