//! Human output through miette: `file:line:col`, the culprit underlined, help.

use std::fmt;

use miette::{
    GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteError, MietteSpanContents,
    SourceCode, SourceSpan, SpanContents,
};

use crate::diagnostic::{Diagnostic, Diagnostics, Severity};
use crate::source::SourceFile;

/// How to draw: colour or not, and how wide.
#[derive(Debug, Clone, Copy)]
pub struct HumanStyle {
    pub color: bool,
    pub width: usize,
}

impl HumanStyle {
    /// Plain text at a fixed width: for snapshots, logs and `NO_COLOR`.
    pub const PLAIN: Self = Self {
        color: false,
        width: 100,
    };
}

/// Renders every diagnostic, then a summary line.
pub fn render(diagnostics: &Diagnostics, style: HumanStyle) -> String {
    let theme = if style.color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme)
        .with_width(style.width)
        .with_links(false)
        .with_context_lines(1)
        // Wrap at spaces only, so `code spans` and URLs are never split.
        .with_word_separator(textwrap::WordSeparator::AsciiSpace)
        .with_word_splitter(textwrap::WordSplitter::NoHyphenation)
        .with_break_words(false);
    let mut out = String::new();
    for diagnostic in diagnostics {
        let view = View::new(diagnostic);
        if handler.render_report(&mut out, &view).is_err() {
            // miette could not draw the snippet: fall back to one line.
            out.push_str(&one_line(diagnostic));
        }
        out.push('\n');
    }
    out
}

/// `file:line:col: error[code]: message`, the fallback and the `--quiet` form.
pub fn one_line(diagnostic: &Diagnostic) -> String {
    let at = diagnostic.file.line_col(diagnostic.primary.span.start);
    format!(
        "{}:{}:{}: {}[{}]: {}\n",
        diagnostic.file.name(),
        at.line,
        at.column,
        diagnostic.severity.as_str(),
        diagnostic.code,
        diagnostic.message
    )
}

struct View<'a> {
    diagnostic: &'a Diagnostic,
    source: Source<'a>,
    help: Option<String>,
}

impl<'a> View<'a> {
    fn new(diagnostic: &'a Diagnostic) -> Self {
        let help = match (&diagnostic.help, &diagnostic.note) {
            (Some(help), Some(note)) => Some(format!("{help}\nnote: {note}")),
            (Some(help), None) => Some(help.clone()),
            (None, Some(note)) => Some(format!("note: {note}")),
            (None, None) => None,
        };
        Self {
            diagnostic,
            source: Source(&diagnostic.file),
            help,
        }
    }
}

impl fmt::Debug for View<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.diagnostic, f)
    }
}

impl fmt::Display for View<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.diagnostic.message)
    }
}

impl std::error::Error for View<'_> {}

impl miette::Diagnostic for View<'_> {
    fn code<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        Some(Box::new(self.diagnostic.code))
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.diagnostic.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
        })
    }

    fn help<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        self.help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        Some(&self.source)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let d = self.diagnostic;
        let primary = LabeledSpan::new_primary_with_span(
            (!d.primary.text.is_empty()).then(|| d.primary.text.clone()),
            span(d.primary.span),
        );
        let secondary = d
            .secondary
            .iter()
            .map(|label| LabeledSpan::new_with_span(Some(label.text.clone()), span(label.span)));
        Some(Box::new(std::iter::once(primary).chain(secondary)))
    }
}

fn span(span: crate::source::Span) -> SourceSpan {
    SourceSpan::new(span.start.into(), span.len())
}

/// The user's file for miette, named so the header reads `file:line:col`.
struct Source<'a>(&'a SourceFile);

impl SourceCode for Source<'_> {
    fn read_span<'b>(
        &'b self,
        span: &SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn SpanContents<'b> + 'b>, MietteError> {
        let inner = self
            .0
            .text()
            .read_span(span, context_lines_before, context_lines_after)?;
        // miette reads the `file:line:col` header from a span read without
        // context, and counts its column in bytes; editors count characters.
        let column = if context_lines_before == 0 && context_lines_after == 0 {
            self.0.line_col(span.offset()).column - 1
        } else {
            inner.column()
        };
        Ok(Box::new(MietteSpanContents::new_named(
            self.0.name().to_owned(),
            inner.data(),
            *inner.span(),
            inner.line(),
            column,
            inner.line_count(),
        )))
    }
}
