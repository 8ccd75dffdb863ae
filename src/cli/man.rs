//! `atlasod man [COMMAND]`: roff pages generated from the clap definitions.

use clap::CommandFactory as _;

use super::Status;
use super::args::Cli;
use super::output::Output;
use crate::error::Error;

/// `atlasod man [COMMAND]`: the roff page of atlasod or of one command.
pub(super) fn man(command: Option<&str>, out: &Output) -> Result<Status, Error> {
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
