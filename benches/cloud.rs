//! `cargo bench --bench cloud`: how long building a cloud target takes in-process.
//!
//! - `build_cloud_example`: each example built for its cloud (`aws`, `gcp`,
//!   `openstack`): parse, validate, lower, size the VM, render the hub bundle,
//!   the cloud-init user-data and the Terraform module. The data tables are
//!   loaded once per process (`OnceLock`), as in a real run. Goal: under 3 ms.
//! - `render_cloud_example`: the render stage alone, from a ready plan.

#[path = "../tests/support/mod.rs"]
mod support;

use atlasod::{Target, plan, program, targets};
use support::specs::{Spec, examples, named};

fn main() {
    divan::main();
}

const CLOUDS: [Target; 3] = [Target::Aws, Target::Gcp, Target::Openstack];

/// The examples that declare a cloud, by name.
fn names() -> Vec<String> {
    examples()
        .into_iter()
        .filter(|spec| CLOUDS.iter().any(|cloud| spec.declares(*cloud)))
        .map(|spec| spec.name)
        .collect()
}

/// The example and the first cloud it declares.
fn example(name: &str) -> (Spec, Target) {
    let spec = named(examples(), name);
    let cloud = CLOUDS
        .into_iter()
        .find(|cloud| spec.declares(*cloud))
        .expect("a cloud");
    (spec, cloud)
}

#[divan::bench(args = names())]
fn build_cloud_example(bencher: divan::Bencher, name: &str) {
    let (spec, target) = example(name);
    let file = spec.source();
    // Warm the tables and templates once, outside the measurement.
    let _ = program::build(file.clone(), target).expect("the example builds");
    bencher.bench(|| program::build(divan::black_box(file.clone()), target).expect("builds"));
}

#[divan::bench(args = names())]
fn render_cloud_example(bencher: divan::Bencher, name: &str) {
    let (spec, target) = example(name);
    let checked = program::check(spec.source(), Some(&[target])).expect("the example is valid");
    let plan = plan::lower(&checked).expect("the example lowers");
    bencher.bench(|| targets::render(divan::black_box(&plan), target).expect("renders"));
}
