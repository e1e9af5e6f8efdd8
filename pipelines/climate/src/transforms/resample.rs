//! Resampling to calendar months or years (label: the first day of the period), with a minimum
//! number of observations per period below which the period is missing, as climate practice asks
//! (e.g. a monthly mean needs at least 3 of its ~4 weeks).

use crate::series::{Column, Frame};
use crate::time::DateTime;
use crate::{Error, Result};

/// The target period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Period {
    /// Calendar months.
    Month,
    /// Calendar years.
    Year,
}

/// How the values of a period are combined.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Aggregate {
    /// Mean.
    #[default]
    Mean,
    /// Sum (e.g. precipitation).
    Sum,
    /// Minimum.
    Min,
    /// Maximum.
    Max,
}

/// Resamples every column of `frame` to `period`. Only observed values count (filled values are
/// ignored); a period with fewer than `min_count` observations is missing. Every period from the
/// first to the last row's appears, so the result is regular.
pub fn resample(frame: &Frame, period: Period, how: Aggregate, min_count: usize) -> Result<Frame> {
    if frame.is_empty() {
        return Err(Error::input(&frame.source, "no rows to resample"));
    }
    let cal = frame.calendar;
    let key = |d: &DateTime| match period {
        Period::Month => d.year * 12 + d.month as i64 - 1,
        Period::Year => d.year,
    };
    let keys: Vec<i64> = (0..frame.len()).map(|i| key(&frame.date(i))).collect();
    let (k0, k1) = (keys[0], keys[keys.len() - 1]);
    let n = (k1 - k0 + 1) as usize;
    let times: Vec<f64> = (k0..=k1)
        .map(|k| {
            let d = match period {
                Period::Month => DateTime::ymd(k.div_euclid(12), k.rem_euclid(12) as u32 + 1, 1),
                Period::Year => DateTime::ymd(k, 1, 1),
            };
            cal.to_days(&d)
        })
        .collect();
    let columns = frame
        .columns
        .iter()
        .map(|c| {
            let mut acc: Vec<Vec<f64>> = vec![Vec::new(); n];
            for (i, &k) in keys.iter().enumerate() {
                if c.observed(i) {
                    acc[(k - k0) as usize].push(c.values[i]);
                }
            }
            let values = acc
                .iter()
                .map(|v| {
                    if v.len() < min_count.max(1) {
                        return f64::NAN;
                    }
                    match how {
                        Aggregate::Mean => v.iter().sum::<f64>() / v.len() as f64,
                        Aggregate::Sum => v.iter().sum(),
                        Aggregate::Min => v.iter().copied().fold(f64::INFINITY, f64::min),
                        Aggregate::Max => v.iter().copied().fold(f64::NEG_INFINITY, f64::max),
                    }
                })
                .collect();
            Column::new(c.name.clone(), values)
        })
        .collect();
    Frame::new(frame.source.clone(), cal, times, columns)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::loaders::{TableOptions, read_series_table};
    use crate::series::Step;

    #[test]
    fn weekly_co2_to_monthly_means_matches_pandas() {
        // co2_reference.json "monthly": pandas resample("MS").mean() with NaN where count < 3.
        let f = read_series_table(&crate::test_data::co2_path(), &TableOptions::default()).unwrap();
        let m = resample(&f, Period::Month, Aggregate::Mean, 3).unwrap();
        let want = &crate::test_data::co2_reference()["monthly"];
        assert_eq!(m.len() as u64, want["n_months"].as_u64().unwrap());
        assert_eq!(m.columns[0].missing() as u64, want["n_nan_months"].as_u64().unwrap());
        assert_eq!(m.step(), Step::Months(1));
        for (k, pair) in want["first_6"].as_array().unwrap().iter().enumerate() {
            assert_eq!(m.date(k).to_string(), pair[0].as_str().unwrap());
            match pair[1].as_f64() {
                Some(v) => assert!((m.columns[0].values[k] - v).abs() < 1e-9, "{k}"),
                None => assert!(m.columns[0].values[k].is_nan(), "{k}"),
            }
        }
        let i = m.last_index_at_or_before(m.calendar.to_days(&DateTime::ymd(1990, 2, 1))).unwrap();
        assert!((m.columns[0].values[i] - want["1990-02"].as_f64().unwrap()).abs() < 1e-9);
        let total: f64 = m.columns[0].values.iter().filter(|v| !v.is_nan()).sum();
        assert!((total - want["sum_non_nan"].as_f64().unwrap()).abs() < 1e-6);
        let y = resample(&f, Period::Year, Aggregate::Max, 1).unwrap();
        assert_eq!(y.len(), 2001 - 1958 + 1);
    }
}
