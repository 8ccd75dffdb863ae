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

/// The tab in the indentation of the line at `at`, or the next tab after it.
pub(super) fn find_tab(text: &str, at: usize) -> usize {
    let line_start = text[..at].rfind('\n').map_or(0, |i| i + 1);
    let indentation = text[line_start..]
        .find(|c: char| c != ' ' && c != '\t')
        .map_or(&text[line_start..], |end| {
            &text[line_start..line_start + end]
        });
    if let Some(i) = indentation.find('\t') {
        return line_start + i;
    }
    text[at..].find('\t').map_or(at, |i| at + i)
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
