//! The training engine: a train/validate loop with metrics logged per epoch, early stopping and
//! checkpoint strategies, and exact resumption.

pub mod checkpoint;
pub mod early_stop;
pub mod trainer;

pub use checkpoint::{Checkpoint, CheckpointStrategy, Manifest};
pub use early_stop::EarlyStopping;
pub use trainer::{Batch, Batches, EpochRecord, FitReport, TrainConfig, Trainer};
