//! The train/validate loop.
//!
//! Each batch `b` of epoch `e` runs under the step key `rng::batch_key(seed, e, b)`, the learning
//! rate is the schedule's value at the fractional epoch `e + b / batches`, and data order comes from
//! the [`Batches`] source (which derives it from the seed and the epoch). After each epoch the
//! engine evaluates, appends a row to `metrics.csv`, feeds the schedule and early stopping, and
//! writes the `last` and (on improvement) `best` checkpoints. A run resumed from `last` after
//! epoch `k` therefore computes exactly what the uninterrupted run computes from epoch `k + 1` on.

use super::checkpoint::{Checkpoint, CheckpointStrategy, MANIFEST_FORMAT, Manifest, git_revision};
use super::early_stop::EarlyStopping;
use crate::metrics::Metric;
use crate::nn::ParamStore;
use crate::optim::{LrSchedule, Optimizer, OptimizerConfig, Scheduler, clip_grad_norm};
use crate::{Error, Result, progress, rng};
use candle_core::Tensor;
use candle_nn::ModuleT;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// One batch: the network input and the target the loss compares the output with.
#[derive(Debug, Clone)]
pub struct Batch {
    /// Network input.
    pub input: Tensor,
    /// Target.
    pub target: Tensor,
}

/// A source of batches for each epoch (the data crate's batcher implements it).
pub trait Batches {
    /// Number of batches per epoch.
    fn num_batches(&self) -> usize;
    /// The batches of epoch `epoch`, in the order to train on them.
    fn epoch(&self, epoch: usize) -> Box<dyn Iterator<Item = Result<Batch>> + '_>;
}

/// Loop settings.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct TrainConfig {
    /// Epochs to train (in total, counting epochs done before a resume).
    pub epochs: usize,
    /// Run seed (data order, dropout masks, initialisation through the store).
    pub seed: u64,
    /// Optimiser.
    pub optimizer: OptimizerConfig,
    /// Learning-rate schedule.
    pub schedule: LrSchedule,
    /// Value that decides the best checkpoint, the plateau schedule and early stopping:
    /// `train_loss`, `val_loss` or `val_<metric name>`.
    pub monitor: String,
    /// Stop after this many epochs without improvement (`None`: never stop early).
    pub early_stopping_patience: Option<usize>,
    /// Improvement that counts for early stopping.
    #[serde(default)]
    pub early_stopping_min_delta: f64,
    /// Clip the global gradient norm to this value.
    pub clip_grad_norm: Option<f64>,
    /// Which checkpoints to keep.
    #[serde(default)]
    pub checkpoints: CheckpointStrategy,
}

/// Metrics of one epoch.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct EpochRecord {
    /// Epoch number, from 1.
    pub epoch: usize,
    /// Learning rate of the epoch's last batch.
    pub lr: f64,
    /// Mean training loss over batches.
    pub train_loss: f64,
    /// Mean validation loss over batches.
    pub val_loss: Option<f64>,
    /// Validation metrics by name.
    pub metrics: BTreeMap<String, f64>,
    /// Wall time of the epoch.
    pub seconds: f64,
}

/// What a call to [`Trainer::fit`] did.
#[derive(Debug, Clone)]
pub struct FitReport {
    /// All epochs of the run, including those before a resume.
    pub history: Vec<EpochRecord>,
    /// Best monitored value.
    pub best: Option<f64>,
    /// Epoch (from 1) of the best value.
    pub best_epoch: Option<usize>,
    /// Whether early stopping ended the run.
    pub stopped_early: bool,
}

/// A loss function of (output, target).
pub type LossFn<'a> = Box<dyn Fn(&Tensor, &Tensor) -> Result<Tensor> + 'a>;

/// The training engine for one model.
pub struct Trainer<'a> {
    model: &'a dyn ModuleT,
    store: ParamStore,
    loss: LossFn<'a>,
    metrics: Vec<Box<dyn Metric>>,
    cfg: TrainConfig,
    optimizer: Optimizer,
    scheduler: Scheduler,
    early: Option<EarlyStopping>,
    history: Vec<EpochRecord>,
    best: Option<f64>,
    run_dir: Option<PathBuf>,
    config_json: serde_json::Value,
    data_checksums: BTreeMap<String, String>,
    label: String,
}

impl<'a> Trainer<'a> {
    /// A trainer for `model`, whose variables live in `store`.
    pub fn new(
        model: &'a dyn ModuleT,
        store: ParamStore,
        loss: LossFn<'a>,
        metrics: Vec<Box<dyn Metric>>,
        cfg: TrainConfig,
    ) -> Result<Self> {
        if cfg.epochs == 0 {
            return Err(Error::Config("epochs must be at least 1".into()));
        }
        let valid_monitor = cfg.monitor == "train_loss"
            || cfg.monitor == "val_loss"
            || metrics.iter().any(|m| format!("val_{}", m.name()) == cfg.monitor);
        if !valid_monitor {
            let names: Vec<String> = metrics.iter().map(|m| format!("val_{}", m.name())).collect();
            return Err(Error::Config(format!(
                "monitor `{}` is none of train_loss, val_loss, {}",
                cfg.monitor,
                names.join(", ")
            )));
        }
        let optimizer = Optimizer::new(cfg.optimizer.clone(), store.trainable())?;
        let scheduler = Scheduler::new(cfg.schedule.clone(), cfg.optimizer.lr())?;
        let early = cfg.early_stopping_patience.map(|p| EarlyStopping::new(p, cfg.early_stopping_min_delta));
        Ok(Self {
            model,
            store,
            loss,
            metrics,
            cfg,
            optimizer,
            scheduler,
            early,
            history: Vec::new(),
            best: None,
            run_dir: None,
            config_json: serde_json::Value::Null,
            data_checksums: BTreeMap::new(),
            label: "train".into(),
        })
    }

    /// Writes `metrics.csv` and checkpoints under `dir`.
    pub fn with_run_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.run_dir = Some(dir.into());
        self
    }

    /// Records the resolved configuration and data checksums in every checkpoint manifest.
    pub fn with_provenance(mut self, config: serde_json::Value, data_checksums: BTreeMap<String, String>) -> Self {
        self.config_json = config;
        self.data_checksums = data_checksums;
        self
    }

    /// Label shown on progress bars.
    pub fn with_label(mut self, label: &str) -> Self {
        self.label = label.to_string();
        self
    }

    /// The optimiser (to inspect the rate or step count).
    pub fn optimizer(&self) -> &Optimizer {
        &self.optimizer
    }

    /// Loads the weights of the best checkpoint (`RUN_DIR/checkpoints/best`) into the model's
    /// store: what to evaluate after [`Trainer::fit`]. Fails without a run folder or a best
    /// checkpoint.
    pub fn restore_best(&self) -> Result<()> {
        let Some(dir) = &self.run_dir else {
            return Err(Error::Config("restore_best: the trainer has no run folder (with_run_dir)".into()));
        };
        Checkpoint::load_weights(&dir.join("checkpoints/best"), &self.store)
    }

    /// Epochs completed so far.
    pub fn epochs_done(&self) -> usize {
        self.history.len()
    }

    fn higher_is_better(&self) -> bool {
        match self.cfg.monitor.strip_prefix("val_") {
            Some("loss") | None => false,
            Some(name) => self.metrics.iter().find(|m| m.name() == name).is_some_and(|m| m.higher_is_better()),
        }
    }

    /// Restores weights, optimiser, schedule, early stopping and history from a checkpoint folder.
    pub fn resume(&mut self, dir: &Path) -> Result<()> {
        // Check the seed before loading anything, so a rejected checkpoint leaves the trainer as it was.
        let seed = Checkpoint::manifest(dir)?.seed;
        if seed != self.cfg.seed {
            return Err(Error::Checkpoint {
                path: dir.to_path_buf(),
                reason: format!("written by a run with seed {seed}, this run has seed {}", self.cfg.seed),
            });
        }
        let m = Checkpoint::restore(dir, &self.store, &mut self.optimizer)?;
        self.scheduler = m.scheduler;
        self.early = m.early_stopping;
        self.history = m.history;
        self.best = m.best_metric;
        tracing::info!(checkpoint = %dir.display(), epoch = m.epoch, "resumed");
        Ok(())
    }

    fn manifest(&self) -> Manifest {
        let scalars = self.optimizer.scalars();
        Manifest {
            format: MANIFEST_FORMAT,
            scidl_version: env!("CARGO_PKG_VERSION").into(),
            git_revision: git_revision().into(),
            seed: self.cfg.seed,
            epoch: self.history.len(),
            monitor: self.cfg.monitor.clone(),
            best_metric: self.best,
            config: self.config_json.clone(),
            data_checksums: self.data_checksums.clone(),
            optimizer: scalars,
            scheduler: self.scheduler.clone(),
            early_stopping: self.early.clone(),
            history: self.history.clone(),
        }
    }

    fn train_epoch(&mut self, epoch: usize, data: &dyn Batches) -> Result<f64> {
        let nb = data.num_batches().max(1);
        let pb = progress::bar(nb as u64, &format!("{} {}/{}", self.label, epoch + 1, self.cfg.epochs));
        let (mut sum, mut count) = (0.0, 0usize);
        for (b, batch) in data.epoch(epoch).enumerate() {
            let batch = batch?;
            rng::set_step_key(rng::batch_key(self.cfg.seed, epoch, b));
            self.optimizer.set_learning_rate(self.scheduler.lr_at(epoch as f64 + b as f64 / nb as f64));
            let out = self.model.forward_t(&batch.input, true)?;
            let loss = (self.loss)(&out, &batch.target)?;
            let value = crate::loss::scalar(&loss)?;
            if !value.is_finite() {
                return Err(Error::NonFinite(format!(
                    "training loss is {value} at epoch {} batch {} (lower the learning rate or check the data)",
                    epoch + 1,
                    b + 1
                )));
            }
            let mut grads = loss.backward()?;
            if let Some(max) = self.cfg.clip_grad_norm {
                clip_grad_norm(&mut grads, self.optimizer.vars(), max)?;
            }
            self.optimizer.step(&grads)?;
            sum += value;
            count += 1;
            pb.inc(1);
            pb.set_message(format!("loss {:.4}", sum / count as f64));
        }
        pb.finish_and_clear();
        if count == 0 {
            return Err(Error::Config("the training data produced no batch".into()));
        }
        Ok(sum / count as f64)
    }

    /// Trains from the current epoch to `cfg.epochs`, validating after each epoch when `val` is given.
    pub fn fit(&mut self, train: &dyn Batches, val: Option<&dyn Batches>) -> Result<FitReport> {
        if self.cfg.monitor.starts_with("val_") && val.is_none() {
            return Err(Error::Config(format!("monitor `{}` needs validation data", self.cfg.monitor)));
        }
        let mut stopped_early = false;
        if let Some(dir) = &self.run_dir {
            std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
        }
        for epoch in self.history.len()..self.cfg.epochs {
            let t0 = Instant::now();
            let train_loss = self.train_epoch(epoch, train)?;
            let (val_loss, metrics) = match val {
                Some(v) => {
                    let (l, m) = evaluate(self.model, &*self.loss, v, &mut self.metrics)?;
                    (Some(l), m)
                }
                None => (None, BTreeMap::new()),
            };
            let rec = EpochRecord {
                epoch: epoch + 1,
                lr: self.optimizer.learning_rate(),
                train_loss,
                val_loss,
                metrics,
                seconds: t0.elapsed().as_secs_f64(),
            };
            let monitored = match self.cfg.monitor.as_str() {
                "train_loss" => rec.train_loss,
                "val_loss" => rec.val_loss.unwrap_or(f64::NAN),
                m => rec.metrics.get(m.trim_start_matches("val_")).copied().unwrap_or(f64::NAN),
            };
            let hib = self.higher_is_better();
            let improved = match self.best {
                None => monitored.is_finite(),
                Some(b) => (hib && monitored > b) || (!hib && monitored < b),
            };
            if improved {
                self.best = Some(monitored);
            }
            self.scheduler.observe(monitored, hib);
            let stop = self.early.as_mut().is_some_and(|e| e.update(monitored, hib));
            tracing::info!(
                epoch = rec.epoch,
                train_loss = format!("{:.4}", rec.train_loss),
                val_loss = rec.val_loss.map(|v| format!("{v:.4}")).unwrap_or_default(),
                monitor = %self.cfg.monitor,
                value = format!("{monitored:.4}"),
                seconds = format!("{:.1}", rec.seconds),
                "epoch done"
            );
            self.history.push(rec);
            if let Some(dir) = self.run_dir.clone() {
                write_metrics_csv(&dir.join("metrics.csv"), &self.history)?;
                let manifest = self.manifest();
                if self.cfg.checkpoints.last {
                    Checkpoint::save(&dir.join("checkpoints/last"), &self.store, &self.optimizer, &manifest)?;
                }
                if self.cfg.checkpoints.best && improved {
                    Checkpoint::save(&dir.join("checkpoints/best"), &self.store, &self.optimizer, &manifest)?;
                }
            }
            if stop {
                stopped_early = true;
                tracing::info!(epoch = epoch + 1, "early stopping");
                break;
            }
        }
        let best_epoch = self.best.and_then(|b| {
            self.history.iter().find(|r| {
                let v = match self.cfg.monitor.as_str() {
                    "train_loss" => Some(r.train_loss),
                    "val_loss" => r.val_loss,
                    m => r.metrics.get(m.trim_start_matches("val_")).copied(),
                };
                v == Some(b)
            })
        });
        Ok(FitReport {
            history: self.history.clone(),
            best: self.best,
            best_epoch: best_epoch.map(|r| r.epoch),
            stopped_early,
        })
    }
}

/// Runs `model` in evaluation mode over `data`: mean loss over batches and each metric's value.
pub fn evaluate(
    model: &dyn ModuleT,
    loss: &dyn Fn(&Tensor, &Tensor) -> Result<Tensor>,
    data: &dyn Batches,
    metrics: &mut [Box<dyn Metric>],
) -> Result<(f64, BTreeMap<String, f64>)> {
    metrics.iter_mut().for_each(|m| m.reset());
    let (mut sum, mut n) = (0.0, 0usize);
    for batch in data.epoch(0) {
        let batch = batch?;
        let out = model.forward_t(&batch.input, false)?.detach();
        sum += crate::loss::scalar(&loss(&out, &batch.target)?)?;
        n += 1;
        for m in metrics.iter_mut() {
            m.update(&out, &batch.target)?;
        }
    }
    if n == 0 {
        return Err(Error::Config("the evaluation data produced no batch".into()));
    }
    let values = metrics.iter().map(|m| Ok((m.name(), m.compute()?))).collect::<Result<_>>()?;
    Ok((sum / n as f64, values))
}

/// Writes the per-epoch history as CSV (atomically).
pub fn write_metrics_csv(path: &Path, history: &[EpochRecord]) -> Result<()> {
    let names: Vec<String> = history.first().map(|r| r.metrics.keys().cloned().collect()).unwrap_or_default();
    let mut s = String::from("epoch,lr,train_loss,val_loss");
    for n in &names {
        s.push_str(&format!(",val_{n}"));
    }
    s.push_str(",seconds\n");
    for r in history {
        s.push_str(&format!(
            "{},{:e},{},{}",
            r.epoch,
            r.lr,
            r.train_loss,
            r.val_loss.map(|v| v.to_string()).unwrap_or_default()
        ));
        for n in &names {
            s.push_str(&format!(",{}", r.metrics.get(n).map(|v| v.to_string()).unwrap_or_default()));
        }
        s.push_str(&format!(",{:.3}\n", r.seconds));
    }
    crate::fs::write_atomic(path, s.as_bytes())
}
