//! The built-in dataset catalogue, from `targets/datasets.yaml`.
//!
//! Catalogue ids name public ATLAS Open Data collections: where to download
//! them, how big they are before and after unpacking, and their checksum when
//! the publisher gives one.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use serde::Deserialize;

#[derive(Debug, Clone, Deserialize)]
pub struct Catalogue {
    pub datasets: BTreeMap<String, CatalogueEntry>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    Zip,
    Root,
}

#[derive(Debug, Clone, Deserialize)]
pub struct CatalogueEntry {
    pub title: String,
    #[serde(default)]
    pub release: Option<String>,
    #[serde(default)]
    pub description: String,
    pub format: Format,
    pub files: Vec<CatalogueFile>,
    /// Bytes on disk after unpacking.
    pub unpacked_size: u64,
    #[serde(default)]
    pub xrootd: Option<String>,
    #[serde(default)]
    pub checksum_note: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct CatalogueFile {
    pub url: String,
    /// Download size in bytes.
    pub size: u64,
    /// Whether `size` is the exact byte count (else a rounded publisher figure).
    #[serde(default)]
    pub size_exact: bool,
    #[serde(default)]
    pub sha256: Option<String>,
}

impl CatalogueEntry {
    /// Bytes to download.
    pub fn download_size(&self) -> u64 {
        self.files.iter().map(|f| f.size).sum()
    }
}

/// The catalogue shipped with this build.
pub fn catalogue() -> &'static Catalogue {
    static CATALOGUE: OnceLock<Catalogue> = OnceLock::new();
    CATALOGUE.get_or_init(|| {
        crate::data::load(
            "targets/datasets.yaml",
            include_str!("../targets/datasets.yaml"),
        )
    })
}

impl Catalogue {
    pub fn get(&self, id: &str) -> Option<&CatalogueEntry> {
        self.datasets.get(id)
    }

    pub fn ids(&self) -> impl Iterator<Item = &str> {
        self.datasets.keys().map(String::as_str)
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
