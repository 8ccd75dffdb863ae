//! Stage reports: diagnostics and diffs → text, in the format the user asked for.
//!
//! Input: [`Diagnostics`](crate::Diagnostics) or diff reports. Output: a
//! string; printing is the CLI's job. Each format is one file with snapshot
//! tests: `human` (miette, for people), `json` (stable fields for scripts),
//! `github` (workflow annotations), `sarif` (SARIF 2.1.0 for code
//! scanning), and `diff` (the `atlasod diff` report as human, markdown or
//! json).

pub mod diff;
mod github;
mod human;
mod json;
mod sarif;
pub mod verify;

pub use github::render as github;
pub use human::{HumanStyle, render as human};
pub use json::{render as json, to_value as json_value};
pub use sarif::{render as sarif, to_value as sarif_value};
