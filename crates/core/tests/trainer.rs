//! Integration tests of the training engine: exact resumption (weights, batch-norm buffers,
//! optimiser moments, schedule, early stopping, dropout masks), seed determinism, checkpoint
//! manifests and `metrics.csv`, non-finite losses, early stopping and configuration errors.
//!
//! The model is a tiny VGG (one conv block with batch norm, a dropout head) on 8x8 inputs built from
//! a formula, so every run takes a fraction of a second.
#![allow(missing_docs)]

use candle_core::{DType, Device, Tensor};
use scidl_core::loss::cross_entropy;
use scidl_core::metrics::{Accuracy, Metric};
use scidl_core::nn::ParamStore;
use scidl_core::nn::nets::{Vgg, VggBlock, VggConfig};
use scidl_core::nn::params::{is_buffer, load_tensors, save_tensors};
use scidl_core::optim::{LrSchedule, OptimizerConfig};
use scidl_core::train::checkpoint::{checksums, git_revision};
use scidl_core::train::trainer::LossFn;
use scidl_core::train::{Batch, Batches, Checkpoint, CheckpointStrategy, EpochRecord, FitReport, TrainConfig, Trainer};
use scidl_core::{Error, Result, rng};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

// ------------------------------------------------------------------------------------------------
// Data

/// `n` samples of `1x8x8` with 3 classes: a class pattern plus a smooth per-sample wave.
fn make_data(n: usize, offset: usize) -> (Tensor, Tensor) {
    let mut x = Vec::with_capacity(n * 64);
    let mut y = Vec::with_capacity(n);
    for i in offset..offset + n {
        let label = (i * 7 + i / 5) % 3;
        y.push(label as u32);
        for p in 0..64 {
            let (r, c) = (p / 8, p % 8);
            let pattern = match label {
                0 => f64::from(u8::from(r < 3)),
                1 => f64::from(u8::from(c < 3)),
                _ => f64::from(u8::from((2..6).contains(&r) && (2..6).contains(&c))),
            };
            x.push((0.8 * pattern + 0.5 * (i as f64 * 0.37 + p as f64 * 0.11).sin()) as f32);
        }
    }
    (Tensor::from_vec(x, (n, 1, 8, 8), &Device::Cpu).unwrap(), Tensor::from_vec(y, n, &Device::Cpu).unwrap())
}

/// Mini-batches over in-memory tensors; with `shuffle = Some(seed)` the order of epoch `e` is a
/// Fisher-Yates permutation drawn from `(seed, e)` only.
struct Data {
    x: Tensor,
    y: Tensor,
    batch: usize,
    shuffle: Option<u64>,
}

impl Data {
    fn new(n: usize, offset: usize, batch: usize, shuffle: Option<u64>) -> Self {
        let (x, y) = make_data(n, offset);
        Self { x, y, batch, shuffle }
    }
    fn len(&self) -> usize {
        self.y.dim(0).unwrap()
    }
    fn order(&self, epoch: usize) -> Vec<u32> {
        let mut idx: Vec<u32> = (0..self.len() as u32).collect();
        if let Some(seed) = self.shuffle {
            let key = rng::mix(seed, epoch as u64 ^ 0xda7a);
            for i in (1..idx.len()).rev() {
                let j = (rng::mix(key, i as u64) % (i as u64 + 1)) as usize;
                idx.swap(i, j);
            }
        }
        idx
    }
    fn batch_at(&self, idx: &[u32]) -> Result<Batch> {
        let t = Tensor::from_slice(idx, idx.len(), &Device::Cpu)?;
        Ok(Batch { input: self.x.index_select(&t, 0)?, target: self.y.index_select(&t, 0)? })
    }
}

impl Batches for Data {
    fn num_batches(&self) -> usize {
        self.len().div_ceil(self.batch)
    }
    fn epoch(&self, epoch: usize) -> Box<dyn Iterator<Item = Result<Batch>> + '_> {
        let order = self.order(epoch);
        let bs = self.batch;
        Box::new((0..self.num_batches()).map(move |b| self.batch_at(&order[b * bs..((b + 1) * bs).min(order.len())])))
    }
}

fn train_data(seed: u64) -> Data {
    Data::new(96, 0, 16, Some(seed))
}
fn val_data() -> Data {
    Data::new(48, 1000, 16, None)
}

// ------------------------------------------------------------------------------------------------
// Model and runs

fn model_cfg() -> VggConfig {
    VggConfig {
        in_channels: 1,
        input_size: [8, 8],
        blocks: vec![VggBlock { channels: 4, convs: 1 }],
        batch_norm: true,
        hidden: vec![16],
        dropout: 0.2,
        num_classes: 3,
    }
}

/// AdamW, cosine schedule with warm-up, clipping, early stopping that never triggers.
fn train_cfg(seed: u64, epochs: usize) -> TrainConfig {
    TrainConfig {
        epochs,
        seed,
        optimizer: OptimizerConfig::AdamW { lr: 0.02, betas: (0.9, 0.999), eps: 1e-8, weight_decay: 0.01 },
        schedule: LrSchedule::CosineWarmup { warmup_epochs: 1.0, total_epochs: 4.0, min_lr: 1e-4 },
        monitor: "val_loss".into(),
        early_stopping_patience: Some(100),
        early_stopping_min_delta: 0.0,
        clip_grad_norm: Some(0.5),
        checkpoints: CheckpointStrategy::default(),
    }
}

fn ce() -> LossFn<'static> {
    Box::new(|o: &Tensor, t: &Tensor| cross_entropy(o, t))
}

fn accuracy() -> Vec<Box<dyn Metric>> {
    vec![Box::new(Accuracy::new())]
}

struct RunOut {
    report: FitReport,
    steps: u64,
    store: ParamStore,
}

/// Builds a fresh model and trainer for `cfg` in `dir`, optionally resumes from `resume`, and fits.
fn run(dir: &Path, cfg: TrainConfig, resume: Option<&Path>) -> Result<RunOut> {
    let store = ParamStore::new(cfg.seed, &Device::Cpu);
    let model = Vgg::new(&model_cfg(), store.var_builder())?;
    let train = train_data(cfg.seed);
    let val = val_data();
    let mut trainer = Trainer::new(&model, store.clone(), ce(), accuracy(), cfg)?.with_run_dir(dir);
    if let Some(ckpt) = resume {
        trainer.resume(ckpt)?;
    }
    let report = trainer.fit(&train, Some(&val))?;
    Ok(RunOut { report, steps: trainer.optimizer().steps(), store })
}

// ------------------------------------------------------------------------------------------------
// Comparisons

/// Every variable of a store (parameters and buffers) as raw bits.
fn store_bits(store: &ParamStore) -> BTreeMap<String, Vec<u32>> {
    store
        .all()
        .into_iter()
        .map(|(k, v)| {
            (k, v.as_tensor().flatten_all().unwrap().to_vec1::<f32>().unwrap().iter().map(|x| x.to_bits()).collect())
        })
        .collect()
}

/// Every tensor of a safetensors file as raw bits.
fn file_bits(path: &Path) -> BTreeMap<String, Vec<u32>> {
    load_tensors(path, &Device::Cpu)
        .unwrap()
        .into_iter()
        .map(|(k, t)| {
            let v = t.to_dtype(DType::F32).unwrap().flatten_all().unwrap().to_vec1::<f32>().unwrap();
            (k, v.iter().map(|x| x.to_bits()).collect())
        })
        .collect()
}

/// The history without wall times.
fn losses(history: &[EpochRecord]) -> Vec<EpochRecord> {
    history.iter().map(|r| EpochRecord { seconds: 0.0, ..r.clone() }).collect()
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        std::fs::copy(e.path(), to.join(e.file_name())).unwrap();
    }
}

fn leftovers(dir: &Path) -> Vec<PathBuf> {
    let ck = dir.join("checkpoints");
    let mut out: Vec<PathBuf> = std::fs::read_dir(&ck)
        .map(|it| {
            it.map(|e| e.unwrap().path())
                .filter(|p| p.file_name().unwrap().to_string_lossy().starts_with('.'))
                .collect()
        })
        .unwrap_or_default();
    out.extend(["metrics.csv.partial"].iter().map(|n| dir.join(n)).filter(|p| p.exists()));
    for sub in ["last", "best"] {
        let d = ck.join(sub);
        if d.exists() {
            for e in std::fs::read_dir(&d).unwrap() {
                let p = e.unwrap().path();
                if p.to_string_lossy().ends_with(".partial") {
                    out.push(p);
                }
            }
        }
    }
    out
}

// ------------------------------------------------------------------------------------------------
// Tests

#[test]
fn resume_after_epoch_k_matches_uninterrupted_run() {
    let (a, b, c) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let seed = 11;

    // A: four epochs in one go.
    let ra = run(a.path(), train_cfg(seed, 4), None).unwrap();
    assert_eq!(ra.report.history.len(), 4);
    assert!(!ra.report.stopped_early);
    assert_eq!(ra.steps, 4 * 6);

    // B: two epochs, then a fresh process-like restart that resumes from `last` and runs to four.
    let rb1 = run(b.path(), train_cfg(seed, 2), None).unwrap();
    assert_eq!(rb1.report.history.len(), 2);
    assert_eq!(rb1.steps, 2 * 6);
    assert_eq!(losses(&rb1.report.history), losses(&ra.report.history[..2]), "the first two epochs already differ");
    let last_b = b.path().join("checkpoints/last");
    let epoch2 = c.path().join("epoch2");
    copy_dir(&last_b, &epoch2);
    drop(rb1);
    let rb = run(b.path(), train_cfg(seed, 4), Some(&last_b)).unwrap();

    // Every parameter and buffer, bit for bit, in memory and in the final checkpoints.
    let (sa, sb) = (store_bits(&ra.store), store_bits(&rb.store));
    assert!(sa.keys().any(|k| k.ends_with("running_mean")) && sa.keys().any(|k| k.ends_with("running_var")));
    assert!(sa.keys().any(|k| !is_buffer(k)));
    assert_eq!(sa.keys().collect::<Vec<_>>(), sb.keys().collect::<Vec<_>>());
    for (k, v) in &sa {
        assert!(v == &sb[k], "variable `{k}` differs between the uninterrupted and the resumed run");
    }
    let last_a = a.path().join("checkpoints/last");
    for file in ["model.safetensors", "optimizer.safetensors"] {
        let (fa, fb) = (file_bits(&last_a.join(file)), file_bits(&last_b.join(file)));
        assert!(!fa.is_empty(), "{file} is empty");
        assert!(fa == fb, "checkpoints/last/{file} differs");
    }
    assert_eq!(sa, file_bits(&last_a.join("model.safetensors")), "the checkpoint is not the final store");

    // History, step count, schedule, early stopping and best value.
    assert_eq!(losses(&ra.report.history), losses(&rb.report.history));
    assert_eq!(rb.steps, ra.steps);
    assert_eq!(ra.report.best, rb.report.best);
    assert_eq!(ra.report.best_epoch, rb.report.best_epoch);
    let (ma, mb) = (Checkpoint::manifest(&last_a).unwrap(), Checkpoint::manifest(&last_b).unwrap());
    assert_eq!(ma.epoch, 4);
    assert_eq!(mb.epoch, 4);
    assert_eq!(ma.optimizer, mb.optimizer);
    assert_eq!(ma.scheduler, mb.scheduler);
    assert_eq!(ma.early_stopping, mb.early_stopping);
    assert_eq!(ma.best_metric, mb.best_metric);
    assert_eq!(losses(&ma.history), losses(&mb.history));
    let csv_rows = |d: &Path| -> Vec<String> {
        // Everything but the wall-time column.
        let text = std::fs::read_to_string(d.join("metrics.csv")).unwrap();
        text.lines().map(|l| l.rsplit_once(',').unwrap().0.to_string()).collect()
    };
    assert_eq!(csv_rows(a.path()), csv_rows(b.path()));

    // The test can fail: resuming with the weights but without the optimiser's moments (an empty
    // optimizer.safetensors) ends somewhere else.
    save_tensors(&BTreeMap::new(), &epoch2.join("optimizer.safetensors")).unwrap();
    let rc = run(&c.path().join("run"), train_cfg(seed, 4), Some(&epoch2)).unwrap();
    assert_eq!(rc.steps, ra.steps);
    assert_eq!(losses(&rc.report.history[..2]), losses(&ra.report.history[..2]));
    assert_ne!(store_bits(&rc.store), sa, "dropping the optimiser state changed nothing: the comparison is blind");
    assert_ne!(losses(&rc.report.history), losses(&ra.report.history));
}

#[test]
fn rejected_resume_leaves_the_model_untouched() {
    let d = tempfile::tempdir().unwrap();
    run(d.path(), train_cfg(3, 1), None).unwrap();
    // A run with another seed must refuse the checkpoint, and not half-load it.
    let store = ParamStore::new(4, &Device::Cpu);
    let model = Vgg::new(&model_cfg(), store.var_builder()).unwrap();
    let before = store_bits(&store);
    let mut t = Trainer::new(&model, store.clone(), ce(), accuracy(), train_cfg(4, 2)).unwrap();
    let e = t.resume(&d.path().join("checkpoints/last")).unwrap_err().to_string();
    assert!(e.contains("seed 3") && e.contains("seed 4"), "{e}");
    assert_eq!(t.optimizer().steps(), 0, "optimizer state loaded from a rejected checkpoint");
    assert_eq!(t.epochs_done(), 0);
    assert!(store_bits(&store) == before, "weights loaded from a rejected checkpoint");
}

#[test]
fn same_seed_same_metrics_other_seed_differs() {
    let dirs: Vec<_> = (0..3).map(|_| tempfile::tempdir().unwrap()).collect();
    let r1 = run(dirs[0].path(), train_cfg(7, 2), None).unwrap();
    let r2 = run(dirs[1].path(), train_cfg(7, 2), None).unwrap();
    let r3 = run(dirs[2].path(), train_cfg(8, 2), None).unwrap();
    assert_eq!(losses(&r1.report.history), losses(&r2.report.history));
    assert!(store_bits(&r1.store) == store_bits(&r2.store));
    assert_ne!(losses(&r1.report.history), losses(&r3.report.history));
    assert!(store_bits(&r1.store) != store_bits(&r3.store));
    for r in [&r1, &r3] {
        assert!(r.report.history.iter().all(|e| e.train_loss.is_finite() && e.val_loss.is_some_and(f64::is_finite)));
    }
}

#[test]
fn concurrent_runs_are_deterministic() {
    // Two trainers in two threads of one process (as in a hyper-parameter sweep, or this test
    // binary's parallel tests) must not disturb each other's dropout masks.
    let solo = tempfile::tempdir().unwrap();
    let reference = losses(&run(solo.path(), train_cfg(21, 2), None).unwrap().report.history);
    let handles: Vec<_> = (0..4)
        .map(|i| {
            std::thread::spawn(move || {
                let d = tempfile::tempdir().unwrap();
                let seed = if i % 2 == 0 { 21 } else { 22 };
                (seed, losses(&run(d.path(), train_cfg(seed, 2), None).unwrap().report.history))
            })
        })
        .collect();
    for h in handles {
        let (seed, hist) = h.join().unwrap();
        if seed == 21 {
            assert_eq!(hist, reference, "a concurrent run of the same seed computed something else");
        }
    }
}

#[test]
fn checkpoint_manifest_contents() {
    let d = tempfile::tempdir().unwrap();
    let data_file = d.path().join("train.bin");
    std::fs::write(&data_file, b"abc").unwrap();
    let sums = checksums(std::slice::from_ref(&data_file)).unwrap();
    let config = serde_json::json!({ "model": "vgg", "epochs": 3, "nested": { "lr": 0.02 } });
    let run_dir = d.path().join("run");

    let cfg = train_cfg(5, 3);
    let store = ParamStore::new(cfg.seed, &Device::Cpu);
    let model = Vgg::new(&model_cfg(), store.var_builder()).unwrap();
    let (train, val) = (train_data(cfg.seed), val_data());
    let mut t = Trainer::new(&model, store.clone(), ce(), accuracy(), cfg)
        .unwrap()
        .with_run_dir(&run_dir)
        .with_provenance(config.clone(), sums.clone());
    let report = t.fit(&train, Some(&val)).unwrap();
    assert_eq!(report.history.len(), 3);
    // restore_best puts the best checkpoint's weights (and buffers) back into the store.
    t.restore_best().unwrap();
    assert_eq!(store_bits(&store), file_bits(&run_dir.join("checkpoints/best/model.safetensors")));
    let no_dir = Trainer::new(&model, ParamStore::new(5, &Device::Cpu), ce(), accuracy(), train_cfg(5, 1)).unwrap();
    assert!(no_dir.restore_best().is_err());

    let best_epoch = report.best_epoch.expect("a best epoch");
    for (name, epoch) in [("last", 3), ("best", best_epoch)] {
        let dir = run_dir.join("checkpoints").join(name);
        for f in ["model.safetensors", "optimizer.safetensors", "manifest.json"] {
            assert!(dir.join(f).is_file(), "{name}/{f} missing");
        }
        let m = Checkpoint::manifest(&dir).unwrap();
        assert_eq!(m.seed, 5, "{name}");
        assert_eq!(m.epoch, epoch, "{name}");
        assert_eq!(m.monitor, "val_loss", "{name}");
        assert!(!m.git_revision.trim().is_empty(), "{name}: empty git revision");
        assert_eq!(m.git_revision, git_revision());
        assert_eq!(m.config, config, "{name}");
        assert_eq!(m.data_checksums, sums, "{name}");
        assert_eq!(
            m.data_checksums.values().next().map(String::as_str),
            Some("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        );
        assert_eq!(m.history.len(), epoch, "{name}");
        assert_eq!(m.optimizer.step, 6 * epoch as u64, "{name}");
        assert!(m.early_stopping.is_some(), "{name}");
        assert_eq!(losses(&m.history), losses(&report.history[..epoch]), "{name}");
        // The best checkpoint's metric is the value of its own epoch; `last` carries the run's best.
        let best_here = report.history[..epoch].iter().filter_map(|r| r.val_loss).fold(f64::INFINITY, f64::min);
        assert_eq!(m.best_metric, Some(best_here), "{name}");
        // The raw JSON has the documented field names.
        let raw: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(dir.join("manifest.json")).unwrap()).unwrap();
        for key in [
            "format",
            "scidl_version",
            "git_revision",
            "seed",
            "epoch",
            "monitor",
            "best_metric",
            "config",
            "data_checksums",
            "optimizer",
            "scheduler",
            "early_stopping",
            "history",
        ] {
            assert!(raw.get(key).is_some(), "{name}: manifest.json lacks `{key}`");
        }
    }
    assert_eq!(
        Checkpoint::manifest(&run_dir.join("checkpoints/last")).unwrap().best_metric,
        report.best,
        "last manifest's best"
    );
    assert_eq!(report.best, report.history[best_epoch - 1].val_loss);

    // metrics.csv: header + one row per epoch, values as in the history.
    let csv = std::fs::read_to_string(run_dir.join("metrics.csv")).unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines[0], "epoch,lr,train_loss,val_loss,val_accuracy,seconds");
    assert_eq!(lines.len(), 1 + 3, "{csv}");
    for (i, line) in lines[1..].iter().enumerate() {
        let f: Vec<&str> = line.split(',').collect();
        assert_eq!(f.len(), 6, "{line}");
        let h = &report.history[i];
        assert_eq!(f[0].parse::<usize>().unwrap(), i + 1);
        assert_eq!(f[1].parse::<f64>().unwrap(), h.lr);
        assert_eq!(f[2].parse::<f64>().unwrap(), h.train_loss);
        assert_eq!(Some(f[3].parse::<f64>().unwrap()), h.val_loss);
        assert_eq!(f[4].parse::<f64>().unwrap(), h.metrics["accuracy"]);
        assert!(f[5].parse::<f64>().unwrap() >= 0.0);
    }
    assert!(leftovers(&run_dir).is_empty(), "{:?}", leftovers(&run_dir));
}

#[test]
fn nan_loss_is_a_clear_error() {
    let d = tempfile::tempdir().unwrap();
    let calls = std::cell::Cell::new(0usize);
    // Training only (no validation): call 8 is epoch 2, batch 2 (6 batches per epoch).
    let loss: LossFn<'_> = Box::new(|o: &Tensor, t: &Tensor| {
        calls.set(calls.get() + 1);
        let l = cross_entropy(o, t)?;
        if calls.get() >= 8 { Ok((l * f64::NAN)?) } else { Ok(l) }
    });
    let cfg = TrainConfig { monitor: "train_loss".into(), ..train_cfg(9, 4) };
    let store = ParamStore::new(cfg.seed, &Device::Cpu);
    let model = Vgg::new(&model_cfg(), store.var_builder()).unwrap();
    let train = train_data(cfg.seed);
    let mut t = Trainer::new(&model, store, loss, accuracy(), cfg).unwrap().with_run_dir(d.path());
    let e = match t.fit(&train, None) {
        Err(e) => e,
        Ok(r) => panic!("NaN loss accepted: {:?}", r.history),
    };
    let msg = e.to_string();
    assert!(matches!(e, Error::NonFinite(_)), "{e:?}");
    assert!(msg.contains("epoch 2") && msg.contains("batch 2") && msg.contains("NaN"), "{msg}");
    // Epoch 1's checkpoint is intact; nothing half-written is left around.
    let last = d.path().join("checkpoints/last");
    assert_eq!(Checkpoint::manifest(&last).unwrap().epoch, 1);
    assert!(!d.path().join("checkpoints/.last.partial").exists());
    assert!(leftovers(d.path()).is_empty(), "{:?}", leftovers(d.path()));
    let csv = std::fs::read_to_string(d.path().join("metrics.csv")).unwrap();
    assert_eq!(csv.lines().count(), 2, "{csv}");
}

#[test]
fn early_stopping_stops() {
    let d = tempfile::tempdir().unwrap();
    let cfg = TrainConfig {
        epochs: 10,
        optimizer: OptimizerConfig::Sgd { lr: 1e-9, momentum: 0.0, nesterov: false, weight_decay: 0.0 },
        schedule: LrSchedule::Constant,
        early_stopping_patience: Some(2),
        early_stopping_min_delta: 1.0,
        ..train_cfg(13, 10)
    };
    let r = run(d.path(), cfg, None).unwrap();
    assert!(r.report.stopped_early);
    assert_eq!(r.report.history.len(), 3, "epoch 1 sets the best, epochs 2 and 3 fail to beat it by 1.0");
    assert_eq!(r.report.best_epoch, Some(1));
    let m = Checkpoint::manifest(&d.path().join("checkpoints/last")).unwrap();
    assert_eq!(m.epoch, 3);
    assert_eq!(m.early_stopping.unwrap().bad_epochs, 2);

    // Control: the same run without early stopping trains all epochs.
    let d2 = tempfile::tempdir().unwrap();
    let cfg = TrainConfig {
        epochs: 4,
        optimizer: OptimizerConfig::Sgd { lr: 1e-9, momentum: 0.0, nesterov: false, weight_decay: 0.0 },
        schedule: LrSchedule::Constant,
        early_stopping_patience: None,
        ..train_cfg(13, 4)
    };
    let r = run(d2.path(), cfg, None).unwrap();
    assert!(!r.report.stopped_early);
    assert_eq!(r.report.history.len(), 4);
}

#[test]
fn bad_monitor_is_rejected() {
    let store = ParamStore::new(1, &Device::Cpu);
    let model = Vgg::new(&model_cfg(), store.var_builder()).unwrap();
    let cfg = TrainConfig { monitor: "val_f1".into(), ..train_cfg(1, 2) };
    let msg = match Trainer::new(&model, store.clone(), ce(), accuracy(), cfg) {
        Err(Error::Config(m)) => m,
        Err(e) => panic!("expected a configuration error, got {e:?}"),
        Ok(_) => panic!("monitor val_f1 accepted without an f1 metric"),
    };
    for name in ["val_f1", "train_loss", "val_loss", "val_accuracy"] {
        assert!(msg.contains(name), "`{name}` missing from: {msg}");
    }

    // A valid metric monitor is accepted, but needs validation data.
    let cfg = TrainConfig { monitor: "val_accuracy".into(), ..train_cfg(1, 2) };
    let mut t = Trainer::new(&model, store.clone(), ce(), accuracy(), cfg).unwrap();
    match t.fit(&train_data(1), None) {
        Err(Error::Config(m)) => assert!(m.contains("val_accuracy") && m.contains("validation"), "{m}"),
        Err(e) => panic!("{e:?}"),
        Ok(_) => panic!("monitor val_accuracy accepted without validation data"),
    }
    // Zero epochs.
    let cfg = TrainConfig { epochs: 0, ..train_cfg(1, 2) };
    assert!(matches!(Trainer::new(&model, store, ce(), accuracy(), cfg), Err(Error::Config(_))));
}
