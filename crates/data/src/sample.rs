//! A sample: named tensors (e.g. `image`, `label`, `mask`) plus string metadata (source file,
//! spacing, time axis, ...), as MONAI's dictionary samples.

use crate::{Error, Result};
use candle_core::Tensor;
use std::collections::BTreeMap;

/// Named tensors and metadata of one item.
#[derive(Debug, Clone, Default)]
pub struct Sample {
    /// Tensors by key.
    pub tensors: BTreeMap<String, Tensor>,
    /// Metadata by key.
    pub meta: BTreeMap<String, String>,
}

impl Sample {
    /// An empty sample.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a tensor (builder style).
    pub fn with(mut self, key: &str, t: Tensor) -> Self {
        self.tensors.insert(key.to_string(), t);
        self
    }

    /// Adds a metadata entry (builder style).
    pub fn with_meta(mut self, key: &str, value: impl Into<String>) -> Self {
        self.meta.insert(key.to_string(), value.into());
        self
    }

    /// The tensor under `key`, or an error naming the missing key and the keys present.
    pub fn get(&self, key: &str) -> Result<&Tensor> {
        self.tensors.get(key).ok_or_else(|| {
            Error::Sample(format!(
                "no tensor `{key}` (sample has: {})",
                self.tensors.keys().cloned().collect::<Vec<_>>().join(", ")
            ))
        })
    }

    /// Replaces or inserts a tensor.
    pub fn insert(&mut self, key: &str, t: Tensor) {
        self.tensors.insert(key.to_string(), t);
    }
}
