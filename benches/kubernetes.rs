//! `cargo bench --bench kubernetes`: how long `build --target kubernetes` takes in-process.
//!
//! - `build`: parse, validate, lower (with cluster sizing) and render every
//!   file of the bundle (values.yaml, the Terraform module, manifests,
//!   README), for the 400-student example on an existing cluster and for
//!   the fixtures that create a GKE, EKS or Magnum cluster. The schema
//!   validator and the data tables are built once, outside the measurement.
//! - `render`: the render stage alone, from a plan already lowered.
//!
//! Nothing is written to disk; writing is the bundle stage's and is the
//! same for every target.

use atlasod::program;
use atlasod::spec::Target;
use atlasod::{SourceFile, targets};

fn main() {
    divan::main();
}

const SPECS: &[&str] = &[
    "examples/online-k8s.yaml",
    "tests/fixtures/valid/online-k8s/workshop.yaml",
    "tests/fixtures/valid/k8s-eks/workshop.yaml",
    "tests/fixtures/valid/k8s-magnum/workshop.yaml",
];

fn spec(path: &str) -> String {
    std::fs::read_to_string(format!("{}/{path}", env!("CARGO_MANIFEST_DIR")))
        .expect("the specs are readable")
}

#[divan::bench(args = SPECS)]
fn build(bencher: divan::Bencher<'_, '_>, path: &str) {
    let text = spec(path);
    program::build(SourceFile::new(path, text.as_str()), Target::Kubernetes)
        .expect("the spec builds");
    bencher
        .with_inputs(|| SourceFile::new(path, text.as_str()))
        .bench_values(|file| program::build(file, Target::Kubernetes).expect("the spec builds"));
}

#[divan::bench(args = SPECS)]
fn render(bencher: divan::Bencher<'_, '_>, path: &str) {
    let built = program::build(SourceFile::new(path, spec(path)), Target::Kubernetes)
        .expect("the spec builds");
    bencher.bench(|| targets::render(&built.plan, Target::Kubernetes).expect("renders"));
}
