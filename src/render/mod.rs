//! Renderers: diagnostics → text, in the format the user asked for.
//!
//! Input: [`Diagnostics`]. Output: a string; printing is the CLI's job. Each
//! format is one file with snapshot tests: `human` (miette, for people),
//! `json` (stable fields for scripts), `github` (workflow annotations).

mod github;
mod human;
mod json;

pub use github::render as github;
pub use human::{HumanStyle, render as human};
pub use json::{render as json, to_value as json_value};
