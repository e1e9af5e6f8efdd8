//! Metrics with `update / compute / reset`, as in Burn and MONAI: feed batches, read the value, start again.
//!
//! Every metric accepts tensors on any device and of any dtype; `update` copies them to the CPU as `f64`.
//! Class labels may arrive as `u8`, `u32`, `i64` or float tensors; they must be non-negative integers
//! below the number of classes, otherwise `update` returns [`Error::Metric`].

pub mod classification;
pub mod regression;
pub mod segmentation;

pub use classification::{Accuracy, Average, ConfusionMatrix, RocAuc, TopKAccuracy};
pub use regression::{Kge, Mae, Mape, Nse, Rmse};
pub use segmentation::{Dice, HausdorffDistance95, IoU};

use candle_core::{DType, Device, Tensor};

use crate::{Error, Result};

/// A streaming metric: update with batches, compute the value, reset.
pub trait Metric: Send {
    /// Short snake-case name used in logs, e.g. `"accuracy"`, `"top5_accuracy"`, `"macro_f1"`, `"dice"`, `"rmse"`.
    fn name(&self) -> String;
    /// Adds one batch of model `output` and ground-truth `target` to the running state.
    fn update(&mut self, output: &Tensor, target: &Tensor) -> Result<()>;
    /// The metric over everything seen since the last reset; an error if no usable data was seen.
    fn compute(&self) -> Result<f64>;
    /// Forgets everything seen so far.
    fn reset(&mut self);
    /// Whether a larger value means a better model (false for errors and distances).
    fn higher_is_better(&self) -> bool;
}

/// Copies a tensor of any device and dtype to the CPU as a flat `f64` vector (row-major).
pub(crate) fn tensor_to_f64(tensor: &Tensor) -> Result<Vec<f64>> {
    let values = tensor.to_device(&Device::Cpu)?.to_dtype(DType::F64)?.flatten_all()?.to_vec1::<f64>()?;
    Ok(values)
}

/// Returns [`Error::NonFinite`] if any value is NaN; `what` names the tensor in the message.
pub(crate) fn ensure_no_nan(values: &[f64], metric: &'static str, what: &str) -> Result<()> {
    match values.iter().position(|value| value.is_nan()) {
        Some(index) => Err(Error::NonFinite(format!("{metric}: {what} contains NaN at flat index {index}"))),
        None => Ok(()),
    }
}

/// Converts label values to class indices, rejecting NaN, non-integers, negatives and values `>= num_classes`.
pub(crate) fn labels_from_values(values: &[f64], num_classes: usize, metric: &'static str) -> Result<Vec<usize>> {
    values.iter().enumerate().map(|(index, &value)| label_from_value(value, index, num_classes, metric)).collect()
}

/// Tolerance for accepting a float label as an integer.
const LABEL_INTEGER_TOLERANCE: f64 = 1e-6;

fn label_from_value(value: f64, index: usize, num_classes: usize, metric: &'static str) -> Result<usize> {
    let bad_label = |reason: String| Error::Metric { metric, reason };
    if !value.is_finite() {
        return Err(bad_label(format!("label at flat index {index} is {value}, not a class index")));
    }
    let rounded = value.round();
    if (value - rounded).abs() > LABEL_INTEGER_TOLERANCE {
        return Err(bad_label(format!("label at flat index {index} is {value}, not an integer")));
    }
    if rounded < 0.0 {
        return Err(bad_label(format!("label at flat index {index} is negative ({value})")));
    }
    if rounded >= num_classes as f64 {
        return Err(bad_label(format!(
            "label at flat index {index} is {value}, but there are only {num_classes} classes"
        )));
    }
    Ok(rounded as usize)
}

/// Index (0-based, in units of `stride`) of the largest of `count` values starting at `start`;
/// ties go to the lowest index. The values must not contain NaN.
pub(crate) fn argmax_strided(values: &[f64], start: usize, count: usize, stride: usize) -> usize {
    let mut best_index = 0;
    let mut best_value = f64::NEG_INFINITY;
    for index in 0..count {
        let value = values[start + index * stride];
        if index == 0 || value > best_value {
            best_index = index;
            best_value = value;
        }
    }
    best_index
}

/// The "no data yet" error of `metric`.
pub(crate) fn no_data(metric: &'static str) -> Error {
    Error::Metric { metric, reason: "no data yet: call update before compute".to_string() }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_accept_integer_dtypes_and_reject_bad_values() -> Result<()> {
        let device = Device::Cpu;
        let from_u8 = labels_from_values(&tensor_to_f64(&Tensor::new(&[0u8, 2, 1], &device)?)?, 3, "test")?;
        let from_i64 = labels_from_values(&tensor_to_f64(&Tensor::new(&[0i64, 2, 1], &device)?)?, 3, "test")?;
        let from_f32 = labels_from_values(&tensor_to_f64(&Tensor::new(&[0f32, 2.0, 1.0], &device)?)?, 3, "test")?;
        assert_eq!(from_u8, vec![0, 2, 1]);
        assert_eq!(from_i64, vec![0, 2, 1]);
        assert_eq!(from_f32, vec![0, 2, 1]);
        assert!(labels_from_values(&[-1.0], 3, "test").is_err());
        assert!(labels_from_values(&[1.5], 3, "test").is_err());
        assert!(labels_from_values(&[3.0], 3, "test").is_err());
        assert!(labels_from_values(&[f64::NAN], 3, "test").is_err());
        Ok(())
    }

    #[test]
    fn argmax_ties_go_to_lowest_index() {
        // Row-major [2, 3]: row 0 = [1, 5, 5] -> 1; row 1 = [2, 2, 2] -> 0.
        let values = [1.0, 5.0, 5.0, 2.0, 2.0, 2.0];
        assert_eq!(argmax_strided(&values, 0, 3, 1), 1);
        assert_eq!(argmax_strided(&values, 3, 3, 1), 0);
        // Column 2 of the same [2, 3] matrix: [5, 2] -> 0.
        assert_eq!(argmax_strided(&values, 2, 2, 3), 0);
    }
}
