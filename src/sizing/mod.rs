//! Sizing: how big the machines must be for a workshop, from the users block
//! and atlasod's instance tables.
//!
//! Input: the spec's users (and cluster block), the cloud tables. Output:
//! plain numbers with the arithmetic kept as text for the summaries. Pure:
//! no I/O; the same spec sizes the same machine.
//!
//! - [`vm`]: one VM for the single-VM clouds (instance type, data disk).
//! - [`cluster`]: the Kubernetes user and core node pools.

pub mod cluster;
pub mod vm;

/// The users block the sizing tests start from: `count` users with `cpu`
/// cores and `memory` each, and 5 GiB of storage.
#[cfg(test)]
fn users(count: u32, cpu: f64, memory: &str) -> crate::spec::Users {
    use crate::spec::Size;
    crate::spec::Users {
        count: Some(count),
        roster: None,
        pattern: None,
        cpu,
        memory: Size::parse(memory).unwrap(),
        storage: Size::gib(5),
        admins: vec![],
        students: vec![],
    }
}
