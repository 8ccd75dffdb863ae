//! `atlasod diff` of an example bundle with one change (goal: under 5 ms).
//!
//! Setup (not measured): `examples/masterclass-aws.yaml` built for `local`
//! into a temporary folder, as `atlasod build` writes it (manifest
//! included). Measured: everything `atlasod diff` does after reading the
//! spec: parse, validate, lower, render the new bundle in memory, read the
//! manifest and files on disk, compare (semantic summary and unified diffs)
//! and render the report as text. Run with `cargo bench --bench diff`.

use std::hint::black_box;

use atlasod::render::diff::{DiffStyle, human};
use atlasod::{SourceFile, Target, bundle, program};
use criterion::{Criterion, criterion_group, criterion_main};

const SPEC: &str = include_str!("../examples/masterclass-aws.yaml");

fn diff(c: &mut Criterion) {
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
    let changed = SPEC.replace("count: 30 ", "count: 60 ");
    assert_ne!(changed, SPEC);

    let run = |text: &str| {
        let file = SourceFile::new("workshop.yaml", text.to_owned());
        let report = program::diff_disk(file, Target::Local, &dir).expect("the diff runs");
        human(
            &[report],
            DiffStyle {
                color: false,
                stat: false,
            },
        )
    };
    assert!(run(&changed).contains("users 30 → 60"));
    assert_eq!(run(SPEC), "");

    c.bench_function("diff/local/one-change", |b| {
        b.iter(|| black_box(run(black_box(&changed))));
    });
    c.bench_function("diff/local/no-change", |b| {
        b.iter(|| black_box(run(black_box(SPEC))));
    });
}

criterion_group!(benches, diff);
criterion_main!(benches);
