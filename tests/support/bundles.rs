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
