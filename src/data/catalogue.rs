//! The built-in dataset catalogue, from `targets/datasets.yaml`.
//!
//! Catalogue ids name public ATLAS Open Data collections: where to download
//! them, how big they are before and after unpacking, and their checksum when
//! the publisher gives one.

pub use super::{Catalogue, CatalogueEntry, CatalogueFile, Format, Resolve};

impl CatalogueEntry {
    /// Bytes to download: the listed files, or the estimate of a skim listed at apply time.
    pub fn download_size(&self) -> u64 {
        self.resolve
            .as_ref()
            .map_or_else(|| self.files.iter().map(|f| f.size).sum(), |r| r.size)
    }
}

/// The catalogue shipped with this build.
pub fn catalogue() -> &'static Catalogue {
    &super::CATALOGUE
}

impl Catalogue {
    pub fn get(&self, id: &str) -> Option<&'static CatalogueEntry> {
        self.datasets.get(id)
    }

    pub fn ids(&self) -> impl Iterator<Item = &'static str> {
        self.datasets.keys()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catalogue_has_the_contract_ids() {
        let ids: Vec<&str> = catalogue().ids().collect();
        for id in [
            "atlas-2020-13tev-4lep",
            "atlas-2020-13tev-3lep",
            "atlas-2020-13tev-2lep",
            "atlas-2020-13tev-1lep",
            "atlas-2020-13tev-1lep1tau",
            "atlas-2020-13tev-gamgam",
            "atlas-2020-13tev-1largerjet1lep",
            "atlas-2016-8tev",
        ] {
            assert!(ids.contains(&id), "{id} missing from targets/datasets.yaml");
        }
        for id in [
            "atlas-2025e-13tev-beta/GamGam",
            "atlas-2025e-13tev-beta/2to4lep",
            "atlas-2025e-13tev-beta/1LMET30",
            "atlas-2025e-13tev-beta/2muons",
            "atlas-2025e-13tev-beta/3J1LMET30",
        ] {
            let entry = catalogue()
                .get(id)
                .unwrap_or_else(|| panic!("{id} missing"));
            let resolve = entry
                .resolve
                .as_ref()
                .unwrap_or_else(|| panic!("{id}: no resolve"));
            assert_eq!(Some(resolve.release), entry.release, "{id}");
            assert_eq!(id, format!("atlas-{}/{}", resolve.release, resolve.skim));
        }
        for (id, entry) in &catalogue().datasets {
            assert!(
                !entry.files.is_empty() || entry.resolve.is_some(),
                "{id} has no files"
            );
            assert!(entry.unpacked_size > 0, "{id} has no unpacked size");
        }
    }
}
