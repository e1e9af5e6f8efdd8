//! Dropout (Srivastava et al., 2014) with masks drawn from scidl's seeded generator.
//!
//! The mask of a call depends on the step key set by the training engine
//! ([`crate::rng::set_step_key`]), a key of the layer (its position in the module tree) and how many
//! times the layer already ran in this step, so a resumed run draws the same masks as an
//! uninterrupted one. Kept values are scaled by `1 / (1 - p)`; evaluation is the identity.

use crate::{Error, Result, rng};
use candle_core::Tensor;
use candle_nn::ModuleT;
use rand::Rng;
use std::sync::Mutex;

/// A dropout layer.
#[derive(Debug)]
pub struct Dropout {
    p: f64,
    key: u64,
    calls: Mutex<(u64, u64)>, // (step key of the last call, calls within that step)
}

impl Clone for Dropout {
    fn clone(&self) -> Self {
        Self { p: self.p, key: self.key, calls: Mutex::new((0, 0)) }
    }
}

impl Dropout {
    /// Drops each value with probability `p`; `name` distinguishes the layer's masks from others'.
    pub fn new(p: f64, name: &str) -> Result<Self> {
        if !(0.0..1.0).contains(&p) {
            return Err(Error::Config(format!("dropout probability must be in [0, 1), got {p}")));
        }
        Ok(Self { p, key: rng::hash_str(name), calls: Mutex::new((0, 0)) })
    }

    /// The drop probability.
    pub fn p(&self) -> f64 {
        self.p
    }

    fn mask_key(&self) -> u64 {
        let step = rng::step_key();
        let mut c = self.calls.lock().unwrap_or_else(|e| e.into_inner());
        if c.0 != step {
            *c = (step, 0);
        }
        c.1 += 1;
        rng::mix(rng::mix(step, self.key), c.1)
    }
}

impl ModuleT for Dropout {
    fn forward_t(&self, x: &Tensor, train: bool) -> candle_core::Result<Tensor> {
        if !train || self.p == 0.0 {
            return Ok(x.clone());
        }
        let mut r = rng::rng_for(self.mask_key());
        let scale = (1.0 / (1.0 - self.p)) as f32;
        let p = self.p as f32;
        let mask: Vec<f32> = (0..x.elem_count()).map(|_| if r.random::<f32>() < p { 0.0 } else { scale }).collect();
        let mask = Tensor::from_vec(mask, x.shape(), x.device())?.to_dtype(x.dtype())?;
        x * mask
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use candle_core::Device;

    #[test]
    fn same_step_key_same_mask_and_expected_scale() {
        let d = Dropout::new(0.5, "drop").unwrap();
        let x = Tensor::ones(10_000, candle_core::DType::F32, &Device::Cpu).unwrap();
        rng::set_step_key(42);
        let a = d.forward_t(&x, true).unwrap().to_vec1::<f32>().unwrap();
        let d2 = Dropout::new(0.5, "drop").unwrap();
        let b = d2.forward_t(&x, true).unwrap().to_vec1::<f32>().unwrap();
        assert_eq!(a, b);
        // Kept values are 2, dropped 0; about half are kept (binomial sd 50 around 5000).
        assert!(a.iter().all(|&v| v == 0.0 || v == 2.0));
        let kept = a.iter().filter(|&&v| v > 0.0).count();
        assert!((4700..5300).contains(&kept), "{kept}");
        let second = d.forward_t(&x, true).unwrap().to_vec1::<f32>().unwrap();
        assert_ne!(a, second, "a second call in the same step draws a new mask");
        assert_eq!(d.forward_t(&x, false).unwrap().to_vec1::<f32>().unwrap(), vec![1.0; 10_000]);
        assert!(Dropout::new(1.0, "x").is_err());
    }
}
