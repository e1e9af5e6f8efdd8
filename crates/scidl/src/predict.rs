//! `scidl predict`: classify PNG or IDX images with a checkpoint written by a study. The checkpoint's
//! manifest holds the model config, normalisation and class names, so nothing else is needed.

use crate::study::{self, ClassifierProvenance};
use anyhow::{Context, Result};
use candle_core::{D, Tensor};
use scidl_cli::BadInput;
use scidl_core::nn::ParamStore;
use scidl_core::train::Checkpoint;
use std::io::Write;
use std::path::{Path, PathBuf};

fn load_images(path: &Path, shape: [usize; 3]) -> Result<Tensor> {
    let bytes = std::fs::read(path).map_err(|e| BadInput::new(format!("{}: {e}", path.display())))?;
    let [c, h, w] = shape;
    let is_idx = bytes.len() >= 4 && ((bytes[0] == 0 && bytes[1] == 0) || bytes.starts_with(&[0x1f, 0x8b]));
    let arr =
        if is_idx { scidl_data::readers::idx::read_idx(path)? } else { scidl_data::readers::image::read_image(path)? };
    let dims = arr.shape.clone();
    let n = match dims.as_slice() {
        [hh, ww] if c == 1 && [*hh, *ww] == [h, w] => 1,
        [cc, hh, ww] if !is_idx && [*cc, *hh, *ww] == [c, h, w] => 1,
        [n, hh, ww] if is_idx && c == 1 && [*hh, *ww] == [h, w] => *n,
        _ => {
            return Err(BadInput::new(format!(
                "{}: image shape {:?} does not match the model input {:?} (C, H, W)",
                path.display(),
                dims,
                shape
            ))
            .into());
        }
    };
    Ok(arr.to_tensor(&candle_core::Device::Cpu)?.reshape((n, c, h, w))?)
}

/// Runs prediction.
pub fn run(args: &scidl_cli::CommonArgs, checkpoint: &Path, out: Option<&Path>, files: &[PathBuf]) -> Result<()> {
    if files.is_empty() {
        return Err(BadInput::new("no image files given").into());
    }
    let device = args.init_device()?;
    let manifest = Checkpoint::manifest(checkpoint)?;
    let prov: ClassifierProvenance = serde_json::from_value(manifest.config.clone()).map_err(|e| {
        BadInput::new(format!("{}: manifest does not describe an image classifier: {e}", checkpoint.display()))
    })?;
    let store = ParamStore::new(manifest.seed, &device);
    let model = prov.model.build(&store)?;
    Checkpoint::load_weights(checkpoint, &store)?;
    let mut csv = String::from("file,index,class,probability\n");
    for f in files {
        let raw = load_images(f, prov.input_shape)?;
        let x = study::normalise(raw, prov.scale, prov.mean, prov.std)?.to_device(&device)?;
        let p =
            candle_nn::ops::softmax(&model.forward_t(&x, false)?, D::Minus1)?.to_device(&candle_core::Device::Cpu)?;
        for (i, row) in p.to_vec2::<f32>()?.iter().enumerate() {
            let (best, prob) =
                row.iter().enumerate().fold((0, f32::MIN), |a, (j, &v)| if v > a.1 { (j, v) } else { a });
            let name = prov.classes.get(best).cloned().unwrap_or_else(|| best.to_string());
            csv.push_str(&format!("{},{i},{name},{prob:.4}\n", f.display()));
        }
    }
    match out {
        Some(o) => scidl_core::fs::write_atomic(o, csv.as_bytes())?,
        None => std::io::stdout().write_all(csv.as_bytes()).context("writing to standard output")?,
    }
    Ok(())
}
