//! `a=file-date` (RFC 5547 §6) and the RFC 5322 §3.3 date-times it carries.

use std::fmt;
use std::str::FromStr;

use crate::error::AttributeError;
use crate::grammar::{number, quoted_words, split1, unquote};

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];
const DAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];

/// An RFC 5322 §3.3 `date-time` with a numeric zone, as RFC 5547 §6 requires for `file-date`.
/// The text is kept as received (so it is re-emitted exactly); the fields are checked and
/// available.
///
/// ```
/// use sdp_filetransfer::DateTime;
/// let d: DateTime = "Mon, 15 May 2006 15:01:31 +0300".parse()?;
/// assert_eq!((d.year(), d.month(), d.day()), (2006, 5, 15));
/// assert_eq!(d.unix_time(), 1147694491);
/// assert_eq!(DateTime::from_unix(1147694491, 180)?.as_str(), "Mon, 15 May 2006 15:01:31 +0300");
/// # Ok::<(), sdp_filetransfer::AttributeError>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct DateTime {
    raw: Box<str>,
    year: u32,
    month: u8,
    day: u8,
    hour: u8,
    minute: u8,
    second: u8,
    /// Zone offset in minutes east of UTC.
    offset: i16,
}

fn is_leap(y: u32) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

fn days_in_month(y: u32, m: u8) -> u8 {
    match m {
        2 if is_leap(y) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a civil date (proleptic Gregorian).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146097 + doe - 719468
}

fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719468;
    let era = z.div_euclid(146097);
    let doe = z - era * 146097;
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

impl DateTime {
    /// The date for a Unix time (seconds) shown in a zone `offset_minutes` east of UTC, in the
    /// canonical form `Day, D Mon YYYY HH:MM:SS +HHMM`. Years before 1900 or after 9999, and
    /// offsets beyond ±23:59, are refused.
    pub fn from_unix(unix: i64, offset_minutes: i16) -> Result<Self, AttributeError> {
        if offset_minutes.unsigned_abs() >= 24 * 60 {
            return Err(AttributeError::BadDate);
        }
        let local = unix
            .checked_add(i64::from(offset_minutes) * 60)
            .ok_or(AttributeError::BadDate)?;
        let days = local.div_euclid(86400);
        let secs = local.rem_euclid(86400);
        let (y, m, d) = civil_from_days(days);
        if !(1900..=9999).contains(&y) {
            return Err(AttributeError::BadDate);
        }
        let weekday = DAYS[usize::try_from((days + 3).rem_euclid(7)).unwrap_or(0)];
        let sign = if offset_minutes < 0 { '-' } else { '+' };
        let off = offset_minutes.unsigned_abs();
        let raw = format!(
            "{weekday}, {d} {} {y} {:02}:{:02}:{:02} {sign}{:02}{:02}",
            MONTHS[usize::try_from(m - 1).unwrap_or(0)],
            secs / 3600,
            secs / 60 % 60,
            secs % 60,
            off / 60,
            off % 60
        );
        Self::parse(&raw)
    }

    /// Parses `[day-of-week ","] day month year hour:minute[:second] (+|-)HHMM`. Runs of
    /// white space count as one.
    pub fn parse(s: &str) -> Result<Self, AttributeError> {
        const BAD: AttributeError = AttributeError::BadDate;
        if s.is_empty() || s.bytes().any(|b| matches!(b, b'"' | b'\r' | b'\n' | 0)) {
            return Err(BAD);
        }
        let body = match split1(s, b',') {
            Some((dow, rest)) => {
                if !DAYS.contains(&dow.trim()) {
                    return Err(BAD);
                }
                rest
            }
            None => s,
        };
        let mut it = body.split([' ', '\t']).filter(|t| !t.is_empty());
        let mut next = || it.next().ok_or(BAD);
        let day_t = next()?;
        let month_t = next()?;
        let year_t = next()?;
        let time_t = next()?;
        let zone_t = next()?;
        if it.next().is_some() || day_t.len() > 2 || year_t.len() < 4 {
            return Err(BAD);
        }
        let day = number(day_t).ok_or(BAD)?;
        let month = MONTHS.iter().position(|m| *m == month_t).ok_or(BAD)? as u8 + 1;
        let year = u32::try_from(number(year_t).ok_or(BAD)?).map_err(|_| BAD)?;
        let mut tp = time_t.split(':');
        let two = |t: Option<&str>| -> Result<u8, AttributeError> {
            let t = t.ok_or(BAD)?;
            if t.len() != 2 {
                return Err(BAD);
            }
            Ok(number(t).ok_or(BAD)? as u8)
        };
        let hour = two(tp.next())?;
        let minute = two(tp.next())?;
        let second = match tp.next() {
            Some(t) => two(Some(t))?,
            None => 0,
        };
        if tp.next().is_some() {
            return Err(BAD);
        }
        let zb = zone_t.as_bytes();
        let sign: i16 = match zb.first() {
            Some(b'+') => 1,
            Some(b'-') => -1,
            _ => return Err(BAD),
        };
        let zd = zone_t.get(1..).filter(|z| z.len() == 4).ok_or(BAD)?;
        let zh = number(zd.get(..2).ok_or(BAD)?).ok_or(BAD)?;
        let zm = number(zd.get(2..).ok_or(BAD)?).ok_or(BAD)?;
        if year < 1900
            || day == 0
            || day > u64::from(days_in_month(year, month))
            || hour > 23
            || minute > 59
            || second > 60
            || zm > 59
        {
            return Err(BAD);
        }
        Ok(Self {
            raw: s.into(),
            year,
            month,
            day: day as u8,
            hour,
            minute,
            second,
            offset: sign * (zh as i16 * 60 + zm as i16),
        })
    }

    /// The text as received.
    pub fn as_str(&self) -> &str {
        &self.raw
    }

    /// The year.
    pub fn year(&self) -> u32 {
        self.year
    }

    /// The month, 1-12.
    pub fn month(&self) -> u8 {
        self.month
    }

    /// The day of the month, 1-31.
    pub fn day(&self) -> u8 {
        self.day
    }

    /// Hour, minute and second (a leap second reads as 60).
    pub fn time(&self) -> (u8, u8, u8) {
        (self.hour, self.minute, self.second)
    }

    /// The zone offset in minutes east of UTC.
    pub fn offset_minutes(&self) -> i16 {
        self.offset
    }

    /// Seconds since the Unix epoch.
    pub fn unix_time(&self) -> i64 {
        let days = days_from_civil(
            i64::from(self.year),
            i64::from(self.month),
            i64::from(self.day),
        );
        days * 86400
            + i64::from(self.hour) * 3600
            + i64::from(self.minute) * 60
            + i64::from(self.second)
            - i64::from(self.offset) * 60
    }
}

impl fmt::Display for DateTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.raw)
    }
}

impl FromStr for DateTime {
    type Err = AttributeError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

/// Which date a `file-date` parameter gives.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum DateKind {
    /// `creation`.
    Creation,
    /// `modification`.
    Modification,
    /// `read`.
    Read,
}

impl DateKind {
    /// The parameter name.
    pub fn as_str(self) -> &'static str {
        match self {
            DateKind::Creation => "creation",
            DateKind::Modification => "modification",
            DateKind::Read => "read",
        }
    }
}

/// `a=file-date` (RFC 5547 §6): creation, modification and read dates, each at most once, in
/// written order.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Default)]
pub struct FileDate {
    dates: Vec<(DateKind, DateTime)>,
}

impl FileDate {
    /// No dates yet (add at least one before use: the attribute needs one).
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets a date (replacing one of the same kind).
    pub fn with(mut self, kind: DateKind, date: DateTime) -> Self {
        match self.dates.iter_mut().find(|(k, _)| *k == kind) {
            Some(slot) => slot.1 = date,
            None => self.dates.push((kind, date)),
        }
        self
    }

    /// The date of one kind.
    pub fn get(&self, kind: DateKind) -> Option<&DateTime> {
        self.dates.iter().find(|(k, _)| *k == kind).map(|(_, d)| d)
    }

    /// The dates in written order.
    pub fn dates(&self) -> &[(DateKind, DateTime)] {
        &self.dates
    }

    /// Whether no date is present.
    pub fn is_empty(&self) -> bool {
        self.dates.is_empty()
    }

    fn parse(s: &str) -> Result<Self, AttributeError> {
        let mut out = Self::new();
        for part in quoted_words(s) {
            let part = part?;
            let (name, value) = split1(part, b':').ok_or(AttributeError::BadDate)?;
            let kind = match name {
                "creation" => DateKind::Creation,
                "modification" => DateKind::Modification,
                "read" => DateKind::Read,
                _ => {
                    return Err(AttributeError::Expected {
                        expected: "creation:, modification: or read:",
                    });
                }
            };
            if out.get(kind).is_some() {
                return Err(AttributeError::DuplicateDate {
                    param: kind.as_str(),
                });
            }
            let date = DateTime::parse(unquote(value).map_err(|_| AttributeError::BadDate)?)?;
            out.dates.push((kind, date));
        }
        if out.dates.is_empty() {
            return Err(AttributeError::MissingValue);
        }
        Ok(out)
    }
}

impl fmt::Display for FileDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, (k, d)) in self.dates.iter().enumerate() {
            if i > 0 {
                f.write_str(" ")?;
            }
            write!(f, "{}:\"{}\"", k.as_str(), d)?;
        }
        Ok(())
    }
}

impl FromStr for FileDate {
    type Err = AttributeError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates() {
        let d = DateTime::parse("Sun, 21 May 2006 13:02:15 +0300").unwrap();
        assert_eq!(d.offset_minutes(), 180);
        assert_eq!(
            DateTime::parse("21 May 2006 13:02 -0000").unwrap().time(),
            (13, 2, 0)
        );
        for bad in [
            "",
            "Mon, 15 May 2006 15:01:31 GMT",
            "Xyz, 15 May 2006 15:01:31 +0300",
            "31 Apr 2006 15:01:31 +0300",
            "29 Feb 2006 15:01:31 +0300",
            "15 May 06 15:01:31 +0300",
            "15 May 2006 25:01:31 +0300",
            "15 May 2006 15:01:31 +03",
            "15 May 2006 15:01:31 +0300 extra",
        ] {
            assert!(DateTime::parse(bad).is_err(), "{bad}");
        }
        assert!(DateTime::parse("29 Feb 2004 00:00:00 +0000").is_ok());
        for unix in [0i64, 951782400, 1147694491, 4102444799] {
            for off in [-720i16, 0, 330] {
                let d = DateTime::from_unix(unix, off).unwrap();
                assert_eq!(d.unix_time(), unix, "{d}");
                assert_eq!(d.offset_minutes(), off);
            }
        }
        let fd = FileDate::parse(
            "creation:\"Mon, 15 May 2006 15:01:31 +0300\" read:\"16 May 2006 09:12:27 +0300\"",
        )
        .unwrap();
        assert!(fd.get(DateKind::Read).is_some());
        assert_eq!(
            FileDate::parse(
                "read:\"16 May 2006 09:12:27 +0300\" read:\"16 May 2006 09:12:27 +0300\""
            )
            .unwrap_err(),
            AttributeError::DuplicateDate { param: "read" }
        );
    }
}
