//! Batching with background prefetch: collates samples into `(B, ...)` tensors on worker threads,
//! in a seeded order per epoch, and moves each batch to the compute device on the consumer side.
//! Worker `w` of `W` builds batches `w, w + W, ...`; the consumer reads them back in order, so the
//! result never depends on thread timing.

use crate::transforms::SampleTransform;
use crate::{Dataset, Error, Result, Sample, TensorDataset};
use candle_core::{Device, Tensor};
use rand::seq::SliceRandom;
use scidl_core::rng;
use scidl_core::train::{Batch, Batches};
use std::sync::Arc;
use std::sync::mpsc::{Receiver, sync_channel};

/// Where a batcher reads samples from.
#[derive(Clone)]
pub enum Source {
    /// Any dataset: samples are fetched one by one and stacked.
    Dataset(Arc<dyn Dataset>),
    /// Stacked tensors: a batch is one gather (fast path when there are no transforms).
    Tensors(Arc<TensorDataset>),
}

impl Source {
    fn len(&self) -> usize {
        match self {
            Source::Dataset(d) => d.len(),
            Source::Tensors(t) => t.len(),
        }
    }
}

/// Options of a [`Batcher`].
#[derive(Clone)]
pub struct BatcherConfig {
    /// Samples per batch.
    pub batch_size: usize,
    /// Shuffle every epoch (seeded by `seed` and the epoch).
    pub shuffle: bool,
    /// Drop a last incomplete batch.
    pub drop_last: bool,
    /// Run seed.
    pub seed: u64,
    /// Key of the network input.
    pub input_key: String,
    /// Key of the target.
    pub target_key: String,
    /// Worker threads (0: build batches on the calling thread).
    pub workers: usize,
    /// Batches each worker may prepare ahead.
    pub prefetch: usize,
}

impl Default for BatcherConfig {
    fn default() -> Self {
        Self {
            batch_size: 32,
            shuffle: false,
            drop_last: false,
            seed: 0,
            input_key: "input".into(),
            target_key: "target".into(),
            workers: 1,
            prefetch: 2,
        }
    }
}

/// Turns a dataset (or a subset of it) into batches for the training engine.
#[derive(Clone)]
pub struct Batcher {
    source: Source,
    indices: Vec<usize>,
    cfg: BatcherConfig,
    transform: Option<Arc<dyn SampleTransform>>,
    device: Device,
}

impl Batcher {
    /// Batches the samples `indices` of `source` (all of them when `None`).
    pub fn new(source: Source, indices: Option<Vec<usize>>, cfg: BatcherConfig, device: &Device) -> Result<Self> {
        if cfg.batch_size == 0 {
            return Err(Error::Param("batch size must be at least 1".into()));
        }
        let n = source.len();
        let indices = indices.unwrap_or_else(|| (0..n).collect());
        if let Some(&bad) = indices.iter().find(|&&i| i >= n) {
            return Err(Error::Param(format!("index {bad} out of range for {n} samples")));
        }
        if indices.is_empty() {
            return Err(Error::Param("no samples to batch".into()));
        }
        Ok(Self { source, indices, cfg, transform: None, device: device.clone() })
    }

    /// Applies `t` to each sample (seeded per run, epoch and sample) before collation.
    pub fn with_transform(mut self, t: Arc<dyn SampleTransform>) -> Self {
        self.transform = Some(t);
        self
    }

    /// Number of samples.
    pub fn num_samples(&self) -> usize {
        self.indices.len()
    }

    fn order(&self, epoch: usize) -> Vec<Vec<usize>> {
        let mut idx = self.indices.clone();
        if self.cfg.shuffle {
            idx.shuffle(&mut rng::rng_for(rng::mix(self.cfg.seed, 0x0da7a ^ epoch as u64)));
        }
        let mut batches: Vec<Vec<usize>> = idx.chunks(self.cfg.batch_size).map(<[usize]>::to_vec).collect();
        if self.cfg.drop_last && batches.last().is_some_and(|b| b.len() < self.cfg.batch_size) && batches.len() > 1 {
            batches.pop();
        }
        batches
    }

    fn build(&self, epoch: usize, ids: &[usize]) -> Result<Sample> {
        if let (Source::Tensors(t), None) = (&self.source, &self.transform) {
            return t.gather(ids);
        }
        let mut samples = Vec::with_capacity(ids.len());
        for &i in ids {
            let mut s = match &self.source {
                Source::Dataset(d) => d.get(i)?,
                Source::Tensors(t) => t.get(i)?,
            };
            if let Some(tf) = &self.transform {
                let mut r = rng::rng_for(rng::mix(rng::mix(self.cfg.seed, epoch as u64), i as u64 ^ 0x7a5f_0000));
                s = tf.apply(s, &mut r)?;
            }
            samples.push(s);
        }
        collate(&samples)
    }

    fn to_batch(&self, s: Sample) -> Result<Batch> {
        Ok(Batch {
            input: s.get(&self.cfg.input_key)?.to_device(&self.device)?,
            target: s.get(&self.cfg.target_key)?.to_device(&self.device)?,
        })
    }
}

/// Stacks the tensors of each key along a new first dim; every sample must have the same keys and shapes.
pub fn collate(samples: &[Sample]) -> Result<Sample> {
    let first = samples.first().ok_or_else(|| Error::Sample("cannot collate an empty batch".into()))?;
    let mut out = Sample::new();
    for k in first.tensors.keys() {
        let ts = samples.iter().map(|s| s.get(k).cloned()).collect::<Result<Vec<_>>>()?;
        if let Some(bad) = ts.iter().find(|t| t.dims() != ts[0].dims()) {
            return Err(Error::Sample(format!(
                "`{k}` shapes differ within a batch: {:?} vs {:?}",
                ts[0].dims(),
                bad.dims()
            )));
        }
        out.insert(k, Tensor::stack(&ts, 0)?);
    }
    Ok(out)
}

struct Prefetch<'a> {
    batcher: &'a Batcher,
    receivers: Vec<Receiver<Result<Sample>>>,
    next: usize,
    total: usize,
}

impl Iterator for Prefetch<'_> {
    type Item = scidl_core::Result<Batch>;
    fn next(&mut self) -> Option<Self::Item> {
        if self.next >= self.total {
            return None;
        }
        let w = self.next % self.receivers.len();
        self.next += 1;
        let item = match self.receivers[w].recv() {
            Ok(r) => r.and_then(|s| self.batcher.to_batch(s)),
            Err(_) => Err(Error::Sample("a batch worker stopped unexpectedly".into())),
        };
        Some(item.map_err(into_core))
    }
}

fn into_core(e: Error) -> scidl_core::Error {
    match e {
        Error::Core(c) => c,
        Error::Candle(c) => scidl_core::Error::Candle(c),
        other => scidl_core::Error::Config(other.to_string()),
    }
}

impl Batches for Batcher {
    fn num_batches(&self) -> usize {
        self.order(0).len()
    }

    fn epoch(&self, epoch: usize) -> Box<dyn Iterator<Item = scidl_core::Result<Batch>> + '_> {
        let order = self.order(epoch);
        if self.cfg.workers == 0 {
            return Box::new(
                order
                    .into_iter()
                    .map(move |ids| self.build(epoch, &ids).and_then(|s| self.to_batch(s)).map_err(into_core)),
            );
        }
        let workers = self.cfg.workers.min(order.len()).max(1);
        let total = order.len();
        let order = Arc::new(order);
        let mut receivers = Vec::with_capacity(workers);
        for w in 0..workers {
            let (tx, rx) = sync_channel(self.cfg.prefetch.max(1));
            let me = self.clone();
            let order = Arc::clone(&order);
            std::thread::spawn(move || {
                for b in (w..order.len()).step_by(workers) {
                    if tx.send(me.build(epoch, &order[b])).is_err() {
                        break; // the consumer stopped early
                    }
                }
            });
            receivers.push(rx);
        }
        Box::new(Prefetch { batcher: self, receivers, next: 0, total })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn data(n: usize) -> Source {
        let x = Tensor::arange(0f32, n as f32, &Device::Cpu).unwrap().reshape((n, 1)).unwrap();
        let y = Tensor::arange(0u32, n as u32, &Device::Cpu).unwrap();
        Source::Tensors(Arc::new(TensorDataset::new(vec![("input".into(), x), ("target".into(), y)]).unwrap()))
    }

    fn firsts(b: &Batcher, e: usize) -> Vec<Vec<u32>> {
        b.epoch(e).map(|r| r.unwrap().target.to_vec1::<u32>().unwrap()).collect()
    }

    #[test]
    fn prefetch_order_equals_serial_order_and_is_seeded() {
        let cfg = BatcherConfig { batch_size: 4, shuffle: true, seed: 9, workers: 3, ..Default::default() };
        let par = Batcher::new(data(30), None, cfg.clone(), &Device::Cpu).unwrap();
        let ser = Batcher::new(data(30), None, BatcherConfig { workers: 0, ..cfg.clone() }, &Device::Cpu).unwrap();
        assert_eq!(firsts(&par, 2), firsts(&ser, 2));
        assert_ne!(firsts(&par, 1), firsts(&par, 2), "each epoch has its own order");
        let all: Vec<u32> = {
            let mut v = firsts(&par, 1).concat();
            v.sort_unstable();
            v
        };
        assert_eq!(all, (0..30).collect::<Vec<u32>>());
        assert_eq!(par.num_batches(), 8);
        let dl = Batcher::new(data(30), None, BatcherConfig { drop_last: true, ..cfg }, &Device::Cpu).unwrap();
        assert_eq!(dl.num_batches(), 7);
    }

    #[test]
    fn collate_rejects_ragged_batches() {
        let a = Sample::new().with("x", Tensor::zeros(2, candle_core::DType::F32, &Device::Cpu).unwrap());
        let b = Sample::new().with("x", Tensor::zeros(3, candle_core::DType::F32, &Device::Cpu).unwrap());
        assert!(collate(&[a, b]).unwrap_err().to_string().contains("shapes differ"));
    }
}
