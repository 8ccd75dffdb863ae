//! atlasod's own data files under `targets/`, embedded at build time.
//!
//! Input: the YAML files shipped with atlasod (never user files), which stay
//! the source of truth. The build script (`build/main.rs`) reads each one
//! into its type (`types.rs`) and writes it as a Rust static, so nothing is
//! parsed when atlasod runs and a command touches only the tables it reads.
//! Here: the statics ([`CATALOGUE`], [`IMAGES`], [`TERRAFORM`], the cloud
//! tables and VM facts), [`Map`], and one accessor module per concern.

pub mod catalogue; // the dataset catalogue
pub mod images; // image and package pins
pub mod tables; // cloud regions, instances, prices

/// A string in a table.
pub type Str = &'static str;
/// A list in a table.
pub type List<T> = &'static [T];

/// A map in a table: its entries sorted by key (the YAML mapping's keys in
/// byte order, as a `BTreeMap` would hold them).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Map<K: 'static, V: 'static>(pub &'static [(K, V)]);

impl<V> Map<Str, V> {
    pub fn get(&self, key: &str) -> Option<&'static V> {
        let entries = self.0;
        entries
            .binary_search_by(|(k, _)| (*k).cmp(key))
            .ok()
            .map(|i| &entries[i].1)
    }

    pub fn contains_key(&self, key: &str) -> bool {
        self.get(key).is_some()
    }

    pub fn keys(&self) -> impl Iterator<Item = Str> + use<V> {
        self.0.iter().map(|(k, _)| *k)
    }

    pub fn values(&self) -> impl Iterator<Item = &'static V> + use<V> {
        self.0.iter().map(|(_, v)| v)
    }

    pub fn iter(&self) -> impl Iterator<Item = (Str, &'static V)> + use<V> {
        self.0.iter().map(|(k, v)| (*k, v))
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl<V> IntoIterator for &Map<Str, V> {
    type Item = (Str, &'static V);
    type IntoIter = std::iter::Map<
        std::slice::Iter<'static, (Str, V)>,
        fn(&'static (Str, V)) -> (Str, &'static V),
    >;

    fn into_iter(self) -> Self::IntoIter {
        self.0.iter().map(|(k, v)| (*k, v))
    }
}

impl<K: serde::Serialize, V: serde::Serialize> serde::Serialize for Map<K, V> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_map(self.0.iter().map(|(k, v)| (k, v)))
    }
}

macro_rules! tables {
    ($($item:item)*) => {
        $(
            #[derive(Debug, Clone, PartialEq, serde::Serialize)]
            $item
        )*
    };
}

mod types {
    use super::{List, Map, Str};
    include!("types.rs");
}
pub use types::*;

/// The statics, from the build script's index: `NAME: Type = "yaml path" in "generated file";`.
macro_rules! embedded {
    ($($name:ident: $ty:ident = $path:literal in $file:literal;)*) => {
        $(
            #[doc = concat!("`", $path, "`, embedded.")]
            #[allow(clippy::unreadable_literal)] // generated: the YAML's own digits
            pub static $name: $ty = include!(concat!(env!("OUT_DIR"), "/", $file));
        )*

        /// Every embedded data file, as a path under the repository root.
        #[cfg(test)]
        const FILES: &[&str] = &[$($path),*];

        /// Each embedded table next to the same file read now with the
        /// library's YAML parser, both as JSON.
        #[cfg(test)]
        fn each_table() -> Vec<(&'static str, serde_json::Value, serde_json::Value)> {
            vec![$((
                $path,
                serde_json::to_value(&$name).expect("a table serializes"),
                tests::read::<tests::owned::$ty>($path),
            )),*]
        }
    };
}

include!(concat!(env!("OUT_DIR"), "/embedded.rs"));

#[cfg(test)]
mod tests {
    use std::path::Path;

    /// The table types with owned fields, read from YAML at test time.
    pub(super) mod owned {
        type Str = String;
        type List<T> = Vec<T>;
        type Map<K, V> = std::collections::BTreeMap<K, V>;
        macro_rules! tables {
            ($($item:item)*) => {
                $(
                    #[derive(Debug, Clone, PartialEq, serde::Deserialize, serde::Serialize)]
                    #[allow(dead_code)]
                    $item
                )*
            };
        }
        include!("types.rs");
    }

    /// `path` read with the library's YAML parser into `T`, as JSON.
    pub(super) fn read<T: serde::de::DeserializeOwned + serde::Serialize>(
        path: &str,
    ) -> serde_json::Value {
        let full = Path::new(env!("CARGO_MANIFEST_DIR")).join(path);
        let text = std::fs::read_to_string(&full).expect("the data file is readable");
        let file = crate::source::SourceFile::new(path, &text);
        let root = crate::parse::parse_document(&file).unwrap_or_else(|diagnostics| {
            let first = diagnostics.iter().next().map(|d| d.message.clone());
            panic!("{path} is not valid YAML: {first:?}")
        });
        let value: T = serde_json::from_value(root.to_json())
            .unwrap_or_else(|error| panic!("{path} does not have the expected fields: {error}"));
        serde_json::to_value(value).expect("a table serializes")
    }

    #[test]
    fn every_embedded_table_equals_its_yaml_file() {
        for (path, embedded, from_yaml) in super::each_table() {
            assert_eq!(
                embedded, from_yaml,
                "{path}: the embedded table differs from the file"
            );
        }
    }

    #[test]
    fn every_data_file_under_targets_is_embedded() {
        fn walk(dir: &Path, root: &Path, found: &mut Vec<String>) {
            for entry in std::fs::read_dir(dir).expect("targets/ is readable") {
                let path = entry.expect("a directory entry").path();
                if path.is_dir() {
                    walk(&path, root, found);
                } else if path.extension().is_some_and(|e| e == "yaml" || e == "yml") {
                    let relative = path.strip_prefix(root).expect("under the root");
                    found.push(relative.to_string_lossy().replace('\\', "/"));
                }
            }
        }
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut found = Vec::new();
        walk(&root.join("targets"), root, &mut found);
        found.sort();
        let missing: Vec<&String> = found
            .iter()
            .filter(|f| !super::FILES.contains(&f.as_str()))
            .collect();
        assert!(
            missing.is_empty(),
            "data files not embedded (add them to build/main.rs): {missing:?}"
        );
        assert!(found.len() >= 10, "found only {found:?} under targets/");
    }

    #[test]
    fn maps_find_every_key_and_only_those() {
        let presets = &super::IMAGES.presets;
        assert!(!presets.is_empty());
        for (key, value) in presets {
            assert_eq!(presets.get(key), Some(value));
        }
        assert!(
            presets
                .keys()
                .zip(presets.keys().skip(1))
                .all(|(a, b)| a < b),
            "keys sorted"
        );
        assert_eq!(presets.get("no-such-preset"), None);
    }
}
