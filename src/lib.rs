//! atlasod: a compiler from one `workshop.yaml` to ready-to-apply JupyterHub
//! bundles for ATLAS Open Data workshops.
//!
//! The pipeline, one module per stage (see `CONTRIBUTING.md`):
//! parse ([`parse`]) → validate ([`validate`]) → lower ([`plan`]) → render
//! ([`targets`]) → bundle ([`bundle`]). [`program`] drives the stages;
//! [`cli`] is the command line and the only place that prints.

pub mod bundle;
pub mod catalogue;
pub mod cli;
mod data;
pub mod diagnostic;
pub mod diff;
pub mod error;
pub mod images;
pub mod parse;
pub mod plan;
pub mod program;
pub mod report;
pub mod sizing;
pub mod source;
pub mod spec;
pub mod tables;
pub mod targets;
pub mod units;
pub mod validate;

pub use diagnostic::{Code, Diagnostic, Diagnostics, Severity};
pub use error::Error;
pub use source::{SourceFile, Span};
pub use spec::{Spec, Target};
