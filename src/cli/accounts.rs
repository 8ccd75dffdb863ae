//! `atlasod accounts` (the roster's passwords, beside the bundle) and `atlasod sheet`
//! (the printable login cards).

use std::path::PathBuf;

use super::args::{self, SheetFormat, SheetPaper};
use super::output::Output;
use super::{Status, read_spec};
use crate::accounts::{self, Rotate};
use crate::error::Error;
use crate::parse::ParseFailure;
use crate::plan::ACCOUNTS_FILE_NAME;
use crate::program::{self, BuildFailure, Built};
use crate::report;
use crate::sheet::{self, Card, Paper, Sheet};
use crate::spec::{AuthMethod, Target};
use crate::targets::compose::HubHost;

/// Checks and lowers the spec for `target`; `None` when it has errors (printed).
pub(super) fn built(
    spec: &std::path::Path,
    target: Target,
    out: &Output,
) -> Result<Option<Built>, Error> {
    let file = match read_spec(spec) {
        Ok(file) => file,
        Err(ParseFailure::Io(error)) => return Err(error),
        Err(ParseFailure::Invalid(diagnostics)) => {
            out.err(&report::human(&diagnostics, out.style()));
            return Ok(None);
        }
    };
    match program::build(file, target) {
        Ok(built) => Ok(Some(built)),
        Err(BuildFailure::Invalid(diagnostics)) => {
            out.err(&report::human(&diagnostics, out.style()));
            Ok(None)
        }
        Err(BuildFailure::Failed(error)) => Err(error),
    }
}

fn accounts_path(dir: &std::path::Path, target: Target) -> PathBuf {
    dir.join(target.as_str()).join(ACCOUNTS_FILE_NAME)
}

pub(super) fn accounts(args: &args::AccountsArgs, out: &Output) -> Result<Status, Error> {
    let Some(built) = built(&args.spec, args.target, out)? else {
        return Ok(Status::Invalid);
    };
    let users = &built.checked.spec.users;
    if !users.has_roster() {
        return Err(Error::Usage(format!(
            "`{}` has no roster: add `users.roster: students.csv` (or `users.pattern`) to make accounts in advance",
            args.spec.display()
        )));
    }
    if built.plan.auth.method != AuthMethod::Native {
        return Err(Error::Usage(format!(
            "`auth.method: {}` needs no passwords from atlasod: the roster is the hub's allow-list",
            built.plan.auth.method.as_str()
        )));
    }
    let path = accounts_path(&args.output, args.target);
    let existing = accounts::read(&path)?;
    let rotate = if args.all {
        Rotate::All
    } else if args.rotate.is_empty() {
        Rotate::None
    } else {
        Rotate::Users(args.rotate.clone())
    };
    let (list, changes) = accounts::sync(&users.roster_names(), &existing, &rotate)?;
    accounts::write(&path, &list)?;
    if !out.quiet {
        // At most five names; a class of 30 new accounts is a number, not a list.
        let names = |v: &[String]| match v.len() {
            0 => String::new(),
            1..=5 => format!(" ({})", v.join(", ")),
            n => format!(" ({}, ... and {} more)", v[..3].join(", "), n - 3),
        };
        let dir = path
            .parent()
            .map_or_else(String::new, |p| p.display().to_string());
        out.out(&format!(
            "{} {}: {} accounts, {} new{}, {} rotated{}, {} removed{}; no password was printed\n  {}\n",
            out.paint("wrote", "1;32"),
            path.display(),
            list.len(),
            changes.added.len(),
            names(&changes.added),
            changes.rotated.len(),
            names(&changes.rotated),
            changes.removed.len(),
            names(&changes.removed),
            next_step(args.target, &dir),
        ));
    }
    Ok(Status::Ok)
}

/// How the passwords reach the hub of `target`, whose bundle is in `dir`.
fn next_step(target: Target, dir: &str) -> String {
    match target {
        Target::Local => {
            format!("the hub sets them at its next start: `docker compose restart hub` in {dir}")
        }
        Target::Kubernetes => format!(
            "Terraform hands them to the hub at the next `terraform apply` in {dir}/terraform (the hub restarts)"
        ),
        Target::Aws | Target::Gcp | Target::Openstack => format!(
            "Terraform hands them to the hub at the next `terraform apply` in {dir}/terraform (it replaces the VM; homes are kept)"
        ),
    }
}

/// The URL students open: `--url`, else what the target's host knows.
pub(super) fn hub_url(
    built: &Built,
    target: Target,
    url: Option<&String>,
) -> Result<String, Error> {
    if let Some(url) = url {
        return Ok(url.clone());
    }
    let plan = &built.plan;
    let known = match target {
        Target::Local => HubHost::laptop(plan).public_url(plan),
        Target::Kubernetes => plan.tls.public_url.clone(),
        _ => HubHost::vm(plan).public_url(plan),
    };
    known.ok_or_else(|| {
        Error::Usage(format!(
            "the {} hub's address is known only after it is deployed (the spec has no `hub.domain`): give it with `--url \"$(terraform -chdir=<bundle>/{}/terraform output -raw hub_url)\"`",
            target.as_str(),
            target.as_str()
        ))
    })
}

pub(super) fn sheet(args: &args::SheetArgs, out: &Output) -> Result<Status, Error> {
    let Some(built) = built(&args.spec, args.target, out)? else {
        return Ok(Status::Invalid);
    };
    let spec = &built.checked.spec;
    if !spec.users.has_roster() {
        return Err(Error::Usage(format!(
            "`{}` has no roster to print: add `users.roster: students.csv` (or `users.pattern`)",
            args.spec.display()
        )));
    }
    let url = hub_url(&built, args.target, args.url.as_ref())?;
    let method = built.plan.auth.method;
    let path = accounts_path(&args.bundles, args.target);
    let passwords = if method == AuthMethod::Native {
        let list = accounts::read(&path)?;
        let missing: Vec<&str> = spec
            .users
            .students
            .iter()
            .filter(|s| !list.iter().any(|a| a.username == s.username))
            .map(|s| s.username.as_str())
            .collect();
        if !missing.is_empty() {
            return Err(Error::Usage(format!(
                "{} has no password for {}: run `atlasod accounts {}{}` first",
                path.display(),
                missing.join(", "),
                args.spec.display(),
                if args.target == Target::Local {
                    String::new()
                } else {
                    format!(" --target {}", args.target.as_str())
                }
            )));
        }
        list
    } else {
        Vec::new()
    };
    let cards = spec
        .users
        .students
        .iter()
        .map(|student| Card {
            student,
            password: passwords
                .iter()
                .find(|a| a.username == student.username)
                .map(|a| a.password.as_str()),
        })
        .collect();
    let title = if spec.title.is_empty() {
        spec.name.as_str()
    } else {
        spec.title.as_str()
    };
    let html = sheet::render(&Sheet {
        title,
        url: &url,
        method,
        cards,
        paper: match args.paper {
            SheetPaper::A4 => Paper::A4,
            SheetPaper::Letter => Paper::Letter,
        },
    })?;
    match args.format {
        SheetFormat::Html => {
            std::fs::write(&args.output, html).map_err(|source| Error::Write {
                path: args.output.clone(),
                source,
            })?;
        }
        SheetFormat::Pdf => {
            let Some(chromium) = sheet::find_chromium() else {
                return Err(Error::Usage(
                    "`--format pdf` prints through a headless Chromium, and none is on this machine (looked for chromium, chromium-browser, google-chrome on PATH, and $ATLASOD_CHROMIUM): install one (Debian: `apt-get install chromium`), or write HTML and print it from any browser".to_owned(),
                ));
            };
            sheet::print_pdf(&chromium, &html, &args.output)?;
        }
    }
    if !out.quiet {
        let pages = spec.users.students.len().div_ceil(sheet::CARDS_PER_PAGE);
        out.out(&format!(
            "{} {}: {} cards on {pages} page{} for {url}, then the list of everyone; it holds passwords: print it, then delete it\n",
            out.paint("wrote", "1;32"),
            args.output.display(),
            spec.users.students.len(),
            if pages == 1 { "" } else { "s" },
        ));
    }
    Ok(Status::Ok)
}
