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
  atlasod diff --target local -o out     what a rebuild would change in out/local
  atlasod diff old.yaml workshop.yaml    compare two specs' bundles (for review)
  atlasod datasets                       list the dataset catalogue

Exit codes: 0 valid, 1 problems found in a spec, 2 usage or I/O error
(`atlasod diff --exit-code`: 0 no change, 1 error, 2 changes).
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
    #[command(after_help = CHECK_HELP)]
    Check(CheckArgs),
    /// Build the bundles of the spec's targets (or of one): check, plan, render, write.
    #[command(after_help = BUILD_HELP)]
    Build(BuildArgs),
    /// Generate the roster's passwords (once) into `<DIR>/<target>/accounts.csv`, outside the bundle's files.
    #[command(after_help = ACCOUNTS_HELP)]
    Accounts(AccountsArgs),
    /// Write the printable login sheet: a card per student (hub address, QR code, username, password or login method).
    #[command(after_help = SHEET_HELP)]
    Sheet(SheetArgs),
    /// Run the workshop's notebooks headless on its hub, as a test user, in its image, against /data.
    #[command(after_help = VERIFY_HELP)]
    Verify(VerifyArgs),
    /// Show what a build would change: a summary in plain words (dangerous changes first), then per-file diffs.
    #[command(after_help = DIFF_HELP)]
    Diff(DiffArgs),
    /// Write a commented starter workshop.yaml that passes `check`.
    #[command(after_help = INIT_HELP)]
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
    /// Print a shell completion script.
    #[command(after_help = COMPLETIONS_HELP)]
    Completions {
        /// The shell to complete for.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the manual page (roff), of atlasod or of one command.
    #[command(after_help = MAN_HELP)]
    Man {
        /// A command such as `diff`; omit for the main page.
        command: Option<String>,
    },
}

const CHECK_HELP: &str = "\
Examples:
  atlasod check
  atlasod check workshop.yaml --target aws
  atlasod check examples/*.yaml --format json
  cat workshop.yaml | atlasod check -

Exit codes: 0 every spec is valid (warnings allowed), 1 problems found in a spec, 2 usage or I/O error.";

const BUILD_HELP: &str = "\
Examples:
  atlasod build                           every target workshop.yaml declares, plus local
  atlasod build --target local
  atlasod build examples/laptop.yaml --target local -o out
  atlasod build course.yaml --target aws
  atlasod build --target local --force    replace files edited by hand (copies are kept)

Rebuilds: the bundle's .atlasod/manifest.json records every generated file's hash. A file edited
by hand since the last build is never overwritten or removed silently: the build stops and lists
it; --force replaces it after saving the edited copy under .atlasod/edited/. Files atlasod never
wrote (.env, Terraform state) are left alone. Files are swapped in atomically: an interrupted
build leaves the previous bundle, restored if need be by the next build.

Exit codes: 0 built, 1 problems in the spec, 2 usage or I/O error, or hand edits in the way.";

const ACCOUNTS_HELP: &str = "\
Examples:
  atlasod accounts                        new passwords for new roster users; the others are kept
  atlasod accounts --rotate ana           a new password for ana (the hub sets it at its next start)
  atlasod accounts --all                  new passwords for everyone

The file (mode 0600) is in the bundle's .gitignore and never in its manifest; the hub reads it
at start (a compose secret). Needs `auth.method: native` and a roster (`users.roster` or
`users.pattern`). Passwords are never printed: `atlasod sheet` makes the cards.";

const SHEET_HELP: &str = "\
Examples:
  atlasod sheet -o sheet.html             HTML to print (A4 or Letter), no network needed
  atlasod sheet --format pdf -o sheet.pdf through a headless Chromium, when one is installed
  atlasod sheet --url https://203.0.113.7 -o sheet.html   a VM's address, known after apply

The sheet holds the passwords of `atlasod accounts`: print it, then delete it.";

const INIT_HELP: &str = "\
Examples:
  atlasod init
  atlasod init --target gcp -o course.yaml";

const COMPLETIONS_HELP: &str = "\
Examples:
  atlasod completions bash > ~/.local/share/bash-completion/completions/atlasod
  atlasod completions zsh > \"${fpath[1]}/_atlasod\"
  atlasod completions fish > ~/.config/fish/completions/atlasod.fish";

const MAN_HELP: &str = "\
Examples:
  atlasod man | man -l -
  atlasod man diff > atlasod-diff.1
  atlasod man > /usr/local/share/man/man1/atlasod.1";

const DIFF_HELP: &str = "\
Modes:
  atlasod diff [SPEC]             SPEC's bundle against the one built in <DIR>/<target>/
  atlasod diff OLD NEW            two specs' bundles, rendered in memory (nothing on disk needed)
  atlasod diff --base REF [SPEC]  SPEC against its version at git revision REF (read with git show)

Examples:
  atlasod diff                                  ./workshop.yaml against bundle/<target>/
  atlasod diff course.yaml --target aws -o out
  atlasod diff --base origin/main --format markdown > comment.md
  atlasod diff old.yaml new.yaml --stat
  atlasod diff --exit-code --quiet || echo \"the bundle is out of date\"   (--quiet: no report)

Dangerous changes (listed first): the VM or data disk replaced, a disk shrunk, the domain or
HTTPS mode changed, sign-in changed, a secret regenerated, a dataset or home volumes removed.

Exit codes: 0 success, 1 problems in a spec, 2 usage or I/O error.
With --exit-code (as terraform's -detailed-exitcode): 0 no change, 1 error, 2 changes.";

const VERIFY_HELP: &str = "\
Examples:
  atlasod verify --token-file admin.token                 the local bundle's hub, running
  atlasod verify course.yaml --target aws --hub https://203.0.113.7 --token-file admin.token
  atlasod verify --token-file admin.token --format json > verify.json
  atlasod verify --token-file admin.token --cacert caddy-root.crt   a self-signed hub's CA

The token is an admin's API token (as an admin, on the hub's /hub/token page). verify creates the
test user (--user), starts its server through the hub's REST API, runs each notebook's code cells
in a fresh kernel through the server's kernel API (every .ipynb of the spec's notebook repositories,
or their `verify:` lists), then stops the server. Per notebook: pass or fail (the failing cell and
its error), wall time, the kernel's peak memory against the container's limit (users.memory),
and whether the data came from /data or was streamed (the line `set_release` prints).
Progress lines go to standard error.

Exit codes: 0 every notebook passed, 1 a notebook failed (or the spec has problems), 2 usage or
I/O error, or the hub could not be used.";

#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// The spec whose notebooks are run.
    #[arg(default_value = "workshop.yaml")]
    pub spec: PathBuf,

    /// The target whose hub runs them. Default: local.
    #[arg(long, short, value_enum, default_value_t = Target::Local)]
    pub target: Target,

    /// The hub's address. Default: what the spec knows (the laptop's port for local, `hub.domain`).
    #[arg(long, value_name = "URL")]
    pub hub: Option<String>,

    /// A file holding an admin's API token of the hub.
    #[arg(long, value_name = "FILE")]
    pub token_file: PathBuf,

    /// Trust the hub's HTTPS with this CA certificate (PEM) instead of the public roots: a
    /// self-signed hub's (the local bundle's Caddy root: proxy:/data/caddy/pki/authorities/local/root.crt).
    #[arg(long, value_name = "FILE")]
    pub cacert: Option<PathBuf>,

    /// The test user the notebooks run as (created when missing; its server is stopped at the end).
    #[arg(long, default_value = crate::verify::DEFAULT_USER)]
    pub user: String,

    /// How long one notebook may run, in seconds.
    #[arg(long, default_value_t = 1800, value_name = "SECONDS")]
    pub timeout: u64,

    /// How long the test user's server may take to start (and its notebooks to be cloned), in seconds.
    #[arg(long, default_value_t = 600, value_name = "SECONDS")]
    pub start_timeout: u64,

    /// Leave the test user's server running at the end (to look inside it).
    #[arg(long)]
    pub keep: bool,

    /// Output format.
    #[arg(long, value_enum, default_value_t = VerifyFormat::Human)]
    pub format: VerifyFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum VerifyFormat {
    /// A line per notebook, and the failing cell under a failure.
    Human,
    /// One JSON document for scripts.
    Json,
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
    #[arg(long, value_enum, default_value_t = CheckFormat::Human)]
    pub format: CheckFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CheckFormat {
    /// Annotated source snippets for people.
    Human,
    /// One JSON document with stable fields, for scripts.
    Json,
    /// GitHub Actions annotations (`::error file=...`).
    Github,
    /// SARIF 2.1.0, for GitHub code scanning and other SARIF viewers.
    Sarif,
}

#[derive(Debug, Args)]
pub struct AccountsArgs {
    /// The spec whose roster gets passwords.
    #[arg(default_value = "workshop.yaml")]
    pub spec: PathBuf,

    /// The target whose bundle the hub runs from. Default: local.
    #[arg(long, short, value_enum, default_value_t = Target::Local)]
    pub target: Target,

    /// The folder bundles are written to (as `atlasod build -o`); the file is `<DIR>/<target>/accounts.csv`.
    #[arg(long, short, default_value = "bundle", value_name = "DIR")]
    pub output: PathBuf,

    /// Give this user a new password (repeatable).
    #[arg(long, value_name = "USER")]
    pub rotate: Vec<String>,

    /// Give every user a new password.
    #[arg(long, conflicts_with = "rotate")]
    pub all: bool,
}

#[derive(Debug, Args)]
pub struct SheetArgs {
    /// The spec whose roster is printed.
    #[arg(default_value = "workshop.yaml")]
    pub spec: PathBuf,

    /// The target whose hub the students log in to. Default: local.
    #[arg(long, short, value_enum, default_value_t = Target::Local)]
    pub target: Target,

    /// The folder bundles are written to (as `atlasod build -o`): passwords come from `<DIR>/<target>/accounts.csv`.
    #[arg(long, default_value = "bundle", value_name = "DIR")]
    pub bundles: PathBuf,

    /// The hub's address, when the spec does not know it (a VM's IP, known after apply).
    #[arg(long)]
    pub url: Option<String>,

    /// html, or pdf (through a headless Chromium on this machine).
    #[arg(long, value_enum, default_value_t = SheetFormat::Html)]
    pub format: SheetFormat,

    /// The paper the cards are laid out for (both fit ten cards a page).
    #[arg(long, value_enum, default_value_t = SheetPaper::A4)]
    pub paper: SheetPaper,

    /// The file to write.
    #[arg(long, short, value_name = "FILE")]
    pub output: PathBuf,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SheetPaper {
    A4,
    Letter,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SheetFormat {
    Html,
    Pdf,
}

#[derive(Debug, Args)]
pub struct BuildArgs {
    /// The spec to build.
    #[arg(default_value = "workshop.yaml")]
    pub spec: PathBuf,

    /// The target to build for. Default: every target the spec declares, plus `local`.
    #[arg(long, short, value_enum)]
    pub target: Option<Target>,

    /// The folder bundles are written to; the bundle goes to `<DIR>/<target>/`.
    #[arg(long, short, default_value = "bundle", value_name = "DIR")]
    pub output: PathBuf,

    /// Replace files edited by hand since the last build (their edited copies are saved under `<DIR>/<target>/.atlasod/edited/`).
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, Args)]
pub struct DiffArgs {
    /// The spec to build (default `workshop.yaml`); with two, the OLD spec then the NEW one.
    #[arg(value_name = "SPEC", num_args = 0..=2)]
    pub specs: Vec<PathBuf>,

    /// Compare for these targets (repeatable). Default: every target the spec declares, else `local`.
    #[arg(long, short, value_enum)]
    pub target: Vec<Target>,

    /// The folder the bundles were built in (as `atlasod build -o`); the bundle is `<DIR>/<target>/`. [default: bundle]
    #[arg(long, short, value_name = "DIR")]
    pub output: Option<PathBuf>,

    /// Compare with the spec at this git revision (`git show REF:SPEC`) instead of the bundle on disk.
    #[arg(long, value_name = "REF")]
    pub base: Option<String>,

    /// Output format.
    #[arg(long, value_enum, default_value_t = DiffFormat::Human)]
    pub format: DiffFormat,

    /// Exit with 2 when anything changed, 0 when nothing did, 1 on errors.
    #[arg(long)]
    pub exit_code: bool,

    /// Only the summaries: no per-file diffs.
    #[arg(long)]
    pub stat: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DiffFormat {
    /// Summary and unified diffs for a terminal (coloured when it is one).
    Human,
    /// A pull-request comment: summary, dangerous changes, collapsed per-file diffs.
    Markdown,
    /// One JSON document for scripts.
    Json,
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
