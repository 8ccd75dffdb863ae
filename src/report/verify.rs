//! The `atlasod verify` report: a line per notebook for people, or one JSON document.
//!
//! Input: a [`Report`]; output: text. Human: `PASS`/`FAIL`, the notebook, its wall time, its
//! peak memory against the limit, where its data came from; under a failure the cell, its
//! first line and the error. JSON: the report's fields as they are (stable names).

use std::fmt::Write as _;

use serde_json::json;

use crate::spec::MIB;
use crate::units::fmt_memory;
use crate::verify::{DataSource, FailureKind, NotebookResult, Report};

/// `412 MiB of 1 GiB (40%)`, or the limit alone when the kernel could not say.
fn memory(result: &NotebookResult) -> String {
    let m = &result.memory;
    let limit = fmt_memory(m.limit_bytes);
    match m.peak_bytes {
        Some(peak) if m.limit_bytes > 0 => {
            let percent = peak.saturating_mul(100) / m.limit_bytes;
            format!("peak {} MiB of {limit} ({percent}%)", peak.div_ceil(MIB))
        }
        _ => format!("peak unknown, limit {limit}"),
    }
}

fn data(result: &NotebookResult) -> &'static str {
    match result.data.source {
        DataSource::Local => "data from /data",
        DataSource::Streamed => "data streamed (no copy in /data)",
        DataSource::Mixed => "data partly from /data, partly streamed",
        DataSource::Unreported => "no set_release",
    }
}

const fn kind(kind: FailureKind) -> &'static str {
    match kind {
        FailureKind::Error => "error",
        FailureKind::Memory => "memory",
        FailureKind::Kernel => "kernel died",
        FailureKind::Timeout => "timeout",
        FailureKind::Setup => "not run",
    }
}

/// The report for a terminal; `paint(text, ansi)` colours a word (or returns it as it is).
pub fn human(report: &Report, paint: &dyn Fn(&str, &str) -> String) -> String {
    let mut text = String::new();
    let width = report
        .notebooks
        .iter()
        .map(|n| n.path.chars().count())
        .max()
        .unwrap_or(0);
    for result in &report.notebooks {
        let verdict = if result.passed {
            paint("PASS", "1;32")
        } else {
            paint("FAIL", "1;31")
        };
        let _ = writeln!(
            text,
            "{verdict}  {:width$}  {:>7.1} s  {}  {}",
            result.path,
            result.seconds,
            memory(result),
            data(result),
        );
        for line in &result.data.lines {
            let _ = writeln!(text, "      {line}");
        }
        if let Some(f) = &result.failure {
            let cell = f.cell.map_or_else(String::new, |c| format!("cell {c}: "));
            let _ = writeln!(text, "      {}: {cell}{}", kind(f.kind), f.message);
            if let Some(source) = &f.source {
                let _ = writeln!(text, "      | {source}");
            }
            let tail: Vec<&str> = f.traceback.lines().rev().take(6).collect();
            for line in tail.iter().rev() {
                let _ = writeln!(text, "      > {line}");
            }
        }
    }
    let failed = report.notebooks.iter().filter(|n| !n.passed).count();
    let total = report.notebooks.len();
    let _ = writeln!(
        text,
        "{} of {total} notebooks passed on {} as {}{}",
        total - failed,
        report.hub,
        report.user,
        if failed > 0 {
            format!(", {failed} failed")
        } else {
            String::new()
        }
    );
    text
}

/// The report as one JSON document.
pub fn json(report: &Report) -> String {
    let failed = report.notebooks.iter().filter(|n| !n.passed).count();
    let value = json!({
        "hub": report.hub,
        "user": report.user,
        "passed": report.notebooks.len() - failed,
        "failed": failed,
        "notebooks": report.notebooks,
    });
    let mut text = serde_json::to_string_pretty(&value).unwrap_or_default();
    text.push('\n');
    text
}
