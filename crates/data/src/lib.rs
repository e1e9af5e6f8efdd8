//! # scidl-data: samples, datasets, transforms, batching and readers
//!
//! A [`Sample`] holds named tensors and metadata; a [`Dataset`] gives random access to samples;
//! [`transforms`] are seeded and work on one tensor or on named keys together; a [`Batcher`]
//! collates batches on worker threads in a seeded, thread-independent order and feeds the core's
//! training engine; [`split_indices`] and [`stratified_split`] make deterministic splits; [`readers`]
//! load IDX (MNIST-style, gzip too), PNG/TIFF, numeric CSV, CSV/Parquet through polars, and HDF5,
//! each error naming the file.
//!
//! ```
//! use candle_core::{Device, Tensor};
//! use scidl_core::train::Batches;
//! use scidl_data::{Batcher, BatcherConfig, Source, TensorDataset};
//! use std::sync::Arc;
//!
//! # fn main() -> scidl_data::Result<()> {
//! let x = Tensor::arange(0f32, 10., &Device::Cpu)?.reshape((10, 1))?;
//! let y = Tensor::arange(0u32, 10, &Device::Cpu)?;
//! let ds = TensorDataset::new(vec![("input".into(), x), ("target".into(), y)])?;
//! let cfg = BatcherConfig { batch_size: 4, shuffle: true, seed: 1, ..Default::default() };
//! let batches = Batcher::new(Source::Tensors(Arc::new(ds)), None, cfg, &Device::Cpu)?;
//! assert_eq!(batches.num_batches(), 3);
//! let first = batches.epoch(0).next().unwrap().unwrap();
//! assert_eq!(first.input.dims(), &[4, 1]);
//! # Ok(())
//! # }
//! ```
pub mod batch;
pub mod dataset;
pub mod error;
pub mod readers;
pub mod sample;
pub mod split;
pub mod transforms;

/// Candle's hub dataset loaders (feature `hub`).
#[cfg(feature = "hub")]
pub use candle_datasets as hub;

pub use batch::{Batcher, BatcherConfig, Source, collate};
pub use dataset::{Dataset, Subset, TensorDataset};
pub use error::{Error, Result};
pub use sample::Sample;
pub use split::{split_indices, stratified_split};
