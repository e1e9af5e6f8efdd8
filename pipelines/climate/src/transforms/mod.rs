//! Preparing series: gap filling with flags ([`fill`]), resampling to coarser calendar periods
//! ([`resample()`]), seasonal slots, and normalisation fitted on the training period only ([`Scaler`]).

pub mod fill;
pub mod resample;

pub use fill::{FillPolicy, fill_gaps};
pub use resample::{Aggregate, Period, resample};

use crate::series::{Frame, Step};
use crate::{Error, Result};

/// The seasonal slot of every row: the week of the year (`floor((day_of_year - 1) / 7)`, at most
/// 51) for weekly data, the month for monthly data, the day of the year for daily data, in
/// general `floor((day_of_year - 1) / step_days)` clipped to the number of whole steps in a year.
/// Returns the slots and their count.
pub fn season_slots(frame: &Frame) -> Result<(Vec<usize>, usize)> {
    let cal = frame.calendar;
    match frame.step() {
        Step::Months(m) if 12 % m == 0 => {
            let n = (12 / m) as usize;
            Ok(((0..frame.len()).map(|i| (frame.date(i).month as usize - 1) / m as usize).collect(), n))
        }
        Step::Days(d) if d <= cal.mean_year_days() / 2.0 => {
            let n = (cal.mean_year_days() / d).floor() as usize;
            let slots = (0..frame.len())
                .map(|i| {
                    let t = frame.date(i);
                    let doy = cal.day_of_year(t.year, t.month, t.day) as f64 - 1.0 + t.seconds / 86_400.0;
                    ((doy / d).floor() as usize).min(n - 1)
                })
                .collect();
            Ok((slots, n))
        }
        other => Err(Error::Config(format!(
            "{}: a step of {} has no seasonal cycle to use (weekly, daily, monthly data have one)",
            frame.source.display(),
            other.describe()
        ))),
    }
}

/// Standardisation `(x - mean) / std` with statistics from the training rows only.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Scaler {
    /// Mean of the observed training values.
    pub mean: f64,
    /// Population standard deviation of the observed training values.
    pub std: f64,
}

impl Scaler {
    /// Fits on the finite values among `values[..end]` (the training period), skipping filled ones
    /// when `observed` says so.
    pub fn fit(values: &[f64], observed: impl Fn(usize) -> bool, end: usize) -> Result<Scaler> {
        let v: Vec<f64> =
            (0..end.min(values.len())).filter(|&i| values[i].is_finite() && observed(i)).map(|i| values[i]).collect();
        if v.len() < 2 {
            return Err(Error::Config("fewer than 2 observed values in the training period to normalise with".into()));
        }
        let mean = v.iter().sum::<f64>() / v.len() as f64;
        let var = v.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / v.len() as f64;
        let std = if var > 0.0 { var.sqrt() } else { 1.0 };
        Ok(Scaler { mean, std })
    }

    /// Normalises one value.
    pub fn apply(&self, x: f64) -> f64 {
        (x - self.mean) / self.std
    }

    /// Undoes [`Scaler::apply`].
    pub fn invert(&self, z: f64) -> f64 {
        z * self.std + self.mean
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::loaders::{TableOptions, read_series_table};

    #[test]
    fn scaler_uses_training_observations_only() {
        // co2_reference.json "normalise": pandas mean/std(ddof=0) of the observed values to 1990-12-31
        // (last training row 1709): 332.290127195639, 11.816199114871194.
        let f = read_series_table(&crate::test_data::co2_path(), &TableOptions::default()).unwrap();
        let y = &f.columns[0];
        let s = Scaler::fit(&y.values, |i| y.observed(i), 1710).unwrap();
        assert!((s.mean - 332.290127195639).abs() < 1e-9, "{}", s.mean);
        assert!((s.std - 11.816199114871194).abs() < 1e-9, "{}", s.std);
        assert!((s.invert(s.apply(350.0)) - 350.0).abs() < 1e-12);
    }

    #[test]
    fn weekly_slots_follow_the_week_of_the_year() {
        let f = read_series_table(&crate::test_data::co2_path(), &TableOptions::default()).unwrap();
        let (slots, n) = season_slots(&f).unwrap();
        assert_eq!(n, 52);
        // 1958-03-29 is day 88 of the year: slot floor(87 / 7) = 12; 2001-12-29 is day 363: slot 51.
        assert_eq!(slots[0], 12);
        assert_eq!(slots[f.len() - 1], 51);
    }
}
