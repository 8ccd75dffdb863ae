//! `cargo bench --bench cloud`: how long building a cloud target takes in-process.
//!
//! - `build_cloud_example`: each example built for its cloud (`aws`, `gcp`,
//!   `openstack`): parse, validate, lower, size the VM, render the hub bundle,
//!   the cloud-init user-data and the Terraform module. The data tables are
//!   loaded once per process (`OnceLock`), as in a real run. Goal: under 3 ms.
//! - `render_cloud_example`: the render stage alone, from a ready plan.

use atlasod::{SourceFile, Target, plan, program, targets};

fn main() {
    divan::main();
}

const CASES: &[(&str, Target)] = &[
    ("masterclass-aws", Target::Aws),
    ("university-gcp", Target::Gcp),
    ("cern-openstack", Target::Openstack),
];

fn example(name: &str) -> SourceFile {
    let path = format!("{}/examples/{name}.yaml", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).expect("the examples are readable");
    SourceFile::new(path, text)
}

#[divan::bench(args = CASES)]
fn build_cloud_example(bencher: divan::Bencher, case: &(&str, Target)) {
    let (name, target) = *case;
    let file = example(name);
    // Warm the tables and templates once, outside the measurement.
    let _ = program::build(file.clone(), target).expect("the example builds");
    bencher.bench(|| program::build(divan::black_box(file.clone()), target).expect("builds"));
}

#[divan::bench(args = CASES)]
fn render_cloud_example(bencher: divan::Bencher, case: &(&str, Target)) {
    let (name, target) = *case;
    let checked = program::check(example(name), Some(&[target])).expect("the example is valid");
    let plan = plan::lower(&checked).expect("the example lowers");
    bencher.bench(|| targets::render(divan::black_box(&plan), target).expect("renders"));
}
