//! The command line, declared with clap.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::spec::Target;

const EXAMPLES: &str = "\
Examples:
  atlasod init --target aws              write a starter workshop.yaml for AWS
  atlasod check                          check ./workshop.yaml for every declared target
  atlasod check examples/*.yaml --format github
  atlasod build --target local -o out    write a docker compose bundle for a laptop
  atlasod datasets                       list the dataset catalogue

Exit codes: 0 valid, 1 problems found in a spec, 2 usage or I/O error.
Environment: NO_COLOR=1 turns colour off.";

/// Compile one workshop.yaml into ready-to-apply JupyterHub bundles for ATLAS Open Data workshops.
#[derive(Debug, Parser)]
#[command(name = "atlasod", version, about, after_help = EXAMPLES, propagate_version = true)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,

    /// When to use colour: auto (a terminal without NO_COLOR), always or never.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto, global = true)]
    pub color: ColorChoice,

    /// Print only problems, no progress or summary lines.
    #[arg(long, short, global = true)]
    pub quiet: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check specs against the schema and the rules of their targets.
    #[command(
        after_help = "Examples:\n  atlasod check\n  atlasod check workshop.yaml --target aws\n  atlasod check examples/*.yaml --format json\n  cat workshop.yaml | atlasod check -\n\nExit codes: 0 every spec is valid (warnings allowed), 1 problems found in a spec, 2 usage or I/O error."
    )]
    Check(CheckArgs),
    /// Build the bundle of one target: check, plan, render, write.
    #[command(
        after_help = "Examples:\n  atlasod build --target local\n  atlasod build examples/laptop.yaml --target local -o out\n  atlasod build course.yaml --target aws"
    )]
    Build(BuildArgs),
    /// Write a commented starter workshop.yaml that passes `check`.
    #[command(after_help = "Examples:\n  atlasod init\n  atlasod init --target gcp -o course.yaml")]
    Init(InitArgs),
    /// Print the JSON Schema of the spec (for editors and other validators).
    Schema,
    /// List the built-in dataset catalogue.
    Datasets,
    /// List the regions atlasod knows for a cloud.
    Regions {
        /// aws or gcp
        #[arg(value_enum)]
        cloud: Target,
    },
    /// List the instance types atlasod knows for a cloud, with vCPU, memory and price.
    Instances {
        /// aws or gcp
        #[arg(value_enum)]
        cloud: Target,
        /// Only types offered in this region, with its prices.
        #[arg(long)]
        region: Option<String>,
    },
    /// Explain a diagnostic code, or list them all.
    Explain {
        /// A code such as `unknown-key`; omit to list every code.
        code: Option<String>,
    },
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Spec files to check; `-` reads standard input.
    #[arg(default_value = "workshop.yaml")]
    pub files: Vec<PathBuf>,

    /// Check for these targets only (repeatable). Default: every target the spec declares, else `local`.
    #[arg(long, short, value_enum)]
    pub target: Vec<Target>,

    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Annotated source snippets for people.
    Human,
    /// One JSON document with stable fields, for scripts.
    Json,
    /// GitHub Actions annotations (`::error file=...`).
    Github,
}

#[derive(Debug, Args)]
pub struct BuildArgs {
    /// The spec to build.
    #[arg(default_value = "workshop.yaml")]
    pub spec: PathBuf,

    /// The target to build for.
    #[arg(long, short, value_enum)]
    pub target: Target,

    /// The folder bundles are written to; the bundle goes to `<DIR>/<target>/`.
    #[arg(long, short, default_value = "bundle", value_name = "DIR")]
    pub output: PathBuf,
}

#[derive(Debug, Args)]
pub struct InitArgs {
    /// The cloud block to include (local is always buildable).
    #[arg(long, short, value_enum, default_value_t = Target::Local)]
    pub target: Target,

    /// Where to write the spec.
    #[arg(long, short, default_value = "workshop.yaml")]
    pub output: PathBuf,
}
