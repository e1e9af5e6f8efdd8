//! The baselines every learned forecaster is reported beside:
//!
//! - **persistence**: the last value, `ŷ(i + h) = y(i)`;
//! - **seasonal naive**: the value one season earlier, `ŷ(i + h) = y(i + h - m ⌈h / m⌉)`;
//! - **climatology**: the mean of the training observations in the target's seasonal slot;
//! - **trend + harmonics**: least squares `c0 + c1 t + Σ_k a_k cos(2πkt) + b_k sin(2πkt)` (t in
//!   years), refitted at each forecast origin on the observations up to it;
//! - **autoregression** AR(p) with an intercept, fitted by conditional least squares on the
//!   (gap-filled) values up to the origin, as statsmodels' `AutoReg(trend="c")`, forecast recursively.
//!
//! A [`Baseline`] is fitted to a series once and then asked for the forecasts of `1..=horizon`
//! steps from any origin; the fitting baselines use only data up to that origin.

use crate::{Error, Result};

/// A baseline method.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum BaselineKind {
    /// The last value.
    Persistence,
    /// The value one season (of `period` steps) before the target.
    SeasonalNaive {
        /// Season length in steps (52 for weekly data).
        period: usize,
    },
    /// Mean of training observations in the target's seasonal slot.
    Climatology,
    /// Linear trend plus `harmonics` annual harmonics.
    TrendHarmonics {
        /// Number of harmonics.
        harmonics: usize,
    },
    /// Autoregression of order `order` with an intercept.
    Autoregressive {
        /// Number of lags.
        order: usize,
    },
}

impl BaselineKind {
    /// Name for tables and plots.
    pub fn name(&self) -> String {
        match self {
            BaselineKind::Persistence => "persistence".into(),
            BaselineKind::SeasonalNaive { .. } => "seasonal naive".into(),
            BaselineKind::Climatology => "climatology".into(),
            BaselineKind::TrendHarmonics { harmonics } => format!("trend + {harmonics} harmonics"),
            BaselineKind::Autoregressive { order } => format!("AR({order})"),
        }
    }
}

/// What the baselines see of a series.
#[derive(Debug, Clone)]
pub struct SeriesView<'a> {
    /// Gap-filled values (finite everywhere).
    pub filled: &'a [f64],
    /// Whether each value was observed (not filled).
    pub observed: &'a [bool],
    /// Time of each row in years (for the harmonic fit), extended past the end for future targets.
    pub years: &'a [f64],
    /// Seasonal slot of each row, extended past the end like `years`.
    pub slots: &'a [usize],
    /// Rows `..train_end` are the training period (climatology's means).
    pub train_end: usize,
}

/// A baseline ready to forecast.
pub struct Baseline {
    kind: BaselineKind,
    climatology: Vec<f64>,
}

impl Baseline {
    /// Prepares `kind` for `view` (climatology's slot means come from the training period).
    pub fn new(kind: BaselineKind, view: &SeriesView) -> Result<Baseline> {
        let mut climatology = Vec::new();
        if kind == BaselineKind::Climatology {
            let n = view.slots.iter().copied().max().unwrap_or(0) + 1;
            let (mut sum, mut count) = (vec![0.0; n], vec![0usize; n]);
            for i in 0..view.train_end {
                if view.observed[i] {
                    sum[view.slots[i]] += view.filled[i];
                    count[view.slots[i]] += 1;
                }
            }
            climatology = sum.iter().zip(&count).map(|(s, &c)| if c > 0 { s / c as f64 } else { f64::NAN }).collect();
        }
        Ok(Baseline { kind, climatology })
    }

    /// The method.
    pub fn kind(&self) -> BaselineKind {
        self.kind
    }

    /// Forecasts of steps `1..=horizon` after row `origin`, from data up to `origin` only.
    pub fn forecast(&self, view: &SeriesView, origin: usize, horizon: usize) -> Result<Vec<f64>> {
        let f = view.filled;
        let need_future = |j: usize| {
            if j >= view.years.len() || j >= view.slots.len() {
                Err(Error::Config(format!("no time known for row {j}: extend the time axis before forecasting")))
            } else {
                Ok(())
            }
        };
        Ok(match self.kind {
            BaselineKind::Persistence => vec![f[origin]; horizon],
            BaselineKind::SeasonalNaive { period } => (1..=horizon)
                .map(|h| {
                    let back = period * h.div_ceil(period);
                    (origin + h).checked_sub(back).map(|j| f[j]).ok_or_else(|| {
                        Error::Config(format!("seasonal naive needs {back} steps of history before origin {origin}"))
                    })
                })
                .collect::<Result<_>>()?,
            BaselineKind::Climatology => (1..=horizon)
                .map(|h| {
                    need_future(origin + h)?;
                    Ok(self.climatology[view.slots[origin + h]])
                })
                .collect::<Result<_>>()?,
            BaselineKind::TrendHarmonics { harmonics } => {
                let rows: Vec<usize> = (0..=origin).filter(|&i| view.observed[i]).collect();
                let k = 2 + 2 * harmonics;
                let design = |t: f64| harmonic_row(t, harmonics);
                let a: Vec<f64> = rows.iter().flat_map(|&i| design(view.years[i])).collect();
                let b: Vec<f64> = rows.iter().map(|&i| f[i]).collect();
                let coef = lstsq(&a, &b, rows.len(), k)?;
                (1..=horizon)
                    .map(|h| {
                        need_future(origin + h)?;
                        Ok(dot(&design(view.years[origin + h]), &coef))
                    })
                    .collect::<Result<_>>()?
            }
            BaselineKind::Autoregressive { order } => {
                let coef = fit_ar(&f[..=origin], order)?;
                let mut hist: Vec<f64> = f[origin + 1 - order..=origin].to_vec();
                (0..horizon)
                    .map(|_| {
                        let n = hist.len();
                        let y = coef[0] + (1..=order).map(|l| coef[l] * hist[n - l]).sum::<f64>();
                        hist.push(y);
                        y
                    })
                    .collect()
            }
        })
    }
}

/// The design row `[1, t, cos 2πt, sin 2πt, ..., cos 2πKt, sin 2πKt]`.
pub fn harmonic_row(t: f64, harmonics: usize) -> Vec<f64> {
    let mut r = vec![1.0, t];
    for k in 1..=harmonics {
        let a = 2.0 * std::f64::consts::PI * k as f64 * t;
        r.push(a.cos());
        r.push(a.sin());
    }
    r
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// AR(p) with intercept by conditional least squares on `y`: `[c, φ1, ..., φp]`.
pub fn fit_ar(y: &[f64], order: usize) -> Result<Vec<f64>> {
    if order == 0 || y.len() < 2 * order + 2 {
        return Err(Error::Config(format!("AR({order}) needs at least {} values, got {}", 2 * order + 2, y.len())));
    }
    let rows = y.len() - order;
    let mut a = Vec::with_capacity(rows * (order + 1));
    for t in order..y.len() {
        a.push(1.0);
        a.extend((1..=order).map(|l| y[t - l]));
    }
    lstsq(&a, &y[order..], rows, order + 1)
}

/// Least squares `argmin |A x - b|` for a row-major `rows x cols` matrix by Householder QR.
pub fn lstsq(a: &[f64], b: &[f64], rows: usize, cols: usize) -> Result<Vec<f64>> {
    if rows < cols {
        return Err(Error::Config(format!("least squares with {rows} equations for {cols} unknowns")));
    }
    // Column-major copy for cache-friendly Householder steps.
    let mut q: Vec<Vec<f64>> = (0..cols).map(|j| (0..rows).map(|i| a[i * cols + j]).collect()).collect();
    let mut rhs = b.to_vec();
    let mut diag = vec![0.0; cols];
    for k in 0..cols {
        let norm = q[k][k..].iter().map(|v| v * v).sum::<f64>().sqrt();
        if norm == 0.0 {
            return Err(Error::Config("least squares: the design matrix is rank deficient".into()));
        }
        let alpha = if q[k][k] > 0.0 { -norm } else { norm };
        // v = x - alpha e1, stored in q[k][k..].
        q[k][k] -= alpha;
        let vnorm2 = q[k][k..].iter().map(|v| v * v).sum::<f64>();
        diag[k] = alpha;
        let (head, tail) = q.split_at_mut(k + 1);
        let v = &head[k][k..];
        for col in tail.iter_mut() {
            let s = 2.0 * dot(v, &col[k..]) / vnorm2;
            for (c, vi) in col[k..].iter_mut().zip(v) {
                *c -= s * vi;
            }
        }
        let s = 2.0 * dot(v, &rhs[k..]) / vnorm2;
        for (r, vi) in rhs[k..].iter_mut().zip(v) {
            *r -= s * vi;
        }
    }
    let scale = diag.iter().fold(0.0f64, |m, d| m.max(d.abs()));
    if diag.iter().any(|d| d.abs() <= 1e-12 * scale) {
        return Err(Error::Config("least squares: the design matrix is rank deficient".into()));
    }
    let mut x = vec![0.0; cols];
    for k in (0..cols).rev() {
        let s: f64 = (k + 1..cols).map(|j| q[j][k] * x[j]).sum();
        x[k] = (rhs[k] - s) / diag[k];
    }
    Ok(x)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::loaders::{TableOptions, read_series_table};
    use crate::transforms::{FillPolicy, fill_gaps, season_slots};

    struct Co2 {
        filled: Vec<f64>,
        observed: Vec<bool>,
        years: Vec<f64>,
        slots: Vec<usize>,
    }

    fn co2() -> Co2 {
        let mut f = read_series_table(&crate::test_data::co2_path(), &TableOptions::default()).unwrap();
        fill_gaps(&mut f, "co2", FillPolicy::Linear, None).unwrap();
        let c = f.column("co2").unwrap();
        Co2 {
            filled: c.values.clone(),
            observed: c.filled.iter().map(|x| !x).collect(),
            // The reference's t: days since 1970-01-01 / 365.25.
            years: f.times.iter().map(|d| d / 365.25).collect(),
            slots: season_slots(&f).unwrap().0,
        }
    }

    fn close(a: f64, b: f64, rel: f64) -> bool {
        (a - b).abs() <= rel * b.abs().max(1.0)
    }

    #[test]
    fn lstsq_solves_an_exact_system_and_refuses_rank_deficiency() {
        // y = 1 + 2x through (0,1), (1,3), (2,5).
        let a = [1.0, 0.0, 1.0, 1.0, 1.0, 2.0];
        let x = lstsq(&a, &[1.0, 3.0, 5.0], 3, 2).unwrap();
        assert!(close(x[0], 1.0, 1e-14) && close(x[1], 2.0, 1e-14), "{x:?}");
        assert!(lstsq(&[1.0, 2.0, 2.0, 4.0], &[1.0, 2.0], 2, 2).is_err());
    }

    #[test]
    fn ar3_matches_statsmodels_autoreg_on_co2() {
        // co2_reference.json "autoreg.p3": statsmodels 0.15.0 AutoReg(train, lags=3, trend="c").
        let want = &crate::test_data::co2_reference()["autoreg"]["p3"];
        let d = co2();
        let coef = fit_ar(&d.filled[..1710], 3).unwrap();
        for (c, w) in coef.iter().zip(want["params"].as_array().unwrap()) {
            assert!(close(*c, w.as_f64().unwrap(), 1e-9), "{coef:?}");
        }
        let view =
            SeriesView { filled: &d.filled, observed: &d.observed, years: &d.years, slots: &d.slots, train_end: 1710 };
        let ar = Baseline::new(BaselineKind::Autoregressive { order: 3 }, &view).unwrap();
        let fc = ar.forecast(&view, 1709, 52).unwrap();
        for (step, w) in want["forecast_steps"].as_object().unwrap() {
            let k: usize = step.parse().unwrap();
            assert!(close(fc[k - 1], w.as_f64().unwrap(), 1e-9), "step {k}: {}", fc[k - 1]);
        }
    }

    #[test]
    fn harmonic_fit_matches_numpy_lstsq_on_co2() {
        // co2_reference.json "harmonic": numpy lstsq on the observed training values.
        let want = &crate::test_data::co2_reference()["harmonic"];
        let d = co2();
        let view =
            SeriesView { filled: &d.filled, observed: &d.observed, years: &d.years, slots: &d.slots, train_end: 1710 };
        let th = Baseline::new(BaselineKind::TrendHarmonics { harmonics: 3 }, &view).unwrap();
        let fc = th.forecast(&view, 1709, d.filled.len() - 1710).unwrap();
        assert!(close(fc[0], want["predict"]["1991-01-05"].as_f64().unwrap(), 1e-10), "{}", fc[0]);
        assert!(close(*fc.last().unwrap(), want["predict"]["2001-12-29"].as_f64().unwrap(), 1e-10));
    }

    #[test]
    fn naive_baselines_and_climatology_match_the_reference_backtest() {
        // co2_reference.json "naive_backtest": RMSE over origins 1709..=N-1-h, observed targets only.
        let want = &crate::test_data::co2_reference()["naive_backtest"]["results"];
        let d = co2();
        let view =
            SeriesView { filled: &d.filled, observed: &d.observed, years: &d.years, slots: &d.slots, train_end: 1710 };
        let n = d.filled.len();
        for (kind, key) in [
            (BaselineKind::Persistence, "persistence"),
            (BaselineKind::SeasonalNaive { period: 52 }, "seasonal_naive"),
            (BaselineKind::Climatology, "climatology"),
        ] {
            let b = Baseline::new(kind, &view).unwrap();
            for h in [1usize, 13, 52] {
                let (mut sse, mut count) = (0.0, 0);
                for i in 1709..n - h {
                    let j = i + h;
                    if d.observed[j] {
                        let e = b.forecast(&view, i, h).unwrap()[h - 1] - d.filled[j];
                        sse += e * e;
                        count += 1;
                    }
                }
                let w = &want[h.to_string()][key];
                assert_eq!(count as u64, w["count"].as_u64().unwrap());
                let rmse = (sse / count as f64).sqrt();
                assert!(close(rmse, w["rmse"].as_f64().unwrap(), 1e-10), "{key} h{h}: {rmse}");
            }
        }
    }
}
