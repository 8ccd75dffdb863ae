//! Datasets to place: what to download, where it goes, how to check it.
//!
//! Input: the spec's `datasets` (catalogue ids or files of the user's own)
//! and the catalogue. Output: one [`DatasetPlan`] per dataset, in spec
//! order. Invariant: every file has an acceptable size range or a SHA-256,
//! so a fetcher can always tell a good download from a bad one.

use serde::Serialize;

use crate::data::catalogue::{Format, catalogue};
use crate::spec::DatasetRef;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DatasetPlan {
    /// The folder under `/data`.
    pub name: String,
    pub from_catalogue: bool,
    pub files: Vec<DatasetFile>,
    /// Unpack `.zip` files after download.
    pub unzip: bool,
    /// Bytes on disk once in place.
    pub unpacked_bytes: u64,
    /// A skim whose files the fetcher lists at apply time (then `files` is empty).
    pub resolve: Option<ResolvePlan>,
    /// Where the fetcher links the unpacked collection below `/data`: its path below
    /// `/eos/opendata/atlas/`, as `set_release(R, local_path=/data)` reads it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub layout: Option<String>,
}

/// What the fetcher asks the atlasopenmagic API for, and what it checks the answer by.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ResolvePlan {
    pub release: String,
    pub skim: String,
    pub api: String,
    pub https: String,
    /// The catalogue's estimate of the skim's bytes.
    pub estimated_bytes: u64,
    /// The files whose size and checksum the record publishes.
    pub known: Vec<DatasetFile>,
}

impl DatasetPlan {
    /// Bytes to download: the files' sizes, or the estimate of a skim listed at apply time.
    pub fn download_bytes(&self) -> u64 {
        self.resolve.as_ref().map_or_else(
            || self.files.iter().filter_map(|f| f.size).sum(),
            |r| r.estimated_bytes,
        )
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DatasetFile {
    pub url: String,
    /// The file name under the dataset folder.
    pub filename: String,
    /// Expected size in bytes, when known (maybe a rounded figure: see `min_bytes`).
    pub size: Option<u64>,
    /// The smallest and largest download accepted; absent when no size is known.
    pub min_bytes: Option<u64>,
    pub max_bytes: Option<u64>,
    /// Lowercase hex; when present it is checked instead of the size range.
    pub sha256: Option<String>,
    /// The published Adler-32, lowercase hex; checked when present.
    pub adler32: Option<String>,
}

/// Rounded catalogue figures: accept 0.4x to 2.5x. Wide on purpose: the
/// publisher rounds, and one collection (4lep) has two conflicting published
/// sizes 2.3x apart. The range catches truncated downloads and error pages;
/// the server's Content-Length and `unzip -t` check completeness.
const CATALOGUE_MIN_PERCENT: u64 = 40;
const CATALOGUE_MAX_PERCENT: u64 = 250;
/// A size written in the spec (`1.5GB`) is rounded by its author: accept ±10 %.
const SPEC_TOLERANCE_PERCENT: u64 = 10;

fn percent(bytes: u64, percent: u64) -> u64 {
    u64::try_from(u128::from(bytes) * u128::from(percent) / 100).unwrap_or(u64::MAX)
}

pub(crate) fn lower(datasets: &[DatasetRef]) -> Vec<DatasetPlan> {
    datasets.iter().map(dataset).collect()
}

fn file_name(url: &str) -> String {
    let path = url.split(['?', '#']).next().unwrap_or(url);
    path.rsplit('/')
        .next()
        .filter(|s| !s.is_empty())
        .unwrap_or("download")
        .to_owned()
}

fn catalogue_file(f: &crate::data::catalogue::CatalogueFile) -> DatasetFile {
    let (min, max) = if f.size_exact {
        (f.size, f.size)
    } else {
        (
            percent(f.size, CATALOGUE_MIN_PERCENT),
            percent(f.size, CATALOGUE_MAX_PERCENT),
        )
    };
    DatasetFile {
        url: f.url.to_owned(),
        filename: file_name(f.url),
        size: Some(f.size),
        min_bytes: Some(min),
        max_bytes: Some(max),
        sha256: f.sha256.as_ref().map(|s| s.to_ascii_lowercase()),
        adler32: f.adler32.as_ref().map(|s| s.to_ascii_lowercase()),
    }
}

fn dataset(dataset: &DatasetRef) -> DatasetPlan {
    match dataset {
        DatasetRef::Catalogue(id) => {
            let entry = catalogue().get(id);
            let files: Vec<DatasetFile> = entry
                .map(|e| e.files.iter().map(catalogue_file).collect())
                .unwrap_or_default();
            let resolve = entry.and_then(|e| e.resolve.as_ref());
            DatasetPlan {
                name: id.clone(),
                from_catalogue: true,
                files: if resolve.is_some() {
                    Vec::new()
                } else {
                    files.clone()
                },
                unzip: entry.is_some_and(|e| e.format == Format::Zip),
                unpacked_bytes: entry.map_or(0, |e| e.unpacked_size),
                resolve: resolve.map(|r| ResolvePlan {
                    release: r.release.to_owned(),
                    skim: r.skim.to_owned(),
                    api: r.api.to_owned(),
                    https: r.https.to_owned(),
                    estimated_bytes: r.size,
                    known: files,
                }),
                layout: entry.and_then(|e| e.layout).map(str::to_owned),
            }
        }
        DatasetRef::Custom(custom) => {
            let filename = file_name(&custom.url);
            let size = custom.size.as_ref().map(crate::spec::Size::bytes);
            DatasetPlan {
                name: custom.name.clone(),
                from_catalogue: false,
                unzip: filename.to_ascii_lowercase().ends_with(".zip"),
                files: vec![DatasetFile {
                    url: custom.url.clone(),
                    filename,
                    size,
                    min_bytes: size.map(|s| percent(s, 100 - SPEC_TOLERANCE_PERCENT)),
                    max_bytes: size.map(|s| percent(s, 100 + SPEC_TOLERANCE_PERCENT)),
                    sha256: custom.sha256.as_ref().map(|s| s.to_ascii_lowercase()),
                    adler32: None,
                }],
                unpacked_bytes: size.unwrap_or(0),
                resolve: None,
                layout: None,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_come_from_the_url_path() {
        assert_eq!(file_name("https://h/a/4lep.zip?x=1"), "4lep.zip");
        assert_eq!(file_name("https://h/a/"), "download");
    }

    #[test]
    fn rounded_sizes_get_a_range() {
        let plans = lower(&[DatasetRef::Catalogue("atlas-2020-13tev-4lep".to_owned())]);
        let file = &plans[0].files[0];
        assert_eq!(file.min_bytes, Some(170_800_000));
        assert_eq!(file.max_bytes, Some(1_067_500_000));
        assert!(plans[0].unzip);
    }
}
