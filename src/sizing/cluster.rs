//! How many nodes of which type a Kubernetes cluster needs for a workshop.
//!
//! Input: the users block and the `cloud.kubernetes.cluster` block. Output: a
//! [`ClusterSizing`] with the user node type, users per node, the autoscaling
//! range, the user placeholders and the hourly cost, with the arithmetic kept
//! as text for the build summary and the bundle README.
//!
//! The rules, each stated in the arithmetic:
//! - Each user pod requests its memory limit in full (memory cannot be shared
//!   once used) and half its CPU limit (CPU is shared fairly under load).
//! - A node keeps 0.5 vCPU and 1 GiB + 10 % of its memory for the kubelet,
//!   the system and the DaemonSets (about what GKE and EKS reserve).
//! - At most 100 users per node: under the default limit of 110 pods per
//!   node, and a failed node takes down at most that many sessions.
//! - `auto` considers types with 8 to 64 vCPU offered in the region and picks
//!   the lowest price per user, then the lower node price, then the name.
//! - User placeholders keep room for 10 % of the class (at least 1), so new
//!   nodes boot before students need them.
//! - A separate core node (hub, proxy, scheduler, TLS) of at least 2 vCPU and
//!   8 GiB: the cheapest such type.

use crate::data::tables::{self, CloudTables, InstanceType};
use crate::spec::{Cluster, ClusterProvider, GIB, MIB, Users};
use crate::units::{fmt_gib, fmt_num};

pub const NODE_RESERVED_CPU: f64 = 0.5;
pub const NODE_RESERVED_MEMORY: u64 = GIB;
/// Percent of a node's memory kept for the system, on top of the fixed reserve.
pub const NODE_RESERVED_MEMORY_PERCENT: u64 = 10;
pub const MAX_USERS_PER_NODE: u32 = 100;
pub const AUTO_MIN_VCPU: u32 = 8;
pub const AUTO_MAX_VCPU: u32 = 64;
pub const CORE_MIN_VCPU: u32 = 2;
pub const CORE_MIN_MEMORY_GIB: f64 = 8.0;
/// The hourly fee for the managed control plane (GKE and EKS, standard tier).
pub const CONTROL_PLANE_HOURLY: f64 = 0.10;
/// The OpenStack flavor shape `node_type: auto` asks for.
pub const OPENSTACK_AUTO_VCPU: u32 = 8;

/// What one user pod requests and may use.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PodResources {
    pub cpu_limit: f64,
    pub cpu_guarantee: f64,
    pub memory_limit: u64,
    pub memory_guarantee: u64,
}

impl PodResources {
    pub fn for_users(users: &Users) -> Self {
        Self {
            cpu_limit: users.cpu,
            cpu_guarantee: users.cpu / 2.0,
            memory_limit: users.memory.bytes(),
            memory_guarantee: users.memory.bytes(),
        }
    }
}

/// A node shape: a priced instance type, or an OpenStack flavor chosen at apply time.
#[derive(Debug, Clone, PartialEq)]
pub struct NodeShape {
    pub name: String,
    pub vcpu: u32,
    pub memory: u64,
    /// On-demand price per hour in the table's currency, when known.
    pub hourly: Option<f64>,
}

impl NodeShape {
    fn from_instance(instance: &InstanceType, region: &str) -> Self {
        Self {
            name: instance.name.to_owned(),
            vcpu: instance.vcpu,
            memory: instance.memory_bytes(),
            hourly: instance.prices.get(region).copied(),
        }
    }

    /// Memory left for user pods.
    pub fn allocatable_memory(&self) -> u64 {
        let reserve = NODE_RESERVED_MEMORY + self.memory / 100 * NODE_RESERVED_MEMORY_PERCENT;
        self.memory.saturating_sub(reserve)
    }

    pub fn allocatable_cpu(&self) -> f64 {
        (f64::from(self.vcpu) - NODE_RESERVED_CPU).max(0.0)
    }

    /// How many user pods fit, capped at [`MAX_USERS_PER_NODE`].
    pub fn users(&self, pod: &PodResources) -> u32 {
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        let by_cpu = (self.allocatable_cpu() / pod.cpu_guarantee + 1e-9).floor() as u64;
        let by_memory = self.allocatable_memory() / pod.memory_guarantee.max(1);
        let fit = by_cpu.min(by_memory).min(u64::from(MAX_USERS_PER_NODE));
        u32::try_from(fit).unwrap_or(MAX_USERS_PER_NODE)
    }
}

/// The sized cluster.
#[derive(Debug, Clone, PartialEq)]
pub struct ClusterSizing {
    pub pod: PodResources,
    pub node: NodeShape,
    /// Whether atlasod picked the node type (`node_type: auto`).
    pub auto: bool,
    pub users_per_node: u32,
    /// User nodes with every user running at once.
    pub nodes_for_all: u32,
    pub placeholders: u32,
    pub min_nodes: u32,
    pub max_nodes: u32,
    pub core: NodeShape,
    /// Dollars per hour: the control plane, when the provider bills it.
    pub control_plane_hourly: Option<f64>,
    pub currency: String,
    pub prices_read: Option<String>,
    pub arithmetic: Vec<String>,
}

impl ClusterSizing {
    /// Per hour with every user running: user nodes, core node, control plane.
    pub fn full_hourly(&self) -> Option<f64> {
        self.hourly_with(self.nodes_for_all)
    }

    /// Per hour with the autoscaler at its minimum.
    pub fn idle_hourly(&self) -> Option<f64> {
        self.hourly_with(self.min_nodes)
    }

    fn hourly_with(&self, nodes: u32) -> Option<f64> {
        let user = self.node.hourly? * f64::from(nodes);
        Some(user + self.core.hourly? + self.control_plane_hourly.unwrap_or(0.0))
    }
}

/// Why a cluster cannot be sized; validation reports these with positions.
#[derive(Debug, Clone, PartialEq)]
pub enum SizingProblem {
    /// The named type is not in the table.
    UnknownType,
    /// The named type is not offered in the region.
    NotInRegion,
    /// One user does not fit on the node.
    TooSmall(NodeShape),
    /// No type in the region fits one user.
    NothingFits,
    /// The provider needs a region that is not given or not known.
    NoRegion,
}

/// The placeholders for a class: 10 % of the users, at least one.
pub fn placeholders(count: u32) -> u32 {
    count.div_ceil(10).max(1)
}

/// Sizes the cluster for `users`.
pub fn size(users: &Users, cluster: &Cluster) -> Result<ClusterSizing, SizingProblem> {
    let pod = PodResources::for_users(users);
    let (node, core, currency, prices_read) = match cluster.provider {
        ClusterProvider::Gcp | ClusterProvider::Aws => {
            let tables =
                tables::for_target(cluster.provider.cloud()).ok_or(SizingProblem::NoRegion)?;
            let region = cluster.region.as_deref().ok_or(SizingProblem::NoRegion)?;
            tables.region(region).ok_or(SizingProblem::NoRegion)?;
            let node = priced_node(tables, region, cluster, &pod)?;
            let core = core_node(tables, region).ok_or(SizingProblem::NothingFits)?;
            (
                node,
                core,
                tables.instances.currency.to_owned(),
                Some(tables.instances.prices_read.to_owned()),
            )
        }
        ClusterProvider::Openstack => (
            openstack_node(cluster, &pod),
            NodeShape {
                name: "auto".to_owned(),
                vcpu: CORE_MIN_VCPU,
                memory: 8 * GIB,
                hourly: None,
            },
            String::new(),
            None,
        ),
    };
    let users_per_node = node.users(&pod);
    if users_per_node == 0 {
        return Err(SizingProblem::TooSmall(node));
    }
    let count = users.count();
    let nodes_for_all = count.div_ceil(users_per_node);
    let placeholders = placeholders(count);
    let computed_max = (count + placeholders).div_ceil(users_per_node);
    let max_nodes = cluster.max_nodes.unwrap_or(computed_max);
    let min_nodes = cluster.min_nodes.unwrap_or(1).min(max_nodes);
    let control_plane_hourly = match cluster.provider {
        ClusterProvider::Gcp | ClusterProvider::Aws => Some(CONTROL_PLANE_HOURLY),
        ClusterProvider::Openstack => None,
    };
    let mut sizing = ClusterSizing {
        pod,
        auto: cluster.is_auto(),
        users_per_node,
        nodes_for_all,
        placeholders,
        min_nodes,
        max_nodes,
        control_plane_hourly,
        currency,
        prices_read,
        arithmetic: Vec::new(),
        node,
        core,
    };
    sizing.arithmetic = arithmetic(users, cluster, &sizing, computed_max);
    Ok(sizing)
}

fn priced_node(
    tables: &CloudTables,
    region: &str,
    cluster: &Cluster,
    pod: &PodResources,
) -> Result<NodeShape, SizingProblem> {
    if !cluster.is_auto() {
        let instance = tables
            .instance(&cluster.node_type)
            .ok_or(SizingProblem::UnknownType)?;
        if !instance.prices.contains_key(region) {
            return Err(SizingProblem::NotInRegion);
        }
        return Ok(NodeShape::from_instance(instance, region));
    }
    let offered = || {
        tables
            .instances
            .instances
            .iter()
            .filter(|i| i.prices.contains_key(region) && !i.burstable)
            .map(|i| NodeShape::from_instance(i, region))
            .filter(|n| n.users(pod) > 0)
    };
    let in_range: Vec<NodeShape> = offered()
        .filter(|n| (AUTO_MIN_VCPU..=AUTO_MAX_VCPU).contains(&n.vcpu))
        .collect();
    let candidates = if in_range.is_empty() {
        offered().collect()
    } else {
        in_range
    };
    candidates
        .into_iter()
        .min_by(|a, b| {
            let per_user = |n: &NodeShape| n.hourly.unwrap_or(f64::MAX) / f64::from(n.users(pod));
            per_user(a)
                .total_cmp(&per_user(b))
                .then(a.hourly.unwrap_or(0.0).total_cmp(&b.hourly.unwrap_or(0.0)))
                .then(a.name.cmp(&b.name))
        })
        .ok_or(SizingProblem::NothingFits)
}

/// The cheapest type with at least 2 vCPU and 8 GiB, for the hub and proxy.
fn core_node(tables: &CloudTables, region: &str) -> Option<NodeShape> {
    tables
        .instances
        .instances
        .iter()
        .filter(|i| i.vcpu >= CORE_MIN_VCPU && i.memory_gib >= CORE_MIN_MEMORY_GIB)
        .filter_map(|i| i.prices.get(region).map(|p| (i, *p)))
        .min_by(|(a, pa), (b, pb)| pa.total_cmp(pb).then(a.name.cmp(b.name)))
        .map(|(i, _)| NodeShape::from_instance(i, region))
}

/// OpenStack has no public catalogue: ask for 8 vCPU and enough memory for
/// the users 8 vCPU can hold, and let the flavor data source pick at apply time.
fn openstack_node(cluster: &Cluster, pod: &PodResources) -> NodeShape {
    let probe = NodeShape {
        name: String::new(),
        vcpu: OPENSTACK_AUTO_VCPU,
        memory: u64::MAX / 4,
        hourly: None,
    };
    let users = probe.users(pod).max(1);
    // Solve memory - (1 GiB + 10 % of memory) >= users x guarantee, in MiB.
    let need = u64::from(users) * pod.memory_guarantee + NODE_RESERVED_MEMORY;
    let memory = (need * 10).div_ceil(9).div_ceil(GIB) * GIB;
    let name = if cluster.is_auto() {
        "auto".to_owned()
    } else {
        cluster.node_type.clone()
    };
    NodeShape {
        name,
        vcpu: OPENSTACK_AUTO_VCPU,
        memory,
        hourly: None,
    }
}

/// The minimum RAM in MiB to ask an OpenStack flavor for.
pub fn openstack_min_ram_mib(node: &NodeShape) -> u64 {
    node.memory / MIB
}

fn arithmetic(
    users: &Users,
    cluster: &Cluster,
    sizing: &ClusterSizing,
    computed_max: u32,
) -> Vec<String> {
    let pod = &sizing.pod;
    let node = &sizing.node;
    let count = users.count();
    let mut lines = vec![
        format!(
            "per user: requests {} CPU (half the {} CPU limit) and {} (the memory limit)",
            fmt_num(pod.cpu_guarantee),
            fmt_num(pod.cpu_limit),
            fmt_gib(pod.memory_guarantee)
        ),
        format!(
            "node `{}`{}: {} vCPU, {}; for users {} vCPU (- 0.5) and {} (- 1 GiB - 10 %)",
            node.name,
            match (cluster.provider, sizing.auto) {
                (ClusterProvider::Openstack, true) => " (flavor chosen at apply time)",
                (ClusterProvider::Openstack, false) =>
                    " (size assumed: atlasod has no OpenStack catalogue)",
                (_, true) => " (auto: lowest price per user among 8 to 64 vCPU types)",
                (_, false) => "",
            },
            node.vcpu,
            fmt_gib(node.memory),
            fmt_num(node.allocatable_cpu()),
            fmt_gib(node.allocatable_memory()),
        ),
        format!(
            "users per node: min({} / {}, {} / {}, {MAX_USERS_PER_NODE}) = {}",
            fmt_num(node.allocatable_cpu()),
            fmt_num(pod.cpu_guarantee),
            fmt_gib(node.allocatable_memory()),
            fmt_gib(pod.memory_guarantee),
            sizing.users_per_node
        ),
        format!(
            "user nodes with all {count} users on: ceil({count} / {}) = {}",
            sizing.users_per_node, sizing.nodes_for_all
        ),
        format!(
            "placeholders: 10 % of {count} = {}; autoscaling max: ceil(({count} + {}) / {}) = {computed_max}{}",
            sizing.placeholders,
            sizing.placeholders,
            sizing.users_per_node,
            match cluster.max_nodes {
                Some(max) => format!(", set to {max} by `max_nodes`"),
                None => String::new(),
            }
        ),
        format!(
            "autoscaling min: {}{}",
            sizing.min_nodes,
            if cluster.min_nodes.is_some() {
                " (`min_nodes`)"
            } else {
                " (default; raise it before a session)"
            }
        ),
    ];
    lines.push(if cluster.provider == ClusterProvider::Openstack {
        "core node: one node of the cluster template's default flavor, for the hub, proxy, user scheduler and TLS".to_owned()
    } else {
        format!(
            "core node `{}` ({} vCPU, {}): the hub, proxy, user scheduler and TLS",
            sizing.core.name,
            sizing.core.vcpu,
            fmt_gib(sizing.core.memory)
        )
    });
    lines
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sizing::users;

    fn cluster(provider: ClusterProvider, region: &str, node_type: &str) -> Cluster {
        Cluster {
            provider,
            region: Some(region.to_owned()),
            project: None,
            zone: None,
            node_type: node_type.to_owned(),
            min_nodes: None,
            max_nodes: None,
            auth_url: None,
            template: None,
        }
    }

    /// The sizing of a class of `count` users (1 CPU, 2 GiB each) on `auto` nodes.
    fn auto(count: u32, provider: ClusterProvider, region: &str) -> ClusterSizing {
        size(
            &users(count, 1.0, "2GiB"),
            &cluster(provider, region, "auto"),
        )
        .unwrap()
    }

    #[test]
    fn node_capacity_follows_the_reserve_rule() {
        let node = NodeShape {
            name: "n".into(),
            vcpu: 16,
            memory: 64 * GIB,
            hourly: Some(1.0),
        };
        let pod = PodResources::for_users(&users(1, 1.0, "2GiB"));
        // cpu: 15.5 / 0.5 = 31; memory: (64 - 1 - 6.4) GiB / 2 GiB = 28.3 -> 28
        assert_eq!(node.users(&pod), 28);
    }

    #[test]
    fn a_named_type_that_is_too_small_is_reported() {
        let result = size(
            &users(10, 4.0, "64GiB"),
            &cluster(ClusterProvider::Aws, "eu-central-1", "t3.large"),
        );
        assert!(
            matches!(result, Err(SizingProblem::TooSmall(_))),
            "{result:?}"
        );
    }

    /// EKS user nodes once came out as `t3.2xlarge`, whose CPU credits a
    /// class at full CPU exhausts.
    #[test]
    fn auto_never_picks_a_burstable_node() {
        for count in [10, 30, 100, 400] {
            let sizing = auto(count, ClusterProvider::Aws, "eu-central-1");
            assert!(
                !sizing.node.name.starts_with("t3."),
                "{count}: {}",
                sizing.node.name
            );
        }
    }

    #[test]
    fn auto_sizes_a_large_class() {
        let sizing = auto(400, ClusterProvider::Gcp, "europe-west1");
        assert!((AUTO_MIN_VCPU..=AUTO_MAX_VCPU).contains(&sizing.node.vcpu));
        assert!(sizing.users_per_node * sizing.nodes_for_all >= 400);
        assert!(sizing.users_per_node * (sizing.nodes_for_all - 1) < 400);
        assert_eq!(sizing.placeholders, 40);
        assert!(sizing.max_nodes * sizing.users_per_node >= 440);
        assert_eq!(sizing.min_nodes, 1);
        assert!(sizing.full_hourly().unwrap() > sizing.idle_hourly().unwrap());
    }

    #[test]
    fn openstack_asks_for_enough_memory() {
        let sizing = auto(100, ClusterProvider::Openstack, "RegionOne");
        // 7.5 / 0.5 = 15 users; 15 x 2 GiB + 1 GiB = 31 GiB, / 0.9 -> 35 GiB
        assert_eq!(sizing.users_per_node, 15);
        assert_eq!(sizing.node.memory, 35 * GIB);
        assert!(sizing.node.allocatable_memory() >= 30 * GIB);
    }
}
