//! Rolling-origin backtests: every method forecasts from every origin of the test period (the last
//! training row, then each later row), and each horizon `h` is scored over the origins whose
//! target `origin + h` lies in the series and was observed (filled values are never scored).
//! Baselines that fit (trend + harmonics, AR) refit at every origin on the data up to it; learned
//! models are trained once on the training period.
//!
//! Scores per method and horizon: RMSE, MAE, MAPE, NSE, KGE (the core's metrics), interval
//! coverage where the method gives intervals, and the skill score `1 - MSE / MSE_baseline`
//! against every baseline.

use candle_core::{Device, Tensor};
use scidl_core::metrics::{Kge, Mae, Mape, Metric, Nse, Rmse};

use crate::baselines::{Baseline, BaselineKind, SeriesView};
use crate::heads::NetConfig;
use crate::series::Frame;
use crate::tasks::forecast::{ForecastConfig, Prepared, forecast, prepare, train};
use crate::{Error, Result};
use scidl_core::train::FitReport;
use std::path::Path;

/// One method's forecasts from a list of origins.
#[derive(Debug, Clone)]
pub struct MethodForecasts {
    /// Name in tables.
    pub name: String,
    /// Whether this is a baseline (skill scores are computed against baselines).
    pub baseline: bool,
    /// `[origin][h - 1]` point forecasts.
    pub points: Vec<Vec<f64>>,
    /// `[origin][h - 1]` (lower, upper) interval bounds, if the method gives intervals.
    pub intervals: Option<Vec<Vec<(f64, f64)>>>,
}

/// The scores of one method at one horizon.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct HorizonScores {
    /// Method name.
    pub method: String,
    /// Steps ahead.
    pub horizon: usize,
    /// Scored (origin, target) pairs.
    pub count: usize,
    /// Root mean squared error.
    pub rmse: f64,
    /// Mean absolute error.
    pub mae: f64,
    /// Mean absolute percentage error (%).
    pub mape: f64,
    /// Nash–Sutcliffe efficiency.
    pub nse: f64,
    /// Kling–Gupta efficiency.
    pub kge: f64,
    /// Share of targets inside the interval, if any.
    pub coverage: Option<f64>,
}

/// Scores `sim` against `obs` with the core's metrics: (RMSE, MAE, MAPE, NSE, KGE).
pub fn score_pairs(sim: &[f64], obs: &[f64]) -> Result<[f64; 5]> {
    let (s, o) = (Tensor::new(sim, &Device::Cpu)?, Tensor::new(obs, &Device::Cpu)?);
    let mut out = [0.0; 5];
    let mut metrics: [Box<dyn Metric>; 5] = [
        Box::new(Rmse::new()),
        Box::new(Mae::new()),
        Box::new(Mape::new()),
        Box::new(Nse::new()),
        Box::new(Kge::new()),
    ];
    for (m, v) in metrics.iter_mut().zip(out.iter_mut()) {
        m.update(&s, &o)?;
        *v = m.compute().unwrap_or(f64::NAN);
    }
    Ok(out)
}

/// Scores every method at every horizon in `horizons`. `values`/`observed` are the series,
/// `origins` the rows the forecasts start from (in the order of [`MethodForecasts::points`]).
pub fn evaluate(
    values: &[f64],
    observed: &[bool],
    origins: &[usize],
    methods: &[MethodForecasts],
    horizons: &[usize],
) -> Result<Vec<HorizonScores>> {
    let mut rows = Vec::new();
    for m in methods {
        if m.points.len() != origins.len() {
            return Err(Error::Config(format!(
                "{}: {} forecasts for {} origins",
                m.name,
                m.points.len(),
                origins.len()
            )));
        }
        for &h in horizons {
            let (mut sim, mut obs, mut inside) = (Vec::new(), Vec::new(), 0usize);
            for (k, &i) in origins.iter().enumerate() {
                let j = i + h;
                if j >= values.len() || !observed[j] || h > m.points[k].len() {
                    continue;
                }
                sim.push(m.points[k][h - 1]);
                obs.push(values[j]);
                if let Some(iv) = &m.intervals {
                    let (lo, hi) = iv[k][h - 1];
                    inside += usize::from(lo <= values[j] && values[j] <= hi);
                }
            }
            if sim.is_empty() {
                continue;
            }
            let [rmse, mae, mape, nse, kge] = score_pairs(&sim, &obs)?;
            rows.push(HorizonScores {
                method: m.name.clone(),
                horizon: h,
                count: sim.len(),
                rmse,
                mae,
                mape,
                nse,
                kge,
                coverage: m.intervals.as_ref().map(|_| inside as f64 / sim.len() as f64),
            });
        }
    }
    Ok(rows)
}

/// The skill score `1 - MSE_method / MSE_reference` at a horizon (1 is perfect, 0 no better than
/// the reference, negative worse).
pub fn skill(scores: &[HorizonScores], method: &str, reference: &str, horizon: usize) -> Option<f64> {
    let find = |m: &str| scores.iter().find(|s| s.method == m && s.horizon == horizon);
    let (a, b) = (find(method)?, find(reference)?);
    Some(1.0 - (a.rmse * a.rmse) / (b.rmse * b.rmse))
}

/// Forecasts of each baseline from each origin, `horizon` steps ahead (shown with a progress bar).
pub fn baseline_forecasts(
    view: &SeriesView,
    kinds: &[BaselineKind],
    origins: &[usize],
    horizon: usize,
) -> Result<Vec<MethodForecasts>> {
    let bar = scidl_core::progress::bar((kinds.len() * origins.len()) as u64, "baselines");
    let out = kinds
        .iter()
        .map(|&k| {
            let b = Baseline::new(k, view)?;
            let points = origins
                .iter()
                .map(|&i| {
                    bar.inc(1);
                    b.forecast(view, i, horizon)
                })
                .collect::<Result<Vec<_>>>()?;
            Ok(MethodForecasts { name: k.name(), baseline: true, points, intervals: None })
        })
        .collect::<Result<Vec<_>>>();
    bar.finish_and_clear();
    out
}

/// Everything a backtest produced.
pub struct Backtest {
    /// The prepared series (filled, normalised).
    pub prepared: Prepared,
    /// Forecast origins (rows).
    pub origins: Vec<usize>,
    /// Each method's forecasts from each origin.
    pub methods: Vec<MethodForecasts>,
    /// Scores by method and horizon.
    pub scores: Vec<HorizonScores>,
    /// Training reports of the learned models (name, report, seconds).
    pub fits: Vec<(String, FitReport, f64)>,
}

/// The default baselines for a series with `period` steps per year.
pub fn default_baselines(period: f64) -> Vec<BaselineKind> {
    vec![
        BaselineKind::Persistence,
        BaselineKind::SeasonalNaive { period: period.round().max(1.0) as usize },
        BaselineKind::Climatology,
        BaselineKind::TrendHarmonics { harmonics: 3 },
        BaselineKind::Autoregressive { order: (period.round() as usize).clamp(3, 52) },
    ]
}

/// Prepares `frame` for `cfg`, trains each learned model (name, network) in `run_dir/<name>`,
/// or loads it from `checkpoints` when given, runs the baselines, and scores everything from
/// every origin of the test period at every horizon in `horizons`.
pub fn run_backtest(
    frame: &Frame,
    cfg: &ForecastConfig,
    learned: &[(String, NetConfig)],
    baselines: &[BaselineKind],
    horizons: &[usize],
    run_dir: &Path,
    device: &Device,
) -> Result<Backtest> {
    if let Some(&h) = horizons.iter().find(|&&h| h == 0 || h > cfg.horizon) {
        return Err(Error::Config(format!("horizon {h} is outside 1..={}", cfg.horizon)));
    }
    let p = prepare(frame, cfg)?;
    let origins: Vec<usize> = (p.train_end - 1..p.len() - 1).collect();
    let mut methods = Vec::new();
    let mut fits = Vec::new();
    let hq = cfg.median_index();
    let (lo, hi) = (0, cfg.quantiles.len() - 1);
    for (name, net) in learned {
        let c = ForecastConfig { net: net.clone(), ..cfg.clone() };
        let t0 = std::time::Instant::now();
        let trained = train(&p, &c, &run_dir.join(name), name, device)?;
        let secs = t0.elapsed().as_secs_f64();
        let fc = forecast(&trained.model, &p, &c, &origins, &trained.margins, device)?;
        let points = fc.iter().map(|o| o.iter().map(|q| q[hq]).collect()).collect();
        let intervals =
            (cfg.quantiles.len() >= 2).then(|| fc.iter().map(|o| o.iter().map(|q| (q[lo], q[hi])).collect()).collect());
        methods.push(MethodForecasts { name: name.clone(), baseline: false, points, intervals });
        fits.push((name.clone(), trained.fit, secs));
    }
    let view = SeriesView {
        filled: &p.values,
        observed: &p.observed,
        years: &p.years,
        slots: &p.slots,
        train_end: p.train_end,
    };
    methods.extend(baseline_forecasts(&view, baselines, &origins, cfg.horizon)?);
    let scores = evaluate(&p.values, &p.observed, &origins, &methods, horizons)?;
    Ok(Backtest { prepared: p, origins, methods, scores, fits })
}

/// A Markdown table: one row per method, RMSE at each horizon, and skill vs `reference`.
pub fn markdown_table(scores: &[HorizonScores], horizons: &[usize], reference: &str) -> String {
    let mut methods: Vec<&str> = Vec::new();
    for s in scores {
        if !methods.contains(&s.method.as_str()) {
            methods.push(&s.method);
        }
    }
    let mut out = String::from("| method |");
    for h in horizons {
        out.push_str(&format!(" RMSE h={h} | MAE h={h} | skill h={h} |"));
    }
    out.push('\n');
    out.push_str(&format!("|---|{}\n", "---|---|---|".repeat(horizons.len())));
    for m in methods {
        out.push_str(&format!("| {m} |"));
        for &h in horizons {
            match scores.iter().find(|s| s.method == m && s.horizon == h) {
                Some(s) => out.push_str(&format!(
                    " {:.3} | {:.3} | {:+.2} |",
                    s.rmse,
                    s.mae,
                    skill(scores, m, reference, h).unwrap_or(f64::NAN)
                )),
                None => out.push_str(" - | - | - |"),
            }
        }
        out.push('\n');
    }
    out
}

/// The scores as CSV (method, horizon, count, rmse, mae, mape, nse, kge, coverage).
pub fn scores_csv(scores: &[HorizonScores]) -> String {
    let mut s = String::from("method,horizon,count,rmse,mae,mape,nse,kge,coverage\n");
    for r in scores {
        s.push_str(&format!(
            "{},{},{},{},{},{},{},{},{}\n",
            r.method,
            r.horizon,
            r.count,
            r.rmse,
            r.mae,
            r.mape,
            r.nse,
            r.kge,
            r.coverage.map(|c| c.to_string()).unwrap_or_default()
        ));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn evaluation_skips_unobserved_targets_and_counts_coverage() {
        // Series 0..6, row 4 not observed. Origin 2 forecasts [3, 5] (h = 1, 2), origin 3 [3, 4].
        let values = [0.0, 1.0, 2.0, 3.0, 4.0, 5.0];
        let observed = [true, true, true, true, false, true];
        let m = MethodForecasts {
            name: "m".into(),
            baseline: false,
            points: vec![vec![3.0, 5.0], vec![3.0, 4.0]],
            intervals: Some(vec![vec![(2.0, 4.0), (0.0, 1.0)], vec![(0.0, 1.0), (0.0, 9.0)]]),
        };
        let s = evaluate(&values, &observed, &[2, 3], &[m], &[1, 2]).unwrap();
        // h = 1: origin 2 -> row 3 (error 0); origin 3 -> row 4 unobserved: one pair, RMSE 0.
        assert_eq!((s[0].count, s[0].rmse, s[0].coverage), (1, 0.0, Some(1.0)));
        // h = 2: origin 2 -> row 4 skipped; origin 3 -> row 5, forecast 4: error 1, inside (0, 9).
        assert_eq!((s[1].count, s[1].rmse, s[1].mae, s[1].coverage), (1, 1.0, 1.0, Some(1.0)));
        assert!((s[1].mape - 20.0).abs() < 1e-12);
    }

    #[test]
    fn skill_is_one_minus_the_mse_ratio() {
        let row = |m: &str, rmse: f64| HorizonScores {
            method: m.into(),
            horizon: 1,
            count: 1,
            rmse,
            mae: 0.0,
            mape: 0.0,
            nse: 0.0,
            kge: 0.0,
            coverage: None,
        };
        let s = [row("lstm", 1.0), row("persistence", 2.0)];
        assert_eq!(skill(&s, "lstm", "persistence", 1), Some(0.75));
        assert_eq!(skill(&s, "lstm", "gru", 1), None);
    }
}
