//! `atlasod init`: writes the starter spec, from `targets/init/workshop.yaml.j2`.

use std::path::Path;

use minijinja::context;

use super::Status;
use super::args;
use super::output::Output;
use crate::validate::schema::SCHEMA_TEXT;

use crate::error::Error;
use crate::spec::Target;

const TEMPLATE: &str = include_str!("../../targets/init/workshop.yaml.j2");

/// The text of a starter spec for `target`; it passes `atlasod check`.
pub fn starter_spec(target: Target) -> Result<String, Error> {
    let https = if target == Target::Local {
        "off"
    } else {
        "self-signed"
    };
    let method = if target == Target::Local {
        "dummy"
    } else {
        "native"
    };
    crate::targets::templates::render(
        "targets/init/workshop.yaml.j2",
        TEMPLATE,
        context! {
            target => target.as_str(),
            users => if target == Target::Kubernetes { 200 } else { 20 },
            https => https,
            method => method,
        },
    )
}

pub(super) fn init(args: &args::InitArgs, out: &Output) -> Result<Status, Error> {
    if args.output.exists() {
        return Err(Error::Usage(format!(
            "`{}` already exists; atlasod never overwrites a spec. Choose another name with `-o`, or check it with `atlasod check {}`",
            args.output.display(),
            args.output.display()
        )));
    }
    let text = starter_spec(args.target)?;
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
