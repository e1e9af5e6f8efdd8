//! Gradient-norm clipping (PyTorch `clip_grad_norm_`).

use crate::Result;
use candle_core::{Var, backprop::GradStore};

/// Scales all gradients so their global L2 norm is at most `max_norm`; returns the norm before
/// clipping. The factor is `max_norm / (norm + 1e-6)` when the norm exceeds `max_norm`.
pub fn clip_grad_norm(grads: &mut GradStore, vars: &[(String, Var)], max_norm: f64) -> Result<f64> {
    let mut sq = 0.0f64;
    for (_, v) in vars {
        if let Some(g) = grads.get(v.as_tensor()) {
            sq += g.sqr()?.sum_all()?.to_dtype(candle_core::DType::F64)?.to_scalar::<f64>()?;
        }
    }
    let norm = sq.sqrt();
    if norm > max_norm {
        let scale = max_norm / (norm + 1e-6);
        for (_, v) in vars {
            if let Some(g) = grads.get(v.as_tensor()) {
                let scaled = (g * scale)?;
                grads.insert(v.as_tensor(), scaled);
            }
        }
    }
    Ok(norm)
}
