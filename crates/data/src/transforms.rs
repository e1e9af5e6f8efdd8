//! Seeded transforms for one tensor ([`Transform`]) and for named keys of a sample ([`OnKeys`]).
//!
//! Randomness comes from the generator passed in; the batcher seeds it per sample from the run
//! seed, the epoch and the sample index, so augmentation is reproducible and independent of
//! threads. [`OnKeys`] replays the same draws for every key, so an image and its mask are flipped,
//! rotated and cropped together. Tensors are `(C, *spatial)`; spatial axes are counted from the
//! end (`-1` is the last).

use crate::{Error, Result, Sample};
use candle_core::{DType, Tensor};
use rand::Rng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, Normal};

/// A transform of one tensor.
pub trait Transform: Send + Sync {
    /// Applies the transform, drawing any randomness from `rng`.
    fn apply(&self, x: &Tensor, rng: &mut ChaCha8Rng) -> Result<Tensor>;
    /// Whether the transform changes intensities only (so it must not be applied to label maps).
    fn intensity_only(&self) -> bool {
        false
    }
}

fn axis(x: &Tensor, a: isize) -> Result<usize> {
    let r = x.rank() as isize;
    let ax = if a < 0 { r + a } else { a };
    if ax < 1 || ax >= r {
        return Err(Error::Param(format!("spatial axis {a} invalid for a tensor of shape {:?}", x.dims())));
    }
    Ok(ax as usize)
}

fn flip(x: &Tensor, ax: usize) -> Result<Tensor> {
    let n = x.dim(ax)?;
    let idx = Tensor::from_vec((0..n as u32).rev().collect::<Vec<_>>(), n, x.device())?;
    Ok(x.index_select(&idx, ax)?)
}

/// Flips along `axis` with probability `p`.
#[derive(Debug, Clone, Copy)]
pub struct RandFlip {
    /// Spatial axis (negative counts from the end).
    pub axis: isize,
    /// Probability.
    pub p: f64,
}

impl Transform for RandFlip {
    fn apply(&self, x: &Tensor, rng: &mut ChaCha8Rng) -> Result<Tensor> {
        let ax = axis(x, self.axis)?;
        if rng.random::<f64>() < self.p { flip(x, ax) } else { Ok(x.clone()) }
    }
}

/// Rotates by a random multiple of 90 degrees in the plane of the last two axes with probability `p`.
#[derive(Debug, Clone, Copy)]
pub struct RandRot90 {
    /// Probability of rotating at all.
    pub p: f64,
}

impl Transform for RandRot90 {
    fn apply(&self, x: &Tensor, rng: &mut ChaCha8Rng) -> Result<Tensor> {
        let go = rng.random::<f64>() < self.p;
        let k = rng.random_range(1..4u32);
        if !go {
            return Ok(x.clone());
        }
        let (a, b) = (x.rank() - 2, x.rank() - 1);
        if a < 1 {
            return Err(Error::Param(format!("rot90 needs two spatial axes, got shape {:?}", x.dims())));
        }
        let mut y = x.clone();
        for _ in 0..k {
            // rot90 counter-clockwise: transpose the plane, then flip the (new) first axis.
            y = flip(&y.transpose(a, b)?.contiguous()?, a)?;
        }
        Ok(y)
    }
}

/// Crops a random window of `size` (trailing spatial dims); the input must be at least that large.
#[derive(Debug, Clone)]
pub struct RandCrop {
    /// Window size per trailing spatial dim.
    pub size: Vec<usize>,
}

impl Transform for RandCrop {
    fn apply(&self, x: &Tensor, rng: &mut ChaCha8Rng) -> Result<Tensor> {
        let r = x.rank();
        if self.size.len() + 1 > r {
            return Err(Error::Param(format!("crop {:?} has more dims than the tensor {:?}", self.size, x.dims())));
        }
        let mut y = x.clone();
        for (i, &s) in self.size.iter().enumerate() {
            let ax = r - self.size.len() + i;
            let n = x.dim(ax)?;
            if s > n {
                return Err(Error::Param(format!("crop size {s} exceeds dim {ax} of shape {:?}", x.dims())));
            }
            let start = rng.random_range(0..=n - s);
            y = y.narrow(ax, start, s)?;
        }
        Ok(y)
    }
}

/// Pads the trailing spatial dims symmetrically with a constant up to `size` (no-op where larger).
#[derive(Debug, Clone)]
pub struct Pad {
    /// Minimum size per trailing spatial dim.
    pub size: Vec<usize>,
    /// Fill value.
    pub value: f64,
}

impl Transform for Pad {
    fn apply(&self, x: &Tensor, _: &mut ChaCha8Rng) -> Result<Tensor> {
        let r = x.rank();
        let mut y = x.clone();
        for (i, &s) in self.size.iter().enumerate() {
            let ax = r - self.size.len() + i;
            let n = y.dim(ax)?;
            if n < s {
                let before = (s - n) / 2;
                let after = s - n - before;
                let mut d = y.dims().to_vec();
                d[ax] = before;
                let lo = Tensor::full(self.value as f32, d.clone(), y.device())?.to_dtype(y.dtype())?;
                d[ax] = after;
                let hi = Tensor::full(self.value as f32, d, y.device())?.to_dtype(y.dtype())?;
                y = Tensor::cat(&[&lo, &y, &hi], ax)?;
            }
        }
        Ok(y)
    }
}

/// Adds Gaussian noise of standard deviation `std` with probability `p`.
#[derive(Debug, Clone, Copy)]
pub struct GaussianNoise {
    /// Noise standard deviation.
    pub std: f64,
    /// Probability.
    pub p: f64,
}

impl Transform for GaussianNoise {
    fn apply(&self, x: &Tensor, rng: &mut ChaCha8Rng) -> Result<Tensor> {
        if rng.random::<f64>() >= self.p {
            return Ok(x.clone());
        }
        let n = Normal::new(0.0, self.std).map_err(|e| Error::Param(format!("noise std {}: {e}", self.std)))?;
        let v: Vec<f32> = (0..x.elem_count()).map(|_| n.sample(rng) as f32).collect();
        Ok((x + Tensor::from_vec(v, x.shape(), x.device())?.to_dtype(x.dtype())?)?)
    }
    fn intensity_only(&self) -> bool {
        true
    }
}

/// Multiplies by `1 + u` and adds `v`, `u` uniform in `±scale`, `v` uniform in `±shift`, with probability `p`.
#[derive(Debug, Clone, Copy)]
pub struct RandScaleShift {
    /// Relative scale range.
    pub scale: f64,
    /// Absolute shift range.
    pub shift: f64,
    /// Probability.
    pub p: f64,
}

impl Transform for RandScaleShift {
    fn apply(&self, x: &Tensor, rng: &mut ChaCha8Rng) -> Result<Tensor> {
        let go = rng.random::<f64>() < self.p;
        let u = rng.random_range(-self.scale..=self.scale);
        let v = rng.random_range(-self.shift..=self.shift);
        if !go {
            return Ok(x.clone());
        }
        Ok(x.affine(1.0 + u, v)?)
    }
    fn intensity_only(&self) -> bool {
        true
    }
}

/// `(x - mean) / std` with fixed statistics (e.g. computed on the training split).
#[derive(Debug, Clone, Copy)]
pub struct Normalize {
    /// Mean to subtract.
    pub mean: f64,
    /// Standard deviation to divide by.
    pub std: f64,
}

impl Transform for Normalize {
    fn apply(&self, x: &Tensor, _: &mut ChaCha8Rng) -> Result<Tensor> {
        if self.std.is_nan() || self.std <= 0.0 {
            return Err(Error::Param(format!("normalise: std must be positive, got {}", self.std)));
        }
        Ok(x.to_dtype(DType::F32)?.affine(1.0 / self.std, -self.mean / self.std)?)
    }
    fn intensity_only(&self) -> bool {
        true
    }
}

/// Applies transforms in order.
pub struct Compose(pub Vec<Box<dyn Transform>>);

impl Transform for Compose {
    fn apply(&self, x: &Tensor, rng: &mut ChaCha8Rng) -> Result<Tensor> {
        let mut y = x.clone();
        for t in &self.0 {
            y = t.apply(&y, rng)?;
        }
        Ok(y)
    }
}

/// A transform of a whole sample.
pub trait SampleTransform: Send + Sync {
    /// Transforms the sample.
    fn apply(&self, s: Sample, rng: &mut ChaCha8Rng) -> Result<Sample>;
}

/// Applies a tensor transform to several keys with the same random draws. Intensity-only
/// transforms skip the keys listed in `label_keys`.
pub struct OnKeys {
    /// Keys to transform.
    pub keys: Vec<String>,
    /// Keys holding label maps (spatial transforms only).
    pub label_keys: Vec<String>,
    /// The transform.
    pub transform: Box<dyn Transform>,
}

impl SampleTransform for OnKeys {
    fn apply(&self, mut s: Sample, rng: &mut ChaCha8Rng) -> Result<Sample> {
        let start = rng.clone();
        let mut last = rng.clone();
        for k in &self.keys {
            if self.transform.intensity_only() && self.label_keys.contains(k) {
                continue;
            }
            let mut r = start.clone();
            let t = self.transform.apply(s.get(k)?, &mut r)?;
            s.insert(k, t);
            last = r;
        }
        *rng = last;
        Ok(s)
    }
}

/// Sample transforms in order.
pub struct ComposeSample(pub Vec<Box<dyn SampleTransform>>);

impl SampleTransform for ComposeSample {
    fn apply(&self, mut s: Sample, rng: &mut ChaCha8Rng) -> Result<Sample> {
        for t in &self.0 {
            s = t.apply(s, rng)?;
        }
        Ok(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use candle_core::Device;
    use scidl_core::rng::rng_for;

    fn img() -> Tensor {
        Tensor::arange(0f32, 6., &Device::Cpu).unwrap().reshape((1, 2, 3)).unwrap()
    }

    #[test]
    fn flip_and_rot90_known_answers() {
        let mut r = rng_for(0);
        let f = RandFlip { axis: -1, p: 1.0 }.apply(&img(), &mut r).unwrap();
        assert_eq!(f.to_vec3::<f32>().unwrap(), vec![vec![vec![2., 1., 0.], vec![5., 4., 3.]]]);
        // One 90-degree counter-clockwise turn of [[0,1,2],[3,4,5]] is [[2,5],[1,4],[0,3]] (numpy.rot90).
        let once = flip(&img().transpose(1, 2).unwrap().contiguous().unwrap(), 1).unwrap();
        assert_eq!(once.to_vec3::<f32>().unwrap(), vec![vec![vec![2., 5.], vec![1., 4.], vec![0., 3.]]]);
    }

    #[test]
    fn on_keys_moves_image_and_mask_together_and_skips_intensity_on_labels() {
        let s = Sample::new().with("image", img()).with("mask", img());
        let t = ComposeSample(vec![
            Box::new(OnKeys {
                keys: vec!["image".into(), "mask".into()],
                label_keys: vec!["mask".into()],
                transform: Box::new(RandRot90 { p: 1.0 }),
            }),
            Box::new(OnKeys {
                keys: vec!["image".into(), "mask".into()],
                label_keys: vec!["mask".into()],
                transform: Box::new(RandCrop { size: vec![2, 2] }),
            }),
            Box::new(OnKeys {
                keys: vec!["image".into(), "mask".into()],
                label_keys: vec!["mask".into()],
                transform: Box::new(GaussianNoise { std: 1.0, p: 1.0 }),
            }),
        ]);
        for seed in 0..20 {
            let out = t.apply(s.clone(), &mut rng_for(seed)).unwrap();
            let m = out.get("mask").unwrap().round().unwrap();
            let i = out.get("image").unwrap();
            // The mask stays integer (no noise); the image is the mask plus noise of sd 1.
            assert_eq!(out.get("mask").unwrap().to_vec3::<f32>().unwrap(), m.to_vec3::<f32>().unwrap());
            let d = (i - &m).unwrap().abs().unwrap().max_all().unwrap().to_scalar::<f32>().unwrap();
            assert!(d > 0.0 && d < 6.0);
        }
        let a = t.apply(s.clone(), &mut rng_for(3)).unwrap();
        let b = t.apply(s, &mut rng_for(3)).unwrap();
        assert_eq!(
            a.get("image").unwrap().to_vec3::<f32>().unwrap(),
            b.get("image").unwrap().to_vec3::<f32>().unwrap()
        );
    }

    #[test]
    fn pad_and_crop_sizes_and_errors() {
        let mut r = rng_for(1);
        let p = Pad { size: vec![4, 5], value: -1.0 }.apply(&img(), &mut r).unwrap();
        assert_eq!(p.dims(), &[1, 4, 5]);
        assert_eq!(p.sum_all().unwrap().to_scalar::<f32>().unwrap(), 15.0 - 14.0);
        assert!(RandCrop { size: vec![3, 3] }.apply(&img(), &mut r).is_err());
        assert!(Normalize { mean: 0.0, std: 0.0 }.apply(&img(), &mut r).is_err());
    }
}
