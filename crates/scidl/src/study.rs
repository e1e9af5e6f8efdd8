//! The shared machinery of image-classification studies: a model spec that rebuilds any classifier
//! from its config, training one run with the core engine, evaluating it on a test split, and the
//! provenance recorded in its checkpoints (so `scidl predict` needs nothing but the checkpoint).

use anyhow::Result;
use candle_core::{DType, Device, Tensor};
use candle_nn::ModuleT;
use scidl_core::metrics::{Accuracy, Average, ConfusionMatrix, Metric};
use scidl_core::nn::ParamStore;
use scidl_core::nn::nets::{ResNet, ResNetConfig, Vgg, VggConfig};
use scidl_core::train::{Batches, FitReport, TrainConfig, Trainer};
use scidl_data::transforms::{OnKeys, RandFlip};
use scidl_data::{Batcher, BatcherConfig, Source, TensorDataset};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Which classifier to build.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum ModelSpec {
    /// VGG-style CNN.
    Vgg(VggConfig),
    /// ResNet.
    Resnet(ResNetConfig),
}

impl ModelSpec {
    /// Builds the network into `store`.
    pub fn build(&self, store: &ParamStore) -> Result<Box<dyn ModuleT>> {
        let vb = store.var_builder();
        Ok(match self {
            ModelSpec::Vgg(c) => Box::new(Vgg::new(c, vb)?),
            ModelSpec::Resnet(c) => Box::new(ResNet::new(c, vb)?),
        })
    }
}

/// What a checkpoint must know to classify new images.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct ClassifierProvenance {
    /// The network.
    pub model: ModelSpec,
    /// Input shape `(C, H, W)`.
    pub input_shape: [usize; 3],
    /// Raw pixel value `v` becomes `(v / scale - mean) / std`.
    pub scale: f64,
    /// Normalisation mean (after scaling).
    pub mean: f64,
    /// Normalisation standard deviation (after scaling).
    pub std: f64,
    /// Class names.
    pub classes: Vec<String>,
    /// The training settings.
    pub train: TrainConfig,
    /// Batch size.
    pub batch_size: usize,
    /// Augment training images with random horizontal flips (p = 0.5).
    #[serde(default)]
    pub hflip: bool,
}

/// An image-classification data set in memory: `(N, C, H, W)` f32 (already normalised) + u32 labels.
pub struct ClassData {
    /// Training images.
    pub train_x: Tensor,
    /// Training labels.
    pub train_y: Tensor,
    /// Validation images.
    pub val_x: Tensor,
    /// Validation labels.
    pub val_y: Tensor,
    /// Test images.
    pub test_x: Tensor,
    /// Test labels.
    pub test_y: Tensor,
    /// Class names.
    pub classes: Vec<String>,
    /// Data files, for checksums.
    pub files: Vec<PathBuf>,
}

/// Results of one trained and tested run.
pub struct RunResult {
    /// Label of the run.
    pub name: String,
    /// Training history.
    pub fit: FitReport,
    /// Test accuracy.
    pub test_accuracy: f64,
    /// Test confusion matrix.
    pub confusion: ConfusionMatrix,
    /// Total training time in seconds.
    pub seconds: f64,
    /// Trainable parameters.
    pub params: usize,
    /// The run folder (checkpoints, metrics).
    pub dir: PathBuf,
}

fn batcher(x: &Tensor, y: &Tensor, bs: usize, shuffle: bool, seed: u64, device: &Device) -> Result<Batcher> {
    let ds = TensorDataset::new(vec![("input".into(), x.clone()), ("target".into(), y.clone())])?;
    Ok(Batcher::new(
        Source::Tensors(Arc::new(ds)),
        None,
        BatcherConfig { batch_size: bs, shuffle, seed, workers: 1, prefetch: 4, ..Default::default() },
        device,
    )?)
}

/// Trains `prov.model` on `data`, keeps the best checkpoint by validation accuracy, and tests it.
pub fn train_and_test(
    name: &str,
    prov: &ClassifierProvenance,
    data: &ClassData,
    device: &Device,
    run_dir: &Path,
) -> Result<RunResult> {
    let t0 = std::time::Instant::now();
    let seed = prov.train.seed;
    let store = ParamStore::new(seed, device);
    let model = prov.model.build(&store)?;
    let params = store.num_trainable();
    let mut train = batcher(&data.train_x, &data.train_y, prov.batch_size, true, seed, device)?;
    if prov.hflip {
        let flip = OnKeys {
            keys: vec!["input".into()],
            label_keys: vec![],
            transform: Box::new(RandFlip { axis: -1, p: 0.5 }),
        };
        train = train.with_transform(Arc::new(flip));
    }
    let val = batcher(&data.val_x, &data.val_y, 500, false, seed, device)?;
    let test = batcher(&data.test_x, &data.test_y, 500, false, seed, device)?;
    let checks = scidl_core::train::checkpoint::checksums(&data.files)?;
    let metrics: Vec<Box<dyn Metric>> = vec![Box::new(Accuracy::new())];
    let mut trainer = Trainer::new(
        model.as_ref(),
        store.clone(),
        Box::new(scidl_core::loss::cross_entropy),
        metrics,
        prov.train.clone(),
    )?
    .with_run_dir(run_dir)
    .with_label(name)
    .with_provenance(serde_json::to_value(prov)?, checks);
    tracing::info!(run = name, params, "training");
    let fit = trainer.fit(&train, Some(&val))?;
    // Test the best checkpoint.
    trainer.restore_best()?;
    let mut cm = ConfusionMatrix::new(data.classes.len());
    let mut acc = Accuracy::new();
    for b in test.epoch(0) {
        let b = b?;
        let out = model.forward_t(&b.input, false)?;
        cm.update(&out, &b.target)?;
        acc.update(&out, &b.target)?;
    }
    Ok(RunResult {
        name: name.to_string(),
        fit,
        test_accuracy: acc.compute()?,
        confusion: cm,
        seconds: t0.elapsed().as_secs_f64(),
        params,
        dir: run_dir.to_path_buf(),
    })
}

/// Markdown table of per-class precision, recall and F1 with macro averages.
pub fn per_class_table(cm: &ConfusionMatrix, classes: &[String]) -> Result<String> {
    let mut s = String::from("| class | precision | recall | F1 | support |\n|---|---|---|---|---|\n");
    for (i, c) in classes.iter().enumerate() {
        s.push_str(&format!(
            "| {c} | {:.3} | {:.3} | {:.3} | {} |\n",
            cm.precision(i)?,
            cm.recall(i)?,
            cm.f1(i)?,
            cm.support(i)?
        ));
    }
    s.push_str(&format!(
        "| **macro** | {:.3} | {:.3} | {:.3} | {} |\n",
        cm.precision_avg(Average::Macro)?,
        cm.recall_avg(Average::Macro)?,
        cm.f1_avg(Average::Macro)?,
        cm.total()
    ));
    Ok(s)
}

/// Loss curves (train and validation) of several runs as one PNG.
pub fn plot_losses(path: &Path, title: &str, runs: &[&RunResult]) -> Result<()> {
    let mut series = Vec::new();
    let names: Vec<(String, String)> =
        runs.iter().map(|r| (format!("{} train", r.name), format!("{} val", r.name))).collect();
    for (r, (tn, vn)) in runs.iter().zip(&names) {
        series.push(scidl_cli::plot::Series {
            label: tn,
            points: r.fit.history.iter().map(|e| (e.epoch as f64, e.train_loss)).collect(),
        });
        series.push(scidl_cli::plot::Series {
            label: vn,
            points: r.fit.history.iter().filter_map(|e| e.val_loss.map(|v| (e.epoch as f64, v))).collect(),
        });
    }
    scidl_cli::plot::line_chart(path, title, "epoch", "cross-entropy", &series)
}

/// `(N, C, H, W)` f32 from raw pixels with the given scaling and normalisation.
pub fn normalise(raw: Tensor, scale: f64, mean: f64, std: f64) -> Result<Tensor> {
    Ok(raw.to_dtype(DType::F32)?.affine(1.0 / (scale * std), -mean / std)?)
}

/// Mean and standard deviation of `x / scale`.
pub fn stats(x: &Tensor, scale: f64) -> Result<(f64, f64)> {
    let v = (x.to_dtype(DType::F64)? / scale)?;
    let mean = v.mean_all()?.to_scalar::<f64>()?;
    let var = v.affine(1.0, -mean)?.sqr()?.mean_all()?.to_scalar::<f64>()?;
    Ok((mean, var.sqrt()))
}

/// Row subset of a tensor.
pub fn rows(x: &Tensor, idx: &[usize]) -> Result<Tensor> {
    let i = Tensor::from_vec(idx.iter().map(|&v| v as u32).collect::<Vec<_>>(), idx.len(), x.device())?;
    Ok(x.index_select(&i, 0)?)
}

/// A summary line per epoch for reports.
pub fn history_table(fit: &FitReport) -> String {
    let mut s =
        String::from("| epoch | lr | train loss | val loss | val accuracy | seconds |\n|---|---|---|---|---|---|\n");
    for e in &fit.history {
        s.push_str(&format!(
            "| {} | {:.2e} | {:.4} | {:.4} | {:.4} | {:.1} |\n",
            e.epoch,
            e.lr,
            e.train_loss,
            e.val_loss.unwrap_or(f64::NAN),
            e.metrics.get("accuracy").copied().unwrap_or(f64::NAN),
            e.seconds
        ));
    }
    s
}

/// Device description and date for report headers.
pub fn machine_line(device: &Device) -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("model name"))
                .map(|l| l.split(':').nth(1).unwrap_or("").trim().to_string())
        })
        .unwrap_or_else(|| "unknown CPU".into());
    format!(
        "{} on {cpu}, scidl {} ({})",
        scidl_core::device::describe(device),
        env!("CARGO_PKG_VERSION"),
        scidl_core::train::checkpoint::git_revision()
    )
}
