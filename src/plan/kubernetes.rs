//! The decisions only a Kubernetes deployment needs, made once at lowering.
//!
//! Input: a spec checked for the `kubernetes` target. Output: a
//! [`KubernetesPlan`]: namespace and context, the pinned chart, what each
//! user pod requests and may use (in the units Zero to JupyterHub reads),
//! the user placeholders, which datasets are copied to the shared volume and
//! which are streamed, and, when the spec asks for one, the sized cluster.

use serde::Serialize;

use crate::data::catalogue::catalogue;
use crate::data::images::images;
use crate::sizing::cluster::{self as cluster_sizing, ClusterSizing, SizingProblem};
use crate::spec::{ClusterProvider, DatasetRef, GIB, Kubernetes, MIB, Spec};

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct KubernetesPlan {
    pub namespace: String,
    /// The kubeconfig context of an existing cluster; `None`: the current one.
    pub context: Option<String>,
    pub chart: ChartPin,
    /// The JupyterHub version every single-user server must run (the chart's).
    pub singleuser_jupyterhub: String,
    pub nbgitpuller: String,
    pub pod: PodPlan,
    pub placeholders: u32,
    /// At most this many servers start at once.
    pub concurrent_spawn_limit: u32,
    pub datasets: DatasetsVolume,
    pub cluster: Option<ClusterPlan>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChartPin {
    pub name: String,
    pub repository: String,
    pub version: String,
    /// The JupyterHub version the chart's hub image runs.
    pub jupyterhub: String,
}

/// Per-user resources, written as Zero to JupyterHub reads them.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PodPlan {
    pub cpu_limit: f64,
    pub cpu_guarantee: f64,
    /// KubeSpawner byte specification, e.g. `2G` (G = GiB).
    pub memory_limit: String,
    pub memory_guarantee: String,
    /// A Kubernetes quantity for the home volume, e.g. `5Gi`.
    pub home_capacity: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DatasetsVolume {
    /// Catalogue ids and own datasets copied once onto the shared volume.
    pub copied: Vec<String>,
    pub streamed: Vec<StreamedDataset>,
    /// The shared volume's size as a Kubernetes quantity (`0Gi` when nothing is copied).
    pub capacity: String,
    pub capacity_bytes: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StreamedDataset {
    pub name: String,
    /// The environment variable that holds the URL in every user's server.
    pub env: String,
    pub url: String,
    pub xrootd: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ClusterPlan {
    pub provider: ClusterProvider,
    pub region: Option<String>,
    pub project: Option<String>,
    /// GKE: the zone of the zonal cluster.
    pub zone: Option<String>,
    pub auth_url: Option<String>,
    pub template: Option<String>,
    /// The user node type or flavor; `auto` for an OpenStack flavor chosen at apply time.
    pub node_type: String,
    pub node_vcpu: u32,
    pub node_memory_mib: u64,
    pub users_per_node: u32,
    pub nodes_for_all: u32,
    pub min_nodes: u32,
    pub max_nodes: u32,
    pub core_node_type: String,
    pub currency: String,
    pub prices_read: Option<String>,
    pub node_hourly: Option<f64>,
    pub core_hourly: Option<f64>,
    pub control_plane_hourly: Option<f64>,
    /// With every user running.
    pub full_hourly: Option<f64>,
    /// With the autoscaler at its minimum.
    pub idle_hourly: Option<f64>,
    pub arithmetic: Vec<String>,
}

/// Lowers the `kubernetes` block of `spec`.
pub(crate) fn lower(spec: &Spec, kubernetes: &Kubernetes) -> Result<KubernetesPlan, SizingProblem> {
    let pins = &images().z2jh;
    let pod = cluster_sizing::PodResources::for_users(&spec.users);
    let cluster = kubernetes
        .cluster
        .as_ref()
        .map(|cluster| {
            cluster_sizing::size(&spec.users, cluster).map(|sizing| cluster_plan(cluster, &sizing))
        })
        .transpose()?;
    Ok(KubernetesPlan {
        namespace: kubernetes
            .namespace
            .clone()
            .unwrap_or_else(|| spec.name.clone()),
        context: kubernetes.context.clone(),
        chart: ChartPin {
            name: pins.chart.to_owned(),
            repository: pins.chart_repo.to_owned(),
            version: pins.chart_version.to_owned(),
            jupyterhub: pins.jupyterhub.to_owned(),
        },
        singleuser_jupyterhub: pins.jupyterhub.to_owned(),
        nbgitpuller: images().nbgitpuller.version.to_owned(),
        pod: PodPlan {
            cpu_limit: pod.cpu_limit,
            cpu_guarantee: pod.cpu_guarantee,
            memory_limit: byte_spec(pod.memory_limit),
            memory_guarantee: byte_spec(pod.memory_guarantee),
            home_capacity: quantity(spec.users.storage.bytes()),
        },
        placeholders: cluster_sizing::placeholders(spec.users.count()),
        concurrent_spawn_limit: spec.users.count().min(CONCURRENT_SPAWNS),
        datasets: datasets(spec),
        cluster,
    })
}

/// Zero to JupyterHub's default: a cluster spreads image pulls over many nodes.
pub const CONCURRENT_SPAWNS: u32 = 64;

fn cluster_plan(cluster: &crate::spec::Cluster, sizing: &ClusterSizing) -> ClusterPlan {
    let zone = match cluster.provider {
        ClusterProvider::Gcp => cluster.zone.clone().or_else(|| {
            let region = cluster.region.as_deref()?;
            crate::data::tables::for_target(crate::spec::Target::Gcp)?
                .region(region)?
                .zones
                .first()
                .map(|zone| (*zone).to_owned())
        }),
        ClusterProvider::Aws | ClusterProvider::Openstack => None,
    };
    ClusterPlan {
        provider: cluster.provider,
        region: cluster.region.clone(),
        project: cluster.project.clone(),
        zone,
        auth_url: cluster.auth_url.clone(),
        template: cluster.template.clone(),
        node_type: sizing.node.name.clone(),
        node_vcpu: sizing.node.vcpu,
        node_memory_mib: sizing.node.memory / MIB,
        users_per_node: sizing.users_per_node,
        nodes_for_all: sizing.nodes_for_all,
        min_nodes: sizing.min_nodes,
        max_nodes: sizing.max_nodes,
        core_node_type: sizing.core.name.clone(),
        currency: sizing.currency.clone(),
        prices_read: sizing.prices_read.clone(),
        node_hourly: sizing.node.hourly,
        core_hourly: sizing.core.hourly,
        control_plane_hourly: sizing.control_plane_hourly,
        full_hourly: sizing.full_hourly().map(cents),
        idle_hourly: sizing.idle_hourly().map(cents),
        arithmetic: sizing.arithmetic.clone(),
    }
}

/// A price rounded to a hundredth of a cent, so plans read (and compare) cleanly.
fn cents(value: f64) -> f64 {
    (value * 10_000.0).round() / 10_000.0
}

fn datasets(spec: &Spec) -> DatasetsVolume {
    let mut copied = Vec::new();
    let mut streamed = Vec::new();
    let mut unpacked = 0;
    let mut largest_download = 0;
    for dataset in &spec.datasets {
        let name = dataset.name().to_owned();
        match dataset {
            DatasetRef::Catalogue(id) => {
                let Some(entry) = catalogue().get(id) else {
                    continue;
                };
                let url = entry.http_mirror.or(entry.xrootd).map(str::to_owned);
                if let (true, Some(url)) = (entry.stream, url) {
                    streamed.push(StreamedDataset {
                        env: env_name(&name),
                        name,
                        url,
                        xrootd: entry.xrootd.map(str::to_owned),
                    });
                    continue;
                }
                unpacked += entry.unpacked_size;
                largest_download = entry
                    .files
                    .iter()
                    .map(|f| f.size)
                    .fold(largest_download, u64::max);
            }
            DatasetRef::Custom(custom) => {
                let size = custom.size.as_ref().map_or(0, crate::spec::Size::bytes);
                unpacked += size;
                largest_download = largest_download.max(size);
            }
        }
        copied.push(name);
    }
    // Room for everything unpacked, one zip being unpacked, and 10 % + 1 GiB spare.
    let capacity_bytes = if copied.is_empty() {
        0
    } else {
        ((unpacked + largest_download) * 11 / 10 + GIB).div_ceil(GIB) * GIB
    };
    DatasetsVolume {
        copied,
        streamed,
        capacity: quantity(capacity_bytes),
        capacity_bytes,
    }
}

/// `ATLASOD_STREAM_<NAME>`, upper case with `_` for other characters.
fn env_name(name: &str) -> String {
    let suffix: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_uppercase()
            } else {
                '_'
            }
        })
        .collect();
    format!("ATLASOD_STREAM_{suffix}")
}

/// KubeSpawner's byte specification: `2G`, `1536M` (K, M, G are powers of 1024).
fn byte_spec(bytes: u64) -> String {
    if bytes % GIB == 0 {
        format!("{}G", bytes / GIB)
    } else if bytes % MIB == 0 {
        format!("{}M", bytes / MIB)
    } else {
        format!("{}K", bytes.div_ceil(1024))
    }
}

/// A Kubernetes quantity: `5Gi`, or `1430Mi` rounded up.
fn quantity(bytes: u64) -> String {
    if bytes % GIB == 0 {
        format!("{}Gi", bytes / GIB)
    } else {
        format!("{}Mi", bytes.div_ceil(MIB))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn units_read_as_the_chart_expects() {
        assert_eq!(byte_spec(2 * GIB), "2G");
        assert_eq!(byte_spec(1536 * MIB), "1536M");
        assert_eq!(byte_spec(1_500_000_000), "1464844K");
        assert_eq!(quantity(5 * GIB), "5Gi");
        assert_eq!(quantity(1_500_000_000), "1431Mi");
        assert_eq!(
            env_name("atlas-2020-13tev-1lep"),
            "ATLASOD_STREAM_ATLAS_2020_13TEV_1LEP"
        );
    }
}
