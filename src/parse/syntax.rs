//! A YAML syntax error explained for a person: what saphyr's message means,
//! where the culprit is (a tab, an unclosed bracket) and what to do.
//!
//! Input: the scanner's message and the text. Output: a message, a label
//! and a help; never saphyr's raw text alone.

/// A parser message in a person's words.
pub(super) struct SyntaxExplanation {
    pub(super) message: String,
    pub(super) label: &'static str,
    pub(super) help: &'static str,
    /// The error is about a `[` or `{` that is not closed.
    pub(super) unclosed: bool,
}

pub(super) fn explain_syntax_error(info: &str) -> SyntaxExplanation {
    let (message, label, help, unclosed) = match info {
        "mapping values are not allowed in this context" => (
            "a `:` here does not start a value",
            "unexpected `:`",
            "check this line's indentation: the keys of one mapping start in the same column; a value that contains `: ` needs quotes",
            false,
        ),
        "while parsing a block mapping, did not find expected key" => (
            "expected a key (`name: value`) here",
            "not a key",
            "check the indentation; a list item `- ...` belongs under a key of its own, such as `admins:`",
            false,
        ),
        "block sequence entries are not allowed in this context" => (
            "a list item `- ` is not allowed here",
            "unexpected list item",
            "start the list on the line below its key, indented: `admins:`, then `  - alice`",
            false,
        ),
        "illegal placement of ':' indicator"
        | "while parsing a flow sequence, expected ',' or ']'"
        | "while parsing a flow mapping, did not find expected ',' or '}'"
        | "invalid indentation in flow construct" => (
            "a list or mapping in brackets is not closed",
            "the parser expected `,` or a closing bracket before this",
            "close the `[` with `]` (or the `{` with `}`) and separate the items with `,`",
            true,
        ),
        "invalid indentation in quoted scalar"
        | "while scanning a quoted scalar, found unexpected end of stream" => (
            "a quoted string is not closed",
            "this string has no closing quote",
            "add the closing quote at the end of the value",
            false,
        ),
        "while parsing node, found unknown anchor" => (
            "an alias refers to an anchor that is not defined",
            "unknown anchor",
            "define the anchor with `&name` on a value earlier in the file, or write the value out",
            false,
        ),
        other => {
            return SyntaxExplanation {
                message: other.to_owned(),
                label: "the YAML parser stopped here",
                help: "check the indentation, the quotes and the brackets just before this point",
                unclosed: false,
            };
        }
    };
    SyntaxExplanation {
        message: message.to_owned(),
        label,
        help,
        unclosed,
    }
}

/// The tab that broke the YAML at `at`: one at `at`, or in the indentation
/// of that line or the next (the parser may stop at the end of the line
/// before). Decided from the text, not from the parser's message.
pub(super) fn tab_at(text: &str, at: usize) -> Option<usize> {
    if text[at..].starts_with('\t') {
        return Some(at);
    }
    let line_start = text[..at].rfind('\n').map_or(0, |i| i + 1);
    let next_start = text[at..].find('\n').map(|i| at + i + 1);
    [Some(line_start), next_start]
        .into_iter()
        .flatten()
        .find_map(|start| {
            let line = &text[start..];
            let indentation = &line[..line
                .find(|c: char| c != ' ' && c != '\t')
                .unwrap_or(line.len())];
            indentation.find('\t').map(|i| start + i)
        })
}

/// The last `[` or `{` before `at` that is not closed, skipping quotes and comments.
pub(super) fn unclosed_bracket(text: &str, at: usize) -> Option<usize> {
    let mut open = Vec::new();
    let mut quote = None;
    let mut comment = false;
    let mut previous = ' ';
    for (i, c) in text[..at.min(text.len())].char_indices() {
        match (quote, c) {
            (_, '\n') => comment = false,
            _ if comment => {}
            (Some(q), _) if c == q => quote = None,
            (None, '"' | '\'') if !previous.is_alphanumeric() => quote = Some(c),
            (None, '#') if previous.is_whitespace() => comment = true,
            (None, '[' | '{') => open.push(i),
            (None, ']' | '}') => {
                open.pop();
            }
            _ => {}
        }
        previous = c;
    }
    open.pop()
}
