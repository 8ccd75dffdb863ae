//! Bundles on disk, for the tests that hand them to the real programs.

use std::path::PathBuf;

use atlasod::bundle::Bundle;

/// A fresh, empty folder of this test's own: `<cargo's test tmp>/<parts...>`.
pub fn scratch(parts: &[&str]) -> PathBuf {
    let mut dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
    dir.extend(parts);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Writes `bundle` into `dir` as `atlasod build` lays it out (modes included).
pub fn write(bundle: &Bundle, dir: &std::path::Path) {
    atlasod::bundle::write_files(bundle, dir).unwrap();
}

/// A text file of the bundle; a missing one fails the test.
pub fn text<'a>(bundle: &'a Bundle, path: &str) -> &'a str {
    bundle
        .text(path)
        .unwrap_or_else(|| panic!("the bundle has no `{path}`"))
}

/// The first block of `body` with `label` among its labels (`resource "helm_release" ...`,
/// `variable "hub_address"`); none fails the test.
pub fn labelled<'a>(body: &'a hcl::Body, label: &str) -> &'a hcl::Block {
    body.blocks()
        .find(|b| b.labels().iter().any(|l| l.as_str() == label))
        .unwrap_or_else(|| panic!("no block labelled `{label}`"))
}

/// The `values` documents of the `helm_release` in a kubernetes bundle's `terraform/main.tf`:
/// `values.yaml`, then the one Terraform writes with the secrets.
pub fn helm_values(main: &hcl::Body) -> &[hcl::Expression] {
    let values = labelled(main, "helm_release")
        .body()
        .attributes()
        .find(|a| a.key() == "values")
        .unwrap();
    let hcl::Expression::Array(documents) = values.expr() else {
        panic!("values is not a list: {values:?}");
    };
    documents
}

/// A stand-in for the bundle's `datasets.json` (`listing`, as built): each file's URL
/// pointed at `base` (a loopback server) and its accepted size at the served copy's in
/// `served`, everything else as built. Given to the fetcher through `ATLASOD_DATASETS`;
/// the bundle itself stays as built.
pub fn loopback_listing(listing: &std::path::Path, base: &str, served: &std::path::Path) -> String {
    let mut datasets: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(listing).unwrap()).unwrap();
    for dataset in datasets.as_array_mut().unwrap() {
        for file in dataset["files"].as_array_mut().unwrap() {
            let name = file["filename"].as_str().unwrap().to_owned();
            let size = std::fs::metadata(served.join(&name)).unwrap().len();
            file["url"] = format!("{base}/{name}").into();
            file["min_bytes"] = size.into();
            file["max_bytes"] = size.into();
        }
    }
    datasets.to_string()
}
