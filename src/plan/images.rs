//! The images a workshop runs: the hub's, the TLS proxy's, and the
//! single-user image every user gets (its base also runs the dataset fetcher).
//!
//! Input: the spec's `environment` and the pins in `targets/images.yaml`.
//! Output: [`HubImage`] and [`SingleUserImage`]. Invariant: the single-user
//! image is always *derived* from the chosen base (preset or the user's own)
//! by adding JupyterHub at the hub's exact version and nbgitpuller, so the
//! hub and every server share one JupyterHub major version whatever the base
//! ships (the `root` preset most likely ships 4.x), and the same derived image
//! serves under the hub and alone.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::data::images::Images;
use crate::spec::Environment;

/// A pip requirement pinned to one version.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Package {
    pub name: String,
    pub version: String,
}

impl Package {
    pub fn new(name: &str, version: &str) -> Self {
        Self {
            name: name.to_owned(),
            version: version.to_owned(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HubImage {
    /// The base image the hub is built from, e.g. `quay.io/jupyterhub/jupyterhub:5.5.1`.
    pub base_image: String,
    pub jupyterhub_version: String,
    /// Every pip pin known for the hub (spawners, authenticators, culler), by name.
    /// A target installs the ones it needs: [`super::HubConfig::packages`] plus its spawner.
    pub pins: BTreeMap<String, String>,
    /// The TLS-terminating reverse proxy.
    pub proxy_image: String,
}

impl HubImage {
    /// The pinned package `name`, if `targets/images.yaml` has it.
    pub fn pin(&self, name: &str) -> Option<Package> {
        self.pins
            .get(name)
            .map(|version| Package::new(name, version))
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SingleUserImage {
    /// The image the derived one is built `FROM`: a preset's or the spec's own.
    pub base_image: String,
    /// The preset it comes from, when not the spec's own image.
    pub preset: Option<String>,
    /// The JupyterHub version the base image is believed to ship (`4.x`, `5.x`),
    /// when known: the reason for the derived layer.
    pub base_jupyterhub: Option<String>,
    /// pip packages the derived image adds: JupyterHub at the hub's version, and nbgitpuller.
    pub packages: Vec<Package>,
    /// The local tag of the derived image, built where the hub runs.
    pub image: String,
    /// Disk to budget for pulling and unpacking the base image, in GB.
    pub disk_budget_gb: u64,
    /// The platforms the base image is published for; empty when not known (an image of
    /// the spec's own).
    pub base_platforms: Vec<String>,
}

impl SingleUserImage {
    /// Whether the base is a moving `latest` tag (no tag, or `:latest`, and no digest).
    pub fn base_is_moving(&self) -> bool {
        let image = &self.base_image;
        if image.contains('@') {
            return false;
        }
        let last = image.rsplit('/').next().unwrap_or(image);
        match last.split_once(':') {
            Some((_, tag)) => tag == "latest",
            None => true,
        }
    }
}

pub(crate) fn hub_image(images: &Images) -> HubImage {
    HubImage {
        base_image: images.hub.image.to_owned(),
        jupyterhub_version: images.hub.jupyterhub.to_owned(),
        pins: images
            .hub
            .packages
            .iter()
            .map(|(name, version)| (name.to_owned(), (*version).to_owned()))
            .collect(),
        proxy_image: images.proxy.image.to_owned(),
    }
}

/// Images of your own get this much disk budget; presets say theirs.
const CUSTOM_IMAGE_DISK_GB: u64 = 10;

pub(crate) fn single_user_image(
    name: &str,
    environment: &Environment,
    images: &Images,
) -> SingleUserImage {
    let jupyterhub = &images.hub.jupyterhub;
    let packages = vec![
        Package::new("jupyterhub", jupyterhub),
        Package::new(images.nbgitpuller.package, images.nbgitpuller.version),
    ];
    let image = format!("{name}-singleuser:jupyterhub-{jupyterhub}");
    let preset = environment
        .preset
        .filter(|_| environment.image.is_none())
        .and_then(|p| images.presets.get(p.as_str()).map(|found| (p, found)));
    match (&environment.image, preset) {
        (None, Some((preset, found))) => SingleUserImage {
            base_image: found.image.to_owned(),
            preset: Some(preset.as_str().to_owned()),
            base_jupyterhub: Some(found.jupyterhub.to_owned()),
            packages,
            image,
            disk_budget_gb: found.disk_budget_gb,
            base_platforms: found.platforms.iter().map(|p| (*p).to_owned()).collect(),
        },
        // The schema default is `preset: root`, so "neither" only happens for
        // a spec built by hand; treat it like the spec's own image.
        (own, _) => SingleUserImage {
            base_image: own.clone().unwrap_or_default(),
            preset: None,
            base_jupyterhub: None,
            packages,
            image,
            disk_budget_gb: CUSTOM_IMAGE_DISK_GB,
            base_platforms: Vec::new(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with_base(base: &str) -> SingleUserImage {
        SingleUserImage {
            base_image: base.to_owned(),
            preset: None,
            base_jupyterhub: None,
            packages: Vec::new(),
            image: String::new(),
            disk_budget_gb: 1,
            base_platforms: Vec::new(),
        }
    }

    #[test]
    fn moving_tags_are_recognised() {
        assert!(with_base("ghcr.io/a/b:latest").base_is_moving());
        assert!(with_base("localhost:5000/b").base_is_moving());
        assert!(!with_base("localhost:5000/b:1.0").base_is_moving());
        assert!(!with_base("quay.io/jupyter/scipy-notebook:2026-08-17").base_is_moving());
        assert!(!with_base("ghcr.io/a/b:latest@sha256:00").base_is_moving());
    }
}
