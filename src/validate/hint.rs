//! Did-you-mean for values of a well-known form: the value the user most
//! likely meant, when a rule can tell (`2G` → `2GiB`, `1h30` → `1h30m`,
//! `203.0.113.7` → `203.0.113.7/32`).
//!
//! Input: what the user wrote and which kind of value the schema expects.
//! Output: a corrected value to suggest, or a sentence saying what to change.
//! Nothing here decides validity: the schema does; this only words the fix.

/// The kind of value a schema location holds, for hints.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Form {
    Size,
    Duration,
    DateTime,
    Cidr,
    Slug,
    HttpsUrl,
    SshKey,
    Sha256,
    /// Free text that must stay on one line (a title, a name).
    OneLine,
    /// An e-mail address (`contact`).
    Email,
    Other,
}

/// A fix for a value of `form` written as `text`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Hint {
    /// The value the user most likely meant.
    Value(String),
    /// What to change, when no single value can be guessed.
    Advice(String),
}

/// A fix for a string of the wrong form.
pub(crate) fn for_text(form: Form, text: &str) -> Option<Hint> {
    match form {
        Form::Size => fix_size(text).map(Hint::Value),
        Form::Duration => fix_duration(text).map(Hint::Value),
        Form::DateTime => date_time_hint(text),
        Form::Cidr => Some(cidr_hint(text)),
        Form::Slug => slugify(text).map(Hint::Value),
        Form::HttpsUrl => text
            .strip_prefix("http://")
            .map(|rest| Hint::Value(format!("https://{rest}"))),
        Form::SshKey => Some(Hint::Advice(
            "copy the whole line of your `.pub` file: it starts with the key type, such as `ssh-ed25519 AAAA...`"
                .to_owned(),
        )),
        Form::Sha256 => {
            let hex = text.chars().filter(char::is_ascii_hexdigit).count();
            Some(Hint::Advice(format!(
                "a SHA-256 is 64 hex digits (`sha256sum FILE` prints it); this value has {hex}"
            )))
        }
        Form::OneLine => Some(one_line_hint(text)),
        Form::Email => text.contains(['{', '}', '$', '"', '\\']).then(|| {
            Hint::Advice(
                "write the plain address, such as `trainer@example.org`: `{`, `}`, `$`, `\"` and `\\` are not allowed in it".to_owned(),
            )
        }),
        Form::Other => None,
    }
}

/// Where the text leaves its line: the first line break or control character.
fn one_line_hint(text: &str) -> Hint {
    let before: String = text
        .chars()
        .take_while(|c| !(c.is_control() || matches!(c, '\u{2028}' | '\u{2029}')))
        .collect();
    let found = text[before.len()..].chars().next().unwrap_or(' ');
    let what = if matches!(found, '\n' | '\r' | '\u{2028}' | '\u{2029}' | '\u{85}') {
        "a line break".to_owned()
    } else {
        format!("the control character `{}`", found.escape_default())
    };
    let place = if before.is_empty() {
        "at the start".to_owned()
    } else {
        format!("after `{}`", before.chars().take(30).collect::<String>())
    };
    Hint::Advice(format!(
        "write it on one line, without control characters: remove {what} {place}"
    ))
}

/// A fix for a number written where a string of `form` is expected (`memory: 2`).
pub(crate) fn for_number(form: Form, number: &str) -> Option<Hint> {
    match form {
        Form::Size => Some(Hint::Value(format!("{number}GiB"))),
        Form::Duration if number.chars().all(|c| c.is_ascii_digit()) => {
            Some(Hint::Value(format!("{number}m")))
        }
        _ => None,
    }
}

/// `2G` → `2GiB`, `512mb` → `512MB`, `100` → `100GiB`.
fn fix_size(text: &str) -> Option<String> {
    let text = text.trim();
    let split = text
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    if number.is_empty() || number.parse::<f64>().is_err() {
        return None;
    }
    let unit = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "g" | "gi" | "gib" | "gig" => "GiB",
        "m" | "mi" | "mib" => "MiB",
        "t" | "ti" | "tib" => "TiB",
        "gb" => "GB",
        "mb" => "MB",
        "tb" => "TB",
        _ => return None,
    };
    Some(format!("{number}{unit}"))
}

/// `1h30` → `1h30m`, `90` → `90m`, `30 min` → `30m`, `2 hours` → `2h`, `1.5h` → `1h30m`.
fn fix_duration(text: &str) -> Option<String> {
    let compact: String = text
        .to_ascii_lowercase()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join("");
    if let Some(hours) = compact
        .strip_suffix('h')
        .and_then(|h| h.parse::<f64>().ok())
        .filter(|h| h.fract() > 0.0 && *h < 1000.0)
    {
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        let minutes = (hours * 60.0).round() as u64;
        return Some(crate::units::fmt_duration(minutes * 60));
    }
    let mut out = String::new();
    let mut number = String::new();
    let mut rest = compact.as_str();
    while let Some(c) = rest.chars().next() {
        if c.is_ascii_digit() {
            number.push(c);
            rest = &rest[1..];
            continue;
        }
        let (unit, len) = duration_unit(rest)?;
        if number.is_empty() {
            return None;
        }
        out.push_str(&number);
        out.push(unit);
        number.clear();
        rest = &rest[len..];
    }
    if !number.is_empty() {
        // A bare number after hours is minutes (`1h30`); alone, minutes too.
        out.push_str(&number);
        out.push('m');
    }
    (out != text && !out.is_empty()).then_some(out)
}

fn duration_unit(rest: &str) -> Option<(char, usize)> {
    for (word, unit) in [
        ("hours", 'h'),
        ("hour", 'h'),
        ("hrs", 'h'),
        ("hr", 'h'),
        ("h", 'h'),
        ("minutes", 'm'),
        ("minute", 'm'),
        ("mins", 'm'),
        ("min", 'm'),
        ("m", 'm'),
    ] {
        if rest.starts_with(word) {
            return Some((unit, word.len()));
        }
    }
    None
}

fn date_time_hint(text: &str) -> Option<Hint> {
    let bytes = text.as_bytes();
    let is_date = |s: &str| {
        s.len() == 10
            && s.bytes().enumerate().all(|(i, b)| {
                if i == 4 || i == 7 {
                    b == b'-'
                } else {
                    b.is_ascii_digit()
                }
            })
    };
    if is_date(text) {
        return Some(Hint::Value(format!("{text}T09:00:00Z")));
    }
    let date = text.get(..10).filter(|d| is_date(d))?;
    if let Some((year, month, day)) = ymd(date) {
        if day > days_in_month(year, month) || month == 0 || month > 12 || day == 0 {
            return Some(Hint::Advice(format!(
                "`{date}` is not a day of the calendar"
            )));
        }
    }
    if bytes.get(10) == Some(&b' ') {
        return Some(Hint::Value(format!("{date}T{}", &text[11..])));
    }
    let has_zone = text.ends_with(['Z', 'z']) || text[10..].contains(['+', '-']);
    if !has_zone {
        return Some(Hint::Value(format!("{text}Z")));
    }
    None
}

fn ymd(date: &str) -> Option<(u32, u32, u32)> {
    Some((
        date.get(..4)?.parse().ok()?,
        date.get(5..7)?.parse().ok()?,
        date.get(8..10)?.parse().ok()?,
    ))
}

fn days_in_month(year: u32, month: u32) -> u32 {
    let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    match month {
        2 if leap => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

fn cidr_hint(text: &str) -> Hint {
    let (address, prefix) = match text.split_once('/') {
        Some((address, prefix)) => (address, Some(prefix)),
        None => (text, None),
    };
    let octets: Vec<&str> = address.split('.').collect();
    let address_ok = octets.len() == 4 && octets.iter().all(|o| o.parse::<u8>().is_ok());
    match (address_ok, prefix) {
        (true, None) => Hint::Value(format!("{address}/32")),
        (true, Some(prefix)) => Hint::Advice(format!(
            "the prefix length after `/` is 0 to 32, found `{prefix}`; `/32` is one address, `/24` a network of 256"
        )),
        (false, _) if address.contains(':') => Hint::Advice(
            "only IPv4 networks are supported here, such as `203.0.113.0/24`".to_owned(),
        ),
        (false, _) => Hint::Advice(
            "write four numbers from 0 to 255 separated by dots, then `/` and the prefix length"
                .to_owned(),
        ),
    }
}

/// `Masterclass 2027` → `masterclass-2027`, when the result is a valid slug.
fn slugify(text: &str) -> Option<String> {
    if !text.is_ascii() {
        return None;
    }
    let mut slug = String::new();
    for c in text.trim().chars() {
        match c {
            'a'..='z' | '0'..='9' => slug.push(c),
            'A'..='Z' => slug.push(c.to_ascii_lowercase()),
            ' ' | '_' | '-' | '.' if !slug.ends_with('-') => slug.push('-'),
            _ => {}
        }
    }
    let slug = slug.trim_end_matches('-').to_owned();
    let valid = (3..=32).contains(&slug.len())
        && slug.starts_with(|c: char| c.is_ascii_lowercase())
        && slug != text;
    valid.then_some(slug)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn value(form: Form, text: &str) -> Option<String> {
        match for_text(form, text) {
            Some(Hint::Value(v)) => Some(v),
            _ => None,
        }
    }

    #[test]
    fn one_line_text_names_where_it_breaks() {
        assert_eq!(
            for_text(Form::OneLine, "Masterclass\nimport os"),
            Some(Hint::Advice(
                "write it on one line, without control characters: remove a line break after `Masterclass`".into()
            ))
        );
        assert!(matches!(
            for_text(Form::OneLine, "\u{1b}[31m"),
            Some(Hint::Advice(a)) if a.contains("control character `\\u{1b}` at the start")
        ));
    }

    /// Each form with what a user typed and the value the hint suggests (`None`: no suggestion).
    const SUGGESTIONS: &[(Form, &str, Option<&str>)] = &[
        (Form::Size, "2G", Some("2GiB")),
        (Form::Size, "512mb", Some("512MB")),
        (Form::Size, "lots", None),
        (Form::Duration, "1h30", Some("1h30m")),
        (Form::Duration, "30 min", Some("30m")),
        (Form::Duration, "2 hours", Some("2h")),
        (Form::Duration, "1.5h", Some("1h30m")),
        (Form::Duration, "soon", None),
        (Form::DateTime, "2027-03-10", Some("2027-03-10T09:00:00Z")),
        (
            Form::DateTime,
            "2027-03-10 08:00:00Z",
            Some("2027-03-10T08:00:00Z"),
        ),
        (
            Form::DateTime,
            "2027-03-10T08:00:00",
            Some("2027-03-10T08:00:00Z"),
        ),
        (Form::Cidr, "203.0.113.7", Some("203.0.113.7/32")),
        (Form::Slug, "Masterclass 2027", Some("masterclass-2027")),
        (Form::Slug, "Física", None),
        (
            Form::HttpsUrl,
            "http://github.com/a/b",
            Some("https://github.com/a/b"),
        ),
    ];

    #[test]
    fn suggested_values() {
        for (form, typed, want) in SUGGESTIONS {
            assert_eq!(value(*form, typed).as_deref(), *want, "{form:?} `{typed}`");
        }
    }

    #[test]
    fn bare_numbers_get_a_unit() {
        assert_eq!(
            for_number(Form::Size, "100"),
            Some(Hint::Value("100GiB".into()))
        );
        assert_eq!(
            for_number(Form::Duration, "90"),
            Some(Hint::Value("90m".into()))
        );
    }

    #[test]
    fn impossible_dates_are_explained() {
        assert!(matches!(
            for_text(Form::DateTime, "2027-02-30T08:00:00Z"),
            Some(Hint::Advice(a)) if a.contains("not a day")
        ));
    }
}
