//! How numbers read in atlasod's text (summaries, READMEs, diagnostics,
//! the semantic diff): plain numbers, binary sizes, download sizes, money,
//! durations, and indented blocks.
//!
//! One formatter per kind of number, so the same quantity reads the same
//! everywhere. Pure functions; deterministic (no locale).

use std::fmt::Write as _;

use crate::spec::{GIB, MIB};

/// A memory size as a person writes it: `2 GiB`, `512 MiB`, else GiB with decimals.
pub fn fmt_memory(bytes: u64) -> String {
    if bytes % GIB == 0 {
        format!("{} GiB", bytes / GIB)
    } else if bytes % MIB == 0 {
        format!("{} MiB", bytes / MIB)
    } else {
        fmt_gib(bytes)
    }
}

/// `30.5`, `1`, `0.25`: numbers as a person writes them.
pub fn fmt_num(value: f64) -> String {
    let text = format!("{value:.2}");
    text.trim_end_matches('0').trim_end_matches('.').to_owned()
}

/// Bytes as GiB with up to two decimals: `61.38 GiB`.
pub fn fmt_gib(bytes: u64) -> String {
    #[allow(clippy::cast_precision_loss)]
    let gib = bytes as f64 / GIB as f64;
    format!("{} GiB", fmt_num(gib))
}

/// `3600` → `1h`, `5400` → `1h30m`, `90` → `90s`.
pub fn fmt_duration(seconds: u64) -> String {
    let (h, m, s) = (seconds / 3600, seconds % 3600 / 60, seconds % 60);
    let mut text = String::new();
    if h > 0 {
        let _ = write!(text, "{h}h");
    }
    if m > 0 {
        let _ = write!(text, "{m}m");
    }
    if s > 0 || text.is_empty() {
        let _ = write!(text, "{s}s");
    }
    text
}

/// Download sizes in the publishers' decimal units: `427 MB`, `24 GB`, `1.3 GB`.
pub fn fmt_download(bytes: u64) -> String {
    #[allow(clippy::cast_precision_loss)]
    let value = bytes as f64;
    if value >= 1e12 {
        format!("{} TB", fmt_one_decimal(value / 1e12))
    } else if value >= 1e9 {
        format!("{} GB", fmt_one_decimal(value / 1e9))
    } else {
        format!("{} MB", fmt_one_decimal(value / 1e6))
    }
}

pub fn fmt_one_decimal(value: f64) -> String {
    let text = format!("{value:.1}");
    text.strip_suffix(".0").map_or(text.clone(), str::to_owned)
}

/// An amount with two decimals and no currency: `0.38`, `12.00`.
pub fn fmt_amount(amount: f64) -> String {
    format!("{amount:.2}")
}

/// An amount in its currency: `$0.38` for US dollars, else `0.38 EUR`.
pub fn money(amount: f64, currency: &str) -> String {
    match currency {
        "USD" | "" => format!("${}", fmt_amount(amount)),
        other => format!("{} {other}", fmt_amount(amount)),
    }
}

pub fn signed_money(amount: f64, currency: &str) -> String {
    let sign = if amount < 0.0 { "-" } else { "+" };
    format!("{sign}{}", money(amount.abs(), currency))
}

pub fn money_rounded(amount: f64, currency: &str) -> String {
    if amount.abs() < 10.0 {
        return money(amount, currency);
    }
    match currency {
        "USD" | "" => format!("${amount:.0}"),
        other => format!("{amount:.0} {other}"),
    }
}

pub fn signed_money_rounded(amount: f64, currency: &str) -> String {
    let sign = if amount < 0.0 { "-" } else { "+" };
    format!("{sign}{}", money_rounded(amount.abs(), currency))
}

pub fn indent(text: &str, spaces: usize) -> String {
    let pad = " ".repeat(spaces);
    text.lines()
        .map(|line| format!("{pad}{line}"))
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_read_as_a_person_writes() {
        assert_eq!(fmt_num(30.5), "30.5");
        assert_eq!(fmt_num(1.0), "1");
        assert_eq!(fmt_gib(GIB * 3 / 2), "1.5 GiB");
        assert_eq!(fmt_memory(2 * GIB), "2 GiB");
        assert_eq!(fmt_memory(512 * MIB), "512 MiB");
        assert_eq!(fmt_duration(3600), "1h");
        assert_eq!(fmt_duration(5400), "1h30m");
        assert_eq!(fmt_duration(90), "1m30s");
        assert_eq!(fmt_download(24_000_000_000), "24 GB");
        assert_eq!(fmt_download(427_000_000), "427 MB");
        assert_eq!(fmt_download(1_300_000_000), "1.3 GB");
        assert_eq!(indent("a\nb", 2), "  a\n  b");
    }
}
