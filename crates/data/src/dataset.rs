//! Datasets: random access to samples by index. Batching is separate ([`crate::batch`]).

use crate::{Error, Result, Sample};
use candle_core::{Device, Tensor};

/// Random access to samples.
pub trait Dataset: Send + Sync {
    /// Number of samples.
    fn len(&self) -> usize;
    /// Sample `index` (`0..len`).
    fn get(&self, index: usize) -> Result<Sample>;
    /// Whether there are no samples.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Samples held as stacked CPU tensors (first dim = sample), e.g. all of Fashion-MNIST.
#[derive(Debug, Clone)]
pub struct TensorDataset {
    keys: Vec<(String, Tensor)>,
    len: usize,
}

impl TensorDataset {
    /// Builds from `(key, stacked tensor)` pairs that all have the same first dim.
    pub fn new(keys: Vec<(String, Tensor)>) -> Result<Self> {
        let len = keys.first().map(|(_, t)| t.dim(0)).transpose()?.unwrap_or(0);
        for (k, t) in &keys {
            if t.dim(0)? != len {
                return Err(Error::Sample(format!("`{k}` has {} items, expected {len}", t.dim(0)?)));
            }
        }
        let keys = keys.into_iter().map(|(k, t)| Ok((k, t.to_device(&Device::Cpu)?))).collect::<Result<Vec<_>>>()?;
        Ok(Self { keys, len })
    }

    /// The stacked tensor of `key`.
    pub fn stacked(&self, key: &str) -> Option<&Tensor> {
        self.keys.iter().find(|(k, _)| k == key).map(|(_, t)| t)
    }

    /// Gathers the rows `indices` of every key at once (faster than per-sample stacking).
    pub fn gather(&self, indices: &[usize]) -> Result<Sample> {
        let idx = Tensor::from_vec(indices.iter().map(|&i| i as u32).collect::<Vec<_>>(), indices.len(), &Device::Cpu)?;
        let mut s = Sample::new();
        for (k, t) in &self.keys {
            s.insert(k, t.index_select(&idx, 0)?);
        }
        Ok(s)
    }
}

impl Dataset for TensorDataset {
    fn len(&self) -> usize {
        self.len
    }
    fn get(&self, index: usize) -> Result<Sample> {
        if index >= self.len {
            return Err(Error::Param(format!("index {index} out of range for {} samples", self.len)));
        }
        let mut s = Sample::new();
        for (k, t) in &self.keys {
            s.insert(k, t.get(index)?);
        }
        Ok(s)
    }
}

/// A view of another dataset restricted to some indices (a split).
pub struct Subset<D: Dataset> {
    inner: std::sync::Arc<D>,
    indices: Vec<usize>,
}

impl<D: Dataset> Subset<D> {
    /// The samples `indices` of `inner`.
    pub fn new(inner: std::sync::Arc<D>, indices: Vec<usize>) -> Result<Self> {
        if let Some(&bad) = indices.iter().find(|&&i| i >= inner.len()) {
            return Err(Error::Param(format!("subset index {bad} out of range for {} samples", inner.len())));
        }
        Ok(Self { inner, indices })
    }
}

impl<D: Dataset> Dataset for Subset<D> {
    fn len(&self) -> usize {
        self.indices.len()
    }
    fn get(&self, index: usize) -> Result<Sample> {
        let i = *self.indices.get(index).ok_or_else(|| Error::Param(format!("index {index} out of range")))?;
        self.inner.get(i)
    }
}
