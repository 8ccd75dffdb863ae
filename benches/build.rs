//! `cargo bench --bench build`: how long `build --target local` takes in-process.
//!
//! - `build_local`: parse, validate, lower and render the hub bundle of each
//!   hub fixture (and each spec in `examples/` when present), in memory.
//!   Goal: under 2 ms.
//! - `render_hub`: the render stage alone (the plan already lowered), for the
//!   laptop host and for the cloud-VM host the cloud targets use.
//!
//! Writing to disk is left out: it measures the file system, not atlasod.

#[path = "../tests/support/mod.rs"]
mod support;

use atlasod::targets::compose::{self as hub, HubHost};
use atlasod::{Target, program};
use support::specs::{Spec, for_the_hub, named, names};

fn main() {
    divan::main();
}

fn spec(name: &str) -> Spec {
    named(for_the_hub(), name)
}

#[divan::bench(args = names(for_the_hub()))]
fn build_local(bencher: divan::Bencher, name: &str) {
    let file = spec(name).source();
    bencher.bench(|| {
        program::build(divan::black_box(file.clone()), Target::Local).map(|b| b.bundle.files.len())
    });
}

#[divan::bench(args = names(for_the_hub()))]
fn render_hub(bencher: divan::Bencher, name: &str) {
    let Ok(built) = program::build(spec(name).source(), Target::Local) else {
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
