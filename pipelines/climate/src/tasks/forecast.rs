//! Forecasting: preparing a series (gap filling, training-period normalisation, season features),
//! leakage-free windows, training a [`Forecaster`] with the core's trainer, forecasting from any
//! origin, and reloading a trained model from its checkpoint.
//!
//! The network predicts, in normalised units, the change from the last observed value to each of
//! the next `H` values (so persistence is the zero forecast it must improve upon), at each
//! requested quantile. Windows whose targets reach the validation period are not trained on, and
//! validation windows stop before the test period: no target is ever seen twice.

use candle_core::{DType, Device, Tensor};
use candle_nn::ModuleT;
use scidl_core::nn::ParamStore;
use scidl_core::optim::{LrSchedule, OptimizerConfig};
use scidl_core::train::{Batches, CheckpointStrategy, TrainConfig, Trainer};
use scidl_data::{Batcher, BatcherConfig, Source, TensorDataset};
use std::path::Path;
use std::sync::Arc;

use crate::heads::{Forecaster, NetConfig, Strategy, multi_quantile_loss};
use crate::series::{Frame, Step};
use crate::time::DateTime;
use crate::transforms::{FillPolicy, Scaler, fill_gaps, season_slots};
use crate::{Error, Result};

/// Everything that defines a forecasting run (written into the run folder and the checkpoint).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ForecastConfig {
    /// The column to forecast.
    pub target: String,
    /// Other columns fed to the network (normalised on the training period).
    #[serde(default)]
    pub covariates: Vec<String>,
    /// Past steps the network sees.
    pub lookback: usize,
    /// Steps ahead it forecasts.
    pub horizon: usize,
    /// Quantiles it predicts; the one nearest 0.5 is the point forecast.
    pub quantiles: Vec<f64>,
    /// The network.
    pub net: NetConfig,
    /// Gap filling before training.
    pub fill: FillPolicy,
    /// Last date of the training period (`YYYY-MM-DD`); later rows are the test period.
    pub train_end: String,
    /// Share of the training period's windows (the latest ones) used for validation.
    pub val_fraction: f64,
    /// Epochs.
    pub epochs: usize,
    /// Batch size.
    pub batch_size: usize,
    /// Adam learning rate.
    pub lr: f64,
    /// Stop after this many epochs without a better validation loss.
    pub patience: Option<usize>,
    /// Seed.
    pub seed: u64,
    /// Widen the outermost quantiles per horizon so that the interval covers its nominal share of
    /// the validation windows (conformalized quantile regression; off: the raw quantiles).
    #[serde(default = "default_true")]
    pub calibrate_intervals: bool,
}

fn default_true() -> bool {
    true
}

impl Default for ForecastConfig {
    fn default() -> Self {
        Self {
            target: String::new(),
            covariates: Vec::new(),
            lookback: 104,
            horizon: 52,
            quantiles: vec![0.1, 0.5, 0.9],
            net: NetConfig {
                architecture: crate::heads::Architecture::Lstm,
                strategy: Strategy::Direct,
                hidden: 64,
                layers: 2,
                dropout: 0.1,
                heads: 4,
                patch: 4,
            },
            fill: FillPolicy::Linear,
            train_end: String::new(),
            val_fraction: 0.15,
            epochs: 40,
            batch_size: 64,
            lr: 2e-3,
            patience: Some(8),
            seed: 42,
            calibrate_intervals: true,
        }
    }
}

impl ForecastConfig {
    /// Index of the point-forecast quantile (nearest to 0.5).
    pub fn median_index(&self) -> usize {
        let mut best = 0;
        for (k, q) in self.quantiles.iter().enumerate() {
            if (q - 0.5).abs() < (self.quantiles[best] - 0.5).abs() {
                best = k;
            }
        }
        best
    }

    fn check(&self) -> Result<()> {
        if self.quantiles.is_empty() || self.quantiles.iter().any(|&q| !(0.0 < q && q < 1.0)) {
            return Err(Error::Config(format!("quantiles must lie in (0, 1), got {:?}", self.quantiles)));
        }
        if self.quantiles.windows(2).any(|w| w[1] <= w[0]) {
            return Err(Error::Config(format!("quantiles must increase, got {:?}", self.quantiles)));
        }
        if !(0.0..0.9).contains(&self.val_fraction) {
            return Err(Error::Config(format!("val_fraction must be in [0, 0.9), got {}", self.val_fraction)));
        }
        if self.lookback == 0 || self.horizon == 0 || self.batch_size == 0 {
            return Err(Error::Config("lookback, horizon and batch_size must be at least 1".into()));
        }
        Ok(())
    }
}

/// A series made ready for windows: filled, normalised, with its per-step input features.
#[derive(Debug, Clone)]
pub struct Prepared {
    /// The filled frame.
    pub frame: Frame,
    /// Target values after filling (original units).
    pub values: Vec<f64>,
    /// Whether each target value was observed.
    pub observed: Vec<bool>,
    /// Normalisation of the target (training period).
    pub scaler: Scaler,
    /// Normalisations of the covariates.
    pub covariate_scalers: Vec<Scaler>,
    /// Rows `..train_end` are the training period.
    pub train_end: usize,
    /// Time in years (days / mean year length) of every row plus `horizon` future rows.
    pub years: Vec<f64>,
    /// Seasonal slot of every row plus `horizon` future rows.
    pub slots: Vec<usize>,
    /// Steps per year (the seasonal period).
    pub period: f64,
    /// Per-row features (value, season sin/cos, covariates), `features` wide; `horizon` rows are
    /// appended for the future (value 0, covariates 0).
    pub features: Vec<f32>,
    /// Width of a feature row (the network's input size, without the future flag).
    pub width: usize,
}

/// Fills, normalises and featurises `frame` for `cfg`. The scalers see only the training period.
pub fn prepare(frame: &Frame, cfg: &ForecastConfig) -> Result<Prepared> {
    cfg.check()?;
    let mut frame = frame.clone();
    frame.regularise()?;
    let end = parse_train_end(&frame, &cfg.train_end)?;
    let mut names = vec![cfg.target.clone()];
    names.extend(cfg.covariates.iter().cloned());
    for n in &names {
        fill_gaps(&mut frame, n, cfg.fill, None)?;
        let c = frame.column(n)?;
        let missing = c.missing();
        if missing > 0 {
            return Err(Error::input(
                &frame.source,
                format!(
                    "column `{n}` still has {missing} missing values; choose a gap filling (--fill linear or seasonal)"
                ),
            ));
        }
    }
    let train_end = frame.last_index_at_or_before(end).map_or(0, |i| i + 1);
    let need = cfg.lookback + cfg.horizon + 1;
    if train_end < need {
        return Err(Error::Config(format!(
            "{}: the training period has {train_end} rows, but a window of lookback {} + horizon {} needs at least {need}",
            frame.source.display(),
            cfg.lookback,
            cfg.horizon
        )));
    }
    if frame.len() < need {
        return Err(Error::Config(format!(
            "{}: the series has {} rows, shorter than a window of lookback {} + horizon {}",
            frame.source.display(),
            frame.len(),
            cfg.lookback,
            cfg.horizon
        )));
    }
    let target = frame.column(&cfg.target)?.clone();
    let observed: Vec<bool> = (0..frame.len()).map(|i| target.observed(i)).collect();
    let scaler = Scaler::fit(&target.values, |i| observed[i], train_end)?;
    let covariate_scalers = cfg
        .covariates
        .iter()
        .map(|n| {
            let c = frame.column(n)?;
            Scaler::fit(&c.values, |i| c.observed(i), train_end)
        })
        .collect::<Result<Vec<_>>>()?;

    // Extend time, slots and years `horizon` steps past the end.
    let step = frame.step();
    let mut times = frame.times.clone();
    for h in 1..=cfg.horizon {
        let last = frame.len() - 1;
        times.push(match step {
            Step::Days(d) => frame.times[last] + d * h as f64,
            Step::Months(m) => {
                frame.calendar.to_days(&frame.calendar.add_months(&frame.date(last), (m as usize * h) as i64))
            }
            Step::Irregular => unreachable!("regularised above"),
        });
    }
    let mut extended = frame.clone();
    extended.times = times.clone();
    for c in extended.columns.iter_mut() {
        c.values.resize(times.len(), f64::NAN);
        c.filled.resize(times.len(), false);
    }
    let (slots, _) = season_slots(&extended)?;
    let year_days = frame.calendar.mean_year_days();
    let years: Vec<f64> = times.iter().map(|d| d / year_days).collect();
    let period = step.per_year(frame.calendar).unwrap_or(1.0);

    let width = 3 + cfg.covariates.len();
    let mut features = Vec::with_capacity(times.len() * width);
    let cov_cols: Vec<&crate::Column> = cfg.covariates.iter().map(|n| frame.column(n)).collect::<Result<_>>()?;
    for (i, &t) in times.iter().enumerate() {
        let phase = 2.0 * std::f64::consts::PI * frame.calendar.decimal_year(t).fract();
        let v = if i < frame.len() { scaler.apply(target.values[i]) } else { 0.0 };
        features.push(v as f32);
        features.push(phase.sin() as f32);
        features.push(phase.cos() as f32);
        for (c, s) in cov_cols.iter().zip(&covariate_scalers) {
            features.push(if i < frame.len() { s.apply(c.values[i]) as f32 } else { 0.0 });
        }
    }
    Ok(Prepared {
        values: target.values.clone(),
        observed,
        scaler,
        covariate_scalers,
        train_end,
        years,
        slots,
        period,
        features,
        width,
        frame,
    })
}

/// The row time of `YYYY-MM-DD` (or an empty string: 80 % of the rows).
fn parse_train_end(frame: &Frame, s: &str) -> Result<f64> {
    if s.is_empty() {
        return Ok(frame.times[frame.len() * 4 / 5]);
    }
    let d: DateTime = crate::time::parse_date(s).map_err(|e| Error::Config(format!("train_end: {e}")))?;
    frame.calendar.check(&d).map_err(|e| Error::Config(format!("train_end: {e}")))?;
    let t = frame.calendar.to_days(&d) + 0.999_999;
    if t < frame.times[0] || t >= frame.times[frame.len() - 1] {
        return Err(Error::Config(format!(
            "train_end {s} must fall inside the series ({} .. {})",
            frame.date(0),
            frame.date(frame.len() - 1)
        )));
    }
    Ok(t)
}

impl Prepared {
    /// Rows of the series (without the future extension).
    pub fn len(&self) -> usize {
        self.values.len()
    }

    /// Whether the series is empty.
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// The network input for origins `origins` (the last past row of each window): `(B, L, F+1)`
    /// for direct, `(B, L+H, F+1)` for seq2seq; the last feature flags future steps.
    pub fn inputs(&self, origins: &[usize], cfg: &ForecastConfig, device: &Device) -> Result<Tensor> {
        let (l, h, w) = (cfg.lookback, cfg.horizon, self.width);
        let t = if cfg.net.strategy == Strategy::Seq2seq { l + h } else { l };
        let mut x = Vec::with_capacity(origins.len() * t * (w + 1));
        for &i in origins {
            if i + 1 < l || i >= self.len() {
                return Err(Error::Config(format!("origin {i} has no full window of {l} steps")));
            }
            for r in i + 1 - l..i + 1 + (t - l) {
                let row = &self.features[r * w..(r + 1) * w];
                if r > i {
                    // Future step: no value, no covariates, only the season and the flag.
                    x.push(0.0);
                    x.extend_from_slice(&row[1..3]);
                    x.extend(std::iter::repeat_n(0.0, w - 3));
                    x.push(1.0);
                } else {
                    x.extend_from_slice(row);
                    x.push(0.0);
                }
            }
        }
        Ok(Tensor::from_vec(x, (origins.len(), t, w + 1), device)?)
    }

    /// Targets for origins: the normalised change from the origin's value, `(B, H)`.
    pub fn targets(&self, origins: &[usize], horizon: usize, device: &Device) -> Result<Tensor> {
        let mut y = Vec::with_capacity(origins.len() * horizon);
        for &i in origins {
            let base = self.scaler.apply(self.values[i]);
            for h in 1..=horizon {
                y.push((self.scaler.apply(self.values[i + h]) - base) as f32);
            }
        }
        Ok(Tensor::from_vec(y, (origins.len(), horizon), device)?)
    }

    /// The chronological origins: training (targets before validation), validation (targets in
    /// the training period after the training targets).
    pub fn train_val_origins(&self, cfg: &ForecastConfig) -> (Vec<usize>, Vec<usize>) {
        let (l, h) = (cfg.lookback, cfg.horizon);
        let all: Vec<usize> = (l - 1..self.train_end - h).collect();
        let n_val = ((all.len() as f64) * cfg.val_fraction).round() as usize;
        if n_val == 0 {
            return (all, Vec::new());
        }
        // Validation origins are the last n_val; training origins must end their targets before
        // the first validation target.
        let first_val = all[all.len() - n_val];
        let train: Vec<usize> = all.iter().copied().filter(|&i| i + h < first_val + 1).collect();
        (train, all[all.len() - n_val..].to_vec())
    }
}

/// A trained forecaster with what it needs to forecast.
pub struct Trained {
    /// The network.
    pub model: Forecaster,
    /// Its weights.
    pub store: ParamStore,
    /// The configuration it was trained with.
    pub cfg: ForecastConfig,
    /// Training history.
    pub fit: scidl_core::train::FitReport,
    /// Per-horizon interval widening in normalised units (empty: none); see [`interval_margins`].
    pub margins: Vec<f64>,
}

/// What a checkpoint records to rebuild the forecaster.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct ForecastProvenance {
    /// Marks a scidl-climate forecaster checkpoint.
    pub kind: String,
    /// The run's configuration.
    pub config: ForecastConfig,
    /// The target's normalisation.
    pub scaler: Scaler,
    /// The covariates' normalisations.
    pub covariate_scalers: Vec<Scaler>,
    /// Per-horizon widening of the interval in normalised units (empty: none), from
    /// `calibration.json` beside the weights.
    #[serde(default)]
    pub interval_margins: Vec<f64>,
}

/// Builds the forecaster network for `cfg` and `prepared` into `store`.
pub fn build(cfg: &ForecastConfig, width: usize, store: &ParamStore) -> Result<Forecaster> {
    Forecaster::new(&cfg.net, width + 1, cfg.lookback, cfg.horizon, cfg.quantiles.len(), store.var_builder())
}

/// A shuffling (or ordered) batcher over in-memory `input`/`target` tensors.
pub(crate) fn batcher(x: Tensor, y: Tensor, bs: usize, shuffle: bool, seed: u64, device: &Device) -> Result<Batcher> {
    let ds = TensorDataset::new(vec![("input".into(), x), ("target".into(), y)])?;
    let cfg = BatcherConfig { batch_size: bs, shuffle, seed, workers: 0, ..Default::default() };
    Ok(Batcher::new(Source::Tensors(Arc::new(ds)), None, cfg, device)?)
}

/// The pipeline's training settings: Adam with a cosine decay to 5 % of `lr`, gradient-norm
/// clipping at 1, early stopping on `monitor` after `patience` epochs without improvement.
pub(crate) fn adam_cosine(epochs: usize, lr: f64, seed: u64, monitor: &str, patience: Option<usize>) -> TrainConfig {
    TrainConfig {
        epochs,
        seed,
        optimizer: OptimizerConfig::Adam { lr, betas: (0.9, 0.999), eps: 1e-8, weight_decay: 0.0 },
        schedule: LrSchedule::CosineWarmup { warmup_epochs: 0.0, total_epochs: epochs as f64, min_lr: lr * 0.05 },
        monitor: monitor.into(),
        early_stopping_patience: patience,
        early_stopping_min_delta: 0.0,
        clip_grad_norm: Some(1.0),
        checkpoints: CheckpointStrategy::default(),
    }
}

/// Trains a forecaster on `p` with the core's trainer; checkpoints go to `run_dir/checkpoints`,
/// and the best (by validation loss) weights are loaded at the end.
pub fn train(p: &Prepared, cfg: &ForecastConfig, run_dir: &Path, label: &str, device: &Device) -> Result<Trained> {
    let store = ParamStore::new(cfg.seed, device);
    let model = build(cfg, p.width, &store)?;
    let (tr, va) = p.train_val_origins(cfg);
    if tr.is_empty() {
        return Err(Error::Config("no training windows: shorten lookback/horizon or move train_end later".into()));
    }
    let cpu = Device::Cpu;
    let train_b =
        batcher(p.inputs(&tr, cfg, &cpu)?, p.targets(&tr, cfg.horizon, &cpu)?, cfg.batch_size, true, cfg.seed, device)?;
    let val_b = if va.is_empty() {
        None
    } else {
        Some(batcher(p.inputs(&va, cfg, &cpu)?, p.targets(&va, cfg.horizon, &cpu)?, 256, false, cfg.seed, device)?)
    };
    let monitor = if val_b.is_some() { "val_loss" } else { "train_loss" };
    let train_cfg = adam_cosine(cfg.epochs, cfg.lr, cfg.seed, monitor, cfg.patience);
    let quantiles = cfg.quantiles.clone();
    let prov = ForecastProvenance {
        kind: "scidl-climate forecaster".into(),
        config: cfg.clone(),
        scaler: p.scaler,
        covariate_scalers: p.covariate_scalers.clone(),
        interval_margins: Vec::new(),
    };
    let fit = {
        let mut trainer = Trainer::new(
            &model,
            store.clone(),
            Box::new(move |o, t| multi_quantile_loss(o, t, &quantiles)),
            Vec::new(),
            train_cfg,
        )?
        .with_run_dir(run_dir)
        .with_label(label)
        .with_provenance(serde_json::to_value(&prov).map_err(|e| Error::Config(e.to_string()))?, Default::default());
        let fit = trainer.fit(&train_b, val_b.as_ref().map(|b| b as &dyn Batches))?;
        trainer.restore_best()?;
        fit
    };
    let margins = if cfg.calibrate_intervals && cfg.quantiles.len() >= 2 && !va.is_empty() {
        let m = interval_margins(&model, p, cfg, &va, device)?;
        let json = serde_json::json!({ "method": "conformalized quantile regression on the validation windows",
            "interval_margins": m });
        scidl_core::fs::write_atomic(
            &run_dir.join("checkpoints/best").join(CALIBRATION_FILE),
            json.to_string().as_bytes(),
        )?;
        m
    } else {
        Vec::new()
    };
    Ok(Trained { model, store, cfg: cfg.clone(), fit, margins })
}

/// Where [`train`] keeps the interval calibration, beside the best weights.
const CALIBRATION_FILE: &str = "calibration.json";

/// Conformalized quantile regression (Romano, Patterson & Candes, 2019), per horizon: on the
/// validation `origins`, the score of a window is how far its observed target lies outside the
/// interval between the lowest and highest quantile (negative inside); the margin is the
/// `ceil((n + 1)(1 - alpha)) / n` empirical quantile of the scores, with `1 - alpha` the nominal
/// coverage (0.8 for quantiles 0.1 and 0.9). Widening both ends by the margin makes the interval
/// cover its nominal share of windows like the validation ones. Normalised units; targets that
/// were filled, not observed, are not scored.
pub fn interval_margins(
    model: &Forecaster,
    p: &Prepared,
    cfg: &ForecastConfig,
    origins: &[usize],
    device: &Device,
) -> Result<Vec<f64>> {
    let (lo, hi) = (0, cfg.quantiles.len() - 1);
    let nominal = cfg.quantiles[hi] - cfg.quantiles[lo];
    let mut scores: Vec<Vec<f64>> = vec![Vec::new(); cfg.horizon];
    for chunk in origins.chunks(256) {
        let x = p.inputs(chunk, cfg, &Device::Cpu)?.to_device(device)?;
        let y = model.forward_t(&x, false)?.to_device(&Device::Cpu)?.to_dtype(DType::F64)?.to_vec3::<f64>()?;
        let t = p.targets(chunk, cfg.horizon, &Device::Cpu)?.to_dtype(DType::F64)?.to_vec2::<f64>()?;
        for ((&i, per_h), th) in chunk.iter().zip(y).zip(t) {
            for (h, (qs, target)) in per_h.iter().zip(th).enumerate() {
                if i + h + 1 < p.observed.len() && p.observed[i + h + 1] {
                    let (a, b) = (qs[lo].min(qs[hi]), qs[lo].max(qs[hi]));
                    scores[h].push((a - target).max(target - b));
                }
            }
        }
    }
    Ok(scores
        .into_iter()
        .map(|mut e| {
            if e.is_empty() {
                return 0.0;
            }
            e.sort_by(f64::total_cmp);
            let n = e.len();
            let k = (((n + 1) as f64) * nominal).ceil() as usize;
            e[k.clamp(1, n) - 1]
        })
        .collect())
}

/// Forecasts in original units from each origin: `[origin][horizon][quantile]`. Quantiles are
/// sorted per step (a network may cross them), then the outermost ones moved apart by `margins[h]`
/// (normalised units, from [`interval_margins`]; empty: raw quantiles).
pub fn forecast(
    model: &Forecaster,
    p: &Prepared,
    cfg: &ForecastConfig,
    origins: &[usize],
    margins: &[f64],
    device: &Device,
) -> Result<Vec<Vec<Vec<f64>>>> {
    let last = cfg.quantiles.len().saturating_sub(1);
    let mut out = Vec::with_capacity(origins.len());
    for chunk in origins.chunks(256) {
        let x = p.inputs(chunk, cfg, &Device::Cpu)?.to_device(device)?;
        let y = model.forward_t(&x, false)?.to_device(&Device::Cpu)?.to_dtype(DType::F64)?.to_vec3::<f64>()?;
        for (&i, per_h) in chunk.iter().zip(y) {
            let base = p.scaler.apply(p.values[i]);
            out.push(
                per_h
                    .into_iter()
                    .enumerate()
                    .map(|(h, qs)| {
                        let mut qs = qs;
                        qs.sort_by(f64::total_cmp);
                        if let Some(&m) = margins.get(h).filter(|_| last > 0) {
                            qs[0] -= m;
                            qs[last] += m;
                            // A negative margin narrows; the outer quantiles must not cross inner ones.
                            if qs.len() > 2 {
                                qs[0] = qs[0].min(qs[1]);
                                qs[last] = qs[last].max(qs[last - 1]);
                            } else if qs[0] > qs[last] {
                                let mid = 0.5 * (qs[0] + qs[last]);
                                (qs[0], qs[last]) = (mid, mid);
                            }
                        }
                        qs.into_iter().map(|d| p.scaler.invert(base + d)).collect::<Vec<f64>>()
                    })
                    .collect(),
            );
        }
    }
    Ok(out)
}

/// Reloads a trained forecaster from a checkpoint folder (`.../checkpoints/best`).
pub fn load(checkpoint: &Path, device: &Device) -> Result<(Forecaster, ParamStore, ForecastProvenance)> {
    let manifest = scidl_core::train::Checkpoint::manifest(checkpoint)?;
    let prov: ForecastProvenance = serde_json::from_value(manifest.config.clone())
        .map_err(|e| Error::input(checkpoint, format!("not a scidl-climate forecaster checkpoint: {e}")))?;
    let store = ParamStore::new(prov.config.seed, device);
    let width = 3 + prov.config.covariates.len();
    let model = build(&prov.config, width, &store)?;
    scidl_core::train::Checkpoint::load_weights(checkpoint, &store)?;
    let mut prov = prov;
    let cal = checkpoint.join(CALIBRATION_FILE);
    if cal.exists() {
        let text = std::fs::read_to_string(&cal).map_err(|e| Error::input(&cal, e.to_string()))?;
        let v: serde_json::Value = serde_json::from_str(&text).map_err(|e| Error::input(&cal, e.to_string()))?;
        prov.interval_margins = v["interval_margins"]
            .as_array()
            .and_then(|a| a.iter().map(|x| x.as_f64()).collect::<Option<Vec<f64>>>())
            .filter(|m| m.len() == prov.config.horizon)
            .ok_or_else(|| Error::input(&cal, format!("expected {} interval margins", prov.config.horizon)))?;
    }
    Ok((model, store, prov))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::heads::Architecture;
    use crate::loaders::{TableOptions, read_series_table};

    fn co2_cfg() -> ForecastConfig {
        ForecastConfig {
            target: "co2".into(),
            lookback: 52,
            horizon: 13,
            train_end: "1990-12-31".into(),
            net: NetConfig {
                architecture: Architecture::Gru,
                strategy: Strategy::Direct,
                hidden: 8,
                layers: 1,
                dropout: 0.0,
                heads: 2,
                patch: 4,
            },
            epochs: 2,
            ..Default::default()
        }
    }

    #[test]
    fn windows_never_reach_past_their_period() {
        let f = read_series_table(&crate::test_data::co2_path(), &TableOptions::default()).unwrap();
        let cfg = co2_cfg();
        let p = prepare(&f, &cfg).unwrap();
        // co2_reference.json "split": 1710 training rows; normalisation from observed training rows.
        assert_eq!(p.train_end, 1710);
        assert!((p.scaler.mean - 332.290127195639).abs() < 1e-9);
        let (tr, va) = p.train_val_origins(&cfg);
        let last_train_target = tr.last().unwrap() + cfg.horizon;
        assert!(last_train_target < va[0] + 1, "training targets reach validation targets");
        assert!(va.last().unwrap() + cfg.horizon < p.train_end, "validation reaches the test period");
        assert_eq!(tr[0], cfg.lookback - 1);
        // A target is the normalised change from the origin.
        let y = p.targets(&[100], 2, &Device::Cpu).unwrap().to_vec2::<f32>().unwrap();
        let want = (p.values[102] - p.values[100]) / p.scaler.std;
        assert!((f64::from(y[0][1]) - want).abs() < 1e-5);
        // Seq2seq inputs carry the future steps, flagged, without values.
        let mut s2s = cfg.clone();
        s2s.net.strategy = Strategy::Seq2seq;
        let x = p.inputs(&[100], &s2s, &Device::Cpu).unwrap();
        assert_eq!(x.dims(), &[1, 65, 4]);
        let x = x.to_vec3::<f32>().unwrap();
        assert_eq!((x[0][51][3], x[0][52][3], x[0][52][0]), (0.0, 1.0, 0.0));
        assert!((f64::from(x[0][51][0]) - p.scaler.apply(p.values[100])).abs() < 1e-5);
    }

    #[test]
    fn covariates_are_normalised_on_the_training_period_and_fed_to_the_network() {
        // A daily series with a covariate that doubles after the training period: its scaler must
        // not see the test period, and the network input grows by one feature.
        let cal = crate::time::Calendar::Standard;
        let n = 400;
        let times: Vec<f64> = (0..n).map(|i| i as f64).collect();
        let y: Vec<f64> = (0..n).map(|i| (i as f64 / 7.0).sin()).collect();
        let c: Vec<f64> = (0..n).map(|i| if i < 300 { 1.0 + (i % 2) as f64 } else { 10.0 }).collect();
        let f = Frame::new("d.csv".into(), cal, times, vec![crate::Column::new("y", y), crate::Column::new("rain", c)])
            .unwrap();
        let cfg = ForecastConfig {
            target: "y".into(),
            covariates: vec!["rain".into()],
            lookback: 20,
            horizon: 5,
            train_end: "1970-10-27".into(), // day 299: rows 0..300
            ..co2_cfg()
        };
        let p = prepare(&f, &cfg).unwrap();
        assert_eq!(p.train_end, 300);
        assert_eq!(p.covariate_scalers[0], Scaler { mean: 1.5, std: 0.5 });
        assert_eq!(p.width, 4);
        let x = p.inputs(&[50], &cfg, &Device::Cpu).unwrap();
        assert_eq!(x.dims(), &[1, 20, 5]);
        let store = ParamStore::new(1, &Device::Cpu);
        let m = build(&cfg, p.width, &store).unwrap();
        assert_eq!(m.forward_t(&x, false).unwrap().dims(), &[1, 5, 3]);
        let missing = ForecastConfig { covariates: vec!["wind".into()], ..cfg };
        assert!(prepare(&f, &missing).unwrap_err().to_string().contains("no column `wind`"));
    }

    #[test]
    fn too_long_a_window_is_a_clear_error() {
        let f = read_series_table(&crate::test_data::co2_path(), &TableOptions::default()).unwrap();
        let cfg = ForecastConfig { lookback: 3000, ..co2_cfg() };
        let e = prepare(&f, &cfg).unwrap_err().to_string();
        assert!(e.contains("co2.csv") && e.contains("lookback 3000"), "{e}");
    }

    #[test]
    fn a_trained_forecaster_reloads_and_forecasts_identically() {
        let f = read_series_table(&crate::test_data::co2_path(), &TableOptions::default()).unwrap();
        let cfg = co2_cfg();
        let p = prepare(&f, &cfg).unwrap();
        let dir = tempfile::tempdir().unwrap();
        let dev = Device::Cpu;
        let t = train(&p, &cfg, dir.path(), "test", &dev).unwrap();
        assert_eq!(t.fit.history.len(), 2);
        let a = forecast(&t.model, &p, &cfg, &[1709, 2000], &t.margins, &dev).unwrap();
        let (m, _, prov) = load(&dir.path().join("checkpoints/best"), &dev).unwrap();
        assert_eq!(prov.config, cfg);
        let b = forecast(&m, &p, &cfg, &[1709, 2000], &prov.interval_margins, &dev).unwrap();
        // Identical up to the last digit of the calibration (JSON numbers come back within 1 ulp).
        let flat = |v: &Vec<Vec<Vec<f64>>>| v.iter().flatten().flatten().copied().collect::<Vec<f64>>();
        assert!(flat(&a).iter().zip(flat(&b)).all(|(x, y)| (x - y).abs() <= 1e-12 * x.abs().max(1.0)), "{a:?} {b:?}");
        assert_eq!((a.len(), a[0].len(), a[0][0].len()), (2, 13, 3));
        // Quantiles come out sorted and near the series' level.
        assert!(a[0][0][0] <= a[0][0][1] && a[0][0][1] <= a[0][0][2]);
        assert!((a[0][0][1] - p.values[1709]).abs() < 20.0);
        // The interval calibration travels with the checkpoint, and on the validation windows it
        // was fitted on, the widened 10-90 % interval covers at least ceil(0.8 (n + 1)) of the n
        // observed targets at every horizon (the conformal guarantee, exact up to ties).
        assert!(prov.interval_margins.iter().zip(&t.margins).all(|(x, y)| (x - y).abs() <= 1e-15 * y.abs().max(1.0)));
        assert_eq!(t.margins.len(), cfg.horizon);
        let (_, va) = p.train_val_origins(&cfg);
        let fc = forecast(&t.model, &p, &cfg, &va, &t.margins, &dev).unwrap();
        for h in 0..cfg.horizon {
            let (mut n, mut inside) = (0usize, 0usize);
            for (&i, o) in va.iter().zip(&fc) {
                if p.observed[i + h + 1] {
                    n += 1;
                    let y = p.values[i + h + 1];
                    inside += usize::from(o[h][0] <= y + 1e-9 && y <= o[h][2] + 1e-9);
                }
            }
            let need = (0.8 * (n + 1) as f64).ceil().min(n as f64) as usize;
            assert!(inside >= need, "horizon {}: {inside} of {n} inside, need {need}", h + 1);
        }
        // Without calibration no file is written and the raw quantiles come back.
        let raw_dir = tempfile::tempdir().unwrap();
        let raw_cfg = ForecastConfig { calibrate_intervals: false, ..cfg.clone() };
        let r = train(&p, &raw_cfg, raw_dir.path(), "raw", &dev).unwrap();
        assert!(r.margins.is_empty() && !raw_dir.path().join("checkpoints/best").join(CALIBRATION_FILE).exists());
    }
}
