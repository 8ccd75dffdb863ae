//! The only place that prints. Colour follows `--color`, `NO_COLOR` and the terminal.

use std::io::{IsTerminal, Write};

use crate::cli::args::ColorChoice;
use crate::report::HumanStyle;

/// Colour or not: the flag wins; `auto` paints a terminal unless `NO_COLOR`
/// is set (to anything but the empty string) or `TERM=dumb`.
fn wants_color(choice: ColorChoice, no_color: bool, dumb: bool, terminal: bool) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => !no_color && !dumb && terminal,
    }
}

pub struct Output {
    pub color: bool,
    pub quiet: bool,
    pub width: usize,
}

impl Output {
    pub fn new(choice: ColorChoice, quiet: bool) -> Self {
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        let dumb = std::env::var("TERM").is_ok_and(|t| t == "dumb");
        let color = wants_color(choice, no_color, dumb, std::io::stdout().is_terminal());
        let width = std::env::var("COLUMNS")
            .ok()
            .and_then(|c| c.parse().ok())
            .unwrap_or(100);
        Self {
            color,
            quiet,
            width,
        }
    }

    pub fn style(&self) -> HumanStyle {
        HumanStyle {
            color: self.color,
            width: self.width,
        }
    }

    /// Writes to standard output; a closed pipe is not an error.
    #[allow(clippy::unused_self)]
    pub fn out(&self, text: &str) {
        let mut stdout = std::io::stdout().lock();
        let _ = stdout.write_all(text.as_bytes());
        let _ = stdout.flush();
    }

    /// Writes to standard error.
    #[allow(clippy::unused_self)]
    pub fn err(&self, text: &str) {
        let mut stderr = std::io::stderr().lock();
        let _ = stderr.write_all(text.as_bytes());
    }

    /// A progress or summary line on standard error, unless `--quiet`.
    pub fn status(&self, text: &str) {
        if !self.quiet {
            self.err(&format!("{text}\n"));
        }
    }

    pub fn paint(&self, text: &str, code: &str) -> String {
        if self.color {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_owned()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_color_turns_auto_colour_off_on_a_terminal() {
        assert!(wants_color(ColorChoice::Auto, false, false, true));
        assert!(!wants_color(ColorChoice::Auto, true, false, true));
        assert!(!wants_color(ColorChoice::Auto, false, true, true));
        assert!(!wants_color(ColorChoice::Auto, false, false, false));
        assert!(wants_color(ColorChoice::Always, true, false, false));
        assert!(!wants_color(ColorChoice::Never, false, false, true));
    }
}
