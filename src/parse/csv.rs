//! A CSV file the spec names (`users.roster`), as rows of cells with spans.
//!
//! RFC 4180 as spreadsheets write it: fields separated by `,` (or by `;`, as
//! spreadsheets in many locales export, when the first line has `;` and no
//! `,`), `"`-quoted fields with `""` for a quote, CRLF or LF line ends. A
//! UTF-8 byte-order mark is skipped; blank lines and lines starting with `#`
//! are not rows. Every cell keeps the byte span of its text in the file, so a
//! diagnostic can underline it.

use crate::source::{SourceFile, Span};

/// One cell: its text (unquoted) and where it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cell {
    pub text: String,
    pub span: Span,
}

/// One line of cells.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    pub cells: Vec<Cell>,
    /// The whole row, line break excluded.
    pub span: Span,
}

/// A quoted field that never ends: where it starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Unterminated {
    pub span: Span,
}

/// The rows of `file`, the first one included (the header).
pub fn rows(file: &SourceFile) -> Result<Vec<Row>, Unterminated> {
    let text = file.text();
    let start = if text.starts_with('\u{feff}') { 3 } else { 0 };
    let first_line = text[start..].lines().next().unwrap_or("");
    let separator = if first_line.contains(';') && !first_line.contains(',') {
        b';'
    } else {
        b','
    };
    let bytes = text.as_bytes();
    let mut rows = Vec::new();
    let mut at = start;
    while at < bytes.len() {
        let line_end = memchr_newline(bytes, at);
        let line = &text[at..line_end];
        if line.trim().is_empty() || line.starts_with('#') {
            at = next_line(bytes, line_end);
            continue;
        }
        let (row, end) = row(text, at, separator)?;
        rows.push(row);
        at = next_line(bytes, end);
    }
    Ok(rows)
}

fn memchr_newline(bytes: &[u8], from: usize) -> usize {
    bytes[from..]
        .iter()
        .position(|&b| b == b'\n')
        .map_or(bytes.len(), |p| from + p)
}

/// The start of the line after the line break at `end` (which may be `\r\n`).
fn next_line(bytes: &[u8], end: usize) -> usize {
    let mut at = end;
    if bytes.get(at) == Some(&b'\r') {
        at += 1;
    }
    if bytes.get(at) == Some(&b'\n') {
        at += 1;
    }
    at
}

/// Reads one row from `start`; returns it and the offset of its line break.
fn row(text: &str, start: usize, separator: u8) -> Result<(Row, usize), Unterminated> {
    let bytes = text.as_bytes();
    let mut cells = Vec::new();
    let mut at = start;
    loop {
        if bytes.get(at) == Some(&b'"') {
            let open = at;
            let mut value = String::new();
            at += 1;
            let mut chunk = at;
            loop {
                match bytes.get(at) {
                    None => {
                        return Err(Unterminated {
                            span: Span::new(open, open + 1),
                        });
                    }
                    Some(b'"') if bytes.get(at + 1) == Some(&b'"') => {
                        value.push_str(&text[chunk..=at]);
                        at += 2;
                        chunk = at;
                    }
                    Some(b'"') => {
                        value.push_str(&text[chunk..at]);
                        at += 1;
                        break;
                    }
                    Some(_) => at += 1,
                }
            }
            // Anything between the closing quote and the separator is kept, as spreadsheets do.
            let rest_start = at;
            while at < bytes.len() && !matches!(bytes[at], b'\n' | b'\r') && bytes[at] != separator
            {
                at += 1;
            }
            value.push_str(&text[rest_start..at]);
            cells.push(Cell {
                text: value,
                span: Span::new(open, at),
            });
        } else {
            let begin = at;
            while at < bytes.len() && !matches!(bytes[at], b'\n' | b'\r') && bytes[at] != separator
            {
                at += 1;
            }
            cells.push(trimmed(text, begin, at));
        }
        if bytes.get(at) == Some(&separator) {
            at += 1;
            continue;
        }
        return Ok((
            Row {
                cells,
                span: Span::new(start, at.max(start)),
            },
            at,
        ));
    }
}

/// An unquoted cell, without the blanks around it (its span too).
fn trimmed(text: &str, begin: usize, end: usize) -> Cell {
    let raw = &text[begin..end];
    let lead = raw.len() - raw.trim_start().len();
    let value = raw.trim();
    let start = begin + lead;
    Cell {
        text: value.to_owned(),
        span: Span::new(start, start + value.len()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(text: &str) -> Vec<Vec<String>> {
        rows(&SourceFile::new("r.csv", text))
            .unwrap()
            .into_iter()
            .map(|r| r.cells.into_iter().map(|c| c.text).collect())
            .collect()
    }

    #[test]
    fn reads_quotes_separators_and_line_ends() {
        assert_eq!(
            texts(
                "\u{feff}name,email\r\n\"Curie, Marie\",m@x.org\r\n\n# note\n\"say \"\"hi\"\"\", \n"
            ),
            vec![
                vec!["name", "email"],
                vec!["Curie, Marie", "m@x.org"],
                vec!["say \"hi\"", ""]
            ]
        );
        assert_eq!(
            texts("name;group\nA B;g1"),
            vec![vec!["name", "group"], vec!["A B", "g1"]]
        );
    }

    #[test]
    fn spans_cover_the_cell_text() {
        let file = SourceFile::new("r.csv", "username\n  ana  ,\"bo\"\n");
        let rows = rows(&file).unwrap();
        assert_eq!(file.slice(rows[1].cells[0].span), "ana");
        assert_eq!(file.slice(rows[1].cells[1].span), "\"bo\"");
        assert_eq!(file.slice(rows[1].span), "  ana  ,\"bo\"");
    }

    #[test]
    fn an_open_quote_is_reported_where_it_starts() {
        let file = SourceFile::new("r.csv", "username\n\"ana\n");
        assert_eq!(
            rows(&file),
            Err(Unterminated {
                span: Span::new(9, 10)
            })
        );
    }
}
