//! The dataset fetcher, the same on every target: `targets/fetch-datasets.py`
//! (standard-library Python, run in the single-user image) and the list of what
//! it fetches. Every bundle with datasets carries both as `datasets/fetch.py`
//! and `datasets/datasets.json`: the compose project's `fetch-datasets`
//! service runs them on a laptop or a VM, the dataset Job on Kubernetes.

use serde_json::json;

use crate::bundle::Bundle;
use crate::plan::DatasetPlan;

/// The fetcher, as written into a bundle.
pub(crate) const FETCH_SCRIPT: &str = include_str!("../../targets/fetch-datasets.py");
/// Where a bundle holds the fetcher and its list, and where they are mounted in the
/// container that runs them.
pub(crate) const BUNDLE_DIR: &str = "datasets";
pub(crate) const MOUNT_DIR: &str = "/opt/atlasod";

/// Adds `datasets/fetch.py` and `datasets/datasets.json` (for `datasets`) to `bundle`.
pub(crate) fn add<'a>(bundle: &mut Bundle, datasets: impl IntoIterator<Item = &'a DatasetPlan>) {
    bundle.add(format!("{BUNDLE_DIR}/fetch.py"), FETCH_SCRIPT);
    bundle.add(format!("{BUNDLE_DIR}/datasets.json"), listing(datasets));
}

/// `datasets.json`: what the fetcher downloads, and how it checks each file.
pub(crate) fn listing<'a>(datasets: impl IntoIterator<Item = &'a DatasetPlan>) -> String {
    let file = |f: &crate::plan::DatasetFile| {
        json!({
            "url": f.url,
            "filename": f.filename,
            "min_bytes": f.min_bytes,
            "max_bytes": f.max_bytes,
            "sha256": f.sha256,
            "adler32": f.adler32,
        })
    };
    let datasets: Vec<serde_json::Value> = datasets
        .into_iter()
        .map(|d| {
            let mut value = json!({
                "name": d.name,
                "unzip": d.unzip,
                "files": d.files.iter().map(file).collect::<Vec<_>>(),
            });
            if let Some(layout) = &d.layout {
                value["layout"] = json!(layout);
            }
            if let Some(r) = &d.resolve {
                value["resolve"] = json!({
                    "release": r.release,
                    "skim": r.skim,
                    "api": r.api,
                    "https": r.https,
                    "known": r.known.iter().map(file).collect::<Vec<_>>(),
                });
            }
            value
        })
        .collect();
    let mut text = serde_json::to_string_pretty(&datasets).unwrap_or_default();
    text.push('\n');
    text
}
