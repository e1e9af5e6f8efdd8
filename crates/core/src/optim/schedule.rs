//! Learning-rate schedules: step, multi-step, cosine with linear warm-up, and reduce-on-plateau.
//!
//! Schedules are functions of the (fractional) epoch, so the training engine can update the rate
//! every batch, and a resumed run computes the same rate from the epoch alone. Reduce-on-plateau
//! keeps state (best value, bad epochs, current factor) that is checkpointed.

use crate::{Error, Result};

/// A schedule (serialisable form used in run configs).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum LrSchedule {
    /// The base rate throughout.
    Constant,
    /// Multiply by `gamma` every `step_size` epochs.
    Step {
        /// Epochs between decays.
        step_size: usize,
        /// Decay factor.
        gamma: f64,
    },
    /// Multiply by `gamma` at each milestone epoch.
    MultiStep {
        /// Epochs at which to decay (ascending).
        milestones: Vec<usize>,
        /// Decay factor.
        gamma: f64,
    },
    /// Linear warm-up from 0 over `warmup_epochs`, then half-cosine decay to `min_lr` at `total_epochs`.
    CosineWarmup {
        /// Warm-up length in epochs (fractional allowed).
        warmup_epochs: f64,
        /// Epoch at which the rate reaches `min_lr`.
        total_epochs: f64,
        /// Final rate.
        #[serde(default)]
        min_lr: f64,
    },
    /// Multiply by `factor` when the monitored value has not improved by more than `threshold`
    /// (relative) for `patience` epochs (PyTorch `ReduceLROnPlateau`, mode chosen by the monitor).
    ReduceOnPlateau {
        /// Decay factor.
        factor: f64,
        /// Epochs without improvement tolerated.
        patience: usize,
        /// Relative improvement that counts.
        #[serde(default = "default_threshold")]
        threshold: f64,
        /// Lower bound of the rate.
        #[serde(default)]
        min_lr: f64,
    },
}

fn default_threshold() -> f64 {
    1e-4
}

/// A schedule bound to a base rate, with the state reduce-on-plateau needs.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Scheduler {
    /// The schedule.
    pub schedule: LrSchedule,
    /// The optimiser's configured rate.
    pub base_lr: f64,
    /// Best monitored value so far (plateau).
    pub best: Option<f64>,
    /// Epochs since the last improvement (plateau).
    pub bad_epochs: usize,
    /// Current plateau rate.
    pub plateau_lr: f64,
}

impl Scheduler {
    /// Binds `schedule` to `base_lr`.
    pub fn new(schedule: LrSchedule, base_lr: f64) -> Result<Self> {
        match &schedule {
            LrSchedule::Step { step_size: 0, .. } => {
                return Err(Error::Config("step schedule needs step_size >= 1".into()));
            }
            LrSchedule::CosineWarmup { warmup_epochs, total_epochs, .. } if *total_epochs <= *warmup_epochs => {
                return Err(Error::Config("cosine schedule: total_epochs must exceed warmup_epochs".into()));
            }
            LrSchedule::MultiStep { milestones, .. } if milestones.windows(2).any(|w| w[0] >= w[1]) => {
                return Err(Error::Config("multi-step milestones must be strictly increasing".into()));
            }
            _ => {}
        }
        Ok(Self { schedule, base_lr, best: None, bad_epochs: 0, plateau_lr: base_lr })
    }

    /// The rate at fractional epoch `e` (0-based: `e = 1.5` is the middle of the second epoch).
    pub fn lr_at(&self, e: f64) -> f64 {
        let b = self.base_lr;
        match &self.schedule {
            LrSchedule::Constant => b,
            LrSchedule::Step { step_size, gamma } => b * gamma.powi((e.floor() as usize / step_size) as i32),
            LrSchedule::MultiStep { milestones, gamma } => {
                b * gamma.powi(milestones.iter().filter(|&&m| e.floor() as usize >= m).count() as i32)
            }
            LrSchedule::CosineWarmup { warmup_epochs, total_epochs, min_lr } => {
                if e < *warmup_epochs {
                    b * (e / warmup_epochs)
                } else {
                    let t = ((e - warmup_epochs) / (total_epochs - warmup_epochs)).min(1.0);
                    min_lr + (b - min_lr) * 0.5 * (1.0 + (std::f64::consts::PI * t).cos())
                }
            }
            LrSchedule::ReduceOnPlateau { .. } => self.plateau_lr,
        }
    }

    /// Feeds the monitored value at the end of an epoch (plateau schedules only; others ignore it).
    pub fn observe(&mut self, value: f64, higher_is_better: bool) {
        let LrSchedule::ReduceOnPlateau { factor, patience, threshold, min_lr } = self.schedule else { return };
        let improved = match self.best {
            None => true,
            Some(b) if higher_is_better => value > b * (1.0 + threshold.copysign(b)),
            Some(b) => value < b * (1.0 - threshold.copysign(b)),
        };
        if improved {
            self.best = Some(value);
            self.bad_epochs = 0;
        } else {
            self.bad_epochs += 1;
            if self.bad_epochs > patience {
                self.plateau_lr = (self.plateau_lr * factor).max(min_lr);
                self.bad_epochs = 0;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_rates() {
        let s = Scheduler::new(LrSchedule::Step { step_size: 2, gamma: 0.1 }, 1.0).unwrap();
        assert_eq!([s.lr_at(0.0), s.lr_at(1.9), s.lr_at(2.0)], [1.0, 1.0, 0.1f64 * 1.0]);
        let m = Scheduler::new(LrSchedule::MultiStep { milestones: vec![1, 3], gamma: 0.5 }, 2.0).unwrap();
        assert_eq!([m.lr_at(0.5), m.lr_at(1.0), m.lr_at(3.2)], [2.0, 1.0, 0.5]);
        let c = Scheduler::new(LrSchedule::CosineWarmup { warmup_epochs: 1.0, total_epochs: 3.0, min_lr: 0.0 }, 1.0)
            .unwrap();
        // half-way through warm-up: 0.5; end of warm-up: 1; half-way through the decay: cos(pi/2) -> 0.5; end: 0.
        assert!((c.lr_at(0.5) - 0.5).abs() < 1e-12);
        assert!((c.lr_at(1.0) - 1.0).abs() < 1e-12);
        assert!((c.lr_at(2.0) - 0.5).abs() < 1e-12);
        assert!(c.lr_at(3.0).abs() < 1e-12);
    }

    #[test]
    fn plateau_reduces_after_patience() {
        let mut p =
            Scheduler::new(LrSchedule::ReduceOnPlateau { factor: 0.5, patience: 1, threshold: 1e-4, min_lr: 0.1 }, 1.0)
                .unwrap();
        for v in [1.0, 0.9, 0.95, 0.95] {
            p.observe(v, false);
        }
        // 0.9 improved; 0.95 bad (1), 0.95 bad (2 > patience 1) -> halve.
        assert_eq!(p.lr_at(4.0), 0.5);
        for _ in 0..10 {
            p.observe(2.0, false);
        }
        assert_eq!(p.lr_at(10.0), 0.1, "floored at min_lr");
    }
}
