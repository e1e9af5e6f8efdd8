//! Dates and times in the calendars of climate data (CF conventions §4.4.1): the proleptic
//! Gregorian `standard`, `noleap`/`365_day`, `all_leap`/`366_day` and `360_day`.
//!
//! A time is held as fractional days since 1970-01-01 00:00 *in its calendar* (so a `360_day`
//! February 30 has a place). [`parse_cf_units`] reads `"days since 1950-01-01"`-style units;
//! [`parse_date`] reads the date spellings found in tables (ISO dates and datetimes, `2012/01/01`,
//! `20120101`, `2012-01`) or a `strftime`-like pattern (`%d/%m/%Y`).

use std::fmt;

/// A CF calendar.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Calendar {
    /// Proleptic Gregorian (`standard`, `gregorian`, `proleptic_gregorian`; the mixed Julian
    /// calendar before 1582-10-15 is refused, see [`Calendar::check`]).
    #[default]
    Standard,
    /// Every year has 365 days (`noleap`, `365_day`).
    NoLeap,
    /// Every year has 366 days (`all_leap`, `366_day`).
    AllLeap,
    /// Twelve months of 30 days (`360_day`).
    Day360,
}

impl Calendar {
    /// The calendar named by a CF `calendar` attribute (case-insensitive).
    pub fn from_cf(name: &str) -> Result<Calendar, String> {
        match name.trim().to_ascii_lowercase().as_str() {
            "standard" | "gregorian" | "proleptic_gregorian" | "" => Ok(Calendar::Standard),
            "noleap" | "365_day" | "no_leap" => Ok(Calendar::NoLeap),
            "all_leap" | "366_day" => Ok(Calendar::AllLeap),
            "360_day" => Ok(Calendar::Day360),
            other => Err(format!(
                "calendar `{other}` is not supported (standard, gregorian, proleptic_gregorian, noleap, 365_day, all_leap, 366_day, 360_day are)"
            )),
        }
    }

    /// The CF name.
    pub fn cf_name(self) -> &'static str {
        match self {
            Calendar::Standard => "standard",
            Calendar::NoLeap => "noleap",
            Calendar::AllLeap => "all_leap",
            Calendar::Day360 => "360_day",
        }
    }

    /// Whether `year` has a February 29 in this calendar.
    pub fn is_leap(self, year: i64) -> bool {
        match self {
            Calendar::Standard => (year % 4 == 0 && year % 100 != 0) || year % 400 == 0,
            Calendar::NoLeap | Calendar::Day360 => false,
            Calendar::AllLeap => true,
        }
    }

    /// Days in `month` (1..=12) of `year`.
    pub fn days_in_month(self, year: i64, month: u32) -> u32 {
        if self == Calendar::Day360 {
            return 30;
        }
        match month {
            1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
            4 | 6 | 9 | 11 => 30,
            _ if self.is_leap(year) => 29,
            _ => 28,
        }
    }

    /// Days in `year`.
    pub fn days_in_year(self, year: i64) -> u32 {
        match self {
            Calendar::Day360 => 360,
            _ if self.is_leap(year) => 366,
            _ => 365,
        }
    }

    /// The mean length of a year in days (for seasonal periods).
    pub fn mean_year_days(self) -> f64 {
        match self {
            Calendar::Standard => 365.2425,
            Calendar::NoLeap => 365.0,
            Calendar::AllLeap => 366.0,
            Calendar::Day360 => 360.0,
        }
    }

    /// Refuses dates the calendar cannot place: an invalid month or day, or a `standard` date before
    /// the Gregorian reform (1582-10-15), where CF's mixed calendar switches to Julian.
    pub fn check(self, d: &DateTime) -> Result<(), String> {
        if !(1..=12).contains(&d.month) || d.day == 0 || d.day > self.days_in_month(d.year, d.month) {
            return Err(format!("{d} is not a date in the {} calendar", self.cf_name()));
        }
        if self == Calendar::Standard && (d.year, d.month, d.day) < (1582, 10, 15) {
            return Err(format!(
                "{d} lies before 1582-10-15, where the CF standard calendar is Julian; scidl reads standard-calendar dates from 1582-10-15 on"
            ));
        }
        if !(0.0..86_400.0).contains(&d.seconds) {
            return Err(format!("{d}: time of day out of range"));
        }
        Ok(())
    }

    /// Days from 1970-01-01 to the start of `date`'s day, plus the fraction of that day.
    pub fn to_days(self, d: &DateTime) -> f64 {
        let day_number = match self {
            Calendar::Standard => gregorian_day_number(d.year, d.month, d.day),
            Calendar::NoLeap | Calendar::AllLeap => {
                let len = if self == Calendar::NoLeap { 365 } else { 366 };
                len * (d.year - 1970) + self.day_of_year(d.year, d.month, d.day) as i64 - 1
            }
            Calendar::Day360 => 360 * (d.year - 1970) + 30 * (d.month as i64 - 1) + d.day as i64 - 1,
        };
        day_number as f64 + d.seconds / 86_400.0
    }

    /// The date at `days` since 1970-01-01 (inverse of [`Calendar::to_days`]).
    pub fn from_days(self, days: f64) -> DateTime {
        let whole = days.floor();
        // Round the time of day to microseconds so that 0.999999999 of a day does not print as 23:59:59.99.
        let mut seconds = ((days - whole) * 86_400.0 * 1e6).round() / 1e6;
        let mut n = whole as i64;
        if seconds >= 86_400.0 {
            seconds -= 86_400.0;
            n += 1;
        }
        let (year, month, day) = match self {
            Calendar::Standard => gregorian_from_day_number(n),
            Calendar::NoLeap | Calendar::AllLeap | Calendar::Day360 => {
                let len = self.days_in_year(0) as i64;
                let year = 1970 + n.div_euclid(len);
                let mut doy = n.rem_euclid(len) as u32;
                let mut month = 1;
                while doy >= self.days_in_month(year, month) {
                    doy -= self.days_in_month(year, month);
                    month += 1;
                }
                (year, month, doy + 1)
            }
        };
        DateTime { year, month, day, seconds }
    }

    /// Day of the year, from 1.
    pub fn day_of_year(self, year: i64, month: u32, day: u32) -> u32 {
        (1..month).map(|m| self.days_in_month(year, m)).sum::<u32>() + day
    }

    /// The year as a decimal number (for plots and trend fits): 1990.0 at 1990-01-01 00:00.
    pub fn decimal_year(self, days: f64) -> f64 {
        let d = self.from_days(days);
        let start = self.to_days(&DateTime::ymd(d.year, 1, 1));
        d.year as f64 + (days - start) / self.days_in_year(d.year) as f64
    }

    /// Adds `months` calendar months, keeping the day of the month (clamped to the month's length).
    pub fn add_months(self, d: &DateTime, months: i64) -> DateTime {
        let m0 = d.year * 12 + d.month as i64 - 1 + months;
        let (year, month) = (m0.div_euclid(12), m0.rem_euclid(12) as u32 + 1);
        DateTime { year, month, day: d.day.min(self.days_in_month(year, month)), seconds: d.seconds }
    }
}

/// Days from 1970-01-01 to the proleptic Gregorian `y-m-d` (the civil-from-days algorithm in
/// H. Hinnant, "chrono-compatible low-level date algorithms", 2013).
fn gregorian_day_number(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m as i64 + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn gregorian_from_day_number(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

/// A calendar date with a time of day.
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd)]
pub struct DateTime {
    /// Year (astronomical: year 0 exists).
    pub year: i64,
    /// Month, 1..=12.
    pub month: u32,
    /// Day of the month, from 1.
    pub day: u32,
    /// Seconds since midnight.
    pub seconds: f64,
}

impl DateTime {
    /// Midnight of `y-m-d`.
    pub fn ymd(year: i64, month: u32, day: u32) -> Self {
        Self { year, month, day, seconds: 0.0 }
    }
}

impl fmt::Display for DateTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)?;
        if self.seconds != 0.0 {
            let s = self.seconds;
            let (h, m) = ((s / 3600.0).floor(), ((s % 3600.0) / 60.0).floor());
            let sec = s - h * 3600.0 - m * 60.0;
            if sec.fract().abs() < 1e-9 {
                write!(f, "T{:02}:{:02}:{:02}", h as u32, m as u32, sec.round() as u32)?;
            } else {
                write!(f, "T{:02}:{:02}:{:09.6}", h as u32, m as u32, sec)?;
            }
        }
        Ok(())
    }
}

/// CF time units: `<unit> since <reference date>`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CfUnits {
    /// Length of one unit in days.
    pub unit_days: f64,
    /// The reference time, in days since 1970-01-01 of the calendar.
    pub origin_days: f64,
    /// The calendar.
    pub calendar: Calendar,
}

impl CfUnits {
    /// Days since 1970-01-01 (in the calendar) of the raw value `v`.
    pub fn to_days(&self, v: f64) -> f64 {
        self.origin_days + v * self.unit_days
    }
}

/// Parses CF time units such as `"days since 1950-01-01"`, `"hours since 1900-01-01 00:00:0.0"`,
/// `"seconds since 1970-01-01T00:00:00Z"` in `calendar`. `months` and `years` are refused: CF
/// defines them as fractions of a tropical year (not calendar months), which nobody means.
pub fn parse_cf_units(units: &str, calendar: Calendar) -> Result<CfUnits, String> {
    let lower = units.trim().to_ascii_lowercase();
    let (unit, reference) = lower
        .split_once(" since ")
        .ok_or_else(|| format!("time units `{units}` are not of the form `<unit> since <date>`"))?;
    let unit_days = match unit.trim() {
        "days" | "day" | "d" => 1.0,
        "hours" | "hour" | "hr" | "hrs" | "h" => 1.0 / 24.0,
        "minutes" | "minute" | "min" | "mins" => 1.0 / 1440.0,
        "seconds" | "second" | "sec" | "secs" | "s" => 1.0 / 86_400.0,
        "milliseconds" | "millisecond" | "msec" | "ms" => 1.0 / 86_400_000.0,
        "months" | "month" | "years" | "year" => {
            return Err(format!(
                "time units `{units}`: CF months and years are fractions of a tropical year, not calendar steps; convert the time axis to days"
            ));
        }
        other => return Err(format!("time units `{units}`: unknown unit `{other}`")),
    };
    let (date, offset_minutes) = split_timezone(reference.trim())?;
    let d = parse_iso(date).ok_or_else(|| format!("time units `{units}`: cannot read the reference date `{date}`"))?;
    calendar.check(&d).map_err(|e| format!("time units `{units}`: {e}"))?;
    Ok(CfUnits { unit_days, origin_days: calendar.to_days(&d) - offset_minutes / 1440.0, calendar })
}

/// Splits a trailing time-zone designator (`Z`, `UTC`, `+05:30`, `-0800`) off `s`; returns the
/// offset east of UTC in minutes.
fn split_timezone(s: &str) -> Result<(&str, f64), String> {
    let s = s.trim();
    let lower = s.to_ascii_lowercase();
    for suffix in ["utc", "z"] {
        if lower.ends_with(suffix) {
            return Ok((s[..s.len() - suffix.len()].trim(), 0.0));
        }
    }
    // A sign after the time part (position > 10 keeps the date's own hyphens out).
    if let Some(pos) = s.rfind(['+', '-']).filter(|&p| p > 10) {
        let tz = s[pos + 1..].replace(':', "");
        let tz = tz.trim();
        if tz.len() == 4 || tz.len() == 2 {
            let hours: f64 = tz[..2].parse().map_err(|_| format!("bad time-zone offset in `{s}`"))?;
            let minutes: f64 =
                if tz.len() == 4 { tz[2..].parse().map_err(|_| format!("bad offset in `{s}`"))? } else { 0.0 };
            let sign = if s.as_bytes()[pos] == b'-' { -1.0 } else { 1.0 };
            return Ok((s[..pos].trim(), sign * (hours * 60.0 + minutes)));
        }
    }
    Ok((s, 0.0))
}

/// ISO-like `Y-M-D[(T| )h[:m[:s[.f]]]]` with one- or two-digit fields (`1950-1-1 0:0:0.0` as CF allows).
fn parse_iso(s: &str) -> Option<DateTime> {
    let s = s.trim();
    let (date, time) = match s.find(['T', 't', ' ']) {
        Some(p) => (&s[..p], Some(s[p + 1..].trim())),
        None => (s, None),
    };
    let (neg, body) = match date.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, date),
    };
    let mut parts = body.split('-');
    let year: i64 = parts.next()?.parse().ok()?;
    let month: u32 = parts.next()?.parse().ok()?;
    let day: u32 = parts.next()?.parse().ok()?;
    if parts.next().is_some() {
        return None;
    }
    let mut seconds = 0.0;
    if let Some(t) = time.filter(|t| !t.is_empty()) {
        let mut f = t.split(':');
        let h: f64 = f.next()?.parse().ok()?;
        let m: f64 = f.next().map(str::parse).transpose().ok()?.unwrap_or(0.0);
        let sec: f64 = f.next().map(str::parse).transpose().ok()?.unwrap_or(0.0);
        if f.next().is_some() || !(0.0..24.0).contains(&h) || !(0.0..60.0).contains(&m) || !(0.0..61.0).contains(&sec) {
            return None;
        }
        seconds = h * 3600.0 + m * 60.0 + sec;
    }
    Some(DateTime { year: if neg { -year } else { year }, month, day, seconds })
}

/// Reads a date written in one of the common spellings: ISO `2012-01-31`, `2012-01-31T06:00[:00][Z]`,
/// `2012-01-31 06:00:00`, slashes `2012/01/31`, compact `20120131`, or a month `2012-01`
/// (the first of the month). Day-first and month-first spellings (`31/01/2012`) are ambiguous and
/// need an explicit pattern ([`parse_with_pattern`]).
pub fn parse_date(s: &str) -> Result<DateTime, String> {
    let t = s.trim();
    let (body, offset) = split_timezone(t)?;
    if offset != 0.0 {
        return Err(format!("`{s}`: time-zone offsets other than UTC are not supported in table dates"));
    }
    if body.len() == 8 && body.bytes().all(|b| b.is_ascii_digit()) {
        let v: i64 = body.parse().map_err(|_| format!("`{s}` is not a date"))?;
        return Ok(DateTime::ymd(v / 10_000, (v / 100 % 100) as u32, (v % 100) as u32));
    }
    let unified = body.replacen('/', "-", 2);
    let year_first = unified.bytes().take_while(u8::is_ascii_digit).count() >= 4;
    if year_first && let Some(d) = parse_iso(&unified) {
        return Ok(d);
    }
    // Year-month.
    let mut parts = unified.split('-');
    if let (Some(y), Some(m), None) = (parts.next(), parts.next(), parts.next())
        && y.len() == 4
        && let (Ok(year), Ok(month)) = (y.parse::<i64>(), m.parse::<u32>())
    {
        return Ok(DateTime::ymd(year, month, 1));
    }
    Err(format!(
        "`{s}` is not a date in a known spelling (2012-01-31, 2012-01-31T06:00:00, 2012/01/31, 20120131, 2012-01); pass --time-format for others, e.g. %d/%m/%Y"
    ))
}

/// Reads `s` with a `strftime`-like pattern of `%Y %m %d %H %M %S` and literal characters.
pub fn parse_with_pattern(s: &str, pattern: &str) -> Result<DateTime, String> {
    let bad = || format!("`{s}` does not match the time format `{pattern}`");
    let (mut year, mut month, mut day, mut seconds) = (None, 1u32, 1u32, 0.0);
    let src = s.trim().as_bytes();
    let mut i = 0;
    let mut p = pattern.bytes().peekable();
    while let Some(c) = p.next() {
        if c == b'%' {
            let spec = p.next().ok_or_else(bad)?;
            let max = if spec == b'Y' { 4 } else { 2 };
            let start = i;
            while i < src.len() && i - start < max && src[i].is_ascii_digit() {
                i += 1;
            }
            if i == start {
                return Err(bad());
            }
            let v: u32 = std::str::from_utf8(&src[start..i]).map_err(|_| bad())?.parse().map_err(|_| bad())?;
            match spec {
                b'Y' => year = Some(v as i64),
                b'm' => month = v,
                b'd' => day = v,
                b'H' => seconds += v as f64 * 3600.0,
                b'M' => seconds += v as f64 * 60.0,
                b'S' => seconds += v as f64,
                other => return Err(format!("time format `{pattern}`: unsupported field %{}", other as char)),
            }
        } else {
            if i >= src.len() || src[i] != c {
                return Err(bad());
            }
            i += 1;
        }
    }
    if i != src.len() {
        return Err(bad());
    }
    Ok(DateTime { year: year.ok_or_else(|| format!("time format `{pattern}` has no %Y"))?, month, day, seconds })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gregorian_day_numbers_match_known_dates() {
        // 2000-03-01 is day 11017 after 1970-01-01 (date -d 2000-03-01 +%s / 86400).
        assert_eq!(Calendar::Standard.to_days(&DateTime::ymd(2000, 3, 1)), 11_017.0);
        assert_eq!(Calendar::Standard.to_days(&DateTime::ymd(1958, 3, 29)), -4296.0);
        for n in [-200_000i64, -1, 0, 1, 59, 60, 11_016, 11_017, 400_000] {
            let d = Calendar::Standard.from_days(n as f64);
            assert_eq!(Calendar::Standard.to_days(&d), n as f64, "{d}");
        }
    }

    #[test]
    fn noleap_and_360_day_calendars_count_their_own_days() {
        // cftime: num2date(59, "days since 2000-01-01", "noleap") = 2000-03-01; 365 -> 2001-01-01.
        let u = parse_cf_units("days since 2000-01-01", Calendar::NoLeap).unwrap();
        assert_eq!(Calendar::NoLeap.from_days(u.to_days(58.0)), DateTime::ymd(2000, 2, 28));
        assert_eq!(Calendar::NoLeap.from_days(u.to_days(59.0)), DateTime::ymd(2000, 3, 1));
        assert_eq!(Calendar::NoLeap.from_days(u.to_days(365.0)), DateTime::ymd(2001, 1, 1));
        // 360_day: day 59 is February 30, day 359 is December 30, day 360 the next January 1.
        let u = parse_cf_units("days since 2000-01-01", Calendar::Day360).unwrap();
        assert_eq!(Calendar::Day360.from_days(u.to_days(59.0)), DateTime::ymd(2000, 2, 30));
        assert_eq!(Calendar::Day360.from_days(u.to_days(359.0)), DateTime::ymd(2000, 12, 30));
        assert_eq!(Calendar::Day360.from_days(u.to_days(360.0)), DateTime::ymd(2001, 1, 1));
        assert!(Calendar::Standard.check(&DateTime::ymd(2001, 2, 30)).is_err());
        assert!(Calendar::Day360.check(&DateTime::ymd(2001, 2, 30)).is_ok());
    }

    #[test]
    fn cf_units_read_hours_offsets_and_refuse_months() {
        let u = parse_cf_units("hours since 1900-01-01 00:00:0.0", Calendar::Standard).unwrap();
        assert_eq!(u.unit_days, 1.0 / 24.0);
        assert_eq!(Calendar::Standard.from_days(u.to_days(24.0 * 365.0)), DateTime::ymd(1901, 1, 1));
        let z = parse_cf_units("seconds since 1970-01-01T06:00:00+06:00", Calendar::Standard).unwrap();
        assert_eq!(z.origin_days, 0.0);
        assert!(parse_cf_units("months since 2000-01-01", Calendar::Standard).unwrap_err().contains("tropical year"));
        assert!(parse_cf_units("days after 2000-01-01", Calendar::Standard).is_err());
        assert!(parse_cf_units("days since 1500-01-01", Calendar::Standard).unwrap_err().contains("Julian"));
        assert!(Calendar::from_cf("julian").is_err());
    }

    #[test]
    fn table_date_spellings() {
        let want = DateTime::ymd(2012, 1, 31);
        for s in ["2012-01-31", "2012/01/31", "20120131", " 2012-1-31 "] {
            assert_eq!(parse_date(s).unwrap(), want, "{s}");
        }
        assert_eq!(parse_date("2012-01-31T06:30:00Z").unwrap().seconds, 6.0 * 3600.0 + 1800.0);
        assert_eq!(parse_date("2012-01-31 06:30").unwrap().seconds, 6.0 * 3600.0 + 1800.0);
        assert_eq!(parse_date("2012-03").unwrap(), DateTime::ymd(2012, 3, 1));
        assert!(parse_date("31/01/2012").unwrap_err().contains("--time-format"));
        assert_eq!(parse_with_pattern("31/01/2012", "%d/%m/%Y").unwrap(), want);
        assert!(parse_with_pattern("31-01-2012", "%d/%m/%Y").is_err());
    }

    #[test]
    fn months_add_with_clamping_and_decimal_years() {
        let c = Calendar::Standard;
        assert_eq!(c.add_months(&DateTime::ymd(2001, 1, 31), 1), DateTime::ymd(2001, 2, 28));
        assert_eq!(c.add_months(&DateTime::ymd(2001, 11, 15), 3), DateTime::ymd(2002, 2, 15));
        let mid = c.to_days(&DateTime::ymd(2001, 7, 2)) + 0.5;
        assert!((c.decimal_year(mid) - 2001.5).abs() < 1e-9);
        assert_eq!(format!("{}", c.from_days(0.25)), "1970-01-01T06:00:00");
    }
}
