//! Helpers shared by the unit tests of the core's kernels.

use candle_core::{DType, Tensor};

/// Largest `|a - b|`, relative to `max(1, max |b|)`: how far a fast kernel's result is from its
/// reference.
pub(crate) fn deviation(a: &Tensor, b: &Tensor) -> f64 {
    let a = a.to_dtype(DType::F64).unwrap().flatten_all().unwrap().to_vec1::<f64>().unwrap();
    let b = b.to_dtype(DType::F64).unwrap().flatten_all().unwrap().to_vec1::<f64>().unwrap();
    assert_eq!(a.len(), b.len());
    let scale = b.iter().fold(1f64, |m, v| m.max(v.abs()));
    a.iter().zip(&b).fold(0f64, |m, (x, y)| m.max((x - y).abs())) / scale
}
