//! Generic readers: each returns the array and its metadata.
//!
//! - [`idx`]: the IDX format of MNIST / Fashion-MNIST, plain or gzipped.
//! - [`image`]: PNG and TIFF images (and TIFF stacks), with magic-byte dispatch in
//!   [`image::read_image`].
//! - [`csv`]: all-numeric CSV tables, plain or gzipped.
//! - [`hdf5`]: numeric datasets of HDF5 files ([`hdf5::list_datasets`], [`hdf5::read_dataset`]).
//! - [`table`]: CSV and Parquet tables as polars data frames ([`table::read_table`],
//!   [`table::write_parquet`], [`table::column_f32`]); their result is a `DataFrame`, not an
//!   [`ArrayData`].
//!
//! Every reader returns an [`ArrayData`]: the values as `f32` in row-major order, the shape, and
//! an [`ArrayMeta`] saying where the array came from and what the file said about it. Values are
//! never rescaled: a 16-bit image holds 0..=65535, an 8-bit one 0..=255. Every error names the
//! file it concerns.

use std::path::PathBuf;

use candle_core::{Device, Tensor};

use crate::{Error, Result};

pub mod csv;
pub mod hdf5;
pub mod idx;
pub mod image;
pub mod table;

/// An n-dimensional array read from a file: f32 values (row-major), its shape, and what the file
/// said about it.
#[derive(Debug, Clone, PartialEq)]
pub struct ArrayData {
    /// The dimensions, outermost first (images: `[C, H, W]`, TIFF stacks: `[pages, C, H, W]`).
    pub shape: Vec<usize>,
    /// The values in row-major order; `values.len()` is the product of `shape`.
    pub values: Vec<f32>,
    /// Where the array came from and how it was stored.
    pub meta: ArrayMeta,
}

/// Metadata of a read array.
#[derive(Debug, Clone, PartialEq)]
pub struct ArrayMeta {
    /// The file the array was read from.
    pub source: PathBuf,
    /// The element type stored in the file before conversion to `f32`: `"u8"`, `"i8"`, `"u16"`,
    /// `"i16"`, `"u32"`, `"i32"`, `"u64"`, `"i64"`, `"f16"`, `"f32"` or `"f64"`.
    pub dtype: String,
    /// The physical size of one pixel along each spatial axis, in the order of the shape
    /// (`[height, width]`, i.e. `[y, x]`), when the file records a resolution (TIFF
    /// `XResolution`/`YResolution`, PNG `pHYs`); `None` otherwise.
    ///
    /// The value is the reciprocal of the stored resolution. It is in micrometres when the file
    /// gives a physical unit (TIFF `ResolutionUnit` inch or centimetre — TIFF's default is inch —
    /// or PNG metre), and in the file's own, unspecified unit otherwise (TIFF `ResolutionUnit`
    /// none, as ImageJ and tifffile write it; PNG unit unknown).
    pub pixel_size: Option<Vec<f64>>,
}

impl ArrayData {
    /// The number of elements the shape describes, or `None` on overflow.
    fn shape_len(&self) -> Option<usize> {
        self.shape.iter().try_fold(1usize, |acc, &d| acc.checked_mul(d))
    }

    /// Copies the values into an `f32` tensor of shape [`ArrayData::shape`] on `device`.
    ///
    /// Fails with [`Error::Format`] (naming the source file) if the number of values does not
    /// match the shape, and with [`Error::Candle`] if the device cannot hold the tensor.
    pub fn to_tensor(&self, device: &Device) -> Result<Tensor> {
        match self.shape_len() {
            Some(n) if n == self.values.len() => {}
            _ => {
                return Err(Error::format(
                    &self.meta.source,
                    format!("shape {:?} does not match the {} values read", self.shape, self.values.len()),
                ));
            }
        }
        Ok(Tensor::from_slice(&self.values, self.shape.as_slice(), device)?)
    }
}

/// Test helper: `err` is a format error whose message names `path` and contains `needle`.
#[cfg(test)]
pub(crate) fn assert_format_err(err: crate::Error, path: &std::path::Path, needle: &str) {
    let msg = err.to_string();
    assert!(matches!(err, crate::Error::Format { .. }), "expected a format error, got {err:?}");
    assert!(msg.contains(&path.display().to_string()), "{msg} does not name the file");
    assert!(msg.contains(needle), "{msg} does not contain {needle:?}");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn to_tensor_checks_shape() {
        let a = ArrayData {
            shape: vec![2, 3],
            values: (0..6).map(|v| v as f32).collect(),
            meta: ArrayMeta { source: "x.idx".into(), dtype: "u8".into(), pixel_size: None },
        };
        let t = a.to_tensor(&Device::Cpu).unwrap();
        assert_eq!(t.dims(), &[2, 3]);
        assert_eq!(t.to_vec2::<f32>().unwrap(), vec![vec![0., 1., 2.], vec![3., 4., 5.]]);

        let bad = ArrayData { shape: vec![4, 3], ..a };
        let err = bad.to_tensor(&Device::Cpu).unwrap_err();
        assert!(matches!(err, Error::Format { .. }));
        assert!(err.to_string().contains("x.idx"));
    }
}
