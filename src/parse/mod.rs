//! Stage 1, parse: a user's file → [`SourceFile`] + YAML [`Node`] tree.
//!
//! The only stage that reads user files. Output keeps a span on every node;
//! nothing here knows what a workshop is.

pub mod csv;
mod loader;
pub mod node;
mod scalar;
mod syntax;

use std::path::Path;

pub use loader::parse_document;
pub use node::{Found, MapEntry, Node, Step, Value};

use crate::diagnostic::{Code, Diagnostic, Diagnostics};
use crate::error::Error;
use crate::source::{SourceFile, Span};

/// A parsed spec file: its text and its tree.
#[derive(Debug, Clone)]
pub struct Parsed {
    pub file: SourceFile,
    pub root: Node,
}

/// Why a file did not parse: it could not be read at all, or it is not a spec.
#[derive(Debug)]
pub enum ParseFailure {
    Io(Error),
    Invalid(Diagnostics),
}

/// Reads `path` from disk, naming it `display_name` in diagnostics.
pub fn read_file(path: &Path, display_name: &str) -> Result<SourceFile, ParseFailure> {
    let bytes = std::fs::read(path).map_err(|source| {
        ParseFailure::Io(Error::Read {
            path: path.to_path_buf(),
            source,
        })
    })?;
    match source_from_bytes(display_name, bytes) {
        Ok(file) => Ok(file.located(path)),
        Err(failure) => Err(failure),
    }
}

/// Turns raw bytes into a [`SourceFile`], reporting text that is not UTF-8.
pub fn source_from_bytes(name: &str, bytes: Vec<u8>) -> Result<SourceFile, ParseFailure> {
    match String::from_utf8(bytes) {
        Ok(text) => Ok(SourceFile::new(name, text)),
        Err(error) => {
            let valid_up_to = error.utf8_error().valid_up_to();
            let lossy = String::from_utf8_lossy(error.as_bytes()).into_owned();
            // The lossy text has the same bytes up to the first bad one.
            let file = SourceFile::new(name, lossy);
            let end = file.text()[valid_up_to..]
                .chars()
                .next()
                .map_or(valid_up_to, |c| valid_up_to + c.len_utf8());
            Err(ParseFailure::Invalid(
                Diagnostic::error(
                    Code::NotUtf8,
                    &file,
                    Span::new(valid_up_to, end),
                    "the spec is not UTF-8 text",
                )
                .label("this byte is not UTF-8")
                .help("save the file as UTF-8: every editor offers it when saving")
                .into(),
            ))
        }
    }
}

/// Parses a spec held in memory.
pub fn parse_source(file: SourceFile) -> Result<Parsed, Diagnostics> {
    let root = parse_document(&file)?;
    Ok(Parsed { file, root })
}

/// Why a file the spec names could not be read.
#[derive(Debug)]
pub enum BesideProblem {
    /// Not there, or not readable: the system's reason.
    Unreadable(std::io::Error),
    /// Not UTF-8 text: the byte offset of the first bad byte.
    NotUtf8(usize),
}

/// Reads `relative`, a file the spec `spec` names, from beside it: relative to
/// the spec's folder when the spec was read from disk, else to the current
/// folder. Named in diagnostics after the spec's own name.
pub fn read_beside(spec: &SourceFile, relative: &str) -> Result<SourceFile, BesideProblem> {
    let base = spec
        .path()
        .and_then(Path::parent)
        .unwrap_or_else(|| Path::new(""));
    let path = base.join(relative);
    let name_base = Path::new(spec.name()).parent().unwrap_or(Path::new(""));
    let name = if spec.path().is_some() {
        name_base.join(relative).display().to_string()
    } else {
        relative.to_owned()
    };
    let bytes = std::fs::read(&path).map_err(BesideProblem::Unreadable)?;
    let text = String::from_utf8(bytes)
        .map_err(|e| BesideProblem::NotUtf8(e.utf8_error().valid_up_to()))?;
    Ok(SourceFile::new(name, text).located(path))
}
