//! The VM's Python files without their comments, docstrings and blank lines: AWS takes
//! 16 KiB of user data, and the commented text of these files is most of it.
//!
//! Input: the text of a Python file (the hub bundle's `datasets/fetch.py`,
//! `singleuser/sitecustomize.py`, `jupyterhub_config.py`, ...). Output: the same program
//! with every comment (but a first-line `#!` and a coding line), every docstring that is
//! not its body's only statement, and every blank line outside a string removed, and
//! nothing else changed: no byte of a string literal (f-strings and their expressions
//! included) is touched, and each kept line keeps its indentation. A text this scanner does
//! not fully understand (an unterminated string, unbalanced brackets, a comment inside an
//! f-string's expression) comes back unchanged. `tests/cloud.rs` proves it with Python
//! itself: the stripped file's AST is the original's without its docstrings, for every
//! Python file of every cloud bundle's user data.

use std::ops::Range;

/// `source` without its comments, docstrings and blank lines (see the module comment).
///
/// One pass over the lines: the comments, strings and docstrings are each sorted by where
/// they start, so each list is walked once beside the lines.
pub(crate) fn strip(source: &str) -> String {
    let Some(scan) = Scanner::new(source.as_bytes()).run() else {
        return source.to_owned();
    };
    // where the second line ends: Python reads a coding declaration only above it
    let header_end = source
        .match_indices('\n')
        .nth(1)
        .map_or(source.len(), |(at, _)| at);
    let mut deleted: Vec<Range<usize>> = Vec::new();
    for comment in &scan.comments {
        if comment.start < header_end && kept_comment(source, comment.start) {
            continue;
        }
        let mut start = comment.start;
        while start > 0 && matches!(source.as_bytes()[start - 1], b' ' | b'\t') {
            start -= 1;
        }
        deleted.push(start..comment.end);
    }
    let docstrings = docstrings(source, &scan);
    deleted.extend(docstrings.iter().cloned());
    let deleted = merged(deleted);
    let (mut doc, mut string, mut del) = (0, 0, 0);
    let mut out = String::with_capacity(source.len());
    let mut kept = String::new();
    let mut line_start = 0;
    for line in source.split_inclusive('\n') {
        let line_end = line_start + line.len();
        while docstrings.get(doc).is_some_and(|d| d.end < line_end) {
            doc += 1;
        }
        if docstrings
            .get(doc)
            .is_some_and(|d| d.start <= line_start && line_end <= d.end)
        {
            line_start = line_end;
            continue;
        }
        while scan
            .strings
            .get(string)
            .is_some_and(|s| s.end <= line_start)
        {
            string += 1;
        }
        let in_string = scan
            .strings
            .get(string)
            .is_some_and(|s| s.start < line_start && line_start < s.end);
        while deleted.get(del).is_some_and(|r| r.end <= line_start) {
            del += 1;
        }
        kept.clear();
        let mut at = line_start;
        for range in deleted[del..].iter().take_while(|r| r.start < line_end) {
            let from = range.start.max(line_start);
            if from > at {
                kept.push_str(&source[at..from]);
            }
            at = at.max(range.end.min(line_end));
        }
        kept.push_str(&source[at..line_end]);
        let blank = kept.trim().is_empty();
        if in_string || !blank {
            out.push_str(&kept);
            if line.ends_with('\n') && !kept.ends_with('\n') {
                out.push('\n');
            }
        }
        line_start = line_end;
    }
    out
}

/// `ranges` sorted by start, overlapping ones joined: what they cover, each byte once.
fn merged(mut ranges: Vec<Range<usize>>) -> Vec<Range<usize>> {
    ranges.sort_by_key(|r| r.start);
    let mut joined: Vec<Range<usize>> = Vec::with_capacity(ranges.len());
    for range in ranges {
        match joined.last_mut() {
            Some(last) if range.start <= last.end => last.end = last.end.max(range.end),
            _ => joined.push(range),
        }
    }
    joined
}

/// A comment Python reads: `#!` on the first line, a coding declaration on the first two
/// (the caller asks only for a comment on the first two lines).
fn kept_comment(source: &str, at: usize) -> bool {
    let text = source[at..].lines().next().unwrap_or("");
    (at == 0 && text.starts_with("#!")) || text.contains("coding:") || text.contains("coding=")
}

/// The byte ranges (whole lines) of the docstrings to remove: a logical line that is only
/// a plain string, first in the module or right after a `def`/`class` header, with another
/// statement after it in the same body (a body of a docstring alone keeps it).
fn docstrings(source: &str, scan: &Scan) -> Vec<Range<usize>> {
    let statements: Vec<&Logical> = scan.lines.iter().filter(|l| !l.tokens.is_empty()).collect();
    let mut found = Vec::new();
    for (i, line) in statements.iter().enumerate() {
        let only_strings = line
            .tokens
            .iter()
            .all(|t| matches!(t, Token::Str { plain: true, .. }));
        if !only_strings {
            continue;
        }
        let first = i == 0;
        let after_header = i > 0 && is_header(source, statements[i - 1]);
        if !first && !after_header {
            continue;
        }
        let Some(next) = statements.get(i + 1) else {
            continue;
        };
        if after_header && indent(source, next) != indent(source, line) {
            continue;
        }
        let start = source[..line.tokens[0].start()]
            .rfind('\n')
            .map_or(0, |n| n + 1);
        found.push(start..line.end);
    }
    found
}

/// A `def`, `async def` or `class` header whose body starts on the next line.
fn is_header(source: &str, line: &Logical) -> bool {
    let word = |t: &Token| match t {
        Token::Code(range) => &source[range.clone()],
        Token::Str { .. } => "",
    };
    let first = line.tokens.first().map_or("", word);
    let last = line.tokens.last().map_or("", word);
    matches!(first, "def" | "class" | "async") && last == ":"
}

/// The whitespace before a logical line's first token.
fn indent<'a>(source: &'a str, line: &Logical) -> &'a str {
    let at = line.tokens[0].start();
    let start = source[..at].rfind('\n').map_or(0, |n| n + 1);
    &source[start..at]
}

#[derive(Debug)]
enum Token {
    /// A name, number or operator character.
    Code(Range<usize>),
    /// A string literal with its prefix; `plain`: neither bytes nor an f-string.
    Str { range: Range<usize>, plain: bool },
}

impl Token {
    fn start(&self) -> usize {
        match self {
            Token::Code(range) | Token::Str { range, .. } => range.start,
        }
    }
}

/// One logical line: its tokens, and where it ends (after its newline).
#[derive(Debug, Default)]
struct Logical {
    tokens: Vec<Token>,
    end: usize,
}

#[derive(Debug, Default)]
struct Scan {
    comments: Vec<Range<usize>>,
    strings: Vec<Range<usize>>,
    lines: Vec<Logical>,
}

struct Scanner<'a> {
    text: &'a [u8],
    at: usize,
    depth: usize,
    scan: Scan,
    line: Logical,
}

impl<'a> Scanner<'a> {
    fn new(text: &'a [u8]) -> Self {
        Self {
            text,
            at: 0,
            depth: 0,
            scan: Scan::default(),
            line: Logical::default(),
        }
    }

    fn run(mut self) -> Option<Scan> {
        while let Some(&byte) = self.text.get(self.at) {
            let start = self.at;
            match byte {
                b'#' => {
                    let end = self.line_end(start);
                    self.scan.comments.push(start..end);
                    self.at = end;
                }
                b'\\' if self.text.get(start + 1) == Some(&b'\n') => self.at += 2,
                b'\n' => {
                    self.at += 1;
                    if self.depth == 0 {
                        self.end_line();
                    }
                }
                b' ' | b'\t' | b'\r' | b'\x0c' => self.at += 1,
                b'\'' | b'"' => self.string(start, start, "")?,
                b'(' | b'[' | b'{' => {
                    self.depth += 1;
                    self.code(start, start + 1);
                }
                b')' | b']' | b'}' => {
                    self.depth = self.depth.checked_sub(1)?;
                    self.code(start, start + 1);
                }
                _ if is_name(byte) => {
                    let end = self.name_end(start);
                    let word = std::str::from_utf8(&self.text[start..end]).ok()?;
                    if matches!(self.text.get(end), Some(b'\'' | b'"')) && is_prefix(word) {
                        self.string(start, end, word)?;
                    } else {
                        self.code(start, end);
                    }
                }
                _ => self.code(start, start + 1),
            }
        }
        if self.depth != 0 {
            return None;
        }
        self.end_line();
        Some(self.scan)
    }

    fn code(&mut self, start: usize, end: usize) {
        self.line.tokens.push(Token::Code(start..end));
        self.at = end;
    }

    fn end_line(&mut self) {
        let mut line = std::mem::take(&mut self.line);
        line.end = self.at;
        self.scan.lines.push(line);
    }

    fn line_end(&self, from: usize) -> usize {
        self.text[from..]
            .iter()
            .position(|&b| b == b'\n')
            .map_or(self.text.len(), |n| from + n)
    }

    fn name_end(&self, from: usize) -> usize {
        self.text[from..]
            .iter()
            .position(|&b| !is_name(b) && !b.is_ascii_digit())
            .map_or(self.text.len(), |n| from + n)
    }

    /// The string literal with prefix `prefix` at `start`, its quote at `quote`.
    fn string(&mut self, start: usize, quote: usize, prefix: &str) -> Option<()> {
        let lower = prefix.to_ascii_lowercase();
        let end = string_end(self.text, quote, lower.contains('f'))?;
        let plain = !lower.contains('f') && !lower.contains('b');
        self.scan.strings.push(start..end);
        self.line.tokens.push(Token::Str {
            range: start..end,
            plain,
        });
        self.at = end;
        Some(())
    }
}

fn is_name(byte: u8) -> bool {
    byte.is_ascii_alphabetic() || byte == b'_' || byte >= 0x80
}

fn is_prefix(word: &str) -> bool {
    matches!(
        word.to_ascii_lowercase().as_str(),
        "r" | "u" | "b" | "f" | "br" | "rb" | "fr" | "rf"
    )
}

/// Where the string whose opening quote is at `quote` ends (after its closing quote).
fn string_end(text: &[u8], quote: usize, fstring: bool) -> Option<usize> {
    let q = text[quote];
    let triple = text.get(quote..quote + 3) == Some(&[q, q, q][..]);
    let mut at = quote + if triple { 3 } else { 1 };
    loop {
        let byte = *text.get(at)?;
        if byte == b'\\' {
            at += 2;
        } else if triple && text.get(at..at + 3) == Some(&[q, q, q][..]) {
            return Some(at + 3);
        } else if !triple && byte == q {
            return Some(at + 1);
        } else if !triple && byte == b'\n' {
            return None;
        } else if fstring && byte == b'{' && text.get(at + 1) == Some(&b'{') {
            at += 2;
        } else if fstring && byte == b'{' {
            at = expression_end(text, at + 1, triple)?;
        } else {
            at += 1;
        }
    }
}

/// Where an f-string's replacement field that starts at `from` ends (after its `}`).
fn expression_end(text: &[u8], from: usize, triple: bool) -> Option<usize> {
    let mut depth = 0usize;
    let mut at = from;
    loop {
        let byte = *text.get(at)?;
        match byte {
            b'\'' | b'"' => at = string_end(text, at, false)?,
            b'#' => return None,
            b'\n' if !triple => return None,
            b'(' | b'[' | b'{' => {
                depth += 1;
                at += 1;
            }
            b'}' if depth == 0 => return Some(at + 1),
            b')' | b']' | b'}' => {
                depth = depth.checked_sub(1)?;
                at += 1;
            }
            _ if is_name(byte) => {
                let end = at
                    + text[at..]
                        .iter()
                        .position(|&b| !is_name(b) && !b.is_ascii_digit())
                        .unwrap_or(text.len() - at);
                let word = std::str::from_utf8(&text[at..end]).ok()?;
                at = if matches!(text.get(end), Some(b'\'' | b'"')) && is_prefix(word) {
                    string_end(text, end, word.to_ascii_lowercase().contains('f'))?
                } else {
                    end
                };
            }
            _ => at += 1,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::strip;

    #[test]
    fn comments_docstrings_and_blank_lines_go() {
        let source = "#!/usr/bin/env python3\n\"\"\"Module doc.\n\nMore.\"\"\"\n\n# a comment\nimport os  # why\n\n\ndef f(x):\n    \"\"\"Doc of f.\"\"\"\n    # inside\n    return x  # done\n\n\nclass A:\n    'one-line doc'\n    y = 1\n";
        assert_eq!(
            strip(source),
            "#!/usr/bin/env python3\nimport os\ndef f(x):\n    return x\nclass A:\n    y = 1\n"
        );
    }

    #[test]
    fn strings_are_never_touched() {
        let source = "x = \"# not a comment\"  # a comment\ny = '''\n# inside a string\n\n  \"\"\"still\"\"\"\n'''\nz = f\"{x['#']:>{w}} {{# braces}}\" + r'\\\\'  # end\nw = (\n    1,  # one\n\n    2,\n)\n";
        assert_eq!(
            strip(source),
            "x = \"# not a comment\"\ny = '''\n# inside a string\n\n  \"\"\"still\"\"\"\n'''\nz = f\"{x['#']:>{w}} {{# braces}}\" + r'\\\\'\nw = (\n    1,\n    2,\n)\n"
        );
    }

    #[test]
    fn a_docstring_that_is_the_whole_body_stays() {
        let source = "def f():\n    \"\"\"Only this.\"\"\"\n\n\nif x:\n    \"not a docstring\"\n    y = b\"bytes\"\n";
        assert_eq!(
            strip(source),
            "def f():\n    \"\"\"Only this.\"\"\"\nif x:\n    \"not a docstring\"\n    y = b\"bytes\"\n"
        );
    }

    #[test]
    fn a_text_it_does_not_understand_comes_back_unchanged() {
        for source in [
            "x = 'open\n# c\n",
            "x = (1,\n# c\n",
            "x = f'{y # z}'\n# c\n",
        ] {
            assert_eq!(strip(source), source);
        }
    }
}
