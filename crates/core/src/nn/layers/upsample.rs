//! Nearest and (bi/tri)linear resizing of `(N, C, *spatial)` tensors with 1 to 3 spatial dims.
//!
//! Linear interpolation along one axis is a matrix product with a fixed `(out, in)` interpolation
//! matrix, so the multi-linear resize is one small matmul per spatial axis and Candle's autograd
//! gives the exact backward. Coordinates follow PyTorch's `F.interpolate`: with
//! `align_corners = false`, `src = (dst + 0.5) * in / out - 0.5` clamped at 0; with `true`,
//! `src = dst * (in - 1) / (out - 1)`. Nearest uses `src = floor(dst * in / out)` (PyTorch's `nearest`).

use crate::{Error, Result};
use candle_core::{Device, Tensor};

/// Interpolation mode.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum InterpMode {
    /// Nearest neighbour.
    Nearest,
    /// Linear along each spatial axis (bilinear in 2-D, trilinear in 3-D).
    Linear,
}

/// The `(out, in)` linear-interpolation matrix along one axis.
pub fn linear_interp_matrix(n_in: usize, n_out: usize, align_corners: bool) -> Vec<f32> {
    let mut m = vec![0f32; n_out * n_in];
    for o in 0..n_out {
        let src = if align_corners {
            if n_out > 1 { o as f64 * (n_in as f64 - 1.0) / (n_out as f64 - 1.0) } else { 0.0 }
        } else {
            ((o as f64 + 0.5) * n_in as f64 / n_out as f64 - 0.5).max(0.0)
        };
        let i0 = (src.floor() as usize).min(n_in - 1);
        let i1 = (i0 + 1).min(n_in - 1);
        let t = (src - i0 as f64) as f32;
        m[o * n_in + i0] += 1.0 - t;
        m[o * n_in + i1] += t;
    }
    m
}

fn nearest_index(n_in: usize, n_out: usize, dev: &Device) -> Result<Tensor> {
    let idx: Vec<u32> =
        (0..n_out).map(|o| ((o as f64 * n_in as f64 / n_out as f64).floor() as usize).min(n_in - 1) as u32).collect();
    Ok(Tensor::from_vec(idx, n_out, dev)?)
}

/// Resizes the spatial dims of `x` (`(N, C, *spatial)`) to `size`.
pub fn interpolate(x: &Tensor, size: &[usize], mode: InterpMode, align_corners: bool) -> Result<Tensor> {
    let rank = x.rank();
    if !(3..=5).contains(&rank) || size.len() != rank - 2 {
        return Err(Error::Shape(format!(
            "interpolate: expected (N, C, *spatial) with {} target sizes, got input {:?}",
            size.len(),
            x.dims()
        )));
    }
    let mut y = x.clone();
    for (a, &n_out) in size.iter().enumerate() {
        let axis = a + 2;
        let n_in = y.dim(axis)?;
        if n_out == 0 {
            return Err(Error::Shape("interpolate: target size 0".into()));
        }
        if n_in == n_out {
            continue;
        }
        y = match mode {
            InterpMode::Nearest => y.index_select(&nearest_index(n_in, n_out, y.device())?, axis)?,
            InterpMode::Linear => {
                let m = Tensor::from_vec(linear_interp_matrix(n_in, n_out, align_corners), (n_out, n_in), y.device())?
                    .to_dtype(y.dtype())?;
                // Move the axis last, multiply by M^T, move it back.
                let moved = y.transpose(axis, rank - 1)?.contiguous()?;
                let dims = moved.dims().to_vec();
                let rows: usize = dims[..rank - 1].iter().product();
                let out = moved.reshape((rows, n_in))?.matmul(&m.t()?)?;
                let mut od = dims;
                od[rank - 1] = n_out;
                out.reshape(od)?.transpose(axis, rank - 1)?.contiguous()?
            }
        };
    }
    Ok(y)
}

/// Resizes by an integer factor in every spatial dim.
pub fn upsample(x: &Tensor, factor: usize, mode: InterpMode, align_corners: bool) -> Result<Tensor> {
    let size: Vec<usize> = x.dims()[2..].iter().map(|d| d * factor).collect();
    interpolate(x, &size, mode, align_corners)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn linear_matrix_rows_sum_to_one() {
        for (a, b) in [(3, 7), (7, 3), (4, 8), (1, 5)] {
            let m = linear_interp_matrix(a, b, false);
            for r in m.chunks(a) {
                assert!((r.iter().sum::<f32>() - 1.0).abs() < 1e-6);
            }
        }
    }

    #[test]
    fn bilinear_known_answer() {
        // PyTorch: F.interpolate(tensor([[[[1.,2.],[3.,4.]]]]), size=(4,4), mode='bilinear', align_corners=False)
        // row 0 = [1.0, 1.25, 1.75, 2.0]; row 1 = [1.5, 1.75, 2.25, 2.5] (src coords -0.25->0, 0.25, 0.75, 1.25->1).
        let x = Tensor::new(&[[[[1f32, 2.], [3., 4.]]]], &Device::Cpu).unwrap();
        let y = interpolate(&x, &[4, 4], InterpMode::Linear, false).unwrap();
        let v = y.flatten_all().unwrap().to_vec1::<f32>().unwrap();
        assert_eq!(&v[0..4], &[1.0, 1.25, 1.75, 2.0]);
        assert_eq!(&v[4..8], &[1.5, 1.75, 2.25, 2.5]);
        let n = interpolate(&x, &[4, 4], InterpMode::Nearest, false).unwrap();
        assert_eq!(n.flatten_all().unwrap().to_vec1::<f32>().unwrap()[..8], [1., 1., 2., 2., 1., 1., 2., 2.]);
    }
}
