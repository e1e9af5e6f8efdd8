//! scidl-data
pub mod batch;
pub mod dataset;
pub mod error;
pub mod readers;
pub mod sample;
pub mod split;
pub mod transforms;

pub use batch::{Batcher, BatcherConfig, Source, collate};
pub use dataset::{Dataset, Subset, TensorDataset};
pub use error::{Error, Result};
pub use sample::Sample;
pub use split::{split_indices, stratified_split};
