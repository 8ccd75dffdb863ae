//! `atlasod diff`: what a build would change, against the bundle on disk or
//! between two specs (two files, or one file and its version at a git
//! revision). Reads the specs, calls [`crate::program`], prints the report.

use std::path::{Path, PathBuf};

use crate::cli::args::{DiffArgs, DiffFormat};
use crate::cli::output::Output;
use crate::cli::{Status, read_spec};
use crate::diff::DiffReport;
use crate::error::Error;
use crate::parse::{self, ParseFailure};
use crate::program::{self, BuildFailure};
use crate::report;
use crate::report::diff::DiffStyle;
use crate::source::SourceFile;

/// Runs the command; with `--exit-code` every error exits 1.
pub(super) fn run(args: &DiffArgs, out: &Output) -> Result<Status, Error> {
    match compare(args, out) {
        Err(error) if args.exit_code => {
            out.err(&format!("{} {error}\n", out.paint("error:", "1;31")));
            Ok(Status::Invalid)
        }
        other => other,
    }
}

/// Where the old side comes from.
enum Old {
    /// The bundle built under `<DIR>/<target>/`.
    Disk(PathBuf),
    /// Another spec (`None`: it does not exist at that revision), with its label.
    Spec(Option<SourceFile>, String),
}

fn compare(args: &DiffArgs, out: &Output) -> Result<Status, Error> {
    let two_specs = args.specs.len() == 2;
    if two_specs && args.base.is_some() {
        return Err(Error::Usage(
            "give either two specs or `--base REF` with one spec, not both".to_owned(),
        ));
    }
    if (two_specs || args.base.is_some()) && args.output.is_some() {
        return Err(Error::Usage(
            "`-o` names the bundle on disk to compare with; comparing two specs needs none, so drop `-o`".to_owned(),
        ));
    }
    let default = PathBuf::from("workshop.yaml");
    let new_path = args.specs.last().unwrap_or(&default);
    let Some(new) = read(new_path, out)? else {
        return Ok(Status::Invalid);
    };
    let old = if two_specs {
        let Some(file) = read(&args.specs[0], out)? else {
            return Ok(Status::Invalid);
        };
        let label = file.name().to_owned();
        Old::Spec(Some(file), label)
    } else if let Some(base) = &args.base {
        let label = format!("{base}:{}", new_path.display());
        match git_show(base, new_path)? {
            None => Old::Spec(None, label),
            Some(bytes) => match parse::source_from_bytes(&label, bytes) {
                Ok(file) => Old::Spec(Some(file), label),
                Err(ParseFailure::Invalid(diagnostics)) => {
                    out.err(&report::human(&diagnostics, out.style()));
                    return Ok(Status::Invalid);
                }
                Err(ParseFailure::Io(error)) => return Err(error),
            },
        }
    } else {
        Old::Disk(
            args.output
                .clone()
                .unwrap_or_else(|| PathBuf::from("bundle")),
        )
    };
    let targets = if args.target.is_empty() {
        match program::check(new.clone(), Some(&[])) {
            Ok(checked) => crate::validate::default_targets(&checked.spec),
            Err(diagnostics) => {
                out.err(&report::human(&diagnostics, out.style()));
                return Ok(Status::Invalid);
            }
        }
    } else {
        args.target.clone()
    };
    let mut reports = Vec::new();
    for target in targets {
        let result = match &old {
            Old::Disk(dir) => program::diff_disk(new.clone(), target, &dir.join(target.as_str())),
            Old::Spec(file, label) => program::diff_specs(file.clone(), new.clone(), target, label),
        };
        match result {
            Ok(report) => reports.push(report),
            Err(BuildFailure::Invalid(diagnostics)) => {
                out.err(&report::human(&diagnostics, out.style()));
                return Ok(Status::Invalid);
            }
            Err(BuildFailure::Failed(error)) => return Err(error),
        }
    }
    if !out.quiet {
        out.out(&match args.format {
            DiffFormat::Human => report::diff::human(
                &reports,
                DiffStyle {
                    color: out.color,
                    stat: args.stat,
                },
            ),
            DiffFormat::Markdown => report::diff::markdown(&reports, args.stat),
            DiffFormat::Json => report::diff::json(&reports),
        });
    }
    let changed = reports.iter().any(DiffReport::has_changes);
    Ok(if args.exit_code && changed {
        Status::Changes
    } else {
        Status::Ok
    })
}

/// Reads a spec; `None` after printing why it is not a spec at all.
fn read(path: &Path, out: &Output) -> Result<Option<SourceFile>, Error> {
    match read_spec(path) {
        Ok(file) => Ok(Some(file)),
        Err(ParseFailure::Io(error)) => Err(error),
        Err(ParseFailure::Invalid(diagnostics)) => {
            out.err(&report::human(&diagnostics, out.style()));
            Ok(None)
        }
    }
}

/// The bytes of `path` at git revision `base`, through `git show`; `None`
/// when the file does not exist at that revision (a spec added since).
fn git_show(base: &str, path: &Path) -> Result<Option<Vec<u8>>, Error> {
    if path == Path::new("-") {
        return Err(Error::Usage(
            "`--base` reads the spec's file from git; name the file instead of `-`".to_owned(),
        ));
    }
    let name = path
        .file_name()
        .ok_or_else(|| Error::Usage(format!("`{}` is not a file", path.display())))?;
    let folder = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    let git = |args: &[&str]| {
        std::process::Command::new("git")
            .args(args)
            .current_dir(folder)
            .output()
            .map_err(|error| {
                Error::Usage(format!(
                    "`--base` needs git, and running it failed ({error}); install git or compare two files: `atlasod diff OLD NEW`"
                ))
            })
    };
    let failed = |output: &std::process::Output| {
        let stderr = String::from_utf8_lossy(&output.stderr);
        let reason = stderr.trim().trim_start_matches("fatal: ");
        Error::Usage(format!(
            "cannot read `{}` at `{base}` with git: {reason}",
            path.display()
        ))
    };
    // Each question is answered by git's exit status, never by its wording:
    // is `base` a revision, and does it hold the file (a spec added since
    // does not)?
    let revision = git(&[
        "rev-parse",
        "--verify",
        "--end-of-options",
        &format!("{base}^{{commit}}"),
    ])?;
    if !revision.status.success() {
        return Err(failed(&revision));
    }
    let object = format!("{base}:./{}", name.to_string_lossy());
    if !git(&["cat-file", "-e", &object])?.status.success() {
        return Ok(None);
    }
    let output = git(&["show", "--no-textconv", &object])?;
    if output.status.success() {
        return Ok(Some(output.stdout));
    }
    Err(failed(&output))
}
