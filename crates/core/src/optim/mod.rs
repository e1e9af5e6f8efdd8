//! Optimisers (SGD with momentum/Nesterov, Adam, AdamW), learning-rate schedules and gradient
//! clipping. Optimiser state (moments, step count) is saved and restored with checkpoints so a
//! resumed run continues exactly.

pub mod clip;
mod fused;
pub mod schedule;

pub use clip::clip_grad_norm;
pub use schedule::{LrSchedule, Scheduler};

use crate::{Error, Result};
use candle_core::{Tensor, Var, backprop::GradStore};
use std::collections::BTreeMap;

/// Which optimiser, with its hyper-parameters (the serialisable form used in run configs).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum OptimizerConfig {
    /// Stochastic gradient descent (PyTorch `torch.optim.SGD` semantics, no dampening).
    Sgd {
        /// Learning rate.
        lr: f64,
        /// Momentum factor (0 disables).
        #[serde(default)]
        momentum: f64,
        /// Nesterov momentum.
        #[serde(default)]
        nesterov: bool,
        /// L2 penalty added to the gradient.
        #[serde(default)]
        weight_decay: f64,
    },
    /// Adam (Kingma & Ba, 2015) with L2 weight decay added to the gradient.
    Adam {
        /// Learning rate.
        lr: f64,
        /// Decay rates of the first and second moments.
        #[serde(default = "default_betas")]
        betas: (f64, f64),
        /// Denominator epsilon.
        #[serde(default = "default_eps")]
        eps: f64,
        /// L2 penalty added to the gradient.
        #[serde(default)]
        weight_decay: f64,
    },
    /// AdamW (Loshchilov & Hutter, 2019): decoupled weight decay.
    AdamW {
        /// Learning rate.
        lr: f64,
        /// Decay rates of the first and second moments.
        #[serde(default = "default_betas")]
        betas: (f64, f64),
        /// Denominator epsilon.
        #[serde(default = "default_eps")]
        eps: f64,
        /// Decoupled weight decay (PyTorch default 0.01).
        #[serde(default = "default_wd")]
        weight_decay: f64,
    },
}

fn default_betas() -> (f64, f64) {
    (0.9, 0.999)
}
fn default_eps() -> f64 {
    1e-8
}
fn default_wd() -> f64 {
    0.01
}

impl OptimizerConfig {
    /// The configured learning rate.
    pub fn lr(&self) -> f64 {
        match self {
            Self::Sgd { lr, .. } | Self::Adam { lr, .. } | Self::AdamW { lr, .. } => *lr,
        }
    }
    /// Checks the hyper-parameters.
    pub fn validate(&self) -> Result<()> {
        let bad = |m: String| Err(Error::Config(m));
        if !(self.lr() > 0.0 && self.lr().is_finite()) {
            return bad(format!("learning rate must be positive, got {}", self.lr()));
        }
        match self {
            Self::Sgd { momentum, nesterov, .. } => {
                if !(0.0..1.0).contains(momentum) {
                    return bad(format!("momentum must be in [0, 1), got {momentum}"));
                }
                if *nesterov && *momentum == 0.0 {
                    return bad("Nesterov momentum needs momentum > 0".into());
                }
            }
            Self::Adam { betas, .. } | Self::AdamW { betas, .. } => {
                if !(0.0..1.0).contains(&betas.0) || !(0.0..1.0).contains(&betas.1) {
                    return bad(format!("Adam betas must be in [0, 1), got {betas:?}"));
                }
            }
        }
        Ok(())
    }
}

/// An optimiser over a fixed list of named variables.
pub struct Optimizer {
    cfg: OptimizerConfig,
    vars: Vec<(String, Var)>,
    lr: f64,
    step: u64,
    /// Per-variable state tensors: momentum buffer (SGD) or first and second moments (Adam).
    state: BTreeMap<String, Tensor>,
}

impl Optimizer {
    /// Creates the optimiser for `vars` (typically [`crate::nn::ParamStore::trainable`]).
    pub fn new(cfg: OptimizerConfig, vars: Vec<(String, Var)>) -> Result<Self> {
        cfg.validate()?;
        Ok(Self { lr: cfg.lr(), cfg, vars, step: 0, state: BTreeMap::new() })
    }

    /// Current learning rate.
    pub fn learning_rate(&self) -> f64 {
        self.lr
    }
    /// Sets the learning rate (schedules call this).
    pub fn set_learning_rate(&mut self, lr: f64) {
        self.lr = lr;
    }
    /// Number of updates made.
    pub fn steps(&self) -> u64 {
        self.step
    }
    /// The optimised variables.
    pub fn vars(&self) -> &[(String, Var)] {
        &self.vars
    }

    /// One update from the gradients of a backward pass. Variables without a gradient are left alone.
    pub fn step(&mut self, grads: &GradStore) -> Result<()> {
        self.step += 1;
        let t = self.step as i32;
        let lr = self.lr;
        for (name, var) in &self.vars {
            let Some(g) = grads.get(var.as_tensor()) else { continue };
            // Detached: the update and the stored state must not record autograd history, or every
            // step's graph (activations included) would stay alive through the moment buffers.
            let g = &g.detach();
            let p = &var.as_tensor().detach();
            match self.cfg {
                OptimizerConfig::Sgd { momentum, nesterov, weight_decay, .. } => {
                    let mut g = if weight_decay != 0.0 { (g + (p * weight_decay)?)? } else { g.clone() };
                    if momentum != 0.0 {
                        let key = format!("{name}.momentum_buffer");
                        let buf = match self.state.get(&key) {
                            Some(b) => ((b * momentum)? + &g)?,
                            None => g.clone(),
                        };
                        g = if nesterov { (g + (&buf * momentum)?)? } else { buf.clone() };
                        self.state.insert(key, buf);
                    }
                    var.set(&(p - (g * lr)?)?)?;
                }
                OptimizerConfig::Adam { betas, eps, weight_decay, .. }
                | OptimizerConfig::AdamW { betas, eps, weight_decay, .. } => {
                    let decoupled = matches!(self.cfg, OptimizerConfig::AdamW { .. });
                    let mut p_now = p.clone();
                    let g = if !decoupled && weight_decay != 0.0 { (g + (p * weight_decay)?)? } else { g.clone() };
                    let (km, kv) = (format!("{name}.exp_avg"), format!("{name}.exp_avg_sq"));
                    let pt = var.as_tensor();
                    if fused::applies(&[pt, &g]) {
                        // In place, one pass per buffer (the state starts at zero, as in PyTorch).
                        let m = self.state.get(&km).cloned().map_or_else(|| pt.zeros_like(), Ok)?;
                        let v = self.state.get(&kv).cloned().map_or_else(|| pt.zeros_like(), Ok)?;
                        if fused::applies(&[pt, &g, &m, &v]) {
                            let (b1, b2) = betas;
                            let decay = if decoupled { 1.0 - lr * weight_decay } else { 1.0 };
                            let (bc1, bc2) = (1.0 - b1.powi(t), 1.0 - b2.powi(t));
                            fused::adam(pt, &g, &m, &v, betas, decay, lr / bc1, bc2.sqrt(), eps)?;
                            self.state.insert(km, m);
                            self.state.insert(kv, v);
                            continue;
                        }
                    }
                    if decoupled && weight_decay != 0.0 {
                        p_now = (p * (1.0 - lr * weight_decay))?;
                    }
                    let (b1, b2) = betas;
                    let m = match self.state.get(&km) {
                        Some(m) => ((m * b1)? + (&g * (1.0 - b1))?)?,
                        None => (&g * (1.0 - b1))?,
                    };
                    let v = match self.state.get(&kv) {
                        Some(v) => ((v * b2)? + (g.sqr()? * (1.0 - b2))?)?,
                        None => (g.sqr()? * (1.0 - b2))?,
                    };
                    let bc1 = 1.0 - b1.powi(t);
                    let bc2 = 1.0 - b2.powi(t);
                    // PyTorch: p -= lr / bc1 * m / (sqrt(v) / sqrt(bc2) + eps)
                    let denom = ((v.sqrt()? / bc2.sqrt())? + eps)?;
                    let upd = (m.div(&denom)? * (lr / bc1))?;
                    var.set(&(p_now - upd)?)?;
                    self.state.insert(km, m);
                    self.state.insert(kv, v);
                }
            }
        }
        Ok(())
    }

    /// Computes the gradients of `loss` and applies one update.
    pub fn backward_step(&mut self, loss: &Tensor) -> Result<()> {
        let grads = loss.backward()?;
        self.step(&grads)
    }

    /// The step count, learning rate and settings (the non-tensor part of [`Optimizer::state`]).
    pub fn scalars(&self) -> OptimizerScalars {
        OptimizerScalars { step: self.step, lr: self.lr, config: self.cfg.clone() }
    }

    /// The state to checkpoint: tensors by name, plus the step count and learning rate.
    pub fn state(&self) -> Result<(BTreeMap<String, Tensor>, OptimizerScalars)> {
        // Copies: the CPU update writes the moment buffers in place.
        let tensors = self.state.iter().map(|(k, t)| Ok((k.clone(), t.copy()?))).collect::<Result<_>>()?;
        Ok((tensors, self.scalars()))
    }

    /// Restores a state produced by [`Optimizer::state`] (tensors are moved to each variable's device).
    pub fn load_state(&mut self, tensors: BTreeMap<String, Tensor>, scalars: &OptimizerScalars) -> Result<()> {
        if std::mem::discriminant(&scalars.config) != std::mem::discriminant(&self.cfg) {
            return Err(Error::Config(format!(
                "checkpoint optimizer {:?} differs from the configured {:?}",
                scalars.config, self.cfg
            )));
        }
        let names: BTreeMap<&str, &Var> = self.vars.iter().map(|(n, v)| (n.as_str(), v)).collect();
        let mut state = BTreeMap::new();
        for (k, t) in tensors {
            let owner = k.rsplit_once('.').map(|(a, _)| a).unwrap_or("");
            let var = names
                .get(owner)
                .ok_or_else(|| Error::Config(format!("optimizer state `{k}` belongs to no parameter of this model")))?;
            if t.dims() != var.dims() {
                return Err(Error::Shape(format!(
                    "optimizer state `{k}` {:?} vs parameter {:?}",
                    t.dims(),
                    var.dims()
                )));
            }
            // A copy: the CPU update writes the moment buffers in place.
            state.insert(k, t.to_device(var.device())?.to_dtype(var.dtype())?.copy()?);
        }
        self.state = state;
        self.step = scalars.step;
        self.lr = scalars.lr;
        Ok(())
    }
}

/// The non-tensor part of an optimiser's state.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct OptimizerScalars {
    /// Updates made so far.
    pub step: u64,
    /// Learning rate at the time of saving.
    pub lr: f64,
    /// The optimiser's configuration.
    pub config: OptimizerConfig,
}
