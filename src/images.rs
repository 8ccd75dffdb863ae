//! Pinned images and packages, from `targets/images.yaml`.
//!
//! The hub image and its pip pins, the TLS proxy, the dataset fetcher, the
//! single-user presets and the Zero to JupyterHub chart. One file, so a
//! version bump is one reviewed diff.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use serde::Deserialize;

#[derive(Debug, Clone, Deserialize)]
pub struct Images {
    pub hub: HubImage,
    pub proxy: PinnedImage,
    pub fetcher: PinnedImage,
    pub presets: BTreeMap<String, PresetImage>,
    pub nbgitpuller: PinnedPackage,
    pub z2jh: Z2jh,
    pub cluster_autoscaler: ChartPinData,
}

/// A Helm chart pin.
#[derive(Debug, Clone, Deserialize)]
pub struct ChartPinData {
    pub chart: String,
    pub chart_repo: String,
    pub chart_version: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct HubImage {
    pub image: String,
    pub jupyterhub: String,
    pub packages: BTreeMap<String, String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct PinnedImage {
    pub image: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct PresetImage {
    pub image: String,
    pub description: String,
    pub jupyterhub: String,
    pub has_nbgitpuller: bool,
    /// Disk to budget for pulling and unpacking the image, in GB.
    pub disk_budget_gb: u64,
}

#[derive(Debug, Clone, Deserialize)]
pub struct PinnedPackage {
    pub package: String,
    pub version: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Z2jh {
    pub chart: String,
    pub chart_repo: String,
    pub chart_version: String,
    pub jupyterhub: String,
}

pub fn images() -> &'static Images {
    static IMAGES: OnceLock<Images> = OnceLock::new();
    IMAGES.get_or_init(|| {
        crate::data::load(
            "targets/images.yaml",
            include_str!("../targets/images.yaml"),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn images_load_and_hub_is_5x() {
        let images = images();
        assert!(images.hub.jupyterhub.starts_with("5."));
        assert!(images.presets.contains_key("root") && images.presets.contains_key("python"));
    }
}
