//! The built-in dataset catalogue, from `targets/datasets.yaml`.
//!
//! Catalogue ids name public ATLAS Open Data collections: where to download
//! them, how big they are before and after unpacking, and their checksum when
//! the publisher gives one.

pub use super::{Catalogue, CatalogueEntry, CatalogueFile, Format};

impl CatalogueEntry {
    /// Bytes to download.
    pub fn download_size(&self) -> u64 {
        self.files.iter().map(|f| f.size).sum()
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
        for (id, entry) in &catalogue().datasets {
            assert!(!entry.files.is_empty(), "{id} has no files");
            assert!(entry.unpacked_size > 0, "{id} has no unpacked size");
        }
    }
}
