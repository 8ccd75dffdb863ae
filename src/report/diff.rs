//! `atlasod diff` reports → text: human (terminal), markdown (a pull-request
//! comment) and json (scripts).
//!
//! Input: one [`DiffReport`] per target. Output: a string; printing is the
//! CLI's job. Layout, in every format: the semantic summary (dangerous
//! changes first), then the files added, changed and removed, then the
//! per-file unified diffs. A report without changes renders as nothing in
//! the human format, so `diff` right after `build` is silent.

use std::fmt::Write as _;

use serde_json::json;

use crate::diff::semantic::Change;
use crate::diff::{DiffReport, FileStatus};

/// How to draw the human format.
#[derive(Debug, Clone, Copy)]
pub struct DiffStyle {
    pub color: bool,
    /// Summaries only, no per-file diffs.
    pub stat: bool,
}

/// GitHub rejects comments over 65,536 characters; stay well below.
const MARKDOWN_BUDGET: usize = 60_000;

pub fn human(reports: &[DiffReport], style: DiffStyle) -> String {
    let paint = |text: &str, code: &str| {
        if style.color {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_owned()
        }
    };
    let mut out = String::new();
    for report in reports.iter().filter(|r| r.has_changes()) {
        if !out.is_empty() {
            out.push('\n');
        }
        let _ = writeln!(
            out,
            "{}",
            paint(
                &format!(
                    "atlasod diff: {} ({}) against {}",
                    report.new_label, report.target, report.old_label
                ),
                "1"
            )
        );
        for note in &report.notes {
            let _ = writeln!(out, "{} {note}", paint("note:", "1;36"));
        }
        if !report.changes.is_empty() {
            out.push('\n');
        }
        for change in &report.changes {
            let label = if change.danger {
                paint("danger", "1;31")
            } else {
                paint("change", "1;33")
            };
            let _ = writeln!(out, "  {label}  {}", change.text);
            if let Some(detail) = &change.detail {
                let _ = writeln!(out, "          {detail}");
            }
        }
        if !report.files.is_empty() {
            let _ = writeln!(
                out,
                "\n{}",
                paint(&format!("files: {}", file_counts(report)), "1")
            );
            for file in &report.files {
                let status = match file.status {
                    FileStatus::Added => paint("added  ", "32"),
                    FileStatus::Changed => paint("changed", "33"),
                    FileStatus::Removed => paint("removed", "31"),
                };
                let note = file.note.map(|n| format!("  ({n})")).unwrap_or_default();
                let _ = writeln!(out, "  {status}  {}{note}", file.path);
            }
        }
        if style.stat {
            continue;
        }
        for file in &report.files {
            out.push('\n');
            for line in file.unified().lines() {
                let painted = if line.starts_with("+++") || line.starts_with("---") {
                    paint(line, "1")
                } else if line.starts_with("@@") {
                    paint(line, "36")
                } else if line.starts_with('+') {
                    paint(line, "32")
                } else if line.starts_with('-') {
                    paint(line, "31")
                } else {
                    line.to_owned()
                };
                out.push_str(&painted);
                out.push('\n');
            }
        }
    }
    out
}

/// `2 changed, 1 added, 0 removed`
fn file_counts(report: &DiffReport) -> String {
    format!(
        "{} changed, {} added, {} removed",
        report.count(FileStatus::Changed),
        report.count(FileStatus::Added),
        report.count(FileStatus::Removed)
    )
}

/// A pull-request comment: summary, dangerous changes in a caution block,
/// per-file diffs collapsed in `<details>`.
pub fn markdown(reports: &[DiffReport], stat: bool) -> String {
    let mut out = String::new();
    let mut budget_spent = false;
    for report in reports {
        let _ = writeln!(
            out,
            "### atlasod diff: `{}` for `{}`\n",
            report.new_label, report.target
        );
        let _ = writeln!(out, "Compared with `{}`.\n", report.old_label);
        for note in &report.notes {
            let _ = writeln!(out, "> [!NOTE]\n> {note}\n");
        }
        if !report.has_changes() {
            out.push_str("No changes.\n\n");
            continue;
        }
        let dangers: Vec<_> = report.changes.iter().filter(|c| c.danger).collect();
        if !dangers.is_empty() {
            let _ = writeln!(
                out,
                "> [!CAUTION]\n> **{} dangerous change{}**",
                dangers.len(),
                if dangers.len() == 1 { "" } else { "s" }
            );
            for change in dangers {
                let detail = detail_of(change, ": ", "");
                let _ = writeln!(out, "> - **{}**{detail}", change.text);
            }
            out.push('\n');
        }
        let others: Vec<_> = report.changes.iter().filter(|c| !c.danger).collect();
        if !others.is_empty() {
            out.push_str("**Changes**\n");
            for change in others {
                let detail = detail_of(change, " (", ")");
                let _ = writeln!(out, "- {}{detail}", change.text);
            }
            out.push('\n');
        }
        if report.files.is_empty() {
            continue;
        }
        let _ = writeln!(out, "**Files**: {}\n", file_counts(report));
        for file in &report.files {
            let note = file.note.map(|n| format!(", {n}")).unwrap_or_default();
            let summary = format!(
                "<code>{}</code> {}{note}",
                escape_html(&file.path),
                file.status.as_str()
            );
            let diff = file.unified();
            if stat {
                let _ = writeln!(out, "- {summary}");
                continue;
            }
            let fence = fence_for(&diff);
            let block = format!(
                "<details><summary>{summary}</summary>\n\n{fence}diff\n{diff}{fence}\n\n</details>\n\n"
            );
            if budget_spent || out.len() + block.len() > MARKDOWN_BUDGET {
                budget_spent = true;
                let _ = writeln!(
                    out,
                    "- {summary}: diff left out to keep this comment under GitHub's size limit; run `atlasod diff` to see it\n"
                );
            } else {
                out.push_str(&block);
            }
        }
        if stat {
            out.push('\n');
        }
    }
    out
}

/// A code fence longer than any run of backticks in `text`.
/// A change's detail between `open` and `close`, or nothing when it has none.
fn detail_of(change: &Change, open: &str, close: &str) -> String {
    change
        .detail
        .as_deref()
        .map(|d| format!("{open}{d}{close}"))
        .unwrap_or_default()
}

fn fence_for(text: &str) -> String {
    let mut longest = 0;
    let mut run = 0;
    for c in text.chars() {
        run = if c == '`' { run + 1 } else { 0 };
        longest = longest.max(run);
    }
    "`".repeat(longest.max(2) + 1)
}

fn escape_html(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// One JSON document: `{"changed": bool, "targets": [...]}`.
pub fn json(reports: &[DiffReport]) -> String {
    let targets: Vec<_> = reports
        .iter()
        .map(|report| {
            let files: Vec<_> = report
                .files
                .iter()
                .map(|f| {
                    json!({
                        "path": f.path,
                        "status": f.status,
                        "note": f.note,
                        "diff": f.unified(),
                    })
                })
                .collect();
            json!({
                "target": report.target,
                "old": report.old_label,
                "new": report.new_label,
                "changed": report.has_changes(),
                "dangers": report.dangers(),
                "changes": report.changes,
                "files": files,
                "notes": report.notes,
            })
        })
        .collect();
    let value = json!({
        "changed": reports.iter().any(DiffReport::has_changes),
        "targets": targets,
    });
    let mut text = serde_json::to_string_pretty(&value).unwrap_or_default();
    text.push('\n');
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fences_outgrow_backticks_inside() {
        assert_eq!(fence_for("plain"), "```");
        assert_eq!(fence_for("a ``` b"), "````");
    }
}
