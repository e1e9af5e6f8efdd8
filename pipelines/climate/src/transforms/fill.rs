//! Gap filling. Every filled value is flagged in [`crate::Column::filled`], so that evaluation can
//! score observed values only.
//!
//! - `linear`: linear interpolation in time between the observed neighbours (what pandas'
//!   `interpolate(method="time")` does inside a series);
//! - `seasonal`: the mean seasonal cycle of the observed values (per slot, see
//!   [`super::season_slots`]) plus the linearly interpolated anomaly from it, so a gap of several
//!   weeks keeps its seasonal shape;
//! - `none`: leave missing values; later steps refuse NaN and say so.
//!
//! Gaps at the start or end of a series (no observed neighbour on one side) are filled with the
//! nearest observed value (linear) or the cycle plus the nearest anomaly (seasonal). Gaps longer
//! than `max_gap` steps are left missing.

use super::season_slots;
use crate::series::Frame;
use crate::{Error, Result};

/// How to fill missing values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum FillPolicy {
    /// Leave missing values missing.
    #[default]
    None,
    /// Linear interpolation in time.
    Linear,
    /// Mean seasonal cycle plus interpolated anomaly.
    Seasonal,
}

/// Fills the missing values of column `name` by `policy`; returns how many were filled.
pub fn fill_gaps(frame: &mut Frame, name: &str, policy: FillPolicy, max_gap: Option<usize>) -> Result<usize> {
    if policy == FillPolicy::None {
        return Ok(0);
    }
    let cycle = if policy == FillPolicy::Seasonal {
        let (slots, n) = season_slots(frame)?;
        let col = frame.column(name)?;
        let mut sum = vec![0.0; n];
        let mut count = vec![0usize; n];
        for (i, &s) in slots.iter().enumerate() {
            if col.observed(i) {
                sum[s] += col.values[i];
                count[s] += 1;
            }
        }
        if let Some(s) = count.iter().position(|&c| c == 0) {
            return Err(Error::Config(format!(
                "{}: column `{name}` has no observed value in seasonal slot {s}; use --fill linear",
                frame.source.display()
            )));
        }
        let means: Vec<f64> = sum.iter().zip(&count).map(|(s, &c)| s / c as f64).collect();
        Some(slots.iter().map(|&s| means[s]).collect::<Vec<f64>>())
    } else {
        None
    };
    let times = frame.times.clone();
    let col = frame.column_mut(name)?;
    let base = |i: usize| cycle.as_ref().map_or(0.0, |c| c[i]);
    let known: Vec<usize> = (0..col.values.len()).filter(|&i| !col.values[i].is_nan()).collect();
    if known.is_empty() {
        return Err(Error::Config(format!("column `{name}` has no values to fill from")));
    }
    let mut filled = 0;
    let n = col.values.len();
    let mut i = 0;
    while i < n {
        if !col.values[i].is_nan() {
            i += 1;
            continue;
        }
        let start = i;
        while i < n && col.values[i].is_nan() {
            i += 1;
        }
        let len = i - start;
        if max_gap.is_some_and(|m| len > m) {
            continue;
        }
        let left = start.checked_sub(1);
        let right = (i < n).then_some(i);
        for k in start..i {
            let anomaly = match (left, right) {
                (Some(l), Some(r)) => {
                    let (al, ar) = (col.values[l] - base(l), col.values[r] - base(r));
                    al + (ar - al) * (times[k] - times[l]) / (times[r] - times[l])
                }
                (Some(l), None) => col.values[l] - base(l),
                (None, Some(r)) => col.values[r] - base(r),
                (None, None) => unreachable!("a column with a value has a neighbour"),
            };
            col.values[k] = base(k) + anomaly;
            col.filled[k] = true;
            filled += 1;
        }
    }
    Ok(filled)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::loaders::{TableOptions, read_series_table};
    use crate::series::Column;
    use crate::time::Calendar;

    #[test]
    fn linear_fill_matches_pandas_on_co2() {
        // co2_reference.json "linear_fill" (pandas 3.1.1 interpolate(method="time")): filled values at
        // rows 6, 9, 10, 11, 12 and the sum of the whole filled series.
        let mut f = read_series_table(&crate::test_data::co2_path(), &TableOptions::default()).unwrap();
        assert_eq!(fill_gaps(&mut f, "co2", FillPolicy::Linear, None).unwrap(), 59);
        let c = f.column("co2").unwrap();
        let want = crate::test_data::co2_reference()["linear_fill"].clone();
        for item in want["first_5_filled"].as_array().unwrap() {
            let i = item["index"].as_u64().unwrap() as usize;
            let v = item["value"].as_f64().unwrap();
            assert!((c.values[i] - v).abs() < 1e-9, "row {i}: {} vs {v}", c.values[i]);
            assert!(c.filled[i]);
        }
        let sum: f64 = c.values.iter().sum();
        assert!((sum - want["sum"].as_f64().unwrap()).abs() < 1e-6, "{sum}");
        assert_eq!(c.filled.iter().filter(|&&x| x).count(), 59);
    }

    #[test]
    fn seasonal_fill_keeps_the_cycle_and_long_gaps_can_stay_missing() {
        // A pure monthly cycle 10 + month index with a 3-month hole: seasonal filling restores it
        // exactly, linear filling draws a straight line through it.
        let cal = Calendar::Standard;
        let times: Vec<f64> =
            (0..36).map(|k| cal.to_days(&crate::time::DateTime::ymd(2000 + k / 12, (k % 12) as u32 + 1, 1))).collect();
        let mut v: Vec<f64> = (0..36).map(|k| 10.0 + (k % 12) as f64).collect();
        for x in v.iter_mut().skip(15).take(3) {
            *x = f64::NAN;
        }
        let frame = Frame::new("m.csv".into(), cal, times, vec![Column::new("y", v)]).unwrap();
        let mut s = frame.clone();
        fill_gaps(&mut s, "y", FillPolicy::Seasonal, None).unwrap();
        for k in 15..18 {
            assert!((s.columns[0].values[k] - (10.0 + (k % 12) as f64)).abs() < 1e-12);
        }
        let mut l = frame.clone();
        fill_gaps(&mut l, "y", FillPolicy::Linear, None).unwrap();
        assert_eq!(
            l.columns[0].values[16],
            10.0 + 2.0 + (6.0 - 2.0) * (l.times[16] - l.times[14]) / (l.times[18] - l.times[14])
        );
        let mut capped = frame;
        assert_eq!(fill_gaps(&mut capped, "y", FillPolicy::Linear, Some(2)).unwrap(), 0);
        assert_eq!(capped.columns[0].missing(), 3);
    }
}
