//! `scidl demo`: trains the small VGG-style CNN on the bundled scikit-learn digits (1,797 real 8x8
//! handwritten digits, `data/digits.csv.gz`), tests it, and writes `report.md` with a loss curve and
//! a confusion matrix into the run folder. A few minutes on a laptop CPU.

use crate::study::{self, ClassData, ClassifierProvenance, ModelSpec};
use anyhow::Result;
use candle_core::{Device, Tensor};
use scidl_core::nn::nets::{VggBlock, VggConfig};
use scidl_core::optim::{LrSchedule, OptimizerConfig};
use scidl_core::train::{CheckpointStrategy, TrainConfig};
use std::path::{Path, PathBuf};

/// Path of the bundled digits file.
pub fn digits_path() -> PathBuf {
    // Next to the binary's workspace when run from a checkout; the current folder otherwise.
    let here = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/digits.csv.gz");
    if here.exists() { here } else { PathBuf::from("data/digits.csv.gz") }
}

/// Loads the digits as a stratified 70/15/15 split, pixels scaled by 1/16 and standardised.
pub fn load_digits(path: &Path, seed: u64) -> Result<(ClassData, f64, f64)> {
    let t = scidl_data::readers::csv::read_numeric_csv(path)?;
    if t.header.len() != 65 {
        return Err(scidl_cli::BadInput::new(format!(
            "{}: expected 64 pixel columns + label, found {} columns",
            path.display(),
            t.header.len()
        ))
        .into());
    }
    let labels: Vec<usize> = t.column(64).iter().map(|&v| v as usize).collect();
    let pixels: Vec<f32> = t.values.chunks(65).flat_map(|r| r[..64].to_vec()).collect();
    let x = Tensor::from_vec(pixels, (t.rows, 1, 8, 8), &Device::Cpu)?;
    let y = Tensor::from_vec(labels.iter().map(|&l| l as u32).collect::<Vec<_>>(), t.rows, &Device::Cpu)?;
    let parts = scidl_data::stratified_split(&labels, &[0.7, 0.15, 0.15], seed)?;
    let (mean, std) = study::stats(&study::rows(&x, &parts[0])?, 16.0)?;
    let norm = |idx: &[usize]| -> Result<Tensor> { study::normalise(study::rows(&x, idx)?, 16.0, mean, std) };
    Ok((
        ClassData {
            train_x: norm(&parts[0])?,
            train_y: study::rows(&y, &parts[0])?,
            val_x: norm(&parts[1])?,
            val_y: study::rows(&y, &parts[1])?,
            test_x: norm(&parts[2])?,
            test_y: study::rows(&y, &parts[2])?,
            classes: (0..10).map(|d| d.to_string()).collect(),
            files: vec![path.to_path_buf()],
        },
        mean,
        std,
    ))
}

/// Runs the demo.
pub fn run(args: &scidl_cli::CommonArgs, epochs: usize) -> Result<()> {
    let device = args.init_device()?;
    let run_dir = args.run_dir_or("demo");
    let path = digits_path();
    let (data, mean, std) = load_digits(&path, args.seed)?;
    let model = VggConfig {
        in_channels: 1,
        input_size: [8, 8],
        blocks: vec![VggBlock { channels: 16, convs: 1 }, VggBlock { channels: 32, convs: 1 }],
        batch_norm: false,
        hidden: vec![64],
        dropout: 0.0,
        num_classes: 10,
    };
    let prov = ClassifierProvenance {
        model: ModelSpec::Vgg(model),
        input_shape: [1, 8, 8],
        scale: 16.0,
        mean,
        std,
        classes: data.classes.clone(),
        train: TrainConfig {
            epochs,
            seed: args.seed,
            optimizer: OptimizerConfig::Adam { lr: 2e-3, betas: (0.9, 0.999), eps: 1e-8, weight_decay: 0.0 },
            schedule: LrSchedule::CosineWarmup { warmup_epochs: 1.0, total_epochs: epochs as f64, min_lr: 1e-5 },
            monitor: "val_accuracy".into(),
            early_stopping_patience: None,
            early_stopping_min_delta: 0.0,
            clip_grad_norm: None,
            checkpoints: CheckpointStrategy::default(),
        },
        batch_size: 32,
        hflip: false,
    };
    scidl_cli::write_resolved(&prov, &run_dir)?;
    let r = study::train_and_test("digits-cnn", &prov, &data, &device, &run_dir)?;
    study::plot_losses(&run_dir.join("loss.png"), "digits: small CNN, Adam", &[&r])?;
    scidl_cli::plot::confusion_heatmap(
        &run_dir.join("confusion.png"),
        "digits: test confusion matrix",
        &data.classes,
        r.confusion.matrix(),
    )?;
    let report = format!(
        "# scidl demo: handwritten digits\n\n{}\n\nData: `{}` (scikit-learn digits, 1,797 real 8x8 images), stratified split \
         70/15/15 with seed {} ({} train, {} validation, {} test).\n\nModel: conv3x3(16)+ReLU+maxpool, conv3x3(32)+ReLU+maxpool, \
         fc(64), fc(10); {} parameters. Adam, lr 2e-3, cosine schedule with 1 warm-up epoch, batch 32, {} epochs; best epoch by \
         validation accuracy: {}.\n\n**Test accuracy: {:.4}** (macro F1 {:.4}), training time {:.1} s.\n\n## Per class (test)\n\n{}\n\
         ## Training\n\n{}\n![loss curves](loss.png)\n\n![confusion matrix](confusion.png)\n",
        study::machine_line(&device),
        path.display(),
        args.seed,
        data.train_y.dim(0)?,
        data.val_y.dim(0)?,
        data.test_y.dim(0)?,
        r.params,
        epochs,
        r.fit.best_epoch.unwrap_or(0),
        r.test_accuracy,
        r.confusion.f1_avg(scidl_core::metrics::Average::Macro)?,
        r.seconds,
        study::per_class_table(&r.confusion, &data.classes)?,
        study::history_table(&r.fit),
    );
    scidl_core::fs::write_atomic(&run_dir.join("report.md"), report.as_bytes())?;
    tracing::info!(accuracy = format!("{:.4}", r.test_accuracy), report = %run_dir.join("report.md").display(), "demo done");
    println!("test accuracy {:.4}; report: {}", r.test_accuracy, run_dir.join("report.md").display());
    Ok(())
}
