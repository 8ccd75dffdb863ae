//! `atlasod build`: builds a bundle and writes it safely, or says why a
//! rebuild was refused (files edited by hand).

use std::fmt::Write as _;

use super::args;
use super::output::Output;
use super::{Status, read_spec};
use crate::bundle;
use crate::error::Error;
use crate::parse::ParseFailure;
use crate::program;
use crate::report;
use crate::spec::Target;

pub(super) fn build(args: &args::BuildArgs, out: &Output) -> Result<Status, Error> {
    let file = match read_spec(&args.spec) {
        Ok(file) => file,
        Err(ParseFailure::Io(error)) => return Err(error),
        Err(ParseFailure::Invalid(diagnostics)) => {
            out.err(&report::human(&diagnostics, out.style()));
            return Ok(Status::Invalid);
        }
    };
    let name = file.name().to_owned();
    let built = match args.target {
        Some(target) => program::build(file, target).map(|built| vec![(target, built)]),
        None => program::build_all(file, None),
    };
    let built = match built {
        Ok(built) => built,
        Err(program::BuildFailure::Invalid(diagnostics)) => {
            out.err(&report::human(&diagnostics, out.style()));
            return Ok(Status::Invalid);
        }
        Err(program::BuildFailure::Failed(error)) => return Err(error),
    };
    // Checked once for every target: the warnings are the same in each.
    if let Some((_, first)) = built.first() {
        if !first.checked.warnings.is_empty() {
            out.err(&report::human(&first.checked.warnings, out.style()));
        }
    }
    let mut status = Status::Ok;
    for (target, built) in &built {
        if write_one(&name, *target, built, args, out)? != Status::Ok {
            status = Status::Failure;
        }
    }
    Ok(status)
}

/// Writes the bundle of one target and prints its summary.
fn write_one(
    name: &str,
    target: Target,
    built: &program::Built,
    args: &args::BuildArgs,
    out: &Output,
) -> Result<Status, Error> {
    let dir = args.output.join(target.as_str());
    let manifest = built.manifest(target);
    let options = bundle::WriteOptions { force: args.force };
    let report = match bundle::write(&built.bundle, &manifest, &dir, options) {
        Ok(report) => report,
        Err(bundle::WriteError::Failed(error)) => return Err(error),
        Err(bundle::WriteError::Refused(refused)) => {
            out.err(&refusal(&refused, target, args, out));
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
        "{} {name} for {target}: {} files in {} ({} written, {} removed, {} unchanged)",
        out.paint("built", "1;32"),
        built.bundle.files.len(),
        dir.display(),
        report.written.len(),
        report.removed.len(),
        report.unchanged + report.kept_edits.len(),
    );
    let _ = write!(
        text,
        "\n{} {} (sha256 {}): what the students get, also on the hub's login page",
        out.paint("fingerprint", "1;36"),
        crate::plan::fingerprint::short(&built.plan.fingerprint),
        built.plan.fingerprint,
    );
    out.status(&text);
    if !out.quiet {
        let summary = crate::targets::summary(&built.plan, target, &dir.display().to_string())?;
        if let Some(summary) = summary {
            out.out(&summary);
        }
    }
    Ok(Status::Ok)
}

/// The message of a build refused because of hand edits.
fn refusal(
    refused: &bundle::Refused,
    target: Target,
    args: &args::BuildArgs,
    out: &Output,
) -> String {
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
