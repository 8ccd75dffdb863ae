//! The command line: parses arguments, calls [`crate::program`], prints.
//!
//! Exit codes: 0 success, 1 problems in a spec, 2 usage or I/O errors;
//! `diff --exit-code`: 0 no change, 1 error, 2 changes.

mod args;
mod diff;
mod init;
mod output;

use std::fmt::Write as _;
use std::path::Path;
use std::process::ExitCode;

use clap::{CommandFactory as _, Parser as _};

pub use args::{Cli, Command, DiffFormat, Format};
use output::Output;

use crate::bundle;
use crate::catalogue::catalogue;
use crate::diagnostic::Diagnostics;
use crate::error::Error;
use crate::parse::{self, ParseFailure};
use crate::program;
use crate::report;
use crate::sizing::vm::fmt_gib;
use crate::source::SourceFile;
use crate::spec::Target;
use crate::tables;
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
        Command::Check(args) => check(&args, out),
        Command::Build(args) => build(&args, out),
        Command::Diff(args) => diff::run(&args, out),
        Command::Completions { shell } => {
            let mut script = Vec::new();
            clap_complete::generate(shell, &mut Cli::command(), "atlasod", &mut script);
            out.out(&String::from_utf8_lossy(&script));
            Ok(Status::Ok)
        }
        Command::Man { command } => man(command.as_deref(), out),
        Command::Init(args) => init(&args, out),
        Command::Schema => {
            out.out(SCHEMA_TEXT);
            Ok(Status::Ok)
        }
        Command::Datasets => {
            out.out(&datasets_table());
            Ok(Status::Ok)
        }
        Command::Regions { cloud } => regions(cloud, out),
        Command::Instances { cloud, region } => instances(cloud, region.as_deref(), out),
        Command::Explain { code } => explain(code.as_deref(), out),
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

fn check(args: &args::CheckArgs, out: &Output) -> Result<Status, Error> {
    let targets = (!args.target.is_empty()).then_some(args.target.as_slice());
    let mut all = Diagnostics::new();
    let mut summaries = Vec::new();
    let mut invalid = 0;
    for path in &args.files {
        let file = match read_spec(path) {
            Ok(file) => file,
            Err(ParseFailure::Io(error)) => {
                if path == Path::new("workshop.yaml") && args.files.len() == 1 {
                    return Err(Error::Usage(format!(
                        "{error}\n  hint: run `atlasod init` to write a starter workshop.yaml, or name a spec: `atlasod check path/to/spec.yaml`"
                    )));
                }
                return Err(error);
            }
            Err(ParseFailure::Invalid(diagnostics)) => {
                invalid += 1;
                all.extend(diagnostics);
                continue;
            }
        };
        let name = file.name().to_owned();
        match program::check(file, targets) {
            Ok(checked) => {
                let targets: Vec<&str> = checked.targets.iter().map(|t| t.as_str()).collect();
                summaries.push(format!("{name}: valid for {}", targets.join(", ")));
                all.extend(checked.warnings);
            }
            Err(diagnostics) => {
                invalid += 1;
                all.extend(diagnostics);
            }
        }
    }
    match args.format {
        Format::Json => out.out(&report::json(&all)),
        Format::Github => out.out(&report::github(&all)),
        Format::Sarif => out.out(&report::sarif(&all)),
        Format::Human => {
            out.out(&report::human(&all, out.style()));
            if !out.quiet {
                let mut text = String::new();
                for summary in &summaries {
                    let _ = writeln!(text, "{} {summary}", out.paint("ok", "1;32"));
                }
                let errors = all.iter().filter(|d| d.is_error()).count();
                let warnings = all.len() - errors;
                if invalid > 0 {
                    let _ = writeln!(
                        text,
                        "{} {invalid} of {} spec{} invalid: {errors} error{}, {warnings} warning{}",
                        out.paint("failed:", "1;31"),
                        args.files.len(),
                        if args.files.len() == 1 { "" } else { "s" },
                        if errors == 1 { "" } else { "s" },
                        if warnings == 1 { "" } else { "s" },
                    );
                }
                out.out(&text);
            }
        }
    }
    Ok(if invalid > 0 {
        Status::Invalid
    } else {
        Status::Ok
    })
}

fn build(args: &args::BuildArgs, out: &Output) -> Result<Status, Error> {
    let file = match read_spec(&args.spec) {
        Ok(file) => file,
        Err(ParseFailure::Io(error)) => return Err(error),
        Err(ParseFailure::Invalid(diagnostics)) => {
            out.err(&report::human(&diagnostics, out.style()));
            return Ok(Status::Invalid);
        }
    };
    let name = file.name().to_owned();
    let built = match program::build(file, args.target) {
        Ok(built) => built,
        Err(program::BuildFailure::Invalid(diagnostics)) => {
            out.err(&report::human(&diagnostics, out.style()));
            return Ok(Status::Invalid);
        }
        Err(program::BuildFailure::Failed(error)) => return Err(error),
    };
    if !built.checked.warnings.is_empty() {
        out.err(&report::human(&built.checked.warnings, out.style()));
    }
    let dir = args.output.join(args.target.as_str());
    let manifest = built.manifest(args.target);
    let options = bundle::WriteOptions { force: args.force };
    let report = match bundle::write(&built.bundle, &manifest, &dir, options) {
        Ok(report) => report,
        Err(bundle::WriteError::Failed(error)) => return Err(error),
        Err(bundle::WriteError::Refused(refused)) => {
            out.err(&refusal(&refused, args, out));
            return Ok(Status::Failure);
        }
    };
    let mut text = String::new();
    if report.recovered {
        let _ = writeln!(
            text,
            "{} an earlier build of {} was interrupted; its changes were undone first",
            out.paint("note:", "1;36"),
            dir.display()
        );
    }
    for (path, saved) in &report.saved_edits {
        let _ = writeln!(
            text,
            "{} replaced {path}, edited by hand; your version is saved as {}",
            out.paint("note:", "1;36"),
            dir.join(saved).display()
        );
    }
    for path in &report.kept_edits {
        let _ = writeln!(
            text,
            "{} kept your edits to {path}: atlasod's version of it did not change (`atlasod diff` shows them; --force restores atlasod's)",
            out.paint("note:", "1;36")
        );
    }
    let _ = write!(
        text,
        "{} {name} for {}: {} files in {} ({} written, {} removed, {} unchanged)",
        out.paint("built", "1;32"),
        args.target,
        built.bundle.files.len(),
        dir.display(),
        report.written.len(),
        report.removed.len(),
        report.unchanged + report.kept_edits.len(),
    );
    out.status(&text);
    if !out.quiet {
        let summary =
            crate::targets::summary(&built.plan, args.target, &dir.display().to_string())?;
        if let Some(summary) = summary {
            out.out(&summary);
        }
    }
    Ok(Status::Ok)
}

/// The message of a build refused because of hand edits.
fn refusal(refused: &bundle::Refused, args: &args::BuildArgs, out: &Output) -> String {
    let count = refused.conflicts.len();
    let mut text = format!(
        "{} {count} file{} in {} changed by hand since the last build; nothing was written\n",
        out.paint("error:", "1;31"),
        if count == 1 { "" } else { "s" },
        refused.dir.display()
    );
    let width = refused
        .conflicts
        .iter()
        .map(|c| c.path.len())
        .max()
        .unwrap_or(0);
    for conflict in &refused.conflicts {
        let _ = writeln!(
            text,
            "  {:<width$}  {}",
            conflict.path,
            conflict.kind.describe()
        );
    }
    let spec = args.spec.display();
    let target = args.target;
    let output = args.output.display();
    let _ = writeln!(
        text,
        "{} see the edits against what atlasod would write: `atlasod diff {spec} --target {target} -o {output}`\n  \
         to keep them: move the change into {spec} if a setting covers it, or copy the files aside and re-apply them after building\n  \
         to discard them: `atlasod build {spec} --target {target} -o {output} --force` (the edited copies are saved under {}/.atlasod/edited/)",
        out.paint("help:", "1;36"),
        refused.dir.display()
    );
    text
}

/// `atlasod man [COMMAND]`: the roff page of atlasod or of one command.
fn man(command: Option<&str>, out: &Output) -> Result<Status, Error> {
    let mut root = Cli::command();
    // Building sets each command's display name (`atlasod-diff`) and bin name (`atlasod diff`).
    root.build();
    let source = format!("atlasod {}", root.get_version().unwrap_or_default());
    let page = match command {
        None => root,
        Some(name) => {
            let Some(sub) = root.find_subcommand(name) else {
                let names: Vec<String> = root
                    .get_subcommands()
                    .map(|c| c.get_name().to_owned())
                    .collect();
                let hint =
                    crate::validate::suggest::closest(name, names.iter().map(String::as_str))
                        .map(|s| format!("; did you mean `{s}`?"))
                        .unwrap_or_default();
                return Err(Error::Usage(format!(
                    "`{name}` is not an atlasod command{hint}"
                )));
            };
            sub.clone()
        }
    };
    let mut roff = Vec::new();
    clap_mangen::Man::new(page)
        .source(source)
        .render(&mut roff)
        .map_err(|error| Error::Internal(format!("cannot render the man page: {error}")))?;
    out.out(&String::from_utf8_lossy(&roff));
    Ok(Status::Ok)
}

fn init(args: &args::InitArgs, out: &Output) -> Result<Status, Error> {
    if args.output.exists() {
        return Err(Error::Usage(format!(
            "`{}` already exists; atlasod never overwrites a spec. Choose another name with `-o`, or check it with `atlasod check {}`",
            args.output.display(),
            args.output.display()
        )));
    }
    let text = init::starter_spec(args.target)?;
    write_new(&args.output, &text)?;
    let schema_path = args
        .output
        .parent()
        .unwrap_or_else(|| Path::new(""))
        .join("workshop.schema.json");
    let schema_note = if schema_path.exists() {
        format!("kept the existing {}", schema_path.display())
    } else {
        write_new(&schema_path, SCHEMA_TEXT)?;
        format!("wrote {} for editor completion", schema_path.display())
    };
    out.status(&format!(
        "wrote {} ({schema_note})\nnext: edit it, then `atlasod check {}` and `atlasod build --target {}`",
        args.output.display(),
        args.output.display(),
        args.target
    ));
    Ok(Status::Ok)
}

/// Creates a new file; fails rather than replace an existing one.
fn write_new(path: &Path, text: &str) -> Result<(), Error> {
    use std::io::Write;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
        .map_err(|source| Error::Write {
            path: path.to_path_buf(),
            source,
        })?;
    file.write_all(text.as_bytes())
        .map_err(|source| Error::Write {
            path: path.to_path_buf(),
            source,
        })
}

fn datasets_table() -> String {
    let mut text =
        String::from("ID                                DOWNLOAD     UNPACKED     TITLE\n");
    for (id, entry) in &catalogue().datasets {
        let _ = writeln!(
            text,
            "{id:<33} {:>11}  {:>11}  {}",
            fmt_gib(entry.download_size()),
            fmt_gib(entry.unpacked_size),
            entry.title
        );
    }
    text
}

fn cloud_tables(cloud: Target) -> Result<&'static tables::CloudTables, Error> {
    tables::for_target(cloud).ok_or_else(|| {
        Error::Usage(format!(
            "atlasod has region and instance tables for `aws` and `gcp` only; `{cloud}` chooses its machines at apply time"
        ))
    })
}

fn regions(cloud: Target, out: &Output) -> Result<Status, Error> {
    let tables = cloud_tables(cloud)?;
    let mut text = String::new();
    for region in &tables.regions.regions {
        let _ = writeln!(text, "{:<28} {}", region.code, region.name);
    }
    out.out(&text);
    Ok(Status::Ok)
}

fn instances(cloud: Target, region: Option<&str>, out: &Output) -> Result<Status, Error> {
    let tables = cloud_tables(cloud)?;
    if let Some(region) = region {
        if tables.region(region).is_none() {
            return Err(Error::Usage(format!(
                "`{region}` is not a {cloud} region; `atlasod regions {cloud}` lists them"
            )));
        }
    }
    let mut text = format!(
        "{:<20} {:>5} {:>10}  {}\n",
        "TYPE",
        "VCPU",
        "MEMORY",
        region.map_or_else(
            || "REGIONS".to_owned(),
            |r| format!("{}/HOUR IN {r}", tables.instances.currency)
        )
    );
    for instance in &tables.instances.instances {
        let column = match region {
            Some(r) => match instance.prices.get(r) {
                Some(price) => format!("{price:.4}"),
                None => continue,
            },
            None => instance.prices.len().to_string(),
        };
        let _ = writeln!(
            text,
            "{:<20} {:>5} {:>6} GiB  {column}",
            instance.name, instance.vcpu, instance.memory_gib
        );
    }
    let _ = writeln!(text, "prices read {}", tables.instances.prices_read);
    out.out(&text);
    Ok(Status::Ok)
}

fn explain(code: Option<&str>, out: &Output) -> Result<Status, Error> {
    use crate::diagnostic::Code;
    match code {
        None => {
            let mut text = String::new();
            for code in Code::ALL {
                let _ = writeln!(text, "{:<24} {}", code.as_str(), code.summary());
            }
            out.out(&text);
            Ok(Status::Ok)
        }
        Some(name) => {
            if let Some(code) = Code::from_name(name) {
                out.out(&format!("{}: {}\n", code.as_str(), code.summary()));
                return Ok(Status::Ok);
            }
            let hint =
                crate::validate::suggest::closest(name, Code::ALL.iter().map(|c| c.as_str()))
                    .map(|s| format!("; did you mean `{s}`?"))
                    .unwrap_or_default();
            Err(Error::Usage(format!(
                "`{name}` is not a diagnostic code{hint}"
            )))
        }
    }
}
