//! The command line: parses arguments, calls [`crate::program`], prints.
//!
//! One file per command ([`check`], [`build`], [`diff`], [`init`],
//! [`tables`] for `datasets`/`regions`/`instances`, [`explain`], [`man`], [`verify`]);
//! [`args`] is the clap definition and [`output`] the only place that prints.
//!
//! Exit codes: 0 success, 1 problems in a spec, 2 usage or I/O errors;
//! `diff --exit-code`: 0 no change, 1 error, 2 changes.

mod accounts;
mod args;
mod build;
mod check;
mod diff;
mod explain;
mod init;
mod man;
mod output;
mod tables;
mod verify;

use std::path::Path;
use std::process::ExitCode;

use clap::{CommandFactory as _, Parser as _};

pub use args::{CheckFormat, Cli, Command, DiffFormat};
use output::Output;

use crate::error::Error;
use crate::parse::{self, ParseFailure};
use crate::source::SourceFile;
use crate::validate::schema::SCHEMA_TEXT;

/// Exit statuses, as documented in `--help`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Ok,
    Invalid,
    Failure,
    /// `diff --exit-code` found changes.
    Changes,
}

impl Status {
    pub const fn code(self) -> u8 {
        match self {
            Self::Ok => 0,
            Self::Invalid => 1,
            Self::Failure | Self::Changes => 2,
        }
    }
}

impl From<Status> for ExitCode {
    fn from(status: Status) -> Self {
        ExitCode::from(status.code())
    }
}

pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => {
            let _ = error.print();
            return if error.use_stderr() {
                Status::Failure
            } else {
                Status::Ok
            }
            .into();
        }
    };
    let out = Output::new(cli.color, cli.quiet);
    let status = match run(cli.command, &out) {
        Ok(status) => status,
        Err(error) => {
            out.err(&format!("{} {error}\n", out.paint("error:", "1;31")));
            Status::Failure
        }
    };
    status.into()
}

fn run(command: Command, out: &Output) -> Result<Status, Error> {
    match command {
        Command::Check(args) => check::check(&args, out),
        Command::Build(args) => build::build(&args, out),
        Command::Diff(args) => diff::run(&args, out),
        Command::Verify(args) => verify::verify(&args, out),
        Command::Accounts(args) => accounts::accounts(&args, out),
        Command::Sheet(args) => accounts::sheet(&args, out),
        Command::Completions { shell } => {
            let mut script = Vec::new();
            clap_complete::generate(shell, &mut Cli::command(), "atlasod", &mut script);
            out.out(&String::from_utf8_lossy(&script));
            Ok(Status::Ok)
        }
        Command::Man { command } => man::man(command.as_deref(), out),
        Command::Init(args) => init::init(&args, out),
        Command::Schema => {
            out.out(SCHEMA_TEXT);
            Ok(Status::Ok)
        }
        Command::Datasets => {
            out.out(&tables::datasets_table());
            Ok(Status::Ok)
        }
        Command::Regions { cloud } => tables::regions(cloud, out),
        Command::Instances { cloud, region } => tables::instances(cloud, region.as_deref(), out),
        Command::Explain { code } => explain::explain(code.as_deref(), out),
    }
}

/// Reads a spec named on the command line (`-` is standard input).
pub(crate) fn read_spec(path: &Path) -> Result<SourceFile, ParseFailure> {
    if path == Path::new("-") {
        let mut bytes = Vec::new();
        std::io::Read::read_to_end(&mut std::io::stdin(), &mut bytes).map_err(|source| {
            ParseFailure::Io(Error::Read {
                path: path.to_path_buf(),
                source,
            })
        })?;
        return parse::source_from_bytes("<stdin>", bytes);
    }
    parse::read_file(path, &path.display().to_string())
}
