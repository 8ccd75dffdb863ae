//! atlasod: a compiler from one `workshop.yaml` to ready-to-apply JupyterHub
//! bundles for ATLAS Open Data workshops.
//!
//! The pipeline, one module per stage (see `CONTRIBUTING.md`):
//! parse ([`parse`]) → validate ([`validate`]) → lower ([`plan`]) → render
//! ([`targets`]) → bundle ([`bundle`]). [`program`] drives the stages;
//! [`cli`] is the command line and the only place that prints.

pub mod source; // input text, spans, line:col
pub mod diagnostic; // problems in the user's file, with their codes
pub mod error; // operational failures and bugs (no spans)
pub mod units; // how numbers read: sizes, money, durations
pub mod parse; // 1. bytes -> YAML tree with spans
pub mod spec; // the typed model of workshop.yaml
pub mod validate; // 2. schema, then meaning (rules/)
pub mod data; // atlasod's embedded tables: catalogue, image pins, cloud tables, Terraform pins
pub mod sizing; // VM and cluster sizing
pub mod plan; // 3. lower: the target-neutral plan
pub mod targets; // 4. render: plan -> files per target (compose, vm, kubernetes, terraform)
pub mod bundle; // 5. bundle: files, written safely
pub mod diff; // what changed: per file and in trainer words
pub mod report; // diagnostics and diffs as human, json, github, sarif text
pub mod program; // the driver: the stages in order
pub mod accounts; // the roster's passwords, kept beside a bundle (never in it)
pub mod sheet; // the printable login sheet: a card per student
pub mod verify; // `atlasod verify`: the notebooks run on the hub (REST and kernel APIs)
pub mod cli; // the command line, the only place that prints

pub use diagnostic::{Code, Diagnostic, Diagnostics, Severity};
pub use error::Error;
pub use source::{SourceFile, Span};
pub use spec::{Spec, Target};
