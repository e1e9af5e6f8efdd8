//! Helpers shared by the CPU kernels of scidl's custom ops.

use candle_core::{CpuStorage, Layout};

/// The elements of a contiguous tensor's storage; `what` names the op in the error.
pub(crate) fn contiguous_slice<'a, T>(s: &'a [T], l: &Layout, what: &str) -> candle_core::Result<&'a [T]> {
    match l.contiguous_offsets() {
        Some((a, b)) => Ok(&s[a..b]),
        None => candle_core::bail!("{what}: expected a contiguous tensor"),
    }
}

/// Runs a two-operand kernel on f32 or f64 storage (both operands of the same dtype) and wraps
/// its output in the same dtype.
pub(crate) fn dispatch2(
    what: &str,
    (s1, l1): (&CpuStorage, &Layout),
    (s2, l2): (&CpuStorage, &Layout),
    f32_fn: impl FnOnce(&[f32], &[f32]) -> Vec<f32>,
    f64_fn: impl FnOnce(&[f64], &[f64]) -> Vec<f64>,
) -> candle_core::Result<CpuStorage> {
    match (s1, s2) {
        (CpuStorage::F32(a), CpuStorage::F32(b)) => {
            Ok(CpuStorage::F32(f32_fn(contiguous_slice(a, l1, what)?, contiguous_slice(b, l2, what)?)))
        }
        (CpuStorage::F64(a), CpuStorage::F64(b)) => {
            Ok(CpuStorage::F64(f64_fn(contiguous_slice(a, l1, what)?, contiguous_slice(b, l2, what)?)))
        }
        _ => candle_core::bail!("{what}: f32 or f64 operands of the same dtype expected"),
    }
}
