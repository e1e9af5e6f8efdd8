//! The parameter store: every trainable weight and every buffer (batch-norm running statistics) of a
//! model, keyed by its path in the module tree, initialised from the run seed.
//!
//! A [`ParamStore`] hands out a Candle `VarBuilder`, so the same constructor (`X::new(&cfg, vb)`)
//! builds a fresh model or one to be filled from a checkpoint with [`ParamStore::load`]. Each tensor's
//! initial value depends only on the seed and its name, never on construction order or threads.

use crate::{Error, Result, rng};
use candle_core::{DType, Device, Shape, Tensor, Var};
use candle_nn::init::{FanInOut, NormalOrUniform};
use candle_nn::{Init, VarBuilder};
use rand::Rng;
use rand_distr::{Distribution, StandardNormal};
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::{Arc, Mutex, MutexGuard};

/// Named variables of a model, shared between its layers, its optimiser and its checkpoints.
#[derive(Clone)]
pub struct ParamStore {
    vars: Arc<Mutex<BTreeMap<String, Var>>>,
    seed: u64,
    device: Device,
}

/// Whether a tensor name denotes a buffer (state that is saved but not trained): the last path
/// segment starts with `running_` or is `num_batches_tracked`, as in PyTorch state dicts.
pub fn is_buffer(name: &str) -> bool {
    let last = name.rsplit('.').next().unwrap_or(name);
    last.starts_with("running_") || last == "num_batches_tracked"
}

impl ParamStore {
    /// An empty store whose tensors will be initialised from `seed` on `device`.
    pub fn new(seed: u64, device: &Device) -> Self {
        Self { vars: Arc::new(Mutex::new(BTreeMap::new())), seed, device: device.clone() }
    }

    /// The device the tensors live on.
    pub fn device(&self) -> &Device {
        &self.device
    }

    /// A builder rooted at this store (f32).
    pub fn var_builder(&self) -> VarBuilder<'static> {
        VarBuilder::from_backend(Box::new(self.clone()), DType::F32, self.device.clone())
    }

    fn lock(&self) -> MutexGuard<'_, BTreeMap<String, Var>> {
        // A poisoned lock only means another thread panicked while holding it; the map is still valid.
        self.vars.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Trainable variables, sorted by name.
    pub fn trainable(&self) -> Vec<(String, Var)> {
        self.lock().iter().filter(|(k, _)| !is_buffer(k)).map(|(k, v)| (k.clone(), v.clone())).collect()
    }

    /// All variables (trainable and buffers), sorted by name.
    pub fn all(&self) -> Vec<(String, Var)> {
        self.lock().iter().map(|(k, v)| (k.clone(), v.clone())).collect()
    }

    /// Looks up one variable.
    pub fn get(&self, name: &str) -> Option<Var> {
        self.lock().get(name).cloned()
    }

    /// Number of trainable scalars.
    pub fn num_trainable(&self) -> usize {
        self.trainable().iter().map(|(_, v)| v.elem_count()).sum()
    }

    /// Writes every variable to a safetensors file (through a temporary file and a rename).
    pub fn save(&self, path: &Path) -> Result<()> {
        let tensors: BTreeMap<String, Tensor> =
            self.all().into_iter().map(|(k, v)| (k, v.as_tensor().clone())).collect();
        save_tensors(&tensors, path)
    }

    /// Replaces the value of every variable with the tensor of the same name in a safetensors file.
    ///
    /// Fails, naming the file, when a variable is missing from the file, has another shape, or the
    /// file holds tensors the model does not have.
    pub fn load(&self, path: &Path) -> Result<()> {
        let loaded = load_tensors(path, &self.device)?;
        let vars = self.lock();
        let bad = |reason: String| Error::Checkpoint { path: path.to_path_buf(), reason };
        // Check everything before changing anything, so a rejected file leaves the model untouched.
        if let Some(extra) = loaded.keys().find(|k| !vars.contains_key(*k)) {
            return Err(bad(format!("tensor `{extra}` does not belong to this model")));
        }
        for (name, var) in vars.iter() {
            let t = loaded.get(name).ok_or_else(|| bad(format!("tensor `{name}` is missing")))?;
            if t.shape() != var.shape() {
                return Err(bad(format!(
                    "tensor `{name}` has shape {:?}, the model expects {:?}",
                    t.dims(),
                    var.dims()
                )));
            }
        }
        for (name, var) in vars.iter() {
            var.set(&loaded[name].to_dtype(var.dtype())?)?;
        }
        Ok(())
    }

    fn init_tensor(&self, shape: &Shape, name: &str, init: Init, dtype: DType) -> Result<Tensor> {
        let n = shape.elem_count();
        let mut r = rng::rng_for(rng::mix(self.seed, rng::hash_str(name)));
        let values: Vec<f32> = match init {
            Init::Const(c) => vec![c as f32; n],
            Init::Uniform { lo, up } => (0..n).map(|_| r.random_range(lo..up) as f32).collect(),
            Init::Randn { mean, stdev } => {
                (0..n).map(|_| (mean + stdev * Distribution::<f64>::sample(&StandardNormal, &mut r)) as f32).collect()
            }
            Init::Kaiming { dist, fan, non_linearity } => {
                let dims = shape.dims();
                let receptive: usize = dims.iter().skip(2).product();
                let fan_n = match (fan, dims.len()) {
                    (_, 0) => 1,
                    (_, 1) => dims[0],
                    (FanInOut::FanIn, _) => dims[1] * receptive,
                    (FanInOut::FanOut, _) => dims[0] * receptive,
                };
                let std = non_linearity.gain() / (fan_n.max(1) as f64).sqrt();
                match dist {
                    NormalOrUniform::Uniform => {
                        let bound = 3f64.sqrt() * std;
                        (0..n).map(|_| r.random_range(-bound..bound) as f32).collect()
                    }
                    NormalOrUniform::Normal => {
                        (0..n).map(|_| (std * Distribution::<f64>::sample(&StandardNormal, &mut r)) as f32).collect()
                    }
                }
            }
        };
        Ok(Tensor::from_vec(values, shape.clone(), &self.device)?.to_dtype(dtype)?)
    }
}

impl candle_nn::var_builder::SimpleBackend for ParamStore {
    fn get(&self, s: Shape, name: &str, h: Init, dtype: DType, dev: &Device) -> candle_core::Result<Tensor> {
        if let Some(v) = self.lock().get(name) {
            if v.shape() != &s {
                candle_core::bail!("parameter `{name}` requested with shape {s:?} but has {:?}", v.dims());
            }
            return Ok(v.as_tensor().clone());
        }
        let t =
            self.init_tensor(&s, name, h, dtype).map_err(|e| candle_core::Error::Msg(e.to_string()))?.to_device(dev)?;
        let var = Var::from_tensor(&t)?;
        let out = var.as_tensor().clone();
        self.lock().insert(name.to_string(), var);
        Ok(out)
    }

    fn get_unchecked(&self, name: &str, _dtype: DType, _dev: &Device) -> candle_core::Result<Tensor> {
        match self.lock().get(name) {
            Some(v) => Ok(v.as_tensor().clone()),
            None => candle_core::bail!("parameter `{name}` does not exist"),
        }
    }

    fn contains_tensor(&self, name: &str) -> bool {
        self.lock().contains_key(name)
    }
}

/// Saves named tensors to a safetensors file, atomically (temporary file in the same folder, then rename).
pub fn save_tensors(tensors: &BTreeMap<String, Tensor>, path: &Path) -> Result<()> {
    let tmp = path.with_extension("safetensors.partial");
    let cpu: std::collections::HashMap<String, Tensor> = tensors
        .iter()
        .map(|(k, t)| Ok((k.clone(), t.to_device(&Device::Cpu)?.contiguous()?)))
        .collect::<candle_core::Result<_>>()?;
    candle_core::safetensors::save(&cpu, &tmp)
        .map_err(|e| Error::Checkpoint { path: tmp.clone(), reason: e.to_string() })?;
    std::fs::rename(&tmp, path).map_err(|e| Error::io(path, e))
}

/// Loads every tensor of a safetensors file onto `device`, with an error naming the file.
pub fn load_tensors(path: &Path, device: &Device) -> Result<std::collections::HashMap<String, Tensor>> {
    if !path.exists() {
        return Err(Error::Checkpoint { path: path.to_path_buf(), reason: "file not found".into() });
    }
    candle_core::safetensors::load(path, device).map_err(|e| Error::Checkpoint {
        path: path.to_path_buf(),
        reason: format!("not a readable safetensors file: {e}"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn init_depends_on_seed_and_name_not_on_order() {
        let dev = Device::Cpu;
        let a = ParamStore::new(3, &dev);
        let b = ParamStore::new(3, &dev);
        let c = ParamStore::new(4, &dev);
        let va = a.var_builder();
        let vb = b.var_builder();
        let x1 = va.get_with_hints((4, 3), "l1.weight", candle_nn::init::DEFAULT_KAIMING_NORMAL).unwrap();
        let _ = va.get_with_hints((2,), "l0.weight", Init::Const(1.0)).unwrap();
        let _ = vb.get_with_hints((2,), "l0.weight", Init::Const(1.0)).unwrap();
        let y1 = vb.get_with_hints((4, 3), "l1.weight", candle_nn::init::DEFAULT_KAIMING_NORMAL).unwrap();
        let z1 = c.var_builder().get_with_hints((4, 3), "l1.weight", candle_nn::init::DEFAULT_KAIMING_NORMAL).unwrap();
        let d =
            |p: &Tensor, q: &Tensor| p.sub(q).unwrap().abs().unwrap().sum_all().unwrap().to_scalar::<f32>().unwrap();
        assert_eq!(d(&x1, &y1), 0.0);
        assert!(d(&x1, &z1) > 0.0);
    }

    #[test]
    fn kaiming_uniform_bound_matches_fan_in() {
        // candle's default conv init: Kaiming uniform, fan-in, ReLU gain sqrt(2):
        // bound = sqrt(3) * sqrt(2) / sqrt(fan_in) with fan_in = 3*3*3 = 27 -> 0.4714.
        let s = ParamStore::new(0, &Device::Cpu);
        let w = s.var_builder().get_with_hints((64, 3, 3, 3), "w", candle_nn::init::DEFAULT_KAIMING_UNIFORM).unwrap();
        let m = w.abs().unwrap().max_all().unwrap().to_scalar::<f32>().unwrap();
        assert!(m <= 0.4714 && m > 0.45, "{m}");
    }

    #[test]
    fn save_load_roundtrip_and_mismatch_errors() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("w.safetensors");
        let s = ParamStore::new(1, &Device::Cpu);
        let w = s.var_builder().get_with_hints((2, 2), "a.weight", Init::Randn { mean: 0., stdev: 1. }).unwrap();
        s.var_builder().get_with_hints(2, "a.running_mean", Init::Const(0.)).unwrap();
        s.save(&p).unwrap();
        let t = ParamStore::new(2, &Device::Cpu);
        let w2 = t.var_builder().get_with_hints((2, 2), "a.weight", Init::Const(0.)).unwrap();
        t.var_builder().get_with_hints(2, "a.running_mean", Init::Const(5.)).unwrap();
        t.load(&p).unwrap();
        assert_eq!(w.to_vec2::<f32>().unwrap(), w2.to_vec2::<f32>().unwrap());
        assert_eq!(t.trainable().len(), 1);
        let u = ParamStore::new(2, &Device::Cpu);
        u.var_builder().get_with_hints((3, 2), "a.weight", Init::Const(0.)).unwrap();
        u.var_builder().get_with_hints(2, "a.running_mean", Init::Const(7.)).unwrap();
        let e = u.load(&p).unwrap_err().to_string();
        assert!(e.contains("a.weight") && e.contains("shape"), "{e}");
        // A rejected file changes nothing: the buffer keeps its value.
        assert_eq!(u.get("a.running_mean").unwrap().to_vec1::<f32>().unwrap(), vec![7.0, 7.0]);
    }
}
