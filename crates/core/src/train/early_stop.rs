//! Early stopping: stop when the monitored value has not improved by `min_delta` for `patience` epochs.

/// Early-stopping state (serialisable, checkpointed with the run).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct EarlyStopping {
    /// Epochs without improvement tolerated.
    pub patience: usize,
    /// Absolute improvement that counts.
    pub min_delta: f64,
    /// Best value seen.
    pub best: Option<f64>,
    /// Epochs since the best.
    pub bad_epochs: usize,
}

impl EarlyStopping {
    /// A fresh strategy.
    pub fn new(patience: usize, min_delta: f64) -> Self {
        Self { patience, min_delta, best: None, bad_epochs: 0 }
    }

    /// Records an epoch's value; returns `true` when training should stop.
    pub fn update(&mut self, value: f64, higher_is_better: bool) -> bool {
        let improved = match self.best {
            None => true,
            Some(b) if higher_is_better => value > b + self.min_delta,
            Some(b) => value < b - self.min_delta,
        };
        if improved {
            self.best = Some(value);
            self.bad_epochs = 0;
        } else {
            self.bad_epochs += 1;
        }
        self.bad_epochs >= self.patience
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn stops_after_patience_epochs_without_improvement() {
        let mut e = EarlyStopping::new(2, 0.01);
        assert!(!e.update(1.0, false));
        assert!(!e.update(0.995, false)); // not better by 0.01: bad 1
        assert!(!e.update(0.5, false)); // better: reset
        assert!(!e.update(0.6, false)); // bad 1
        assert!(e.update(0.7, false)); // bad 2 -> stop
    }
}
