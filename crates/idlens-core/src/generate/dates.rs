//! Calendar arithmetic for the generator: Unix seconds to the timestamp spellings the real exporters use
//! (az CLI Python isoformat with `+00:00`, Graph `Z`), and `YYYY-MM-DD` to Unix seconds. No clock is read here:
//! every instant is derived from the caller's "as of".

pub(crate) const DAY: i64 = 86_400;

/// Days since 1970-01-01 for a proleptic Gregorian date.
pub(crate) fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let year_of_era = y - era * 400;
    let month_from_march = i64::from((month + 9) % 12);
    let day_of_year = (153 * month_from_march + 2) / 5 + i64::from(day) - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

/// The date of a day count since 1970-01-01.
pub(crate) fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z - era * 146_097;
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_from_march = (5 * day_of_year + 2) / 153;
    let day = (day_of_year - (153 * month_from_march + 2) / 5 + 1) as u32;
    let month = if month_from_march < 10 {
        month_from_march + 3
    } else {
        month_from_march - 9
    } as u32;
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// `YYYY-MM-DD` → Unix seconds at 00:00:00 UTC. `None` for anything else, including impossible dates.
pub fn unix_from_date(text: &str) -> Option<i64> {
    let bytes = text.as_bytes();
    if bytes.len() != 10 || bytes[4] != b'-' || bytes[7] != b'-' {
        return None;
    }
    let year: i64 = text.get(0..4)?.parse().ok()?;
    let month: u32 = text.get(5..7)?.parse().ok()?;
    let day: u32 = text.get(8..10)?.parse().ok()?;
    if !(1..=12).contains(&month) || day == 0 {
        return None;
    }
    let days = days_from_civil(year, month, day);
    // Round-trip rejects 31 April, 29 February in common years, and so on.
    (civil_from_days(days) == (year, month, day)).then_some(days * DAY)
}

fn split(secs: i64) -> (i64, u32, u32, i64, i64, i64) {
    let (y, mo, d) = civil_from_days(secs.div_euclid(DAY));
    let rem = secs.rem_euclid(DAY);
    (y, mo, d, rem / 3600, rem % 3600 / 60, rem % 60)
}

/// az CLI (Python `isoformat()`): `2024-10-14T20:25:32.172518+00:00`.
pub(crate) fn az(secs: i64, micros: u32) -> String {
    let (y, mo, d, h, mi, s) = split(secs);
    format!(
        "{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}.{:06}+00:00",
        micros % 1_000_000
    )
}

/// Graph, whole seconds: `2021-04-01T00:00:00Z`.
pub(crate) fn graph(secs: i64) -> String {
    let (y, mo, d, h, mi, s) = split(secs);
    format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}Z")
}

/// Graph with milliseconds, as portal-created credentials show: `2025-07-31T17:49:02.547Z`.
pub(crate) fn graph_ms(secs: i64, millis: u32) -> String {
    let (y, mo, d, h, mi, s) = split(secs);
    format!(
        "{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}.{:03}Z",
        millis % 1000
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_round_trips_across_eras() {
        for days in [-800_000, -1, 0, 1, 10_957, 20_758, 120_000, 2_932_896] {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days, "{days}");
        }
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(unix_from_date("2026-11-01"), Some(1_793_491_200));
    }

    #[test]
    fn spellings_match_the_exporters() {
        let t = unix_from_date("2024-10-14").unwrap_or_default() + 20 * 3600 + 25 * 60 + 32;
        assert_eq!(az(t, 172_518), "2024-10-14T20:25:32.172518+00:00");
        assert_eq!(graph(t), "2024-10-14T20:25:32Z");
        assert_eq!(graph_ms(t, 7), "2024-10-14T20:25:32.007Z");
    }

    #[test]
    fn bad_dates_are_refused() {
        for bad in [
            "2026-02-29",
            "2026-13-01",
            "2026-04-31",
            "26-11-01",
            "2026/11/01",
            "2026-11-00",
            "",
        ] {
            assert_eq!(unix_from_date(bad), None, "{bad}");
        }
        assert!(unix_from_date("2028-02-29").is_some());
    }
}
