//! Anomaly detection: two scorers, two threshold rules and an honest evaluation on series with
//! injected anomalies of known position.
//!
//! - **Forecast-residual scoring** ([`rolling_zscore`]): a residual (observed minus forecast, e.g.
//!   the persistence residual `y_t - y_{t-1}`) is scored by its distance from the mean of the
//!   previous `window` residuals, in units of their standard deviation. Only the past is used.
//! - **LSTM autoencoder** ([`autoencoder_scores`]): an LSTM encoder-decoder in the spirit of
//!   Malhotra et al. (2016), "LSTM-based encoder-decoder for multi-sensor anomaly detection"
//!   (ICML anomaly detection workshop), trained to reconstruct windows of the anomaly-free training
//!   period; a point's score is its squared reconstruction error averaged over the windows that
//!   cover it.
//! - **Thresholds** ([`threshold_value`]): a quantile of all scores, or the quantile of the scores of
//!   a clean calibration period that flags a chosen share of clean points (a false-alarm rate).
//! - **Evaluation** ([`point_scores`], [`point_adjusted_scores`]): precision, recall and F1 point by
//!   point, and with the point adjustment of Xu et al. (2018), "Unsupervised anomaly detection via
//!   variational auto-encoder for seasonal KPIs in web applications" (Donut, WWW 2018), under which
//!   one flagged point detects its whole anomalous segment. Point adjustment alone inflates scores
//!   (a long segment hit once counts as fully found), so both are reported side by side.
//! - **Injection** ([`inject_anomalies`]): spikes, level shifts and drifts of known position and
//!   size, placed by a seeded generator, to evaluate on real series.

use candle_core::{DType, Device, Tensor};
use candle_nn::ModuleT;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use scidl_core::nn::ParamStore;
use scidl_core::nn::nets::{RecurrentCell, SeqModel, SeqModelConfig, SeqOutput};
use scidl_core::train::Trainer;
use std::ops::Range;
use std::path::Path;

use crate::tasks::forecast::{adam_cosine, batcher};
use crate::transforms::Scaler;
use crate::{Error, Result};

/// Clean steps required between two injected anomalies.
const MIN_GAP: usize = 8;

/// The shape of an injected anomaly.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AnomalyKind {
    /// One value moved by the magnitude.
    Spike,
    /// The magnitude added to every value of the segment.
    LevelShift,
    /// A linear ramp reaching the magnitude at the segment's last value.
    Drift,
}

/// One injected anomaly.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct InjectedAnomaly {
    /// First affected row.
    pub start: usize,
    /// Number of affected rows.
    pub len: usize,
    /// Its shape.
    pub kind: AnomalyKind,
    /// Signed size in the series' units (for a drift, the offset of the last row).
    pub magnitude: f64,
}

/// Copies `values` and adds `count` non-overlapping anomalies at seeded random positions inside
/// `range`, with at least 8 clean steps between any two. Kinds cycle spike, level shift, drift
/// (their order in time is shuffled):
/// - spike: 1 row, `±(4..6) * scale`;
/// - level shift: 4..=12 rows, `±(3..5) * scale` added to each;
/// - drift: 8..=16 rows, a ramp adding `m * (k + 1) / len` at row `k` of the segment, from near 0
///   up to `m = ±(4..6) * scale` at the last row.
///
/// Returns the modified series, a label per row (true inside an anomaly) and the anomalies in
/// time order. Errors if `range` does not lie in the series, `scale` is not positive and finite,
/// or the anomalies cannot fit.
pub fn inject_anomalies(
    values: &[f64],
    range: Range<usize>,
    count: usize,
    scale: f64,
    seed: u64,
) -> Result<(Vec<f64>, Vec<bool>, Vec<InjectedAnomaly>)> {
    if range.end > values.len() || range.start > range.end {
        return Err(Error::Config(format!(
            "injection range {}..{} does not lie in a series of {} rows",
            range.start,
            range.end,
            values.len()
        )));
    }
    if !(scale.is_finite() && scale > 0.0) {
        return Err(Error::Config(format!("anomaly scale must be positive and finite, got {scale}")));
    }
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
    let kinds = [AnomalyKind::Spike, AnomalyKind::LevelShift, AnomalyKind::Drift];
    let mut events: Vec<InjectedAnomaly> = (0..count)
        .map(|i| {
            let kind = kinds[i % 3];
            let (len, size) = match kind {
                AnomalyKind::Spike => (1, rng.random_range(4.0..6.0)),
                AnomalyKind::LevelShift => (rng.random_range(4..=12), rng.random_range(3.0..5.0)),
                AnomalyKind::Drift => (rng.random_range(8..=16), rng.random_range(4.0..6.0)),
            };
            let sign = if rng.random_bool(0.5) { 1.0 } else { -1.0 };
            InjectedAnomaly { start: 0, len, kind, magnitude: sign * size * scale }
        })
        .collect();
    events.shuffle(&mut rng);
    let needed = events.iter().map(|e| e.len).sum::<usize>() + MIN_GAP * count.saturating_sub(1);
    let available = range.end - range.start;
    if needed > available {
        return Err(Error::Config(format!(
            "{count} anomalies need {needed} rows (with {MIN_GAP} clean rows between them), but the range {}..{} has {available}",
            range.start, range.end
        )));
    }
    // Spread the spare rows over the count + 1 gaps: sorted uniform offsets in 0..=slack.
    let slack = available - needed;
    let mut offsets: Vec<usize> = (0..count).map(|_| rng.random_range(0..=slack)).collect();
    offsets.sort_unstable();
    let mut out = values.to_vec();
    let mut labels = vec![false; values.len()];
    let mut used = 0;
    for (e, off) in events.iter_mut().zip(offsets) {
        e.start = range.start + off + used;
        used += e.len + MIN_GAP;
        for k in 0..e.len {
            let i = e.start + k;
            out[i] += match e.kind {
                AnomalyKind::Spike | AnomalyKind::LevelShift => e.magnitude,
                AnomalyKind::Drift => e.magnitude * (k + 1) as f64 / e.len as f64,
            };
            labels[i] = true;
        }
    }
    Ok((out, labels, events))
}

/// Rolling z-score of residuals: `|r_t - mean| / std` over the previous `window` residuals
/// (`r_{t-window} .. r_{t-1}`, never `r_t` itself), population standard deviation, skipping
/// non-finite residuals in the window. NaN for `t < window`, where `r_t` is not finite, or where the
/// window holds fewer than 2 finite residuals; a zero spread is replaced by `1e-12`.
pub fn rolling_zscore(residuals: &[f64], window: usize) -> Vec<f64> {
    (0..residuals.len())
        .map(|t| {
            if t < window || !residuals[t].is_finite() {
                return f64::NAN;
            }
            let past: Vec<f64> = residuals[t - window..t].iter().copied().filter(|r| r.is_finite()).collect();
            if past.len() < 2 {
                return f64::NAN;
            }
            let n = past.len() as f64;
            let mean = past.iter().sum::<f64>() / n;
            let var = past.iter().map(|r| (r - mean) * (r - mean)).sum::<f64>() / n;
            let std = if var > 0.0 { var.sqrt() } else { 1e-12 };
            (residuals[t] - mean).abs() / std
        })
        .collect()
}

/// Settings of the LSTM autoencoder.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct AutoencoderConfig {
    /// Window length (steps).
    pub window: usize,
    /// Hidden units of the encoder and decoder LSTMs, and the size of the code between them.
    pub hidden: usize,
    /// Stacked LSTM layers (encoder and decoder each).
    pub layers: usize,
    /// Epochs.
    pub epochs: usize,
    /// Batch size.
    pub batch_size: usize,
    /// Adam learning rate.
    pub lr: f64,
    /// Seed (initialisation and data order).
    pub seed: u64,
}

impl Default for AutoencoderConfig {
    fn default() -> Self {
        Self { window: 26, hidden: 32, layers: 1, epochs: 15, batch_size: 64, lr: 2e-3, seed: 42 }
    }
}

impl AutoencoderConfig {
    fn check(&self) -> Result<()> {
        if self.window < 2 {
            return Err(Error::Config(format!("autoencoder window must be at least 2, got {}", self.window)));
        }
        if self.hidden == 0 || self.layers == 0 || self.epochs == 0 || self.batch_size == 0 {
            return Err(Error::Config("autoencoder hidden, layers, epochs and batch_size must be at least 1".into()));
        }
        if !(self.lr.is_finite() && self.lr > 0.0) {
            return Err(Error::Config(format!("autoencoder learning rate must be positive, got {}", self.lr)));
        }
        Ok(())
    }
}

/// The encoder-decoder: an LSTM reads the window and its head emits a code of `hidden` values from
/// the last step; the code, repeated at every step, feeds a second LSTM whose head reconstructs
/// each step. `(B, W, 1)` in, `(B, W, 1)` out.
///
/// A single sequence-to-sequence LSTM trained on input = target would see `x_t` when emitting step
/// `t` and could learn the identity whatever its size; the code is a real bottleneck.
struct LstmAutoencoder {
    encoder: SeqModel,
    decoder: SeqModel,
}

impl LstmAutoencoder {
    fn new(cfg: &AutoencoderConfig, store: &ParamStore) -> Result<Self> {
        let vb = store.var_builder();
        let encoder = SeqModel::new(
            &SeqModelConfig {
                cell: RecurrentCell::Lstm,
                input_size: 1,
                hidden_size: cfg.hidden,
                num_layers: cfg.layers,
                dropout: 0.0,
                output_size: cfg.hidden,
                output: SeqOutput::SeqToOne,
            },
            vb.pp("encoder"),
        )?;
        let decoder = SeqModel::new(
            &SeqModelConfig {
                cell: RecurrentCell::Lstm,
                input_size: cfg.hidden,
                hidden_size: cfg.hidden,
                num_layers: cfg.layers,
                dropout: 0.0,
                output_size: 1,
                output: SeqOutput::SeqToSeq,
            },
            vb.pp("decoder"),
        )?;
        Ok(Self { encoder, decoder })
    }
}

impl ModuleT for LstmAutoencoder {
    fn forward_t(&self, x: &Tensor, train: bool) -> candle_core::Result<Tensor> {
        let (b, w, _) = x.dims3()?;
        let code = self.encoder.forward_t(x, train)?;
        let c = code.dim(1)?;
        let repeated = code.unsqueeze(1)?.broadcast_as((b, w, c))?.contiguous()?;
        self.decoder.forward_t(&repeated, train)
    }
}

/// The centred windows starting at `starts`, flattened (`starts.len() * window` values).
fn centred_windows(z: &[f64], starts: &[usize], window: usize) -> Vec<f32> {
    let mut x = Vec::with_capacity(starts.len() * window);
    for &s in starts {
        let w = &z[s..s + window];
        let mean = w.iter().sum::<f64>() / window as f64;
        x.extend(w.iter().map(|v| (v - mean) as f32));
    }
    x
}

/// Anomaly scores from an LSTM autoencoder (Malhotra et al. 2016): one score per row of `values`.
///
/// The series is normalised with a [`Scaler`] fitted on `values[..train_end]`, cut into windows of
/// `cfg.window` steps with stride 1, and each window is centred on its own mean (so that a trend
/// carrying the later rows beyond the training range does not count as anomalous; the network
/// models the shape of a window, not its level). The autoencoder (see the module docs) learns to
/// reconstruct the windows lying wholly in `values[..train_end]` with the core's trainer (MSE loss,
/// Adam, best weights by training loss, checkpoints under `run_dir/checkpoints`). It then
/// reconstructs every window of the whole series, and each row's score is the mean, over the windows
/// that cover it, of its squared reconstruction error (normalised units).
///
/// Errors for bad settings, non-finite values (fill gaps first), or a training period shorter than
/// one window.
pub fn autoencoder_scores(
    values: &[f64],
    train_end: usize,
    cfg: &AutoencoderConfig,
    run_dir: &Path,
    device: &Device,
) -> Result<Vec<f64>> {
    cfg.check()?;
    let w = cfg.window;
    if train_end > values.len() {
        return Err(Error::Config(format!(
            "train_end {train_end} is past the end of a series of {} rows",
            values.len()
        )));
    }
    if train_end < w {
        return Err(Error::Config(format!(
            "the training period has {train_end} rows, shorter than one autoencoder window of {w}"
        )));
    }
    if let Some(i) = values.iter().position(|v| !v.is_finite()) {
        return Err(Error::Config(format!("value at row {i} is missing; fill gaps before anomaly scoring")));
    }
    let scaler = Scaler::fit(values, |_| true, train_end)?;
    let z: Vec<f64> = values.iter().map(|&v| scaler.apply(v)).collect();

    let store = ParamStore::new(cfg.seed, device);
    let model = LstmAutoencoder::new(cfg, &store)?;
    let train_starts: Vec<usize> = (0..=train_end - w).collect();
    let x = Tensor::from_vec(centred_windows(&z, &train_starts, w), (train_starts.len(), w, 1), &Device::Cpu)?;
    let batches = batcher(x.clone(), x, cfg.batch_size, true, cfg.seed, device)?;
    let train_cfg = adam_cosine(cfg.epochs, cfg.lr, cfg.seed, "train_loss", None);
    let provenance = serde_json::json!({
        "kind": "scidl-climate anomaly autoencoder",
        "config": cfg,
        "scaler": scaler,
        "train_end": train_end,
    });
    {
        let mut trainer = Trainer::new(&model, store.clone(), Box::new(scidl_core::loss::mse), Vec::new(), train_cfg)?
            .with_run_dir(run_dir)
            .with_label("autoencoder")
            .with_provenance(provenance, Default::default());
        trainer.fit(&batches, None)?;
        trainer.restore_best()?;
    }

    let n = values.len();
    let mut sum = vec![0.0; n];
    let mut count = vec![0usize; n];
    let all_starts: Vec<usize> = (0..=n - w).collect();
    for chunk in all_starts.chunks(512) {
        let flat = centred_windows(&z, chunk, w);
        let x = Tensor::from_vec(flat.clone(), (chunk.len(), w, 1), device)?;
        let y = model
            .forward_t(&x, false)?
            .to_device(&Device::Cpu)?
            .to_dtype(DType::F32)?
            .flatten_all()?
            .to_vec1::<f32>()?;
        for (k, &s) in chunk.iter().enumerate() {
            for j in 0..w {
                let e = (y[k * w + j] - flat[k * w + j]) as f64;
                sum[s + j] += e * e;
                count[s + j] += 1;
            }
        }
    }
    Ok(sum.iter().zip(&count).map(|(s, &c)| if c > 0 { s / c as f64 } else { f64::NAN }).collect())
}

/// How to turn scores into a threshold.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Threshold {
    /// The q-quantile of all finite scores of the series.
    Quantile(f64),
    /// The `(1 - a)`-quantile of the finite scores of a clean calibration period, so that a share
    /// `a` of clean points is flagged.
    FalseAlarmRate(f64),
}

/// The q-quantile of `v` with linear interpolation between order statistics (numpy's default).
fn quantile(mut v: Vec<f64>, q: f64) -> f64 {
    v.sort_by(f64::total_cmp);
    let h = (v.len() - 1) as f64 * q;
    let lo = h.floor() as usize;
    let hi = (lo + 1).min(v.len() - 1);
    v[lo] + (h - lo as f64) * (v[hi] - v[lo])
}

/// The score above which a point is flagged, by `rule`. `calibration` (rows assumed free of
/// anomalies) is used by [`Threshold::FalseAlarmRate`] only. The quantile interpolates linearly
/// between order statistics, as numpy's default. Errors for a level outside (0, 1), a calibration
/// range outside the scores, or no finite score to take the quantile of.
pub fn threshold_value(scores: &[f64], calibration: Range<usize>, rule: Threshold) -> Result<f64> {
    let (pool, q) = match rule {
        Threshold::Quantile(q) => {
            if !(q > 0.0 && q < 1.0) {
                return Err(Error::Config(format!("threshold quantile must lie in (0, 1), got {q}")));
            }
            (scores, q)
        }
        Threshold::FalseAlarmRate(a) => {
            if !(a > 0.0 && a < 1.0) {
                return Err(Error::Config(format!("false-alarm rate must lie in (0, 1), got {a}")));
            }
            if calibration.end > scores.len() || calibration.start >= calibration.end {
                return Err(Error::Config(format!(
                    "calibration range {}..{} is empty or outside the {} scores",
                    calibration.start,
                    calibration.end,
                    scores.len()
                )));
            }
            (&scores[calibration], 1.0 - a)
        }
    };
    let finite: Vec<f64> = pool.iter().copied().filter(|s| s.is_finite()).collect();
    if finite.is_empty() {
        return Err(Error::Config("no finite anomaly score to set a threshold with".into()));
    }
    Ok(quantile(finite, q))
}

/// Flags the points whose score is above `threshold` (NaN scores are never flagged).
pub fn flag(scores: &[f64], threshold: f64) -> Vec<bool> {
    scores.iter().map(|&s| s > threshold).collect()
}

/// Whether each event is detected: at least one of its rows is flagged (the event-level view of
/// point adjustment).
pub fn detected_events(flags: &[bool], events: &[InjectedAnomaly]) -> Vec<bool> {
    events
        .iter()
        .map(|e| {
            let end = (e.start + e.len).min(flags.len());
            flags[e.start.min(end)..end].iter().any(|&f| f)
        })
        .collect()
}

/// Precision, recall and F1 of a detector with their counts.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct DetectionScores {
    /// `TP / (TP + FP)`; 0 when nothing is flagged.
    pub precision: f64,
    /// `TP / (TP + FN)`; 0 when nothing is labelled.
    pub recall: f64,
    /// Harmonic mean of precision and recall; 0 when both are 0.
    pub f1: f64,
    /// Labelled points counted as detected.
    pub true_positives: usize,
    /// Flagged points that are not labelled.
    pub false_positives: usize,
    /// Labelled points counted as missed.
    pub false_negatives: usize,
}

impl DetectionScores {
    fn from_counts(tp: usize, fp: usize, fn_: usize) -> Self {
        let precision = if tp + fp > 0 { tp as f64 / (tp + fp) as f64 } else { 0.0 };
        let recall = if tp + fn_ > 0 { tp as f64 / (tp + fn_) as f64 } else { 0.0 };
        let f1 = if precision + recall > 0.0 { 2.0 * precision * recall / (precision + recall) } else { 0.0 };
        Self { precision, recall, f1, true_positives: tp, false_positives: fp, false_negatives: fn_ }
    }
}

/// The rows of `range` that both `flags` and `labels` have.
fn clip(range: Range<usize>, flags: &[bool], labels: &[bool]) -> Range<usize> {
    let end = range.end.min(flags.len()).min(labels.len());
    range.start.min(end)..end
}

/// Point-wise precision, recall and F1 of `flags` against `labels` over the rows of `range`.
pub fn point_scores(flags: &[bool], labels: &[bool], range: Range<usize>) -> DetectionScores {
    let (mut tp, mut fp, mut fn_) = (0, 0, 0);
    for i in clip(range, flags, labels) {
        match (flags[i], labels[i]) {
            (true, true) => tp += 1,
            (true, false) => fp += 1,
            (false, true) => fn_ += 1,
            (false, false) => {}
        }
    }
    DetectionScores::from_counts(tp, fp, fn_)
}

/// Precision, recall and F1 with point adjustment (Xu et al. 2018): over the rows of `range`, if
/// any point of a contiguous segment of labelled points is flagged, every point of the segment
/// counts as detected, otherwise every point as missed; false positives are counted point by point
/// as in [`point_scores`]. Segments are cut at the ends of `range`.
pub fn point_adjusted_scores(flags: &[bool], labels: &[bool], range: Range<usize>) -> DetectionScores {
    let r = clip(range, flags, labels);
    let (mut tp, mut fp, mut fn_) = (0, 0, 0);
    let mut i = r.start;
    while i < r.end {
        if labels[i] {
            let start = i;
            while i < r.end && labels[i] {
                i += 1;
            }
            if flags[start..i].iter().any(|&f| f) {
                tp += i - start;
            } else {
                fn_ += i - start;
            }
        } else {
            if flags[i] {
                fp += 1;
            }
            i += 1;
        }
    }
    DetectionScores::from_counts(tp, fp, fn_)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::loaders::{TableOptions, read_series_table};
    use crate::transforms::{FillPolicy, fill_gaps};

    #[test]
    fn rolling_zscore_uses_the_past_window_only() {
        // Window [1, 2, 3, 4]: mean 2.5, population variance 1.25; |10 - 2.5| / sqrt(1.25) = 6.708203932499369.
        let s = rolling_zscore(&[1.0, 2.0, 3.0, 4.0, 10.0], 4);
        assert!(s[..4].iter().all(|v| v.is_nan()));
        assert!((s[4] - 7.5 / 1.25f64.sqrt()).abs() < 1e-12, "{}", s[4]);
        assert!((s[4] - 6.708203932499369).abs() < 1e-12);
        // NaN residuals are skipped: window [1, NaN, 3] -> [1, 3], mean 2, std 1: |5 - 2| / 1 = 3.
        let s = rolling_zscore(&[1.0, f64::NAN, 3.0, 5.0], 3);
        assert_eq!(s[3], 3.0);
        // Fewer than 2 finite values in the window: NaN. A flat window: the epsilon spread.
        assert!(rolling_zscore(&[f64::NAN, 1.0, 2.0], 2)[2].is_nan());
        assert_eq!(rolling_zscore(&[1.0, 1.0, 1.0], 2)[2], 0.0);
        assert!((rolling_zscore(&[1.0, 1.0, 2.0], 2)[2] - 1e12).abs() < 1.0);
        assert!(rolling_zscore(&[1.0, 2.0], 0).iter().all(|v| v.is_nan()));
    }

    #[test]
    fn thresholds_follow_numpy_linear_quantiles() {
        // numpy.quantile([1, 2, 3, 4], 0.5) = 2.5; NaN scores are skipped.
        let t = threshold_value(&[4.0, f64::NAN, 1.0, 3.0, 2.0], 0..0, Threshold::Quantile(0.5)).unwrap();
        assert_eq!(t, 2.5);
        // numpy.quantile([1, 2, 3, 4], 0.75) = 1 + 0.75 * 3 = 3.25 (index 2.25: 3 + 0.25 * (4 - 3)).
        let t = threshold_value(&[1.0, 2.0, 3.0, 4.0, 100.0], 0..4, Threshold::FalseAlarmRate(0.25)).unwrap();
        assert!((t - 3.25).abs() < 1e-12, "{t}");
        // numpy.quantile([1, 2, 3, 4, 100], 0.9) = 4 + 0.6 * 96 = 61.6.
        let t = threshold_value(&[1.0, 2.0, 3.0, 4.0, 100.0], 0..4, Threshold::Quantile(0.9)).unwrap();
        assert!((t - 61.6).abs() < 1e-9, "{t}");
        assert_eq!(flag(&[1.0, 3.25, 3.3, f64::NAN], 3.25), vec![false, false, true, false]);
        for bad in [
            Threshold::Quantile(0.0),
            Threshold::Quantile(1.0),
            Threshold::FalseAlarmRate(-0.1),
            Threshold::Quantile(f64::NAN),
        ] {
            assert!(matches!(threshold_value(&[1.0, 2.0], 0..2, bad), Err(Error::Config(_))));
        }
        assert!(threshold_value(&[f64::NAN; 3], 0..3, Threshold::Quantile(0.5)).is_err());
        assert!(threshold_value(&[1.0, 2.0], 1..5, Threshold::FalseAlarmRate(0.1)).is_err());
    }

    #[test]
    fn point_adjustment_credits_whole_segments() {
        // Rows 2..6 one segment of 4, row 9 a segment of 1; flags hit row 3 and the clean row 7.
        let mut labels = vec![false; 12];
        for i in [2, 3, 4, 5, 9] {
            labels[i] = true;
        }
        let mut flags = vec![false; 12];
        flags[3] = true;
        flags[7] = true;
        let p = point_scores(&flags, &labels, 0..12);
        assert_eq!((p.true_positives, p.false_positives, p.false_negatives), (1, 1, 4));
        assert_eq!(p.precision, 0.5);
        assert_eq!(p.recall, 0.2);
        // F1 = 2 * 0.5 * 0.2 / 0.7 = 2 / 7.
        assert!((p.f1 - 2.0 / 7.0).abs() < 1e-12, "{}", p.f1);
        let a = point_adjusted_scores(&flags, &labels, 0..12);
        assert_eq!((a.true_positives, a.false_positives, a.false_negatives), (4, 1, 1));
        assert_eq!(a.precision, 0.8);
        assert_eq!(a.recall, 0.8);
        assert!((a.f1 - 0.8).abs() < 1e-12);
        // A range cutting the long segment: rows 4..12 hold rows 4, 5 of it (not flagged there) and row 9.
        let c = point_adjusted_scores(&flags, &labels, 4..12);
        assert_eq!((c.true_positives, c.false_positives, c.false_negatives), (0, 1, 3));
        // Nothing flagged, nothing labelled: all zero, no division by zero.
        let z = point_scores(&[false; 4], &[false; 4], 0..4);
        assert_eq!((z.precision, z.recall, z.f1), (0.0, 0.0, 0.0));
        // A range past the end is clipped.
        assert_eq!(point_scores(&flags, &labels, 0..100), p);
    }

    #[test]
    fn injected_anomalies_are_seeded_separated_and_labelled() {
        let base: Vec<f64> = (0..400).map(|i| (i as f64 * 0.3).sin()).collect();
        let (v, labels, events) = inject_anomalies(&base, 100..380, 9, 0.5, 7).unwrap();
        let again = inject_anomalies(&base, 100..380, 9, 0.5, 7).unwrap();
        assert_eq!(v, again.0);
        assert_eq!(events, again.2);
        assert_ne!(events, inject_anomalies(&base, 100..380, 9, 0.5, 8).unwrap().2);
        assert_eq!(events.len(), 9);
        for k in [AnomalyKind::Spike, AnomalyKind::LevelShift, AnomalyKind::Drift] {
            assert_eq!(events.iter().filter(|e| e.kind == k).count(), 3);
        }
        for e in &events {
            assert!(e.start >= 100 && e.start + e.len <= 380, "{e:?}");
            let (lens, sizes) = match e.kind {
                AnomalyKind::Spike => (1..=1, 4.0..6.0),
                AnomalyKind::LevelShift => (4..=12, 3.0..5.0),
                AnomalyKind::Drift => (8..=16, 4.0..6.0),
            };
            assert!(lens.contains(&e.len), "{e:?}");
            assert!(sizes.contains(&(e.magnitude.abs() / 0.5)), "{e:?}");
        }
        for w in events.windows(2) {
            assert!(w[1].start >= w[0].start + w[0].len + 8, "{w:?}");
        }
        assert_eq!(labels.iter().filter(|&&l| l).count(), events.iter().map(|e| e.len).sum::<usize>());
        for i in 0..base.len() {
            if labels[i] {
                assert_ne!(v[i], base[i]);
            } else {
                assert_eq!(v[i], base[i], "row {i}");
            }
        }
        for e in &events {
            match e.kind {
                AnomalyKind::Spike => {
                    let d = v[e.start] - base[e.start];
                    assert!((d - e.magnitude).abs() < 1e-12);
                    assert!((2.0..=3.0).contains(&d.abs()), "{d}");
                }
                AnomalyKind::LevelShift => {
                    assert!((e.start..e.start + e.len).all(|i| (v[i] - base[i] - e.magnitude).abs() < 1e-12));
                }
                AnomalyKind::Drift => {
                    let last = e.start + e.len - 1;
                    assert!((v[last] - base[last] - e.magnitude).abs() < 1e-12);
                    let first = v[e.start] - base[e.start];
                    assert!((first - e.magnitude / e.len as f64).abs() < 1e-12);
                }
            }
        }
        // 3 anomalies of at least 1 + 4 + 8 rows with 2 gaps of 8 need 29 rows at least.
        assert!(matches!(inject_anomalies(&base, 0..20, 3, 1.0, 1), Err(Error::Config(_))));
        assert!(inject_anomalies(&base, 0..500, 1, 1.0, 1).is_err());
        assert!(inject_anomalies(&base, 0..100, 1, 0.0, 1).is_err());
        let (same, none, no_events) = inject_anomalies(&base, 0..100, 0, 1.0, 1).unwrap();
        assert_eq!(same, base);
        assert!(none.iter().all(|&l| !l) && no_events.is_empty());
    }

    #[test]
    fn autoencoder_rejects_bad_settings() {
        let dir = tempfile::tempdir().unwrap();
        let v: Vec<f64> = (0..50).map(|i| i as f64).collect();
        let cfg = AutoencoderConfig { window: 16, ..Default::default() };
        assert!(matches!(autoencoder_scores(&v, 10, &cfg, dir.path(), &Device::Cpu), Err(Error::Config(_))));
        assert!(matches!(autoencoder_scores(&v, 60, &cfg, dir.path(), &Device::Cpu), Err(Error::Config(_))));
        let mut gap = v.clone();
        gap[3] = f64::NAN;
        assert!(matches!(autoencoder_scores(&gap, 40, &cfg, dir.path(), &Device::Cpu), Err(Error::Config(_))));
        let zero = AutoencoderConfig { hidden: 0, ..cfg };
        assert!(matches!(autoencoder_scores(&v, 40, &zero, dir.path(), &Device::Cpu), Err(Error::Config(_))));
    }

    /// Std (population) of the finite values.
    fn std(v: &[f64]) -> f64 {
        let v: Vec<f64> = v.iter().copied().filter(|x| x.is_finite()).collect();
        let m = v.iter().sum::<f64>() / v.len() as f64;
        (v.iter().map(|x| (x - m) * (x - m)).sum::<f64>() / v.len() as f64).sqrt()
    }

    #[test]
    fn detectors_find_injected_anomalies_in_co2() {
        let mut frame = read_series_table(&crate::test_data::co2_path(), &TableOptions::default()).unwrap();
        fill_gaps(&mut frame, "co2", FillPolicy::Linear, None).unwrap();
        let clean = frame.column("co2").unwrap().values.clone();
        assert_eq!(clean.len(), 2284);
        let diffs: Vec<f64> = clean[..1710].windows(2).map(|w| w[1] - w[0]).collect();
        let scale = 3.0 * std(&diffs);
        let test = 1710..2284;
        let (y, labels, events) = inject_anomalies(&clean, test.clone(), 6, scale, 42).unwrap();
        eprintln!("scale {scale:.4}; events {events:?}");

        // Persistence residuals scored by a rolling z-score, threshold for 1 % false alarms.
        let residuals: Vec<f64> = (0..y.len()).map(|t| if t == 0 { f64::NAN } else { y[t] - y[t - 1] }).collect();
        let z = rolling_zscore(&residuals, 52);
        let thr = threshold_value(&z, 100..1700, Threshold::FalseAlarmRate(0.01)).unwrap();
        let flags = flag(&z, thr);
        // The calibration rows are clean: about 1 % of them are flagged.
        let calib_rate = flags[100..1700].iter().filter(|&&f| f).count() as f64 / 1600.0;
        assert!(calib_rate <= 0.011, "{calib_rate}");
        let p = point_scores(&flags, &labels, test.clone());
        let a = point_adjusted_scores(&flags, &labels, test.clone());
        let detected = detected_events(&flags, &events);
        eprintln!("z-score threshold {thr:.4}, detected {detected:?}\n point-wise {p:?}\n adjusted   {a:?}");
        // A one-step residual sees the jump of a spike or a level shift (9 to 18 residual standard
        // deviations) but hardly a drift, which adds only 0.25 to 0.75 * scale per step: with this
        // residual the drifts are missed (over seeds 0..12, 3 of 24 drifts were found, and 46 of 48
        // spikes and level shifts). Recall is therefore asserted on the abrupt anomalies; the drifts
        // are left to the autoencoder below.
        let abrupt: Vec<bool> = {
            let mut l = vec![false; y.len()];
            for e in events.iter().filter(|e| e.kind != AnomalyKind::Drift) {
                l[e.start..e.start + e.len].iter_mut().for_each(|x| *x = true);
            }
            l
        };
        let a_abrupt = point_adjusted_scores(&flags, &abrupt, test.clone());
        eprintln!(" adjusted, spikes and level shifts only: {a_abrupt:?}");
        assert!(a_abrupt.recall >= 0.8, "{a_abrupt:?}");
        for (e, d) in events.iter().zip(&detected) {
            assert!(*d || e.kind == AnomalyKind::Drift, "{e:?} missed");
        }
        // Point adjustment inflates: one hit in a 12-row level shift counts as 12 detections.
        assert!(a.f1 >= p.f1, "{a:?} vs {p:?}");
        assert!(a.recall > 3.0 * p.recall, "{a:?} vs {p:?}");
        assert_eq!(a.false_positives, p.false_positives);

        // The autoencoder reconstructs anomalous windows worse than clean ones. Robustness: windows
        // are centred (the test period's level lies above the training range, which would otherwise
        // dominate the error) and the code is a bottleneck (no identity to learn); even after 3
        // epochs the ratio of mean scores (anomalous / clean test rows) was 3.3 to 8.4 over
        // injection seeds 0..12, and 1.4 to 7.0 for the drift rows alone over seeds 0..10.
        let dir = tempfile::tempdir().unwrap();
        let cfg = AutoencoderConfig { window: 16, hidden: 8, epochs: 3, ..Default::default() };
        let s = autoencoder_scores(&y, 1710, &cfg, dir.path(), &Device::Cpu).unwrap();
        assert!(s.iter().all(|v| v.is_finite()));
        let mean = |rows: &mut dyn Iterator<Item = usize>| {
            let v: Vec<f64> = rows.map(|i| s[i]).collect();
            v.iter().sum::<f64>() / v.len() as f64
        };
        let anomalous = mean(&mut test.clone().filter(|&i| labels[i]));
        let normal = mean(&mut test.clone().filter(|&i| !labels[i]));
        eprintln!(
            "autoencoder mean score: anomalous {anomalous:.5}, clean {normal:.5}, ratio {:.2}",
            anomalous / normal
        );
        assert!(anomalous > normal, "{anomalous} vs {normal}");
        // It also sees the drifts the residual z-score misses.
        let drift =
            mean(&mut events.iter().filter(|e| e.kind == AnomalyKind::Drift).flat_map(|e| e.start..e.start + e.len));
        eprintln!("autoencoder mean score over drifts {drift:.5}, ratio {:.2}", drift / normal);
        assert!(drift > normal, "{drift} vs {normal}");
        assert!(dir.path().join("checkpoints/best").is_dir());
    }
}
