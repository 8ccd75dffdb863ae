//! `atlasod explain [CODE]`: the diagnostic codes and what each means.

use std::fmt::Write as _;

use super::Status;
use super::output::Output;
use crate::error::Error;

pub(super) fn explain(code: Option<&str>, out: &Output) -> Result<Status, Error> {
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
