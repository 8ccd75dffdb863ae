//! `cargo bench --bench build`: how long `build --target local` takes in-process.
//!
//! - `build_local`: parse, validate, lower and render the hub bundle of each
//!   hub fixture (and each spec in `examples/` when present), in memory.
//!   Goal: under 2 ms.
//! - `render_hub`: the render stage alone (the plan already lowered), for the
//!   laptop host and for the cloud-VM host the cloud targets use.
//!
//! Writing to disk is left out: it measures the file system, not atlasod.

use std::path::PathBuf;

use atlasod::targets::compose::{self as hub, HubHost};
use atlasod::{SourceFile, Target, program};

fn main() {
    divan::main();
}

/// Every spec the hub tests build: `examples/*.yaml`, then `tests/fixtures/hub/*/workshop.yaml`.
fn specs() -> Vec<(String, String)> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let mut paths: Vec<PathBuf> = std::fs::read_dir(root.join("examples"))
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "yaml"))
        .collect();
    let mut fixtures: Vec<PathBuf> = std::fs::read_dir(root.join("tests/fixtures/hub"))
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path().join("workshop.yaml"))
        .filter(|p| p.is_file())
        .collect();
    paths.sort();
    fixtures.sort();
    paths.extend(fixtures);
    paths
        .into_iter()
        .filter_map(|p| {
            let text = std::fs::read_to_string(&p).ok()?;
            Some((p.display().to_string(), text))
        })
        .collect()
}

fn names() -> Vec<String> {
    specs()
        .into_iter()
        .map(|(path, _)| {
            let path = PathBuf::from(path);
            let stem = path.file_stem().map(|s| s.to_string_lossy().into_owned());
            match stem.as_deref() {
                Some("workshop") => path
                    .parent()
                    .and_then(|p| p.file_name())
                    .map(|s| s.to_string_lossy().into_owned())
                    .unwrap_or_default(),
                _ => stem.unwrap_or_default(),
            }
        })
        .collect()
}

fn spec(name: &str) -> (String, String) {
    let index = names().iter().position(|n| n == name).unwrap_or(0);
    specs().swap_remove(index)
}

#[divan::bench(args = names())]
fn build_local(bencher: divan::Bencher, name: &str) {
    let (path, text) = spec(name);
    bencher.bench(|| {
        let file = SourceFile::new(path.clone(), text.clone());
        program::build(divan::black_box(file), Target::Local).map(|b| b.bundle.files.len())
    });
}

#[divan::bench(args = names())]
fn render_hub(bencher: divan::Bencher, name: &str) {
    let (path, text) = spec(name);
    let Ok(built) = program::build(SourceFile::new(path, text), Target::Local) else {
        return;
    };
    let plan = built.plan;
    let laptop = HubHost::laptop(&plan);
    let vm = HubHost::vm(&plan);
    bencher.bench(|| {
        (
            hub::render(divan::black_box(&plan), &laptop).map(|b| b.files.len()),
            hub::render(divan::black_box(&plan), &vm).map(|b| b.files.len()),
        )
    });
}
