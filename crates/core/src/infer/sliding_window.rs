//! Sliding-window inference for 2-D `(N, C, H, W)` and 3-D `(N, C, D, H, W)` inputs, as MONAI's
//! `sliding_window_inference`.
//!
//! # Algorithm
//!
//! 1. **Padding.** In every spatial dimension where the image is smaller than the window, the image
//!    is padded with the constant [`SlidingWindow::pad_value`] up to the window size, symmetrically
//!    as MONAI does (`diff / 2` before, the rest after). The output is cropped back at the end.
//! 2. **Window positions.** Per spatial dimension, the window starts are
//!    `0, interval, 2 * interval, ...` with `interval = max(1, floor(window * (1 - overlap)))`,
//!    stopping at the first start whose window reaches the end of the (padded) image; that last
//!    start is clamped to `size - window`, so the whole image is covered (see [`window_starts`]).
//!    The windows are the Cartesian product of the per-dimension starts.
//! 3. **Batched forward.** The windows of all `N` images (image-major, then row-major over the
//!    starts) are cut out, stacked into groups of [`SlidingWindow::batch_size`] as
//!    `(B, C, *window)` and passed to the network `f`, which must return `(B, C_out, *window)`
//!    (same spatial size as the window, i.e. a segmentation-style dense prediction).
//! 4. **Blending.** Each window output is multiplied by an importance map (all ones for
//!    [`Blend::Constant`], a separable Gaussian for [`Blend::Gaussian`]) and added into a
//!    whole-image buffer; the map is added into a weight buffer. The result is
//!    `sum(output * weight) / sum(weight)`, cropped to the input size, in the dtype `f` returned,
//!    on the input's device.
//!
//! The accumulation happens on the CPU in `f64` (window outputs are copied to the host), which
//! makes blending of identical window values exact after the final cast to `f32`; it needs
//! `8 * N * C_out * D * H * W` bytes of host memory for the sums.
//!
//! # Equivalence with whole-image inference
//!
//! For a translation-equivariant network whose output at a voxel depends only on that voxel
//! (1x1 convolutions, pointwise nonlinearities, normalisation with fixed statistics), every window
//! that covers a voxel predicts exactly the whole-image value there, so the blended output equals
//! whole-image inference `f(x)` (up to floating-point rounding). For networks with a larger
//! receptive field the same holds for every voxel whose receptive field lies inside each window
//! covering it (or reaches past a window edge only where that edge is also the image edge).
//! Near window seams the network sees its own padding instead of the true neighbours, so outputs
//! differ there; the Gaussian blend down-weights window borders to reduce these seam artefacts.
//! Where the image had to be padded with `pad_value` (image smaller than the window), voxels near
//! that border see `pad_value` instead of the network's own padding, which can also differ from
//! whole-image inference unless both paddings agree (e.g. `pad_value = 0` with zero-padded
//! convolutions).

use candle_core::{DType, Device, Tensor};

use crate::{Error, Result};

/// How window outputs are weighted when overlapping windows are blended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Blend {
    /// Every voxel of a window has weight 1: overlapping predictions are averaged.
    Constant,
    /// A separable Gaussian centred on the window, `sigma = sigma_scale * window` per dimension,
    /// normalised to a maximum of 1; window borders count less than window centres.
    Gaussian,
}

/// Sliding-window inference settings; [`SlidingWindow::run`] applies a network with them.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct SlidingWindow {
    /// Window size per spatial dimension: `[H, W]` for 2-D inputs, `[D, H, W]` for 3-D inputs.
    pub window: Vec<usize>,
    /// Fraction of the window that neighbouring windows share, in `[0, 1)`.
    #[serde(default = "default_overlap")]
    pub overlap: f64,
    /// Number of windows passed to the network in one forward call.
    #[serde(default = "default_batch_size")]
    pub batch_size: usize,
    /// How overlapping window outputs are weighted.
    #[serde(default = "default_blend")]
    pub blend: Blend,
    /// Gaussian sigma as a fraction of the window size (MONAI's default is 0.125); used only by
    /// [`Blend::Gaussian`].
    #[serde(default = "default_sigma_scale")]
    pub sigma_scale: f64,
    /// Constant value used to pad images smaller than the window.
    #[serde(default)]
    pub pad_value: f64,
}

fn default_overlap() -> f64 {
    0.25
}

fn default_batch_size() -> usize {
    4
}

fn default_blend() -> Blend {
    Blend::Constant
}

fn default_sigma_scale() -> f64 {
    0.125
}

/// Smallest Gaussian importance weight, as MONAI: weights below it (including zeros) are raised
/// to `max(smallest non-zero weight, MIN_WEIGHT)`.
const MIN_WEIGHT: f64 = 1e-3;

/// The window start positions along one dimension of length `size`, as MONAI.
///
/// The interval between starts is `max(1, floor(window * (1 - overlap)))`; the starts are
/// `0, interval, 2 * interval, ...` up to the first one whose window reaches `size`, and that last
/// start is clamped to `size - window` so the end of the dimension is covered. If `size <= window`
/// there is a single start, `0` (the caller pads the image up to the window). For example
/// `window_starts(10, 4, 0.5) == [0, 2, 4, 6]` and `window_starts(10, 4, 0.25) == [0, 3, 6]`.
/// The parameters are not validated here; `window` 0 yields `[0]`.
pub fn window_starts(size: usize, window: usize, overlap: f64) -> Vec<usize> {
    if window == 0 || size <= window {
        return vec![0];
    }
    // `as` saturates: NaN becomes 0, negatives 0, which the `max(1)` turns into 1.
    let interval = ((window as f64 * (1.0 - overlap)).floor() as usize).max(1);
    let mut starts = Vec::new();
    let mut start = 0;
    loop {
        if start + window >= size {
            starts.push(size - window);
            break;
        }
        starts.push(start);
        start += interval;
    }
    starts
}

/// Spatial sizes of a 2-D or 3-D volume as `[D, H, W]`, with `D = 1` for 2-D.
type Dims3 = [usize; 3];

/// Row-major element count of a `[D, H, W]` volume.
fn volume(d: &Dims3) -> usize {
    d[0] * d[1] * d[2]
}

/// Extends per-dimension values of `nd` (2 or 3) spatial dimensions to `[D, H, W]` with `fill`
/// in front for 2-D.
fn to_dims3(values: &[usize], fill: usize) -> Dims3 {
    match *values {
        [h, w] => [fill, h, w],
        [d, h, w] => [d, h, w],
        _ => unreachable!("only 2-D and 3-D spatial shapes reach to_dims3"),
    }
}

impl SlidingWindow {
    /// Settings with the given window and MONAI-like defaults: overlap 0.25, 4 windows per forward
    /// call, constant blending, Gaussian sigma scale 0.125, pad value 0.
    pub fn new(window: Vec<usize>) -> Self {
        Self {
            window,
            overlap: default_overlap(),
            batch_size: default_batch_size(),
            blend: default_blend(),
            sigma_scale: default_sigma_scale(),
            pad_value: 0.0,
        }
    }

    /// Checks the settings that do not depend on the input; [`Error::Config`] names the field.
    pub fn validate(&self) -> Result<()> {
        if !(2..=3).contains(&self.window.len()) {
            return Err(Error::Config(format!(
                "sliding_window.window: expected 2 (H, W) or 3 (D, H, W) sizes, got {:?}",
                self.window
            )));
        }
        if self.window.contains(&0) {
            return Err(Error::Config(format!("sliding_window.window: sizes must be positive, got {:?}", self.window)));
        }
        if !(self.overlap >= 0.0 && self.overlap < 1.0) {
            return Err(Error::Config(format!("sliding_window.overlap: must be in [0, 1), got {}", self.overlap)));
        }
        if self.batch_size == 0 {
            return Err(Error::Config("sliding_window.batch_size: must be at least 1".into()));
        }
        if self.blend == Blend::Gaussian && !(self.sigma_scale.is_finite() && self.sigma_scale > 0.0) {
            return Err(Error::Config(format!(
                "sliding_window.sigma_scale: must be positive and finite for gaussian blending, got {}",
                self.sigma_scale
            )));
        }
        if self.pad_value.is_nan() {
            return Err(Error::Config("sliding_window.pad_value: must not be NaN".into()));
        }
        Ok(())
    }

    /// The importance map over one window, row-major over [`SlidingWindow::window`].
    ///
    /// All ones for [`Blend::Constant`]. For [`Blend::Gaussian`] it is the product over dimensions
    /// of `exp(-(i - (w - 1) / 2)^2 / (2 sigma^2))` with `sigma = sigma_scale * w`, divided by its
    /// maximum, and with values below `max(smallest non-zero value, 1e-3)` raised to that value,
    /// as MONAI does, so every voxel of a window has a positive weight.
    pub fn importance_map(&self) -> Result<Vec<f64>> {
        self.validate()?;
        let len: usize = self.window.iter().product();
        if self.blend == Blend::Constant {
            return Ok(vec![1.0; len]);
        }
        let profiles: Vec<Vec<f64>> = self
            .window
            .iter()
            .map(|&w| {
                let sigma = self.sigma_scale * w as f64;
                let centre = (w as f64 - 1.0) / 2.0;
                (0..w)
                    .map(|i| {
                        let d = i as f64 - centre;
                        (-d * d / (2.0 * sigma * sigma)).exp()
                    })
                    .collect()
            })
            .collect();
        let mut map = vec![1.0; len];
        let mut stride = len;
        for (profile, &w) in profiles.iter().zip(&self.window) {
            stride /= w;
            for (index, value) in map.iter_mut().enumerate() {
                *value *= profile[(index / stride) % w];
            }
        }
        let max = map.iter().copied().fold(0.0_f64, f64::max);
        if max > 0.0 {
            for value in &mut map {
                *value /= max;
            }
        }
        let min_non_zero = map.iter().copied().filter(|&v| v > 0.0).fold(f64::INFINITY, f64::min);
        let floor = if min_non_zero.is_finite() { min_non_zero.max(MIN_WEIGHT) } else { MIN_WEIGHT };
        for value in &mut map {
            *value = value.max(floor);
        }
        Ok(map)
    }

    /// Runs `f` over `x` window by window and blends the window outputs into one prediction.
    ///
    /// `x` is `(N, C, H, W)` with a 2-D window or `(N, C, D, H, W)` with a 3-D window, of any
    /// dtype and device. `f` receives `(B, C, *window)` with `1 <= B <= batch_size` and must return
    /// `(B, C_out, *window)` with the same `C_out` on every call. The result is
    /// `(N, C_out, *spatial)` with the spatial size of `x`, in the dtype of `f`'s output, on `x`'s
    /// device. See the [module documentation](self) for the algorithm.
    ///
    /// # Errors
    ///
    /// [`Error::Config`] for invalid settings (window size count not 2 or 3, a zero window size,
    /// overlap outside `[0, 1)`, `batch_size` 0, non-positive `sigma_scale` with Gaussian
    /// blending, NaN `pad_value`); [`Error::Shape`] if `x` is not rank 4 or 5, its spatial rank does
    /// not match the window, it has no images or an empty spatial dimension, or `f` returns a
    /// tensor of the wrong shape; any error `f` returns, unchanged.
    pub fn run(&self, x: &Tensor, f: &dyn Fn(&Tensor) -> Result<Tensor>) -> Result<Tensor> {
        let dims = x.dims();
        if !(4..=5).contains(&dims.len()) {
            return Err(Error::Shape(format!(
                "sliding window: input must be (N, C, H, W) or (N, C, D, H, W), got {dims:?}"
            )));
        }
        self.validate()?;
        let nd = dims.len() - 2;
        if self.window.len() != nd {
            return Err(Error::Shape(format!(
                "sliding window: window {:?} has {} sizes but input {dims:?} has {nd} spatial dimensions",
                self.window,
                self.window.len()
            )));
        }
        let (n_images, spatial) = (dims[0], &dims[2..]);
        if n_images == 0 || spatial.contains(&0) {
            return Err(Error::Shape(format!("sliding window: input {dims:?} is empty")));
        }

        // 1. Pad every spatial dimension smaller than the window, symmetrically as MONAI.
        let mut padded = x.clone();
        let mut pad_before = vec![0; nd];
        for d in 0..nd {
            let diff = self.window[d].saturating_sub(spatial[d]);
            if diff == 0 {
                continue;
            }
            let (before, after) = (diff / 2, diff - diff / 2);
            pad_before[d] = before;
            let mut parts = Vec::with_capacity(3);
            for (len, is_input) in [(before, false), (spatial[d], true), (after, false)] {
                if is_input {
                    parts.push(padded.clone());
                } else if len > 0 {
                    let mut shape = padded.dims().to_vec();
                    shape[2 + d] = len;
                    let pad = Tensor::full(self.pad_value, shape, padded.device())?.to_dtype(padded.dtype())?;
                    parts.push(pad);
                }
            }
            padded = Tensor::cat(&parts, 2 + d)?;
        }
        let padded_spatial = padded.dims()[2..].to_vec();

        // 2. Window positions per dimension; windows ordered image-major, then row-major.
        let starts: Vec<Vec<usize>> =
            (0..nd).map(|d| window_starts(padded_spatial[d], self.window[d], self.overlap)).collect();
        let starts3 =
            [if nd == 3 { starts[0].clone() } else { vec![0] }, starts[nd - 2].clone(), starts[nd - 1].clone()];
        let mut positions: Vec<Dims3> = Vec::new();
        for &sd in &starts3[0] {
            for &sh in &starts3[1] {
                for &sw in &starts3[2] {
                    positions.push([sd, sh, sw]);
                }
            }
        }
        let windows: Vec<(usize, Dims3)> = (0..n_images).flat_map(|n| positions.iter().map(move |&p| (n, p))).collect();
        tracing::debug!(
            windows = windows.len(),
            per_image = positions.len(),
            batch_size = self.batch_size,
            "sliding-window inference"
        );

        let win3 = to_dims3(&self.window, 1);
        let pad3 = to_dims3(&padded_spatial, 1);
        let win_len = volume(&win3);
        let pad_len = volume(&pad3);
        let importance = self.importance_map()?;

        // The weight sum is the same for every image.
        let mut weight_sum = vec![0.0_f64; pad_len];
        for &[sd, sh, sw] in &positions {
            for z in 0..win3[0] {
                for y in 0..win3[1] {
                    let src = (z * win3[1] + y) * win3[2];
                    let dst = ((sd + z) * pad3[1] + sh + y) * pad3[2] + sw;
                    for (acc, &w) in weight_sum[dst..dst + win3[2]].iter_mut().zip(&importance[src..src + win3[2]]) {
                        *acc += w;
                    }
                }
            }
        }

        // 3. + 4. Batched forward calls, accumulated into the weighted sum.
        let mut sums: Vec<f64> = Vec::new();
        let mut out_channels: Option<usize> = None;
        let mut out_dtype = DType::F32;
        for group in windows.chunks(self.batch_size) {
            let pieces = group
                .iter()
                .map(|&(n, start3)| {
                    let mut piece = padded.narrow(0, n, 1)?;
                    let start = &start3[3 - nd..];
                    for (d, (&s, &w)) in start.iter().zip(&self.window).enumerate() {
                        piece = piece.narrow(2 + d, s, w)?;
                    }
                    Ok(piece)
                })
                .collect::<Result<Vec<_>>>()?;
            let batch = Tensor::cat(&pieces, 0)?;
            let out = f(&batch)?;
            let out_dims = out.dims();
            if out_dims.len() != 2 + nd
                || out_dims[0] != group.len()
                || out_dims[2..] != self.window[..]
                || out_channels.is_some_and(|c| c != out_dims[1])
            {
                let expected_channels = out_channels.map_or_else(|| "C_out".to_string(), |c| c.to_string());
                return Err(Error::Shape(format!(
                    "sliding window: the network must map {:?} to ({}, {expected_channels}, {}), got {out_dims:?}",
                    batch.dims(),
                    group.len(),
                    self.window.iter().map(usize::to_string).collect::<Vec<_>>().join(", ")
                )));
            }
            let channels = out_dims[1];
            if out_channels.is_none() {
                out_channels = Some(channels);
                out_dtype = out.dtype();
                sums = vec![0.0; n_images * channels * pad_len];
            }
            let values = out.to_device(&Device::Cpu)?.to_dtype(DType::F64)?.flatten_all()?.to_vec1::<f64>()?;
            for (b, &(n, [sd, sh, sw])) in group.iter().enumerate() {
                for c in 0..channels {
                    let src_base = (b * channels + c) * win_len;
                    let dst_base = (n * channels + c) * pad_len;
                    for z in 0..win3[0] {
                        for y in 0..win3[1] {
                            let row = (z * win3[1] + y) * win3[2];
                            let dst = dst_base + ((sd + z) * pad3[1] + sh + y) * pad3[2] + sw;
                            let src = src_base + row;
                            for ((acc, &v), &w) in sums[dst..dst + win3[2]]
                                .iter_mut()
                                .zip(&values[src..src + win3[2]])
                                .zip(&importance[row..row + win3[2]])
                            {
                                *acc += v * w;
                            }
                        }
                    }
                }
            }
        }
        let channels = out_channels.unwrap_or(0);

        // Normalise and crop back to the input's spatial size.
        let orig3 = to_dims3(spatial, 1);
        let before3 = to_dims3(&pad_before, 0);
        let mut result = Vec::with_capacity(n_images * channels * volume(&orig3));
        for n in 0..n_images {
            for c in 0..channels {
                let base = (n * channels + c) * pad_len;
                for z in 0..orig3[0] {
                    for y in 0..orig3[1] {
                        let row = ((z + before3[0]) * pad3[1] + y + before3[1]) * pad3[2] + before3[2];
                        result.extend(
                            sums[base + row..base + row + orig3[2]]
                                .iter()
                                .zip(&weight_sum[row..row + orig3[2]])
                                .map(|(s, w)| s / w),
                        );
                    }
                }
            }
        }
        let mut shape = vec![n_images, channels];
        shape.extend_from_slice(spatial);
        Ok(Tensor::from_vec(result, shape, &Device::Cpu)?.to_dtype(out_dtype)?.to_device(x.device())?)
    }
}

#[cfg(test)]
mod tests {
    use std::cell::RefCell;

    use super::*;

    /// Deterministic, irregular test values in roughly `[-1, 1]`.
    fn values(len: usize, seed: usize) -> Vec<f32> {
        (0..len)
            .map(|i| {
                let k = (i * 7919 + seed * 104_729) % 1999;
                k as f32 / 999.5 - 1.0 + (i as f32 * 0.37).sin() * 0.01
            })
            .collect()
    }

    fn tensor(shape: &[usize], seed: usize) -> Tensor {
        let len = shape.iter().product();
        Tensor::from_vec(values(len, seed), shape, &Device::Cpu).unwrap()
    }

    fn to_vec(t: &Tensor) -> Vec<f32> {
        t.flatten_all().unwrap().to_vec1::<f32>().unwrap()
    }

    fn max_abs_diff(a: &Tensor, b: &Tensor) -> f32 {
        assert_eq!(a.dims(), b.dims());
        to_vec(a).iter().zip(to_vec(b)).map(|(x, y)| (x - y).abs()).fold(0.0, f32::max)
    }

    fn sw(window: &[usize], overlap: f64, batch_size: usize, blend: Blend) -> SlidingWindow {
        SlidingWindow { overlap, batch_size, blend, ..SlidingWindow::new(window.to_vec()) }
    }

    /// Input shapes with odd sizes, some smaller than the window, paired with windows.
    fn cases() -> Vec<(Vec<usize>, Vec<usize>)> {
        vec![
            (vec![2, 3, 11, 13], vec![4, 5]),
            (vec![1, 2, 9, 3], vec![4, 5]),  // W smaller than the window
            (vec![3, 1, 2, 17], vec![5, 6]), // H smaller than the window
            (vec![1, 2, 4, 5], vec![4, 5]),  // exactly one window
            (vec![2, 2, 7, 9, 11], vec![3, 4, 5]),
            (vec![1, 3, 5, 2, 9], vec![3, 4, 4]), // H smaller than the window
            (vec![1, 1, 2, 3, 1], vec![4, 4, 4]), // smaller than the window everywhere
        ]
    }

    #[test]
    fn window_starts_match_monai() {
        assert_eq!(window_starts(10, 4, 0.5), vec![0, 2, 4, 6]);
        assert_eq!(window_starts(10, 4, 0.25), vec![0, 3, 6]);
        assert_eq!(window_starts(10, 4, 0.0), vec![0, 4, 6]);
        assert_eq!(window_starts(8, 4, 0.0), vec![0, 4]);
        assert_eq!(window_starts(4, 4, 0.5), vec![0]);
        assert_eq!(window_starts(3, 4, 0.5), vec![0]);
        assert_eq!(window_starts(5, 4, 0.9), vec![0, 1]); // interval floor(0.4) -> 1
        assert_eq!(window_starts(11, 5, 0.5), vec![0, 2, 4, 6]);
        assert_eq!(window_starts(96, 64, 0.25), vec![0, 32]);
    }

    #[test]
    fn identity_and_scaling_are_exact() {
        for (shape, window) in cases() {
            let x = tensor(&shape, shape.len());
            for overlap in [0.0, 0.25, 0.5] {
                for blend in [Blend::Constant, Blend::Gaussian] {
                    for batch_size in [1, 3] {
                        let s = sw(&window, overlap, batch_size, blend);
                        let y = s.run(&x, &|t| Ok(t.clone())).unwrap();
                        assert_eq!(y.dims(), x.dims());
                        assert_eq!(to_vec(&y), to_vec(&x), "identity {shape:?} {window:?} {overlap} {blend:?}");
                        let scaled = s.run(&x, &|t| Ok((t * 2.5)?)).unwrap();
                        assert_eq!(
                            to_vec(&scaled),
                            to_vec(&(&x * 2.5).unwrap()),
                            "scale {shape:?} {window:?} {overlap} {blend:?}"
                        );
                    }
                }
            }
        }
    }

    /// A per-voxel linear map `C -> 4` with bias followed by ReLU, for any spatial rank.
    fn pointwise_net(x: &Tensor) -> Result<Tensor> {
        let c_in = x.dims()[1];
        let c_out = 4;
        let nd = x.rank() - 2;
        let w = Tensor::from_vec(values(c_out * c_in, 7), (c_out, c_in), &Device::Cpu)?;
        let b = Tensor::from_vec(values(c_out, 11), c_out, &Device::Cpu)?;
        let mut w_shape = vec![1, c_out, c_in];
        w_shape.extend(std::iter::repeat_n(1, nd));
        let mut b_shape = vec![1, c_out];
        b_shape.extend(std::iter::repeat_n(1, nd));
        let y =
            x.unsqueeze(1)?.broadcast_mul(&w.reshape(w_shape)?)?.sum(2)?.broadcast_add(&b.reshape(b_shape)?)?.relu()?;
        Ok(y)
    }

    #[test]
    fn pointwise_network_matches_whole_image() {
        for (shape, window) in cases() {
            let x = tensor(&shape, 3);
            let whole = pointwise_net(&x).unwrap();
            for overlap in [0.0, 0.25, 0.5] {
                for blend in [Blend::Constant, Blend::Gaussian] {
                    let y = sw(&window, overlap, 2, blend).run(&x, &pointwise_net).unwrap();
                    let diff = max_abs_diff(&y, &whole);
                    assert!(diff <= 1e-5, "{shape:?} {window:?} {overlap} {blend:?}: {diff}");
                }
            }
        }
    }

    #[test]
    fn conv1x1_network_matches_whole_image() {
        let (c_in, c_out) = (3, 5);
        let w = Tensor::from_vec(values(c_out * c_in, 5), (c_out, c_in, 1, 1), &Device::Cpu).unwrap();
        let net = |t: &Tensor| -> Result<Tensor> { Ok(t.conv2d(&w, 0, 1, 1, 1)?.relu()?) };
        let x = tensor(&[2, c_in, 19, 14], 9);
        let whole = net(&x).unwrap();
        for overlap in [0.0, 0.25, 0.5] {
            for blend in [Blend::Constant, Blend::Gaussian] {
                let y = sw(&[6, 8], overlap, 4, blend).run(&x, &net).unwrap();
                assert_eq!(y.dims(), &[2, c_out, 19, 14]);
                let diff = max_abs_diff(&y, &whole);
                assert!(diff <= 1e-5, "{overlap} {blend:?}: {diff}");
            }
        }
    }

    /// Whether position `p` sees the same 3x3 neighbourhood in the window `[s, s + w)` as in the
    /// whole dimension of length `size` (neighbours outside the window lie outside the image too).
    fn interior(p: usize, s: usize, w: usize, size: usize) -> bool {
        (p > s || s == 0) && (p + 1 < s + w || s + w == size)
    }

    /// Whether every window covering `p` along a dimension sees `p`'s whole neighbourhood.
    fn seam_free(p: usize, starts: &[usize], w: usize, size: usize) -> bool {
        starts.iter().filter(|&&s| (s..s + w).contains(&p)).all(|&s| interior(p, s, w, size))
    }

    #[test]
    fn conv3x3_matches_whole_image_away_from_seams() {
        let (c_in, c_out) = (2, 3);
        let w = Tensor::from_vec(values(c_out * c_in * 9, 13), (c_out, c_in, 3, 3), &Device::Cpu).unwrap();
        let net = |t: &Tensor| -> Result<Tensor> { Ok(t.conv2d(&w, 1, 1, 1, 1)?.relu()?) };
        let (h, wd) = (21, 18);
        let x = tensor(&[2, c_in, h, wd], 17);
        let whole = to_vec(&net(&x).unwrap());
        let window = [8, 7];
        for overlap in [0.25, 0.5, 0.6] {
            for blend in [Blend::Constant, Blend::Gaussian] {
                let y = to_vec(&sw(&window, overlap, 3, blend).run(&x, &net).unwrap());
                let hs = window_starts(h, window[0], overlap);
                let ws = window_starts(wd, window[1], overlap);
                let (mut checked, mut seams_differ) = (0, false);
                for (i, (&a, &b)) in y.iter().zip(&whole).enumerate() {
                    let (r, c) = ((i / wd) % h, i % wd);
                    if seam_free(r, &hs, window[0], h) && seam_free(c, &ws, window[1], wd) {
                        assert!((a - b).abs() <= 1e-5, "{overlap} {blend:?} ({r}, {c}): {a} vs {b}");
                        checked += 1;
                    } else if (a - b).abs() > 1e-4 {
                        seams_differ = true;
                    }
                }
                assert!(checked > y.len() / 10, "only {checked} voxels checked");
                assert!(seams_differ, "expected seam artefacts to show the check is meaningful");
            }
        }
    }

    #[test]
    fn windows_are_batched() {
        let x = tensor(&[3, 2, 10, 10], 1);
        // Starts [0, 2, 4, 6] per dimension: 16 windows per image, 48 in all.
        let s = sw(&[4, 4], 0.5, 5, Blend::Constant);
        let calls = RefCell::new(Vec::new());
        let y = s
            .run(&x, &|t| {
                calls.borrow_mut().push(t.dims().to_vec());
                Ok(t.clone())
            })
            .unwrap();
        assert_eq!(to_vec(&y), to_vec(&x));
        let calls = calls.into_inner();
        assert_eq!(calls.len(), 10);
        assert!(calls[..9].iter().all(|d| d == &[5, 2, 4, 4]));
        assert_eq!(calls[9], vec![3, 2, 4, 4]);
    }

    #[test]
    fn channel_count_may_change_and_dtype_follows_output() {
        let x = tensor(&[1, 3, 9, 9], 2);
        let s = sw(&[4, 4], 0.25, 4, Blend::Gaussian);
        let y = s.run(&x, &|t| Ok(t.sum_keepdim(1)?.to_dtype(DType::F64)?)).unwrap();
        assert_eq!(y.dims(), &[1, 1, 9, 9]);
        assert_eq!(y.dtype(), DType::F64);
        let expected = x.sum_keepdim(1).unwrap().to_dtype(DType::F64).unwrap();
        let diff = (y - expected).unwrap().abs().unwrap().max_all().unwrap().to_scalar::<f64>().unwrap();
        assert!(diff < 1e-12, "{diff}");
    }

    #[test]
    fn padding_uses_pad_value_and_is_cropped() {
        let x = tensor(&[1, 1, 3, 2], 4);
        let s = SlidingWindow { pad_value: -7.0, ..SlidingWindow::new(vec![6, 5]) };
        let seen = RefCell::new(Vec::new());
        let y = s
            .run(&x, &|t| {
                seen.borrow_mut().push(to_vec(t));
                Ok(t.clone())
            })
            .unwrap();
        assert_eq!(to_vec(&y), to_vec(&x));
        let seen = seen.into_inner();
        assert_eq!(seen.len(), 1);
        let window = &seen[0];
        assert_eq!(window.len(), 30);
        // Symmetric padding: 3 rows -> 1 before, 2 after; 2 columns -> 1 before, 2 after.
        let xv = to_vec(&x);
        for r in 0..6 {
            for c in 0..5 {
                let v = window[r * 5 + c];
                if (1..4).contains(&r) && (1..3).contains(&c) {
                    assert_eq!(v, xv[(r - 1) * 2 + c - 1]);
                } else {
                    assert_eq!(v, -7.0);
                }
            }
        }
    }

    #[test]
    fn gaussian_importance_map() {
        let s = sw(&[5, 4, 64], 0.25, 1, Blend::Gaussian);
        let map = s.importance_map().unwrap();
        assert_eq!(map.len(), 5 * 4 * 64);
        let max = map.iter().copied().fold(0.0, f64::max);
        let min = map.iter().copied().fold(f64::INFINITY, f64::min);
        assert!((max - 1.0).abs() < 1e-12, "{max}");
        assert!(min >= MIN_WEIGHT, "{min}");
        // Symmetric about the centre in every dimension.
        let at = |z: usize, y: usize, x: usize| map[(z * 4 + y) * 64 + x];
        assert_eq!(at(0, 1, 10), at(4, 2, 53));
        assert!(at(2, 1, 31) > at(2, 1, 20));
        // Odd window: the centre has weight exactly 1; even window: profile matches the formula.
        let s2 = sw(&[3, 4], 0.0, 1, Blend::Gaussian);
        let m2 = s2.importance_map().unwrap();
        assert_eq!(m2[4 + 1], 1.0);
        let sigma: f64 = 0.125 * 4.0;
        let g = |d: f64| (-d * d / (2.0 * sigma * sigma)).exp();
        let expected = (g(1.5) / g(0.5)).max(MIN_WEIGHT);
        assert!((m2[4] - expected).abs() < 1e-12);
        assert_eq!(sw(&[2, 3], 0.0, 1, Blend::Constant).importance_map().unwrap(), vec![1.0; 6]);
    }

    #[test]
    fn bad_parameters_are_errors() {
        let x4 = tensor(&[1, 1, 8, 8], 0);
        let x5 = tensor(&[1, 1, 4, 8, 8], 0);
        let id = |t: &Tensor| -> Result<Tensor> { Ok(t.clone()) };
        let ok = SlidingWindow::new(vec![4, 4]);
        assert!(ok.run(&x4, &id).is_ok());

        // Rank not 4 or 5.
        for shape in [vec![8, 8], vec![1, 8, 8], vec![1, 1, 2, 2, 2, 2]] {
            let x = tensor(&shape, 0);
            assert!(matches!(ok.run(&x, &id), Err(Error::Shape(_))), "{shape:?}");
        }
        // Window dimension count mismatch.
        assert!(matches!(ok.run(&x5, &id), Err(Error::Shape(_))));
        assert!(matches!(SlidingWindow::new(vec![4, 4, 4]).run(&x4, &id), Err(Error::Shape(_))));
        assert!(matches!(SlidingWindow::new(vec![4]).run(&x4, &id), Err(Error::Config(_))));
        // Zero window.
        assert!(matches!(SlidingWindow::new(vec![4, 0]).run(&x4, &id), Err(Error::Config(_))));
        // Overlap outside [0, 1).
        for overlap in [1.0, 1.5, -0.1, f64::NAN, f64::INFINITY] {
            let s = SlidingWindow { overlap, ..ok.clone() };
            assert!(matches!(s.run(&x4, &id), Err(Error::Config(_))), "{overlap}");
        }
        // Zero batch size.
        let s = SlidingWindow { batch_size: 0, ..ok.clone() };
        assert!(matches!(s.run(&x4, &id), Err(Error::Config(_))));
        // Gaussian sigma must be positive.
        for sigma_scale in [0.0, -1.0, f64::NAN] {
            let s = SlidingWindow { blend: Blend::Gaussian, sigma_scale, ..ok.clone() };
            assert!(matches!(s.run(&x4, &id), Err(Error::Config(_))), "{sigma_scale}");
        }
        // ... but is ignored with constant blending.
        let s = SlidingWindow { sigma_scale: 0.0, ..ok.clone() };
        assert!(s.run(&x4, &id).is_ok());
        // Empty input.
        let empty = Tensor::zeros((0, 1, 8, 8), DType::F32, &Device::Cpu).unwrap();
        assert!(matches!(ok.run(&empty, &id), Err(Error::Shape(_))));
        // Wrong output shapes from the network.
        let wrong_window = |t: &Tensor| -> Result<Tensor> { Ok(t.narrow(3, 0, 3)?) };
        assert!(matches!(ok.run(&x4, &wrong_window), Err(Error::Shape(_))));
        let wrong_batch = |t: &Tensor| -> Result<Tensor> { Ok(t.narrow(0, 0, 1)?) };
        let s = SlidingWindow { batch_size: 2, ..ok.clone() };
        assert!(matches!(s.run(&x4, &wrong_batch), Err(Error::Shape(_))));
        let wrong_rank = |t: &Tensor| -> Result<Tensor> { Ok(t.flatten_from(2)?) };
        assert!(matches!(ok.run(&x4, &wrong_rank), Err(Error::Shape(_))));
        // Channel count changing between calls.
        let calls = RefCell::new(0);
        let changing = |t: &Tensor| -> Result<Tensor> {
            *calls.borrow_mut() += 1;
            if *calls.borrow() == 1 { Ok(t.clone()) } else { Ok(Tensor::cat(&[t, t], 1)?) }
        };
        let s = SlidingWindow { batch_size: 1, ..ok.clone() };
        assert!(matches!(s.run(&x4, &changing), Err(Error::Shape(_))));
        // Errors from the network pass through unchanged.
        let failing = |_: &Tensor| -> Result<Tensor> { Err(Error::NonFinite("boom".into())) };
        assert!(matches!(ok.run(&x4, &failing), Err(Error::NonFinite(_))));
    }

    #[test]
    fn serde_round_trip_and_defaults() {
        let s = SlidingWindow { blend: Blend::Gaussian, ..SlidingWindow::new(vec![96, 96, 96]) };
        let json = serde_json::to_string(&s).unwrap();
        assert!(json.contains("\"gaussian\""), "{json}");
        let back: SlidingWindow = serde_json::from_str(&json).unwrap();
        assert_eq!(back.window, s.window);
        assert_eq!(back.blend, Blend::Gaussian);
        let minimal: SlidingWindow = serde_json::from_str(r#"{"window": [64, 64]}"#).unwrap();
        let defaults = SlidingWindow::new(vec![64, 64]);
        assert_eq!(minimal.overlap, defaults.overlap);
        assert_eq!(minimal.batch_size, defaults.batch_size);
        assert_eq!(minimal.blend, defaults.blend);
        assert_eq!(minimal.sigma_scale, defaults.sigma_scale);
        assert_eq!(minimal.pad_value, defaults.pad_value);
    }
}
