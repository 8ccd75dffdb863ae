//! `cargo bench --bench check`: how long `check` takes in-process.
//!
//! - `check_example`: each spec in `examples/`, parse + schema + semantic
//!   rules, with what a process does once already done (the schema's
//!   patterns compiled, in `OnceLock`s; the schema's checks and the data
//!   tables are statics). Goal: under 1 ms. What a whole process pays once
//!   is measured by `benches/startup.sh`.
//! - `check_10k_allowed_users`: a 10,000-user course with every user in
//!   `auth.allowed`: the largest spec the schema admits in practice.
//! - `parse_only_10k`: the parse stage alone on that spec, to see where the
//!   time goes.
//!
//! The whole process (start, read, check, print) is measured with hyperfine:
//! see CONTRIBUTING.md, "Benchmarks".

#[path = "../tests/support/mod.rs"]
mod support;

use std::fmt::Write as _;

use atlasod::{SourceFile, parse, program};
use support::specs::{examples, named, names};

fn main() {
    divan::main();
}

fn example(name: &str) -> String {
    named(examples(), name).text()
}

/// A spec with 10,000 users, every one of them named in `auth.allowed`.
fn ten_thousand_users() -> String {
    let mut text = String::from(
        "version: 1\nname: mooc-2027\ncloud:\n  kubernetes:\n    context: big\nusers:\n  count: 10000\n  cpu: 0.25\n  memory: 1GiB\n  admins: [student00001]\nauth:\n  method: github\n  allowed:\n",
    );
    for i in 1..=10_000 {
        let _ = writeln!(text, "    - student{i:05}");
    }
    text
}

fn bench_check(bencher: divan::Bencher<'_, '_>, name: &str, text: &str) {
    // Compile the patterns the spec reaches once, outside the measurement.
    program::check(SourceFile::new(name, text), None).expect("the spec is valid");
    bencher
        .with_inputs(|| SourceFile::new(name, text))
        .bench_values(|file| program::check(file, None).expect("the spec is valid"));
}

#[divan::bench(args = names(examples()))]
fn check_example(bencher: divan::Bencher<'_, '_>, name: &str) {
    bench_check(bencher, name, &example(name));
}

#[divan::bench(sample_count = 30)]
fn check_10k_allowed_users(bencher: divan::Bencher<'_, '_>) {
    bench_check(bencher, "mooc.yaml", &ten_thousand_users());
}

#[divan::bench(sample_count = 30)]
fn parse_only_10k(bencher: divan::Bencher<'_, '_>) {
    let text = ten_thousand_users();
    bencher
        .with_inputs(|| SourceFile::new("mooc.yaml", text.as_str()))
        .bench_values(|file| parse::parse_source(file).expect("the spec parses"));
}
