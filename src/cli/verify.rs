//! `atlasod verify`: reads the spec for its notebooks and the users' memory, runs them on the
//! hub ([`crate::verify`]), prints the report. Progress lines go to standard error as they come.

use std::time::Duration;

use super::Status;
use super::accounts::{built, hub_url};
use super::args::{VerifyArgs, VerifyFormat};
use super::output::Output;
use crate::error::Error;
use crate::report;
use crate::verify::{self, Request};

pub(super) fn verify(args: &VerifyArgs, out: &Output) -> Result<Status, Error> {
    let Some(built) = built(&args.spec, args.target, out)? else {
        return Ok(Status::Invalid);
    };
    let spec = &built.checked.spec;
    if spec.notebooks.is_empty() {
        return Err(Error::Usage(format!(
            "`{}` has no `notebooks`: there is nothing to verify",
            args.spec.display()
        )));
    }
    let hub = hub_url(&built, args.target, args.hub.as_ref())
        .map_err(|_| Error::Usage(format!("the {} hub's address is known only after it is deployed: give it with `--hub https://<address>`", args.target.as_str())))?;
    let token = std::fs::read_to_string(&args.token_file)
        .map_err(|source| Error::Read {
            path: args.token_file.clone(),
            source,
        })?
        .trim()
        .to_owned();
    if token.is_empty() {
        return Err(Error::Usage(format!(
            "`{}` is empty: put an admin's API token in it (the hub's /hub/token page)",
            args.token_file.display()
        )));
    }
    let cacert = match &args.cacert {
        Some(path) => Some(std::fs::read(path).map_err(|source| Error::Read {
            path: path.clone(),
            source,
        })?),
        None => None,
    };
    let request = Request {
        hub,
        token,
        cacert,
        user: args.user.clone(),
        folders: spec
            .notebooks
            .iter()
            .map(|n| (n.folder(), n.verify.clone()))
            .collect(),
        memory: spec.users.memory.bytes(),
        start_timeout: Duration::from_secs(args.start_timeout),
        timeout: Duration::from_secs(args.timeout),
        keep: args.keep,
    };
    let dim = |text: &str| out.status(&format!("{} {text}", out.paint("verify:", "2")));
    let mut progress = |line: &str| dim(line);
    let report = verify::run(&request, &mut progress)?;
    match args.format {
        VerifyFormat::Human => out.out(&report::verify::human(&report, &|t, c| out.paint(t, c))),
        VerifyFormat::Json => out.out(&report::verify::json(&report)),
    }
    Ok(if report.passed() {
        Status::Ok
    } else {
        Status::Invalid
    })
}
