//! Timestamps from exports, turned into seconds since the Unix epoch (UTC).
//!
//! A small hand parser rather than a date crate: the exports we read carry variants a strict RFC 3339 parser rejects
//! (Graph doc samples' `-8:00` offsets, App Service's `2026-03-02T06:48:12.04` with no offset, boto3's space instead
//! of `T`), and we need to accept them *with a warning* instead of failing. The calendar arithmetic is the standard
//! days-from-civil algorithm over the proleptic Gregorian calendar; it needs no tables and no clock.
//!
//! Accepted (FORMATS.md §0.3): `2021-05-22T21:57:23.5764138Z` (any number of fraction digits),
//! `2024-10-14T20:25:32.172518+00:00`, no fraction, `+0000`, space instead of `T`, lower-case `t`/`z`,
//! `9999-12-31T23:59:59Z`, and a bare date `2024-10-14` (midnight UTC). Tolerated with a warning: a one-digit offset
//! hour (`-8:00`), no offset at all (read as UTC), a leap second (`:60`, read as `:59`).

use serde::{Deserialize, Serialize};

/// A parsed instant.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Instant {
    /// Seconds since 1970-01-01T00:00:00Z (fractions dropped).
    pub unix: i64,
    /// The text was not valid RFC 3339 but its meaning was clear (see the module docs); callers report a warning.
    pub tolerated: bool,
}

/// Parse one timestamp; `None` when it is not a date at all (empty, `N/A`, garbage, impossible dates).
#[must_use]
pub fn parse(text: &str) -> Option<Instant> {
    let s = crate::ids::trim(text).as_bytes();
    let mut tolerated = false;
    let year = digits(s, 0, 4)?;
    expect(s, 4, b'-')?;
    let month = digits(s, 5, 2)?;
    expect(s, 7, b'-')?;
    let day = digits(s, 8, 2)?;
    if !(1..=12).contains(&month) || day < 1 || day > days_in_month(year, month) {
        return None;
    }
    let days = days_from_civil(year, month, day);
    if s.len() == 10 {
        return Some(Instant {
            unix: days * 86_400,
            tolerated,
        });
    }
    if !matches!(s.get(10), Some(b'T' | b't' | b' ')) {
        return None;
    }
    let hour = digits(s, 11, 2)?;
    expect(s, 13, b':')?;
    let minute = digits(s, 14, 2)?;
    let mut second = 0;
    let mut i = 16;
    if s.get(16) == Some(&b':') {
        second = digits(s, 17, 2)?;
        i = 19;
    } else {
        tolerated = true;
    }
    if hour > 23 || minute > 59 || second > 60 {
        return None;
    }
    if second == 60 {
        second = 59;
        tolerated = true;
    }
    if s.get(i) == Some(&b'.') || s.get(i) == Some(&b',') {
        i += 1;
        let start = i;
        while s.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
        if i == start {
            return None;
        }
    }
    let offset = match s.get(i) {
        None => {
            tolerated = true;
            0
        }
        Some(b'Z' | b'z') if i + 1 == s.len() => 0,
        Some(&sign @ (b'+' | b'-')) => {
            let (offset, loose) = parse_offset(&s[i + 1..])?;
            tolerated |= loose;
            if sign == b'-' { -offset } else { offset }
        }
        _ => return None,
    };
    let unix = days * 86_400 + hour * 3600 + minute * 60 + second - offset;
    Some(Instant { unix, tolerated })
}

/// Offset after the sign, in seconds: `HH:MM`, `HHMM`, `HH` strictly; `H:MM` tolerated.
fn parse_offset(s: &[u8]) -> Option<(i64, bool)> {
    let (hours, minutes, loose) = match s.len() {
        5 if s[2] == b':' => (digits(s, 0, 2)?, digits(s, 3, 2)?, false),
        4 if s[1] == b':' => (digits(s, 0, 1)?, digits(s, 2, 2)?, true),
        4 => (digits(s, 0, 2)?, digits(s, 2, 2)?, false),
        2 => (digits(s, 0, 2)?, 0, false),
        _ => return None,
    };
    if hours > 23 || minutes > 59 {
        return None;
    }
    Some((hours * 3600 + minutes * 60, loose))
}

fn digits(s: &[u8], at: usize, len: usize) -> Option<i64> {
    let part = s.get(at..at + len)?;
    part.iter().try_fold(0i64, |acc, &b| {
        b.is_ascii_digit().then(|| acc * 10 + i64::from(b - b'0'))
    })
}

fn expect(s: &[u8], at: usize, byte: u8) -> Option<()> {
    (s.get(at) == Some(&byte)).then_some(())
}

fn is_leap(year: i64) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The date of a day number since 1970-01-01.
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// Format seconds since the epoch as `YYYY-MM-DDTHH:MM:SSZ`.
#[must_use]
pub fn format_rfc3339(unix: i64) -> String {
    let days = unix.div_euclid(86_400);
    let secs = unix.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        secs / 3600,
        secs / 60 % 60,
        secs % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(text: &str, want: &str) {
        let got = parse(text).unwrap_or_else(|| panic!("{text} should parse"));
        assert!(!got.tolerated, "{text} should be clean");
        assert_eq!(format_rfc3339(got.unix), want, "{text}");
    }

    fn loose(text: &str, want: &str) {
        let got = parse(text).unwrap_or_else(|| panic!("{text} should parse"));
        assert!(got.tolerated, "{text} should carry a warning");
        assert_eq!(format_rfc3339(got.unix), want, "{text}");
    }

    #[test]
    fn every_export_variant() {
        ok("2021-05-22T21:57:23.5764138Z", "2021-05-22T21:57:23Z");
        ok("2024-10-14T20:25:32.172518+00:00", "2024-10-14T20:25:32Z");
        ok("2015-02-02T21:55:09+00:00", "2015-02-02T21:55:09Z");
        ok("2021-04-01T00:00:00Z", "2021-04-01T00:00:00Z");
        ok("2023-03-09 10:41:45+00:00", "2023-03-09T10:41:45Z");
        ok("9999-12-31T23:59:59Z", "9999-12-31T23:59:59Z");
        ok("2020-02-29t12:00:00z", "2020-02-29T12:00:00Z");
        ok("2024-01-01T02:00:00+0200", "2024-01-01T00:00:00Z");
        ok("2024-01-01T00:00:00-05:30", "2024-01-01T05:30:00Z");
        ok("2024-10-14", "2024-10-14T00:00:00Z");
        ok("1969-12-31T23:59:59Z", "1969-12-31T23:59:59Z");
        ok(" 2000-03-01T00:00:00Z ", "2000-03-01T00:00:00Z");
    }

    #[test]
    fn tolerated_with_warning() {
        loose("2021-03-01T00:00:00-8:00", "2021-03-01T08:00:00Z");
        loose("2026-03-02T06:48:12.04", "2026-03-02T06:48:12Z");
        loose("2016-12-31T23:59:60Z", "2016-12-31T23:59:59Z");
        loose("2024-01-01T10:30Z", "2024-01-01T10:30:00Z");
    }

    #[test]
    fn rejects_non_dates() {
        for bad in [
            "",
            "N/A",
            "not_supported",
            "no_information",
            "null",
            "2021-13-01T00:00:00Z",
            "2021-02-30T00:00:00Z",
            "2019-02-29",
            "2021-01-01T24:00:00Z",
            "2021-01-01T00:00:00Q",
            "2021-01-01T00:00:00.Z",
            "2021-01-01T00:00:00+25:00",
            "2021-01-01X00:00:00Z",
            "21-01-01",
            "2021-1-01",
            "２０２１-01-01",
            "2021-01-01T00:00:00Zjunk",
            "2021-01-01T00:00:00+8",
        ] {
            assert_eq!(parse(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn calendar_round_trips() {
        for days in (-800_000..3_000_000).step_by(997) {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days);
        }
        assert_eq!(parse("1970-01-01T00:00:00Z").map(|i| i.unix), Some(0));
        assert_eq!(
            parse("2000-01-01T00:00:00Z").map(|i| i.unix),
            Some(946_684_800)
        );
    }
}
