//! `cargo bench --bench kubernetes`: how long `build --target kubernetes` takes in-process.
//!
//! - `build`: parse, validate, lower (with cluster sizing) and render every
//!   file of the bundle (values.yaml, the Terraform module, manifests,
//!   README), for every spec the tests build for `kubernetes`
//!   (`tests/support/specs.rs`: the 400-student example on an existing
//!   cluster, the fixtures that create a GKE, EKS or Magnum cluster). The schema
//!   validator and the data tables are built once, outside the measurement.
//! - `render`: the render stage alone, from a plan already lowered.
//!
//! Nothing is written to disk; writing is the bundle stage's and is the
//! same for every target.

#[path = "../tests/support/mod.rs"]
mod support;

use atlasod::spec::Target;
use atlasod::{program, targets};
use support::specs::{Spec, declaring, named, names};

fn main() {
    divan::main();
}

fn spec(name: &str) -> Spec {
    named(declaring(Target::Kubernetes), name)
}

#[divan::bench(args = names(declaring(Target::Kubernetes)))]
fn build(bencher: divan::Bencher<'_, '_>, name: &str) {
    let file = spec(name).source();
    program::build(file.clone(), Target::Kubernetes).expect("the spec builds");
    bencher
        .with_inputs(|| file.clone())
        .bench_values(|file| program::build(file, Target::Kubernetes).expect("the spec builds"));
}

#[divan::bench(args = names(declaring(Target::Kubernetes)))]
fn render(bencher: divan::Bencher<'_, '_>, name: &str) {
    let built = program::build(spec(name).source(), Target::Kubernetes).expect("the spec builds");
    bencher.bench(|| targets::render(&built.plan, Target::Kubernetes).expect("renders"));
}
