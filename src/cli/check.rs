//! `atlasod check`: validates specs and prints every diagnostic in the
//! format asked for (human, json, github, sarif).

use std::fmt::Write as _;
use std::path::Path;

use super::args::{self, CheckFormat};
use super::output::Output;
use super::{Status, read_spec};
use crate::diagnostic::Diagnostics;
use crate::error::Error;
use crate::parse::ParseFailure;
use crate::program;
use crate::report;

pub(super) fn check(args: &args::CheckArgs, out: &Output) -> Result<Status, Error> {
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
        CheckFormat::Json => out.out(&report::json(&all)),
        CheckFormat::Github => out.out(&report::github(&all)),
        CheckFormat::Sarif => out.out(&report::sarif(&all)),
        CheckFormat::Human => {
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
