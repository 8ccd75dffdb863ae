//! Turns atlasod's data files under `targets/` into Rust statics.
//!
//! The YAML files stay the source of truth; this script reads each one into
//! its table type (`src/data/types.rs`, compiled here with owned fields) and
//! writes it out as a Rust expression of the same type with static fields
//! (`$OUT_DIR/<name>.rs`), plus `$OUT_DIR/embedded.rs`, the index that
//! `src/data/mod.rs` includes. No YAML is parsed when atlasod runs, and a
//! command touches only the tables it reads. A data file that does not match
//! its type fails the build, naming the file.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

mod literal;
mod schema;
mod yaml;

type Str = String;
type List<T> = Vec<T>;
type Map<K, V> = BTreeMap<K, V>;

macro_rules! tables {
    ($($item:item)*) => {
        $(
            #[derive(Debug, Clone, PartialEq, serde::Deserialize, serde::Serialize)]
            #[allow(dead_code)]
            $item
        )*
    };
}

#[allow(clippy::doc_markdown)]
mod types {
    use super::{List, Map, Str};
    include!("../src/data/types.rs");
}

/// One embedded table: its static, its type, its file.
struct Table {
    name: &'static str,
    ty: &'static str,
    path: &'static str,
    read: fn(&str, &str) -> Result<String, String>,
}

macro_rules! table {
    ($name:ident: $ty:ident = $path:literal) => {
        Table {
            name: stringify!($name),
            ty: stringify!($ty),
            path: $path,
            read: |path, text| {
                let json = yaml::to_json(text).map_err(|e| format!("{path}: {e}"))?;
                let value: types::$ty = serde_path_to_error::deserialize(json)
                    .map_err(|e| format!("{path}: {}: {}", e.path(), e.inner()))?;
                literal::to_rust(&value).map_err(|e| format!("{path}: {e}"))
            },
        }
    };
}

/// Every data file atlasod embeds (`data::tests::every_data_file_is_embedded`
/// fails when a YAML file under `targets/` is missing here).
const TABLES: &[Table] = &[
    table!(CATALOGUE: Catalogue = "targets/datasets.yaml"),
    table!(IMAGES: Images = "targets/images.yaml"),
    table!(TERRAFORM: TerraformPins = "targets/terraform.yaml"),
    table!(AWS_REGIONS: Regions = "targets/aws/regions.yaml"),
    table!(AWS_INSTANCES: InstanceTable = "targets/aws/instances.yaml"),
    table!(AWS_VM: AwsVm = "targets/aws/vm.yaml"),
    table!(GCP_REGIONS: Regions = "targets/gcp/regions.yaml"),
    table!(GCP_INSTANCES: InstanceTable = "targets/gcp/instances.yaml"),
    table!(GCP_VM: GcpVm = "targets/gcp/vm.yaml"),
    table!(OPENSTACK_VM: OpenstackVm = "targets/openstack/vm.yaml"),
];

#[allow(clippy::print_stdout)] // cargo reads the build script's directives on stdout
fn main() {
    let root = PathBuf::from(
        std::env::var_os("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"),
    );
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    println!("cargo::rerun-if-changed=build");
    println!("cargo::rerun-if-changed=src/data/types.rs");
    println!("cargo::rerun-if-changed=targets");
    let mut index = String::from("embedded! {\n");
    for table in TABLES {
        let file = root.join(table.path);
        println!("cargo::rerun-if-changed={}", file.display());
        let text = std::fs::read_to_string(&file)
            .unwrap_or_else(|e| panic!("cannot read {}: {e}", file.display()));
        let rust = (table.read)(table.path, &text).unwrap_or_else(|e| panic!("{e}"));
        let generated = format!("{}.rs", table.name.to_ascii_lowercase());
        write(&out.join(&generated), &rust);
        let _ = writeln!(
            index,
            "    {}: {} = {:?} in {:?};",
            table.name, table.ty, table.path, generated
        );
    }
    index.push_str("}\n");
    write(&out.join("embedded.rs"), &index);

    println!("cargo::rerun-if-changed=schema/workshop.schema.json");
    let published = root.join("schema/workshop.schema.json");
    let text = std::fs::read_to_string(&published)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", published.display()));
    let parsed: serde_json::Value = serde_json::from_str(&text)
        .unwrap_or_else(|e| panic!("schema/workshop.schema.json is not JSON: {e}"));
    write(
        &out.join("workshop_checks.rs"),
        &schema::to_rust(&schema::checks(&parsed)),
    );
}

/// Writes `text` unless the file already holds it (keeps rebuilds incremental).
fn write(path: &Path, text: &str) {
    if std::fs::read_to_string(path).is_ok_and(|old| old == text) {
        return;
    }
    std::fs::write(path, text).unwrap_or_else(|e| panic!("cannot write {}: {e}", path.display()));
}
