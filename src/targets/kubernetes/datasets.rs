//! The shared datasets volume: the ConfigMap (the fetcher and its list), PVC
//! and Job manifests that fill the volume once.
//!
//! Input: the plan's datasets and the Kubernetes plan (which of them are
//! copied, the volume's size). Output: `manifests/datasets.yaml`, which carries
//! the one fetcher of [`crate::targets::datasets`] and its list. Terraform creates the
//! same objects from the same files (see `terraform.rs`).

use std::collections::BTreeMap;

use super::DATASETS;
use crate::error::Error;
use crate::plan::{KubernetesPlan, Plan};
use crate::spec::ClusterProvider;
use crate::targets::{datasets, templates};

const MANIFESTS: &str = include_str!("../../../targets/kubernetes/datasets.yaml.j2");
/// The Kubernetes version the manifests are checked against (`kubernetes-validate -k`).
pub const KUBERNETES_VERSION: &str = "1.35.0";
/// The EFS storage class the EKS module creates.
pub const EFS_CLASS: &str = "atlasod-efs";

/// The storage class with ReadWriteMany access that the cluster offers, if atlasod knows it.
pub fn default_storage_class(k8s: &KubernetesPlan) -> Option<&'static str> {
    match k8s.cluster.as_ref()?.provider {
        // GKE's Filestore CSI driver (enabled by main.tf) installs this class.
        ClusterProvider::Gcp => Some("standard-rwx"),
        ClusterProvider::Aws => Some(EFS_CLASS),
        ClusterProvider::Openstack => None,
    }
}

/// Labels on every object atlasod creates in the cluster.
pub fn labels(plan: &Plan) -> BTreeMap<&'static str, String> {
    BTreeMap::from([
        ("app.kubernetes.io/managed-by", "atlasod".to_owned()),
        ("app.kubernetes.io/name", DATASETS.to_owned()),
        ("atlasod-workshop", plan.name.clone()),
    ])
}

pub fn manifests(plan: &Plan, k8s: &KubernetesPlan) -> Result<String, Error> {
    templates::render(
        "kubernetes/datasets.yaml",
        MANIFESTS,
        serde_json::json!({
            "name": plan.name,
            "namespace": k8s.namespace,
            "kubernetes_version": KUBERNETES_VERSION,
            "object": DATASETS,
            "labels": labels(plan),
            "listing": datasets::listing(
                plan.datasets
                    .iter()
                    .filter(|d| k8s.datasets.copied.contains(&d.name)),
            )
            .trim_end(),
            "script": datasets::FETCH_SCRIPT.trim_end(),
            "storage_class": default_storage_class(k8s),
            "capacity": k8s.datasets.capacity,
            "image": plan.singleuser.base_image,
        }),
    )
}
