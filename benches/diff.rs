//! `atlasod diff` of an example bundle with one change (goal: under 5 ms).
//!
//! Setup (not measured): `examples/masterclass-aws.yaml` built for `local`
//! into a temporary folder, as `atlasod build` writes it (manifest
//! included). Measured: everything `atlasod diff` does after reading the
//! spec: parse, validate, lower, render the new bundle in memory, read the
//! manifest and files on disk, compare (semantic summary and unified diffs)
//! and render the report as text. Run with `cargo bench --bench diff`.

use std::path::{Path, PathBuf};
use std::sync::LazyLock;

use atlasod::report::diff::{DiffStyle, human};
use atlasod::{SourceFile, Target, bundle, program};

const SPEC: &str = include_str!("../examples/masterclass-aws.yaml");

fn main() {
    divan::main();
}

/// The bundle on disk, written once for every benchmark of this run.
static WRITTEN: LazyLock<(tempfile::TempDir, PathBuf)> = LazyLock::new(|| {
    let tmp = tempfile::tempdir().expect("a temporary folder");
    let dir = tmp.path().join("local");
    let built = program::build(SourceFile::new("workshop.yaml", SPEC), Target::Local)
        .expect("the example builds");
    bundle::write(
        &built.bundle,
        &built.manifest(Target::Local),
        &dir,
        bundle::WriteOptions::default(),
    )
    .expect("the bundle is written");
    (tmp, dir)
});

fn changed() -> String {
    let changed = SPEC.replace("count: 30 ", "count: 60 ");
    assert_ne!(changed, SPEC);
    changed
}

fn run(text: &str, dir: &Path) -> String {
    let file = SourceFile::new("workshop.yaml", text.to_owned());
    let report = program::diff_disk(file, Target::Local, dir).expect("the diff runs");
    human(
        &[report],
        DiffStyle {
            color: false,
            stat: false,
        },
    )
}

#[divan::bench]
fn one_change(bencher: divan::Bencher) {
    let dir = &WRITTEN.1;
    let changed = changed();
    assert!(run(&changed, dir).contains("users 30 → 60"));
    bencher.bench(|| run(divan::black_box(&changed), dir));
}

#[divan::bench]
fn no_change(bencher: divan::Bencher) {
    let dir = &WRITTEN.1;
    assert_eq!(run(SPEC, dir), "");
    bencher.bench(|| run(divan::black_box(SPEC), dir));
}
