//! Pinned images and packages, from `targets/images.yaml`.
//!
//! The hub image and its pip pins, the TLS proxy, the
//! single-user presets and the Zero to JupyterHub chart. One file, so a
//! version bump is one reviewed diff.

pub use super::{
    ChartPinData, HubImagePins, Images, PinnedImage, PinnedPackage, PresetImage, Z2jh,
};

/// The pins shipped with this build.
pub fn images() -> &'static Images {
    &super::IMAGES
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
