//! Operational failures: I/O, bad arguments, bugs. No spans here.
//!
//! Problems in what the user wrote are [`crate::diagnostic::Diagnostic`]s;
//! this type is for everything else, and each variant says what to do.

use std::path::PathBuf;

#[derive(Debug)]
pub enum Error {
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
    Usage(String),
    /// A hub or user server that `verify` talks to refused or did not answer.
    Hub(String),
    /// A bug in atlasod: an invariant did not hold.
    Internal(String),
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Read { path, source } => write!(f, "cannot read `{}`: {source}", path.display()),
            Self::Write { path, source } => {
                write!(f, "cannot write `{}`: {source}", path.display())
            }
            Self::Usage(message) | Self::Hub(message) => f.write_str(message),
            Self::Internal(message) => write!(
                f,
                "internal error: {message}; this is a bug in atlasod, please report it"
            ),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Read { source, .. } | Self::Write { source, .. } => Some(source),
            Self::Usage(_) | Self::Hub(_) | Self::Internal(_) => None,
        }
    }
}
