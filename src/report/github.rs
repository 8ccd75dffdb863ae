//! `--format github`: GitHub Actions workflow commands, one line per diagnostic.
//!
//! `::error file=F,line=L,col=C,endLine=L2,endColumn=C2,title=CODE::MESSAGE`;
//! GitHub shows them as annotations on the pull request's changed lines.

use std::fmt::Write;

use crate::diagnostic::Diagnostics;

pub fn render(diagnostics: &Diagnostics) -> String {
    let mut out = String::new();
    for d in diagnostics {
        let start = d.file.line_col(d.primary.span.start);
        let end = d.file.line_col(d.primary.span.end);
        let mut message = d.message.clone();
        if let Some(help) = &d.help {
            message.push_str("\nhelp: ");
            message.push_str(help);
        }
        let _ = writeln!(
            out,
            "::{} file={},line={},col={},endLine={},endColumn={},title=atlasod {}::{}",
            d.severity.as_str(),
            escape_property(d.file.name()),
            start.line,
            start.column,
            end.line,
            end.column,
            d.code,
            escape_data(&message)
        );
    }
    out
}

/// GitHub's escaping for the message part.
fn escape_data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// GitHub's escaping for property values.
fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}
