//! Sizes (`2GiB`), durations (`1h30m`) and RFC 3339 times as written in a spec.
//!
//! Each keeps the user's text for display and the parsed value for
//! arithmetic. The schema has already checked the form; parsing here still
//! returns errors rather than panicking, for values built by hand.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A value that keeps the text the user wrote (`text`): `as_str` gives it
/// back, and it displays as written.
macro_rules! kept_as_written {
    ($($t:ty),*) => {$(
        impl $t {
            pub fn as_str(&self) -> &str {
                &self.text
            }
        }

        impl fmt::Display for $t {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.text)
            }
        }
    )*};
}

kept_as_written!(Size, Duration, Timestamp);

/// Bytes, written with a unit: `GiB`, `MiB`, `TiB` (binary) or `GB`, `MB`, `TB` (decimal).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Size {
    bytes: u64,
    text: String,
}

pub const GIB: u64 = 1 << 30;
pub const MIB: u64 = 1 << 20;
pub const GB: u64 = 1_000_000_000;

impl Size {
    pub fn parse(text: &str) -> Result<Self, String> {
        let trimmed = text.trim();
        let split = trimmed
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .ok_or_else(|| format!("`{text}` has no unit; write e.g. `2GiB`"))?;
        let (number, unit) = trimmed.split_at(split);
        let unit = unit.trim();
        let factor: u64 = match unit {
            "MiB" => MIB,
            "GiB" => GIB,
            "TiB" => GIB << 10,
            "MB" => 1_000_000,
            "GB" => GB,
            "TB" => 1_000 * GB,
            _ => {
                return Err(format!(
                    "`{unit}` is not a size unit; use GiB, MiB, GB or MB"
                ));
            }
        };
        let value: f64 = number
            .parse()
            .map_err(|_| format!("`{number}` is not a number"))?;
        #[allow(
            clippy::cast_precision_loss,
            clippy::cast_possible_truncation,
            clippy::cast_sign_loss
        )]
        let bytes = (value * factor as f64).round();
        #[allow(clippy::cast_precision_loss)]
        if !bytes.is_finite() || bytes < 0.0 || bytes > u64::MAX as f64 {
            return Err(format!("`{text}` is too large"));
        }
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        Ok(Self {
            bytes: bytes as u64,
            text: text.to_owned(),
        })
    }

    /// A size of whole GiB, written as such.
    pub fn gib(gib: u64) -> Self {
        Self {
            bytes: gib * GIB,
            text: format!("{gib}GiB"),
        }
    }

    pub fn bytes(&self) -> u64 {
        self.bytes
    }

    /// Whole MiB, rounded up.
    pub fn mib_ceil(&self) -> u64 {
        self.bytes.div_ceil(MIB)
    }

    /// Whole GiB, rounded up.
    pub fn gib_ceil(&self) -> u64 {
        self.bytes.div_ceil(GIB)
    }
}

/// A span of time written in hours and minutes: `30m`, `1h`, `2h30m`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Duration {
    seconds: u64,
    text: String,
}

impl Duration {
    pub fn parse(text: &str) -> Result<Self, String> {
        let mut seconds = 0u64;
        let mut number = String::new();
        let mut units = 0;
        for c in text.chars() {
            match c {
                '0'..='9' => number.push(c),
                'h' | 'm' => {
                    let n: u64 = match number.parse() {
                        Ok(n) => n,
                        Err(_) if !number.is_empty() => {
                            return Err(format!("`{text}` is too long"));
                        }
                        Err(_) => {
                            return Err(format!("`{text}` is not a duration such as `1h30m`"));
                        }
                    };
                    let unit = if c == 'h' { 3600 } else { 60 };
                    seconds = n
                        .checked_mul(unit)
                        .and_then(|s| s.checked_add(seconds))
                        .ok_or_else(|| format!("`{text}` is too long"))?;
                    number.clear();
                    units += 1;
                }
                _ => return Err(format!("`{text}` is not a duration such as `1h30m`")),
            }
        }
        if !number.is_empty() || units == 0 {
            return Err(format!("`{text}` is not a duration such as `1h30m`"));
        }
        Ok(Self {
            seconds,
            text: text.to_owned(),
        })
    }

    pub fn seconds(&self) -> u64 {
        self.seconds
    }
}

/// An RFC 3339 date-time with its offset, kept as written and as Unix seconds.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp {
    unix: i64,
    text: String,
}

impl Timestamp {
    pub fn parse(text: &str) -> Result<Self, String> {
        let unix = parse_rfc3339(text).ok_or_else(|| {
            format!("`{text}` is not an RFC 3339 date-time such as `2027-03-10T08:00:00Z`")
        })?;
        Ok(Self {
            unix,
            text: text.to_owned(),
        })
    }

    pub fn unix(&self) -> i64 {
        self.unix
    }

    /// The same instant in UTC, as `YYYY-MM-DD HH:MM:SS` (systemd's calendar form).
    pub fn utc_calendar(&self) -> String {
        let days = self.unix.div_euclid(86_400);
        let secs = self.unix.rem_euclid(86_400);
        let (y, m, d) = civil_from_days(days);
        format!(
            "{y:04}-{m:02}-{d:02} {:02}:{:02}:{:02}",
            secs / 3600,
            secs % 3600 / 60,
            secs % 60
        )
    }
}

fn digits(s: &str) -> Option<i64> {
    (!s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()))
        .then(|| s.parse().ok())
        .flatten()
}

/// `YYYY-MM-DDTHH:MM:SS[.frac](Z|±HH:MM)` → Unix seconds; `None` when malformed or out of range.
fn parse_rfc3339(text: &str) -> Option<i64> {
    let bytes = text.as_bytes();
    if bytes.len() < 20 || !matches!(bytes[10], b'T' | b't' | b' ') {
        return None;
    }
    let (date, rest) = text.split_at(10);
    let rest = &rest[1..];
    let mut date_parts = date.split('-');
    let year = digits(date_parts.next()?)?;
    let month = digits(date_parts.next()?)?;
    let day = digits(date_parts.next()?)?;
    if date_parts.next().is_some() || date.len() != 10 {
        return None;
    }
    let time = rest.get(..8)?;
    let mut time_parts = time.split(':');
    let hour = digits(time_parts.next()?)?;
    let minute = digits(time_parts.next()?)?;
    let second = digits(time_parts.next()?)?;
    let mut zone = &rest[8..];
    if let Some(frac) = zone.strip_prefix('.') {
        let end = frac.find(|c: char| !c.is_ascii_digit())?;
        if end == 0 {
            return None;
        }
        zone = &frac[end..];
    }
    let offset = match zone {
        "Z" | "z" => 0,
        _ => {
            let sign = match zone.as_bytes().first()? {
                b'+' => 1,
                b'-' => -1,
                _ => return None,
            };
            let (h, m) = zone[1..].split_once(':')?;
            let (h, m) = (digits(h)?, digits(m)?);
            if h > 23 || m > 59 || zone.len() != 6 {
                return None;
            }
            sign * (h * 3600 + m * 60)
        }
    };
    let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    let month_days = [
        31,
        if leap { 29 } else { 28 },
        31,
        30,
        31,
        30,
        31,
        31,
        30,
        31,
        30,
        31,
    ];
    if !(1..=12).contains(&month)
        || day < 1
        || day > month_days[usize::try_from(month - 1).ok()?]
        || hour > 23
        || minute > 59
        || second > 60
    {
        return None;
    }
    let days = days_from_civil(year, month, day);
    Some(days * 86_400 + hour * 3600 + minute * 60 + second.min(59) - offset)
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (
        if m <= 2 {
            yoe + era * 400 + 1
        } else {
            yoe + era * 400
        },
        m,
        d,
    )
}

macro_rules! string_serde {
    ($ty:ty) => {
        impl Serialize for $ty {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(&self.text)
            }
        }

        impl<'de> Deserialize<'de> for $ty {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let text = String::deserialize(deserializer)?;
                Self::parse(&text).map_err(serde::de::Error::custom)
            }
        }
    };
}

string_serde!(Size);
string_serde!(Duration);
string_serde!(Timestamp);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes() {
        assert_eq!(Size::parse("2GiB").unwrap().bytes(), 2 * GIB);
        assert_eq!(Size::parse("1.5GB").unwrap().bytes(), 1_500_000_000);
        assert_eq!(Size::parse("512 MiB").unwrap().bytes(), 512 * MIB);
        assert!(Size::parse("2G").is_err());
        assert!(Size::parse("GiB").is_err());
    }

    #[test]
    fn durations() {
        assert_eq!(Duration::parse("2h30m").unwrap().seconds(), 9000);
        assert_eq!(Duration::parse("30m").unwrap().seconds(), 1800);
        assert!(Duration::parse("30").is_err());
        assert!(Duration::parse("").is_err());
        assert!(Duration::parse("1s").is_err());
    }

    #[test]
    fn timestamps() {
        let t = Timestamp::parse("2027-03-10T08:00:00Z").unwrap();
        assert_eq!(t.unix(), 1_804_665_600);
        assert_eq!(t.utc_calendar(), "2027-03-10 08:00:00");
        let shifted = Timestamp::parse("2027-03-10T09:00:00+01:00").unwrap();
        assert_eq!(shifted.unix(), t.unix());
        assert!(Timestamp::parse("2027-02-30T08:00:00Z").is_err());
        assert!(Timestamp::parse("2027-03-10").is_err());
        assert!(Timestamp::parse("2027-03-10T25:00:00Z").is_err());
        assert!(Timestamp::parse("2027-03-10T08:00:00.123+01:00").is_ok());
    }
}
