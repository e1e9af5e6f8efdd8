//! A table of time series on one time axis: the time of each row (days since 1970-01-01 in the
//! axis's calendar), one column per series or covariate, missing values as NaN until a declared
//! policy fills them, and a per-value flag for every value a policy filled.

use crate::time::{Calendar, DateTime};
use crate::{Error, Result};
use std::path::PathBuf;

/// The spacing of a time axis.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Step {
    /// A fixed number of days (weekly: 7, daily: 1, hourly: 1/24).
    Days(f64),
    /// Calendar months (same day of the month).
    Months(u32),
    /// No regular spacing.
    Irregular,
}

impl Step {
    /// Steps per year (52.18 for weekly data), the natural seasonal period; `None` if irregular.
    pub fn per_year(&self, calendar: Calendar) -> Option<f64> {
        match *self {
            Step::Days(d) => Some(calendar.mean_year_days() / d),
            Step::Months(m) => Some(12.0 / m as f64),
            Step::Irregular => None,
        }
    }

    /// A short human name (`7 days`, `1 month`).
    pub fn describe(&self) -> String {
        match *self {
            Step::Days(d) if (d - d.round()).abs() < 1e-9 => format!("{} day{}", d, if d == 1.0 { "" } else { "s" }),
            Step::Days(d) => format!("{:.4} hours", d * 24.0),
            Step::Months(m) => format!("{m} month{}", if m == 1 { "" } else { "s" }),
            Step::Irregular => "irregular".into(),
        }
    }
}

/// One named column of values.
#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    /// Column (series or covariate) name.
    pub name: String,
    /// Values; NaN marks a missing value.
    pub values: Vec<f64>,
    /// Whether each value was filled by a gap-filling policy rather than observed.
    pub filled: Vec<bool>,
}

impl Column {
    /// A column with no filled values.
    pub fn new(name: impl Into<String>, values: Vec<f64>) -> Self {
        let filled = vec![false; values.len()];
        Self { name: name.into(), values, filled }
    }

    /// Number of missing (NaN) values.
    pub fn missing(&self) -> usize {
        self.values.iter().filter(|v| v.is_nan()).count()
    }

    /// Whether the value at `i` was observed (neither missing nor filled).
    pub fn observed(&self, i: usize) -> bool {
        !self.values[i].is_nan() && !self.filled[i]
    }
}

/// Several series on one strictly increasing time axis.
#[derive(Debug, Clone, PartialEq)]
pub struct Frame {
    /// Where the data came from (for error messages).
    pub source: PathBuf,
    /// Calendar of the time axis.
    pub calendar: Calendar,
    /// Time of each row, days since 1970-01-01 in `calendar`.
    pub times: Vec<f64>,
    /// The columns, each as long as `times`.
    pub columns: Vec<Column>,
}

impl Frame {
    /// Checks the invariants (equal lengths, strictly increasing finite times) and builds the frame.
    /// Duplicated or decreasing times are errors naming the rows (1-based, as in a spreadsheet,
    /// counting data rows).
    pub fn new(source: PathBuf, calendar: Calendar, times: Vec<f64>, columns: Vec<Column>) -> Result<Self> {
        let f = Frame { source, calendar, times, columns };
        for c in &f.columns {
            if c.values.len() != f.times.len() || c.filled.len() != f.times.len() {
                return Err(Error::input(
                    &f.source,
                    format!("column `{}` has {} values for {} times", c.name, c.values.len(), f.times.len()),
                ));
            }
        }
        if let Some(i) = f.times.iter().position(|t| !t.is_finite()) {
            return Err(Error::input(&f.source, format!("time of data row {} is missing", i + 1)));
        }
        for i in 1..f.times.len() {
            let (a, b) = (f.times[i - 1], f.times[i]);
            if b == a {
                return Err(Error::input(
                    &f.source,
                    format!("duplicated timestamp {} at data rows {} and {}", f.date(i), i, i + 1),
                ));
            }
            if b < a {
                return Err(Error::input(
                    &f.source,
                    format!(
                        "time is not increasing: data row {} ({}) comes after row {} ({}); sort the table by time",
                        i + 1,
                        f.date(i),
                        i,
                        f.date(i - 1)
                    ),
                ));
            }
        }
        Ok(f)
    }

    /// Number of rows.
    pub fn len(&self) -> usize {
        self.times.len()
    }

    /// Whether there are no rows.
    pub fn is_empty(&self) -> bool {
        self.times.is_empty()
    }

    /// The date of row `i`.
    pub fn date(&self, i: usize) -> DateTime {
        self.calendar.from_days(self.times[i])
    }

    /// Decimal year of row `i`.
    pub fn decimal_year(&self, i: usize) -> f64 {
        self.calendar.decimal_year(self.times[i])
    }

    /// The column called `name`, or an error listing the columns there are.
    pub fn column(&self, name: &str) -> Result<&Column> {
        self.columns.iter().find(|c| c.name == name).ok_or_else(|| self.no_column(name))
    }

    /// Mutable access to the column called `name`.
    pub fn column_mut(&mut self, name: &str) -> Result<&mut Column> {
        let err = self.no_column(name);
        self.columns.iter_mut().find(|c| c.name == name).ok_or(err)
    }

    fn no_column(&self, name: &str) -> Error {
        let names: Vec<&str> = self.columns.iter().map(|c| c.name.as_str()).collect();
        Error::input(&self.source, format!("no column `{name}` (columns: {})", names.join(", ")))
    }

    /// The spacing of the axis: a fixed number of days if every step is a multiple of the smallest
    /// (gaps are whole missing steps), calendar months if every step is a whole number of months
    /// on the same day, else irregular.
    pub fn step(&self) -> Step {
        if self.len() < 2 {
            return Step::Irregular;
        }
        let diffs: Vec<f64> = self.times.windows(2).map(|w| w[1] - w[0]).collect();
        // Times are days in f64: snap the smallest step to whole seconds (an hour is 1/24 day, not
        // 0.0416666666660603 after subtracting two large day counts).
        let min = (diffs.iter().copied().fold(f64::INFINITY, f64::min) * 86_400.0).round() / 86_400.0;
        let multiple = |d: f64| {
            let k = d / min;
            (k - k.round()).abs() < 1e-6
        };
        if diffs.iter().all(|&d| multiple(d)) {
            // A smallest step of 28..31 days with gaps is more likely months than days.
            let uniform = diffs.iter().all(|&d| (d - min).abs() < 1e-6);
            if uniform || !(27.5..=31.5).contains(&min) {
                return Step::Days(min);
            }
        }
        let dates: Vec<DateTime> = (0..self.len()).map(|i| self.date(i)).collect();
        let months = |a: &DateTime, b: &DateTime| (b.year - a.year) * 12 + b.month as i64 - a.month as i64;
        let steps: Vec<i64> = dates.windows(2).map(|w| months(&w[0], &w[1])).collect();
        let same_day = dates.iter().all(|d| d.day == dates[0].day && d.seconds == dates[0].seconds);
        let smallest = steps.iter().copied().min().unwrap_or(0);
        if same_day && smallest > 0 && steps.iter().all(|s| s % smallest == 0) {
            return Step::Months(smallest as u32);
        }
        Step::Irregular
    }

    /// Row gaps of a regular axis: `(row before the gap, missing steps)`. Empty for irregular axes.
    pub fn time_gaps(&self) -> Vec<(usize, usize)> {
        let step = self.step();
        let mut gaps = Vec::new();
        for i in 1..self.len() {
            let missing = match step {
                Step::Days(d) => ((self.times[i] - self.times[i - 1]) / d).round() as usize - 1,
                Step::Months(m) => {
                    let (a, b) = (self.date(i - 1), self.date(i));
                    (((b.year - a.year) * 12 + b.month as i64 - a.month as i64) / m as i64) as usize - 1
                }
                Step::Irregular => 0,
            };
            if missing > 0 {
                gaps.push((i - 1, missing));
            }
        }
        gaps
    }

    /// Inserts a missing row (NaN in every column) for every missing step of a regular axis, so
    /// that row `i + k` is `k` steps after row `i`. Irregular axes are an error.
    pub fn regularise(&mut self) -> Result<usize> {
        let step = self.step();
        if step == Step::Irregular {
            return Err(Error::input(&self.source, "the time axis has no regular step (daily, weekly, monthly, ...)"));
        }
        let gaps = self.time_gaps();
        if gaps.is_empty() {
            return Ok(0);
        }
        let inserted: usize = gaps.iter().map(|g| g.1).sum();
        let mut times = Vec::with_capacity(self.len() + inserted);
        let mut cols: Vec<Column> = self
            .columns
            .iter()
            .map(|c| Column { name: c.name.clone(), values: Vec::new(), filled: Vec::new() })
            .collect();
        let mut gi = gaps.iter().peekable();
        for i in 0..self.len() {
            times.push(self.times[i]);
            for (c, src) in cols.iter_mut().zip(&self.columns) {
                c.values.push(src.values[i]);
                c.filled.push(src.filled[i]);
            }
            if let Some(&&(row, missing)) = gi.peek()
                && row == i
            {
                gi.next();
                for k in 1..=missing {
                    times.push(match step {
                        Step::Days(d) => self.times[i] + d * k as f64,
                        Step::Months(m) => {
                            self.calendar.to_days(&self.calendar.add_months(&self.date(i), (m as usize * k) as i64))
                        }
                        Step::Irregular => unreachable!("checked above"),
                    });
                    for c in cols.iter_mut() {
                        c.values.push(f64::NAN);
                        c.filled.push(false);
                    }
                }
            }
        }
        self.times = times;
        self.columns = cols;
        Ok(inserted)
    }

    /// Keeps the rows whose time lies in `[start, end]` (days; either bound optional).
    pub fn slice_time(&self, start: Option<f64>, end: Option<f64>) -> Frame {
        let keep: Vec<usize> = (0..self.len())
            .filter(|&i| start.is_none_or(|s| self.times[i] >= s) && end.is_none_or(|e| self.times[i] <= e))
            .collect();
        Frame {
            source: self.source.clone(),
            calendar: self.calendar,
            times: keep.iter().map(|&i| self.times[i]).collect(),
            columns: self
                .columns
                .iter()
                .map(|c| Column {
                    name: c.name.clone(),
                    values: keep.iter().map(|&i| c.values[i]).collect(),
                    filled: keep.iter().map(|&i| c.filled[i]).collect(),
                })
                .collect(),
        }
    }

    /// Index of the last row at or before `t` (days), if any.
    pub fn last_index_at_or_before(&self, t: f64) -> Option<usize> {
        self.times.partition_point(|&x| x <= t).checked_sub(1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame(days: &[f64]) -> Result<Frame> {
        Frame::new("t.csv".into(), Calendar::Standard, days.to_vec(), vec![Column::new("y", vec![1.0; days.len()])])
    }

    #[test]
    fn duplicated_and_decreasing_times_are_errors_naming_rows() {
        let e = frame(&[0.0, 7.0, 7.0]).unwrap_err().to_string();
        assert!(e.contains("duplicated timestamp 1970-01-08 at data rows 2 and 3"), "{e}");
        let e = frame(&[0.0, 14.0, 7.0]).unwrap_err().to_string();
        assert!(e.contains("data row 3 (1970-01-08) comes after row 2 (1970-01-15)"), "{e}");
    }

    #[test]
    fn weekly_axis_with_a_hole_is_regularised() {
        let mut f = frame(&[0.0, 7.0, 28.0, 35.0]).unwrap();
        assert_eq!(f.step(), Step::Days(7.0));
        assert_eq!(f.time_gaps(), vec![(1, 2)]);
        assert_eq!(f.regularise().unwrap(), 2);
        assert_eq!(f.times, vec![0.0, 7.0, 14.0, 21.0, 28.0, 35.0]);
        assert_eq!(f.columns[0].missing(), 2);
        assert!(f.columns[0].values[2].is_nan());
    }

    #[test]
    fn monthly_axis_is_months_not_days() {
        let c = Calendar::Standard;
        let days: Vec<f64> = [(2000, 1), (2000, 2), (2000, 3), (2000, 5)]
            .iter()
            .map(|&(y, m)| c.to_days(&DateTime::ymd(y, m, 1)))
            .collect();
        let mut f = frame(&days).unwrap();
        assert_eq!(f.step(), Step::Months(1));
        assert_eq!(f.regularise().unwrap(), 1);
        assert_eq!(f.date(3), DateTime::ymd(2000, 4, 1));
        assert!((f.step().per_year(c).unwrap() - 12.0).abs() < 1e-12);
        assert_eq!(frame(&[0.0, 1.0, 3.5]).unwrap().step(), Step::Irregular);
    }
}
