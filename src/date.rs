//! Calendar dates in UTC: `--as-of`, exemption expiry, and "today".
//!
//! Only what the scoring rules need: a day count, parsing of `YYYY-MM-DD` and of RFC 3339
//! times (reduced to their UTC date), and printing.

use std::fmt;

/// A proleptic Gregorian calendar date, stored as days since 1970-01-01.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    days: i64,
}

impl Date {
    /// The date of `year-month-day`, or `None` when no such day exists.
    pub fn from_ymd(year: i64, month: u32, day: u32) -> Option<Date> {
        if !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month) {
            return None;
        }
        Some(Date {
            days: days_from_civil(year, month, day),
        })
    }

    /// Today's date in UTC, from the system clock.
    pub fn today_utc() -> Date {
        let secs = match std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH) {
            Ok(d) => d.as_secs() as i64,
            Err(e) => -(e.duration().as_secs() as i64),
        };
        Date {
            days: secs.div_euclid(86_400),
        }
    }

    /// The current time in UTC as RFC 3339, to the second (`2026-11-23T20:41:00Z`).
    pub fn now_rfc3339() -> String {
        let secs = match std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH) {
            Ok(d) => d.as_secs() as i64,
            Err(e) => -(e.duration().as_secs() as i64),
        };
        let day = Date {
            days: secs.div_euclid(86_400),
        };
        let s = secs.rem_euclid(86_400);
        format!("{day}T{:02}:{:02}:{:02}Z", s / 3600, s % 3600 / 60, s % 60)
    }

    /// Parses a plain `YYYY-MM-DD` date.
    pub fn parse(text: &str) -> Result<Date, String> {
        parse_ymd(text.trim()).ok_or_else(|| format!("{text:?} is not a date (expected YYYY-MM-DD)"))
    }

    /// Parses a `YYYY-MM-DD` date or an RFC 3339 time, which is reduced to its date in UTC.
    pub fn parse_date_or_time(text: &str) -> Result<Date, String> {
        let t = text.trim();
        if t.len() == 10 {
            return Date::parse(t);
        }
        parse_rfc3339_utc_date(t).ok_or_else(|| {
            format!("{text:?} is not a date (expected YYYY-MM-DD or an RFC 3339 time such as 2027-01-31T00:00:00Z)")
        })
    }

    /// The date `n` days later (earlier when negative).
    pub fn add_days(self, n: i64) -> Date {
        Date { days: self.days + n }
    }

    /// Year, month and day.
    pub fn ymd(self) -> (i64, u32, u32) {
        civil_from_days(self.days)
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (y, m, d) = self.ymd();
        write!(f, "{y:04}-{m:02}-{d:02}")
    }
}

fn is_leap(year: i64) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

fn days_in_month(year: i64, month: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap(year) => 29,
        _ => 28,
    }
}

// Howard Hinnant's civil-calendar algorithms: exact for every proleptic Gregorian date.
fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = month as i64;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + day as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + if month <= 2 { 1 } else { 0 };
    (year, month, day)
}

fn digits(text: &str) -> Option<u32> {
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

fn parse_ymd(text: &str) -> Option<Date> {
    let b = text.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    Date::from_ymd(
        digits(&text[0..4])? as i64,
        digits(&text[5..7])?,
        digits(&text[8..10])?,
    )
}

/// A time to the second in UTC (`trend`'s time axis), as seconds since 1970-01-01.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Instant {
    seconds: i64,
}

impl Instant {
    /// Parses an RFC 3339 time (`2026-11-22T14:07:13Z`, any offset; fractions of a
    /// second are dropped) or a plain date (its midnight, UTC).
    pub fn parse(text: &str) -> Result<Instant, String> {
        let t = text.trim();
        let seconds = if t.len() == 10 {
            parse_ymd(t).map(|d| Instant::midnight(d).seconds)
        } else {
            parse_rfc3339_utc_seconds(t)
        };
        seconds
            .map(|seconds| Instant { seconds })
            .ok_or_else(|| format!("{text:?} is not an RFC 3339 time"))
    }

    /// The midnight (UTC) that starts `day`.
    pub fn midnight(day: Date) -> Instant {
        Instant {
            seconds: day.days * 86_400,
        }
    }

    /// The instant `seconds` after 1970-01-01T00:00:00Z.
    pub fn from_seconds(seconds: i64) -> Instant {
        Instant { seconds }
    }

    /// Seconds since 1970-01-01T00:00:00Z.
    pub fn seconds(self) -> i64 {
        self.seconds
    }

    /// Its UTC date.
    pub fn date(self) -> Date {
        Date {
            days: self.seconds.div_euclid(86_400),
        }
    }

    /// Hour and minute of the day, in UTC.
    pub fn hour_minute(self) -> (u32, u32) {
        let s = self.seconds.rem_euclid(86_400);
        ((s / 3600) as u32, (s % 3600 / 60) as u32)
    }
}

/// `YYYY-MM-DDTHH:MM:SS[.frac](Z|±HH:MM)`, reduced to the UTC date.
fn parse_rfc3339_utc_date(text: &str) -> Option<Date> {
    parse_rfc3339_utc_seconds(text).map(|s| Instant { seconds: s }.date())
}

/// `YYYY-MM-DDTHH:MM:SS[.frac](Z|±HH:MM)` as seconds since 1970-01-01T00:00:00Z.
fn parse_rfc3339_utc_seconds(text: &str) -> Option<i64> {
    if !text.is_ascii() || text.len() < 20 {
        return None;
    }
    let date = parse_ymd(&text[..10])?;
    let sep = text.as_bytes()[10];
    if !matches!(sep, b'T' | b't' | b' ') {
        return None;
    }
    let rest = &text[11..];
    let b = rest.as_bytes();
    if b.len() < 9 || b[2] != b':' || b[5] != b':' {
        return None;
    }
    let hour = digits(&rest[0..2])?;
    let minute = digits(&rest[3..5])?;
    let second = digits(&rest[6..8])?;
    if hour > 23 || minute > 59 || second > 60 {
        return None;
    }
    let mut tail = &rest[8..];
    if let Some(frac) = tail.strip_prefix('.') {
        let n = frac.bytes().take_while(u8::is_ascii_digit).count();
        if n == 0 {
            return None;
        }
        tail = &frac[n..];
    }
    let offset_minutes: i64 = match tail {
        "Z" | "z" => 0,
        _ => {
            let tb = tail.as_bytes();
            if tb.len() != 6 || tb[3] != b':' || !matches!(tb[0], b'+' | b'-') {
                return None;
            }
            let oh = digits(&tail[1..3])? as i64;
            let om = digits(&tail[4..6])? as i64;
            if oh > 23 || om > 59 {
                return None;
            }
            let sign = if tb[0] == b'-' { -1 } else { 1 };
            sign * (oh * 60 + om)
        }
    };
    // A leap second (:60) counts as the next second's start.
    let local = date.days * 86_400 + hour as i64 * 3600 + minute as i64 * 60 + second as i64;
    Some(local - offset_minutes * 60)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_known_dates() {
        assert_eq!(Date::from_ymd(1970, 1, 1).unwrap().days, 0);
        assert_eq!(Date::from_ymd(2000, 3, 1).unwrap().days, 11_017);
        assert_eq!(Date::parse("2024-02-29").unwrap().to_string(), "2024-02-29");
        assert!(Date::parse("2023-02-29").is_err());
        assert!(Date::parse("2023-13-01").is_err());
        assert!(Date::parse("20230101").is_err());
    }

    #[test]
    fn rfc3339_times_reduce_to_utc_dates() {
        let d = |s| Date::parse_date_or_time(s).unwrap().to_string();
        assert_eq!(d("2027-01-31"), "2027-01-31");
        assert_eq!(d("2027-01-31T23:59:59Z"), "2027-01-31");
        // 20:00 at UTC-05:00 is 01:00 the next day in UTC.
        assert_eq!(d("2027-01-31T20:00:00-05:00"), "2027-02-01");
        // 00:30 at UTC+01:00 is 23:30 the previous day in UTC.
        assert_eq!(d("2027-03-01T00:30:00.123+01:00"), "2027-02-28");
        assert!(Date::parse_date_or_time("2027-01-31T25:00:00Z").is_err());
        assert!(Date::parse_date_or_time("next tuesday").is_err());
    }

    #[test]
    fn instants_count_seconds_in_utc() {
        let at = |s| Instant::parse(s).unwrap().seconds();
        // 2026-11-22 is day 20_779 since 1970-01-01 (56 years of 365 days, 14 leap days, and
        // 325 days into 2026); 14:07:13 is 14 × 3600 + 7 × 60 + 13 = 50_833 s into it.
        assert_eq!(at("2026-11-22T14:07:13Z"), 20_779 * 86_400 + 50_833);
        assert_eq!(at("2026-11-22"), 20_779 * 86_400);
        // 20:00 at UTC-05:00 is 01:00 the next day in UTC; the fraction is dropped.
        let next = Instant::parse("2027-01-31T20:00:00.5-05:00").unwrap();
        assert_eq!(next.date().to_string(), "2027-02-01");
        assert_eq!(next.hour_minute(), (1, 0));
        assert!(Instant::parse("2026-11-22T14:07Z").is_err());
    }

    #[test]
    fn add_days_crosses_months() {
        let d = Date::parse("2026-11-22").unwrap().add_days(30);
        assert_eq!(d.to_string(), "2026-12-22");
    }
}
