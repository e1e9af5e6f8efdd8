//! Learning on simulated fields: a CNN that classifies detection cutouts as star, galaxy or
//! artifact (cosmic ray, hot pixel), and a U-Net that maps an image to a source-probability map
//! whose peaks are detections (after DeepSource, Vafaei Sadr et al. 2019). Both train with the
//! core's trainer on fields from [`crate::simulate`], whose truth catalogs give the labels.

use candle_core::{DType, Device, Tensor};
use candle_nn::ModuleT;
use scidl_core::nn::ParamStore;
use scidl_core::nn::nets::{UNet, UNetConfig, Vgg, VggBlock, VggConfig};
use scidl_core::optim::{LrSchedule, OptimizerConfig};
use scidl_core::train::{Batches, CheckpointStrategy, FitReport, TrainConfig, Trainer};
use scidl_data::{Batcher, BatcherConfig, Source, TensorDataset};
use std::path::Path;
use std::sync::Arc;

use crate::background::{Background, BackgroundConfig};
use crate::simulate::{SimConfig, SourceKind, TruthSource, simulate};
use crate::{Error, Result};

/// Cutout side (pixels).
pub const CUTOUT: usize = 28;
/// Class names, in label order.
pub const CLASSES: [&str; 3] = ["star", "galaxy", "artifact"];

/// A `CUTOUT x CUTOUT` stamp centred on (`x`, `y`) of the background-subtracted `sub`, divided by
/// its brightest central pixel (so the network sees shape, not brightness); zeros off the image.
pub fn cutout(sub: &[f64], w: usize, h: usize, x: f64, y: f64) -> Vec<f32> {
    let half = (CUTOUT / 2) as i64;
    let (cx, cy) = (x.round() as i64, y.round() as i64);
    let mut out = vec![0f32; CUTOUT * CUTOUT];
    let mut peak = 0f64;
    for dy in -2..=2 {
        for dx in -2..=2 {
            let (px, py) = (cx + dx, cy + dy);
            if px >= 0 && py >= 0 && (px as usize) < w && (py as usize) < h {
                let v = sub[py as usize * w + px as usize];
                if v.is_finite() {
                    peak = peak.max(v);
                }
            }
        }
    }
    let scale = if peak > 0.0 { 1.0 / peak } else { 1.0 };
    for j in 0..CUTOUT as i64 {
        for i in 0..CUTOUT as i64 {
            let (px, py) = (cx - half + i, cy - half + j);
            if px >= 0 && py >= 0 && (px as usize) < w && (py as usize) < h {
                let v = sub[py as usize * w + px as usize];
                if v.is_finite() {
                    out[(j as usize) * CUTOUT + i as usize] = ((v * scale) as f32).clamp(-2.0, 2.0);
                }
            }
        }
    }
    out
}

/// Background-subtracted image of a simulated field.
fn subtracted(img: &[f64], w: usize, h: usize) -> Result<Vec<f64>> {
    let bg = Background::new(img, w, h, BackgroundConfig::default())?;
    Ok(img.iter().zip(bg.back_map()).map(|(v, b)| v - b).collect())
}

/// Labelled cutouts from `fields` simulated fields (seeds `seed..seed + fields`): every artifact,
/// and stars and galaxies with expected SNR of at least `min_snr`. Returns `(N, 1, 28, 28)`
/// inputs and `(N,)` labels.
pub fn cutout_set(cfg: &SimConfig, fields: usize, seed: u64, min_snr: f64) -> Result<(Tensor, Tensor)> {
    let mut xs = Vec::new();
    let mut ys = Vec::new();
    for f in 0..fields {
        let c = SimConfig { seed: seed + f as u64, ..cfg.clone() };
        let (img, truth) = simulate(&c);
        let sub = subtracted(&img, c.width, c.height)?;
        for t in truth.iter().filter(|t| t.snr >= min_snr) {
            xs.extend(cutout(&sub, c.width, c.height, t.x, t.y));
            ys.push(t.kind.class() as u32);
        }
    }
    let n = ys.len();
    if n == 0 {
        return Err(Error::Config("the simulated fields gave no cutouts".into()));
    }
    Ok((Tensor::from_vec(xs, (n, 1, CUTOUT, CUTOUT), &Device::Cpu)?, Tensor::from_vec(ys, n, &Device::Cpu)?))
}

/// The classifier network: two conv + pool blocks and a 64-unit head, 3 classes.
pub fn classifier_config() -> VggConfig {
    VggConfig {
        in_channels: 1,
        input_size: [CUTOUT, CUTOUT],
        blocks: vec![VggBlock { channels: 16, convs: 1 }, VggBlock { channels: 32, convs: 1 }],
        batch_norm: false,
        hidden: vec![64],
        dropout: 0.0,
        num_classes: CLASSES.len(),
    }
}

fn batcher(x: Tensor, y: Tensor, bs: usize, shuffle: bool, seed: u64, device: &Device) -> Result<Batcher> {
    let ds = TensorDataset::new(vec![("input".into(), x), ("target".into(), y)])?;
    let cfg = BatcherConfig { batch_size: bs, shuffle, seed, workers: 0, ..Default::default() };
    Ok(Batcher::new(Source::Tensors(Arc::new(ds)), None, cfg, device)?)
}

fn adam(epochs: usize, lr: f64, seed: u64) -> TrainConfig {
    TrainConfig {
        epochs,
        seed,
        optimizer: OptimizerConfig::Adam { lr, betas: (0.9, 0.999), eps: 1e-8, weight_decay: 0.0 },
        schedule: LrSchedule::CosineWarmup { warmup_epochs: 0.0, total_epochs: epochs as f64, min_lr: lr * 0.05 },
        monitor: "val_loss".into(),
        early_stopping_patience: None,
        early_stopping_min_delta: 0.0,
        clip_grad_norm: None,
        checkpoints: CheckpointStrategy::default(),
    }
}

/// Trains the cutout classifier; the best (validation loss) weights are loaded at the end.
pub fn train_classifier(
    train: (Tensor, Tensor),
    val: (Tensor, Tensor),
    epochs: usize,
    seed: u64,
    run_dir: &Path,
    device: &Device,
) -> Result<(Vgg, ParamStore, FitReport)> {
    let store = ParamStore::new(seed, device);
    let model = Vgg::new(&classifier_config(), store.var_builder())?;
    let tb = batcher(train.0, train.1, 64, true, seed, device)?;
    let vb = batcher(val.0, val.1, 256, false, seed, device)?;
    let prov = serde_json::json!({"kind": "scidl-astro classifier", "cutout": CUTOUT, "classes": CLASSES, "model": classifier_config()});
    let fit = {
        let mut trainer = Trainer::new(
            &model,
            store.clone(),
            Box::new(scidl_core::loss::cross_entropy),
            Vec::new(),
            adam(epochs, 1e-3, seed),
        )?
        .with_run_dir(run_dir)
        .with_label("classifier")
        .with_provenance(prov, Default::default());
        let fit = trainer.fit(&tb, Some(&vb as &dyn Batches))?;
        trainer.restore_best()?;
        fit
    };
    Ok((model, store, fit))
}

/// Reloads a classifier checkpoint.
pub fn load_classifier(checkpoint: &Path, device: &Device) -> Result<Vgg> {
    let m = scidl_core::train::Checkpoint::manifest(checkpoint)?;
    if m.config.get("kind").and_then(|k| k.as_str()) != Some("scidl-astro classifier") {
        return Err(Error::input(checkpoint, "not a scidl-astro classifier checkpoint"));
    }
    let store = ParamStore::new(m.seed, device);
    let model = Vgg::new(&classifier_config(), store.var_builder())?;
    scidl_core::train::Checkpoint::load_weights(checkpoint, &store)?;
    Ok(model)
}

/// Class probabilities `(N, 3)` of cutouts `(N, 1, 28, 28)`.
pub fn predict_proba(model: &dyn ModuleT, x: &Tensor, device: &Device) -> Result<Vec<Vec<f32>>> {
    let mut out = Vec::new();
    for start in (0..x.dim(0)?).step_by(512) {
        let n = 512.min(x.dim(0)? - start);
        let logits = model.forward_t(&x.narrow(0, start, n)?.to_device(device)?, false)?;
        let p = candle_nn::ops::softmax(&logits, 1)?.to_device(&Device::Cpu)?.to_dtype(DType::F32)?;
        out.extend(p.to_vec2::<f32>()?);
    }
    Ok(out)
}

/// Target map for the learned detector: 1 within `radius` pixels of every star and galaxy.
pub fn source_map(truth: &[TruthSource], w: usize, h: usize, radius: f64) -> Vec<f32> {
    let mut m = vec![0f32; w * h];
    let r = radius.ceil() as i64;
    for t in truth.iter().filter(|t| matches!(t.kind, SourceKind::Star | SourceKind::Galaxy)) {
        let (cx, cy) = (t.x.round() as i64, t.y.round() as i64);
        for dy in -r..=r {
            for dx in -r..=r {
                let (x, y) = (cx + dx, cy + dy);
                let d = ((x as f64 - t.x).powi(2) + (y as f64 - t.y).powi(2)).sqrt();
                if d <= radius && x >= 0 && y >= 0 && (x as usize) < w && (y as usize) < h {
                    m[y as usize * w + x as usize] = 1.0;
                }
            }
        }
    }
    m
}

/// The detector's input scaling: background-subtracted pixels divided by the global RMS, then
/// `asinh(v / 3)` to compress bright stars.
pub fn detector_input(img: &[f64], w: usize, h: usize) -> Result<Vec<f32>> {
    let bg = Background::new(img, w, h, BackgroundConfig::default())?;
    let rms = f64::from(bg.global_rms);
    Ok(img.iter().zip(bg.back_map()).map(|(v, b)| (((v - b) / rms) / 3.0).asinh() as f32).collect())
}

/// The U-Net of the learned detector (2-D, three levels, one output logit per pixel).
pub fn detector_config() -> UNetConfig {
    UNetConfig {
        spatial_dims: 2,
        in_channels: 1,
        out_channels: 1,
        channels: vec![8, 16, 32],
        batch_norm: true,
        up: Default::default(),
    }
}

/// Random `patch x patch` training pairs (input, target map) from simulated fields.
pub fn detector_patches(
    cfg: &SimConfig,
    fields: usize,
    seed: u64,
    patch: usize,
    per_field: usize,
) -> Result<(Tensor, Tensor)> {
    use rand::{Rng, SeedableRng};
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed ^ 0x5eed);
    let (mut xs, mut ys) = (Vec::new(), Vec::new());
    for f in 0..fields {
        let c = SimConfig { seed: seed + f as u64, ..cfg.clone() };
        let (img, truth) = simulate(&c);
        let inp = detector_input(&img, c.width, c.height)?;
        let tgt = source_map(&truth, c.width, c.height, 1.5);
        for _ in 0..per_field {
            let (x0, y0) = (rng.random_range(0..=c.width - patch), rng.random_range(0..=c.height - patch));
            for y in y0..y0 + patch {
                xs.extend_from_slice(&inp[y * c.width + x0..y * c.width + x0 + patch]);
                ys.extend_from_slice(&tgt[y * c.width + x0..y * c.width + x0 + patch]);
            }
        }
    }
    let n = fields * per_field;
    Ok((
        Tensor::from_vec(xs, (n, 1, patch, patch), &Device::Cpu)?,
        Tensor::from_vec(ys, (n, 1, patch, patch), &Device::Cpu)?,
    ))
}

/// Trains the U-Net detector with binary cross-entropy on the source maps.
pub fn train_detector(
    train: (Tensor, Tensor),
    val: (Tensor, Tensor),
    epochs: usize,
    seed: u64,
    run_dir: &Path,
    device: &Device,
) -> Result<(UNet, ParamStore, FitReport)> {
    let store = ParamStore::new(seed, device);
    let model = UNet::new(&detector_config(), store.var_builder())?;
    let tb = batcher(train.0, train.1, 16, true, seed, device)?;
    let vb = batcher(val.0, val.1, 32, false, seed, device)?;
    let prov = serde_json::json!({"kind": "scidl-astro detector", "model": detector_config()});
    let fit = {
        let mut trainer = Trainer::new(
            &model,
            store.clone(),
            Box::new(scidl_core::loss::bce_with_logits),
            Vec::new(),
            adam(epochs, 2e-3, seed),
        )?
        .with_run_dir(run_dir)
        .with_label("detector")
        .with_provenance(prov, Default::default());
        let fit = trainer.fit(&tb, Some(&vb as &dyn Batches))?;
        trainer.restore_best()?;
        fit
    };
    Ok((model, store, fit))
}

/// Source probability map of a whole image (padded to a multiple of 4 for the U-Net).
pub fn probability_map(model: &dyn ModuleT, input: &[f32], w: usize, h: usize, device: &Device) -> Result<Vec<f32>> {
    let (pw, ph) = (w.div_ceil(4) * 4, h.div_ceil(4) * 4);
    let mut padded = vec![0f32; pw * ph];
    for y in 0..h {
        padded[y * pw..y * pw + w].copy_from_slice(&input[y * w..(y + 1) * w]);
    }
    let x = Tensor::from_vec(padded, (1, 1, ph, pw), device)?;
    let p = candle_nn::ops::sigmoid(&model.forward_t(&x, false)?)?
        .to_device(&Device::Cpu)?
        .flatten_all()?
        .to_vec1::<f32>()?;
    Ok((0..h).flat_map(|y| p[y * pw..y * pw + w].to_vec()).collect())
}

/// Peaks of a probability map: local maxima over 5x5 above `threshold`, with the probability-
/// weighted centroid of the 3x3 around each.
pub fn peaks(p: &[f32], w: usize, h: usize, threshold: f32) -> Vec<(f64, f64, f32)> {
    let mut out = Vec::new();
    for y in 0..h {
        for x in 0..w {
            let v = p[y * w + x];
            if v < threshold {
                continue;
            }
            let mut is_max = true;
            'n: for dy in -2i64..=2 {
                for dx in -2i64..=2 {
                    let (nx, ny) = (x as i64 + dx, y as i64 + dy);
                    if (dx, dy) == (0, 0) || nx < 0 || ny < 0 || nx >= w as i64 || ny >= h as i64 {
                        continue;
                    }
                    let u = p[ny as usize * w + nx as usize];
                    // Ties go to the first pixel in raster order.
                    if u > v || (u == v && (dy < 0 || (dy == 0 && dx < 0))) {
                        is_max = false;
                        break 'n;
                    }
                }
            }
            if is_max {
                let (mut sw, mut sx, mut sy) = (0f64, 0f64, 0f64);
                for dy in -1i64..=1 {
                    for dx in -1i64..=1 {
                        let (nx, ny) = (x as i64 + dx, y as i64 + dy);
                        if nx >= 0 && ny >= 0 && nx < w as i64 && ny < h as i64 {
                            let u = f64::from(p[ny as usize * w + nx as usize]);
                            sw += u;
                            sx += u * nx as f64;
                            sy += u * ny as f64;
                        }
                    }
                }
                out.push((sx / sw, sy / sw, v));
            }
        }
    }
    out
}

/// Completeness by SNR bin and overall purity of `detections` against the stars and galaxies of
/// `truth` (a truth source is found when a detection lies within `radius` pixels; each detection
/// matches at most one source, the nearest).
pub fn completeness_purity(
    truth: &[TruthSource],
    detections: &[(f64, f64)],
    bins: &[f64],
    radius: f64,
) -> (Vec<(usize, usize)>, usize, usize) {
    let real: Vec<&TruthSource> =
        truth.iter().filter(|t| matches!(t.kind, SourceKind::Star | SourceKind::Galaxy)).collect();
    let mut used = vec![false; detections.len()];
    let mut found = vec![false; real.len()];
    // Greedy by truth brightness: bright sources claim their detection first.
    let mut order: Vec<usize> = (0..real.len()).collect();
    order.sort_by(|&a, &b| real[b].flux.total_cmp(&real[a].flux));
    for i in order {
        let t = real[i];
        let best = detections
            .iter()
            .enumerate()
            .filter(|(k, _)| !used[*k])
            .map(|(k, d)| (k, (d.0 - t.x).hypot(d.1 - t.y)))
            .filter(|(_, d)| *d <= radius)
            .min_by(|a, b| a.1.total_cmp(&b.1));
        if let Some((k, _)) = best {
            used[k] = true;
            found[i] = true;
        }
    }
    let per_bin = bins
        .windows(2)
        .map(|b| {
            let idx: Vec<usize> = (0..real.len()).filter(|&i| real[i].snr >= b[0] && real[i].snr < b[1]).collect();
            (idx.iter().filter(|&&i| found[i]).count(), idx.len())
        })
        .collect();
    (per_bin, used.iter().filter(|&&u| u).count(), detections.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cutouts_are_centred_and_peak_normalised() {
        let (w, h) = (40, 30);
        let mut sub = vec![0.0; w * h];
        sub[10 * w + 20] = 8.0;
        sub[10 * w + 21] = 4.0;
        let c = cutout(&sub, w, h, 20.2, 9.8);
        assert_eq!(c[14 * CUTOUT + 14], 1.0);
        assert_eq!(c[14 * CUTOUT + 15], 0.5);
        // Near the corner, outside pixels are zero.
        let e = cutout(&sub, w, h, 0.0, 0.0);
        assert_eq!(e[0], 0.0);
    }

    #[test]
    fn peaks_and_completeness_by_hand() {
        let (w, h) = (20, 10);
        let mut p = vec![0f32; w * h];
        p[5 * w + 5] = 0.9;
        p[5 * w + 6] = 0.9;
        p[2 * w + 15] = 0.7;
        p[8 * w + 1] = 0.3;
        let pk = peaks(&p, w, h, 0.5);
        assert_eq!(pk.len(), 2, "{pk:?}");
        let near = pk.iter().find(|p| p.1 > 4.0).unwrap();
        assert!((near.0 - 5.5).abs() < 1e-9 && (near.1 - 5.0).abs() < 1e-9, "{pk:?}");
        let star = |x: f64, y: f64, snr: f64| TruthSource {
            kind: SourceKind::Star,
            x,
            y,
            flux: snr,
            snr,
            size: 1.0,
            axis_ratio: 1.0,
            theta: 0.0,
        };
        let truth = vec![star(5.4, 5.1, 50.0), star(15.0, 2.2, 5.0), star(1.0, 8.0, 3.0)];
        let dets: Vec<(f64, f64)> = pk.iter().map(|p| (p.0, p.1)).chain([(10.0, 1.0)]).collect();
        let (bins, matched, total) = completeness_purity(&truth, &dets, &[0.0, 4.0, 10.0, 100.0], 1.5);
        assert_eq!(bins, vec![(0, 1), (1, 1), (1, 1)]);
        assert_eq!((matched, total), (2, 3));
    }

    #[test]
    fn classifier_learns_stars_galaxies_and_artifacts_on_simulated_cutouts() {
        // A small run: 4 training fields, 1 validation field, 8 epochs. Held-out accuracy well above
        // the 1/3 of guessing shows the pipeline learns (the case study trains longer).
        let cfg = SimConfig {
            width: 256,
            height: 256,
            stars: 80,
            galaxies: 40,
            cosmic_rays: 25,
            hot_pixels: 25,
            ..Default::default()
        };
        let train = cutout_set(&cfg, 4, 100, 20.0).unwrap();
        let val = cutout_set(&cfg, 1, 200, 20.0).unwrap();
        let d = tempfile::tempdir().unwrap();
        let dev = Device::Cpu;
        let (model, _, fit) = train_classifier(train, val.clone(), 8, 7, d.path(), &dev).unwrap();
        assert_eq!(fit.history.len(), 8);
        let p = predict_proba(&model, &val.0, &dev).unwrap();
        let y = val.1.to_vec1::<u32>().unwrap();
        let correct = p.iter().zip(&y).filter(|(p, y)| {
            let best = (0..3).max_by(|&a, &b| p[a].total_cmp(&p[b])).unwrap();
            best as u32 == **y
        });
        let acc = correct.count() as f64 / y.len() as f64;
        assert!(acc > 0.75, "held-out accuracy {acc}");
        let reloaded = load_classifier(&d.path().join("checkpoints/best"), &dev).unwrap();
        assert_eq!(predict_proba(&reloaded, &val.0, &dev).unwrap(), p);
    }
}
