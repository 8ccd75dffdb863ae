//! A user file held in memory, and byte spans into it.
//!
//! Input: a name and the file's text. Output: a [`SourceFile`] that turns the
//! parser's character positions into byte offsets and byte offsets into
//! 1-based line and column numbers. Invariant: every [`Span`] handed out lies
//! on character boundaries of the text, so labels stay right after
//! multi-byte characters.

use std::path::{Path, PathBuf};
use std::sync::Arc;

/// A half-open byte range `start..end` in a [`SourceFile`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

impl Span {
    pub const fn new(start: usize, end: usize) -> Self {
        Self { start, end }
    }

    pub const fn len(self) -> usize {
        self.end - self.start
    }

    pub const fn is_empty(self) -> bool {
        self.end == self.start
    }
}

/// A file the user wrote, shared cheaply between diagnostics.
#[derive(Debug, Clone)]
pub struct SourceFile {
    inner: Arc<Inner>,
}

#[derive(Debug, Clone)]
struct Inner {
    name: String,
    text: String,
    /// Where the file is on disk, when it was read from there: files the spec
    /// names (`users.roster`) are found beside it.
    path: Option<PathBuf>,
    /// Byte offset of the start of every line.
    line_starts: Vec<usize>,
}

/// A 1-based line and column; the column counts characters, as editors do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LineCol {
    pub line: usize,
    pub column: usize,
}

impl SourceFile {
    pub fn new(name: impl Into<String>, text: impl Into<String>) -> Self {
        let text = text.into();
        let mut line_starts = vec![0];
        line_starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        Self {
            inner: Arc::new(Inner {
                name: name.into(),
                text,
                path: None,
                line_starts,
            }),
        }
    }

    /// The same file, known to be at `path` on disk.
    #[must_use]
    pub fn located(self, path: impl Into<PathBuf>) -> Self {
        let inner = Arc::unwrap_or_clone(self.inner);
        Self {
            inner: Arc::new(Inner {
                path: Some(path.into()),
                ..inner
            }),
        }
    }

    /// Where the file is on disk, if it was read from there.
    pub fn path(&self) -> Option<&Path> {
        self.inner.path.as_deref()
    }

    pub fn name(&self) -> &str {
        &self.inner.name
    }

    pub fn text(&self) -> &str {
        &self.inner.text
    }

    /// The text a span covers.
    pub fn slice(&self, span: Span) -> &str {
        self.text().get(span.start..span.end).unwrap_or("")
    }

    /// Line and column of a byte offset (clamped to the end of the text).
    pub fn line_col(&self, offset: usize) -> LineCol {
        let offset = offset.min(self.text().len());
        let line = self
            .inner
            .line_starts
            .partition_point(|&start| start <= offset)
            .saturating_sub(1);
        let line_start = self.inner.line_starts[line];
        let column = self.text()[line_start..offset].chars().count() + 1;
        LineCol {
            line: line + 1,
            column,
        }
    }

    /// Byte span of a whole 1-based line, without its line break.
    pub fn line_span(&self, line: usize) -> Span {
        let starts = &self.inner.line_starts;
        let index = line.saturating_sub(1).min(starts.len() - 1);
        let start = starts[index];
        let end = starts
            .get(index + 1)
            .map_or(self.text().len(), |&next| next - 1);
        Span::new(start, end.max(start))
    }
}

/// Converts the YAML parser's character indices to byte offsets.
///
/// The parser counts characters; miette and slicing want bytes. Built once per
/// file; ASCII-only files (the common case) need no table at all.
pub(crate) struct CharToByte {
    table: Option<Vec<usize>>,
    len: usize,
}

impl CharToByte {
    pub(crate) fn new(text: &str) -> Self {
        let table = (!text.is_ascii()).then(|| {
            let mut table: Vec<usize> = text.char_indices().map(|(i, _)| i).collect();
            table.push(text.len());
            table
        });
        Self {
            table,
            len: text.len(),
        }
    }

    pub(crate) fn byte(&self, char_index: usize) -> usize {
        match &self.table {
            None => char_index.min(self.len),
            Some(table) => table.get(char_index).copied().unwrap_or(self.len),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_counts_characters() {
        let file = SourceFile::new("w.yaml", "a: é\nbé: x\n");
        let x = file.text().find('x').unwrap();
        assert_eq!(file.line_col(x), LineCol { line: 2, column: 5 });
        assert_eq!(file.line_col(0), LineCol { line: 1, column: 1 });
    }

    #[test]
    fn char_to_byte_maps_multibyte_text() {
        let text = "é: x";
        let map = CharToByte::new(text);
        assert_eq!(map.byte(1), 2);
        assert_eq!(&text[map.byte(3)..], "x");
        assert_eq!(map.byte(99), text.len());
    }
}
