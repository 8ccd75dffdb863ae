//! atlasod's own data files under `targets/`, embedded at build time.
//!
//! Input: YAML files shipped with atlasod (never user files). Output: typed
//! tables, parsed once per process. A malformed data file is a bug in
//! atlasod, caught by the unit test below before any release.

use serde::de::DeserializeOwned;

use crate::parse::parse_document;
use crate::source::SourceFile;

/// Parses one of atlasod's embedded YAML data files.
///
/// # Panics
/// When the file is malformed: that is a bug in atlasod, and the test suite
/// parses every data file so it cannot ship.
pub(crate) fn load<T: DeserializeOwned>(name: &str, text: &str) -> T {
    let file = SourceFile::new(name, text);
    let root = parse_document(&file).unwrap_or_else(|diagnostics| {
        let first = diagnostics
            .iter()
            .next()
            .map(|d| d.message.clone())
            .unwrap_or_default();
        panic!("atlasod's data file {name} is not valid YAML: {first}")
    });
    serde_json::from_value(root.to_json()).unwrap_or_else(|error| {
        panic!("atlasod's data file {name} does not have the expected fields: {error}")
    })
}
