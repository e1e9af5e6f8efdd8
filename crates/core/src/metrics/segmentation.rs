//! Segmentation metrics with MONAI semantics: Dice, IoU and the 95th-percentile Hausdorff distance.
//!
//! `output` is either logits/probabilities `[N, C, *spatial]` (the class is the argmax over dim 1,
//! ties to the lowest index) or a label map of the target's shape; `target` is a label map
//! `[N, *spatial]` or `[N, 1, *spatial]`. One-hot targets are not supported: pass class indices.

use candle_core::Tensor;

use super::{Metric, argmax_strided, ensure_no_nan, labels_from_values, no_data, tensor_to_f64};
use crate::{Error, Result};

/// Predicted and actual label maps of one batch, flattened sample-major.
struct LabelMaps {
    samples: usize,
    /// Dims after the sample dim of the target, without a singleton channel dim if the output had channels.
    spatial: Vec<usize>,
    predicted: Vec<usize>,
    actual: Vec<usize>,
}

impl LabelMaps {
    fn voxels_per_sample(&self) -> usize {
        self.spatial.iter().product()
    }

    /// Predicted and actual labels of sample `sample`.
    fn sample(&self, sample: usize) -> (&[usize], &[usize]) {
        let voxels = self.voxels_per_sample();
        let range = sample * voxels..(sample + 1) * voxels;
        (&self.predicted[range.clone()], &self.actual[range])
    }
}

/// Reads the batch as label maps, taking the argmax over channels if `output` holds logits.
fn decode_label_maps(output: &Tensor, target: &Tensor, num_classes: usize, metric: &'static str) -> Result<LabelMaps> {
    if num_classes == 0 {
        return Err(Error::Metric { metric, reason: "num_classes is 0".to_string() });
    }
    let output_dims = output.dims();
    let target_dims = target.dims();
    if target_dims.is_empty() {
        return Err(Error::Shape(format!("{metric}: target must be [N, *spatial], got a scalar")));
    }
    let samples = target_dims[0];
    let logits_over_plain_target =
        output_dims.len() == target_dims.len() + 1 && output_dims[0] == samples && output_dims[2..] == target_dims[1..];
    let logits_over_channel_target = target_dims.len() >= 2
        && target_dims[1] == 1
        && output_dims.len() == target_dims.len()
        && output_dims[0] == samples
        && output_dims[2..] == target_dims[2..];
    let (is_logits, spatial) = if output_dims == target_dims {
        (false, target_dims[1..].to_vec())
    } else if logits_over_plain_target {
        (true, target_dims[1..].to_vec())
    } else if logits_over_channel_target {
        (true, target_dims[2..].to_vec())
    } else {
        return Err(Error::Shape(format!(
            "{metric}: output {output_dims:?} and target {target_dims:?} do not match; expected logits \
             [N, C, *spatial] or a label map of the target's shape, with target [N, *spatial] or [N, 1, *spatial]"
        )));
    };
    if is_logits && output_dims[1] != num_classes {
        return Err(Error::Shape(format!(
            "{metric}: output {output_dims:?} has {} channels, expected {num_classes} classes",
            output_dims[1]
        )));
    }
    let actual = labels_from_values(&tensor_to_f64(target)?, num_classes, metric)?;
    let output_values = tensor_to_f64(output)?;
    let predicted = if is_logits {
        ensure_no_nan(&output_values, metric, "output")?;
        let voxels: usize = spatial.iter().product();
        let mut predicted = Vec::with_capacity(samples * voxels);
        for sample in 0..samples {
            let sample_start = sample * num_classes * voxels;
            predicted.extend(
                (0..voxels).map(|voxel| argmax_strided(&output_values, sample_start + voxel, num_classes, voxels)),
            );
        }
        predicted
    } else {
        labels_from_values(&output_values, num_classes, metric)?
    };
    Ok(LabelMaps { samples, spatial, predicted, actual })
}

/// Per-class voxel counts: intersection, predicted and actual.
#[derive(Debug, Clone)]
struct OverlapCounts {
    intersection: Vec<u64>,
    predicted: Vec<u64>,
    actual: Vec<u64>,
}

impl OverlapCounts {
    fn zeros(num_classes: usize) -> Self {
        Self { intersection: vec![0; num_classes], predicted: vec![0; num_classes], actual: vec![0; num_classes] }
    }

    fn of(predicted: &[usize], actual: &[usize], num_classes: usize) -> Self {
        let mut counts = Self::zeros(num_classes);
        for (&p, &a) in predicted.iter().zip(actual) {
            counts.predicted[p] += 1;
            counts.actual[a] += 1;
            if p == a {
                counts.intersection[p] += 1;
            }
        }
        counts
    }

    fn add(&mut self, other: &Self) {
        for (sum, value) in [
            (&mut self.intersection, &other.intersection),
            (&mut self.predicted, &other.predicted),
            (&mut self.actual, &other.actual),
        ] {
            sum.iter_mut().zip(value).for_each(|(sum, value)| *sum += value);
        }
    }

    /// `2 |P ∩ T| / (|P| + |T|)`, `None` if both are empty.
    fn dice(&self, class: usize) -> Option<f64> {
        let denominator = self.predicted[class] + self.actual[class];
        (denominator > 0).then(|| 2.0 * self.intersection[class] as f64 / denominator as f64)
    }

    /// `|P ∩ T| / |P ∪ T|`, `None` if both are empty.
    fn iou(&self, class: usize) -> Option<f64> {
        let union = self.predicted[class] + self.actual[class] - self.intersection[class];
        (union > 0).then(|| self.intersection[class] as f64 / union as f64)
    }
}

/// Classes that enter the mean: all, or all but class 0.
fn included_classes(num_classes: usize, include_background: bool) -> std::ops::Range<usize> {
    if include_background { 0..num_classes } else { 1.min(num_classes)..num_classes }
}

/// Mean of the `Some` values among `classes`; an error naming `metric` if there is none.
fn mean_over_classes(values: &[Option<f64>], classes: std::ops::Range<usize>, metric: &'static str) -> Result<f64> {
    let present: Vec<f64> = values[classes].iter().flatten().copied().collect();
    if present.is_empty() {
        return Err(Error::Metric {
            metric,
            reason: "every included class is empty in both prediction and ground truth".to_string(),
        });
    }
    Ok(present.iter().sum::<f64>() / present.len() as f64)
}

/// Dice coefficient `2 |P ∩ T| / (|P| + |T|)` per class, aggregated over the whole dataset.
///
/// `compute` averages the per-class global Dice over classes where prediction or ground truth is
/// non-empty, excluding class 0 unless `include_background`. [`Dice::mean_per_sample`] gives the
/// per-sample variant.
#[derive(Debug, Clone)]
pub struct Dice {
    num_classes: usize,
    include_background: bool,
    totals: OverlapCounts,
    samples_seen: u64,
    per_sample_dice_sum: f64,
    per_sample_pairs: u64,
}

impl Dice {
    /// Dice over `num_classes` classes; class 0 is background and left out of the mean unless `include_background`.
    pub fn new(num_classes: usize, include_background: bool) -> Self {
        Self {
            num_classes,
            include_background,
            totals: OverlapCounts::zeros(num_classes),
            samples_seen: 0,
            per_sample_dice_sum: 0.0,
            per_sample_pairs: 0,
        }
    }

    /// Global Dice of every class (background included); `None` where prediction and truth are both empty.
    pub fn per_class(&self) -> Vec<Option<f64>> {
        (0..self.num_classes).map(|class| self.totals.dice(class)).collect()
    }

    /// Mean of per-sample per-class Dice over the (sample, class) pairs where prediction or ground
    /// truth is non-empty (a class predicted but absent from the truth counts as 0).
    pub fn mean_per_sample(&self) -> Result<f64> {
        if self.samples_seen == 0 {
            return Err(no_data("dice"));
        }
        if self.per_sample_pairs == 0 {
            return Err(Error::Metric {
                metric: "dice",
                reason: "every included class is empty in both prediction and ground truth".to_string(),
            });
        }
        Ok(self.per_sample_dice_sum / self.per_sample_pairs as f64)
    }
}

impl Metric for Dice {
    fn name(&self) -> String {
        "dice".to_string()
    }

    fn update(&mut self, output: &Tensor, target: &Tensor) -> Result<()> {
        let maps = decode_label_maps(output, target, self.num_classes, "dice")?;
        for sample in 0..maps.samples {
            let (predicted, actual) = maps.sample(sample);
            let counts = OverlapCounts::of(predicted, actual, self.num_classes);
            for class in included_classes(self.num_classes, self.include_background) {
                if let Some(dice) = counts.dice(class) {
                    self.per_sample_dice_sum += dice;
                    self.per_sample_pairs += 1;
                }
            }
            self.totals.add(&counts);
        }
        self.samples_seen += maps.samples as u64;
        Ok(())
    }

    fn compute(&self) -> Result<f64> {
        if self.samples_seen == 0 {
            return Err(no_data("dice"));
        }
        mean_over_classes(&self.per_class(), included_classes(self.num_classes, self.include_background), "dice")
    }

    fn reset(&mut self) {
        *self = Self::new(self.num_classes, self.include_background);
    }

    fn higher_is_better(&self) -> bool {
        true
    }
}

/// Intersection over union (Jaccard index) `|P ∩ T| / |P ∪ T|` per class, aggregated over the whole dataset.
///
/// `compute` averages over classes where prediction or ground truth is non-empty, excluding class 0
/// unless `include_background`.
#[derive(Debug, Clone)]
pub struct IoU {
    num_classes: usize,
    include_background: bool,
    totals: OverlapCounts,
    samples_seen: u64,
}

impl IoU {
    /// IoU over `num_classes` classes; class 0 is background and left out of the mean unless `include_background`.
    pub fn new(num_classes: usize, include_background: bool) -> Self {
        Self { num_classes, include_background, totals: OverlapCounts::zeros(num_classes), samples_seen: 0 }
    }

    /// Global IoU of every class (background included); `None` where prediction and truth are both empty.
    pub fn per_class(&self) -> Vec<Option<f64>> {
        (0..self.num_classes).map(|class| self.totals.iou(class)).collect()
    }
}

impl Metric for IoU {
    fn name(&self) -> String {
        "iou".to_string()
    }

    fn update(&mut self, output: &Tensor, target: &Tensor) -> Result<()> {
        let maps = decode_label_maps(output, target, self.num_classes, "iou")?;
        self.totals.add(&OverlapCounts::of(&maps.predicted, &maps.actual, self.num_classes));
        self.samples_seen += maps.samples as u64;
        Ok(())
    }

    fn compute(&self) -> Result<f64> {
        if self.samples_seen == 0 {
            return Err(no_data("iou"));
        }
        mean_over_classes(&self.per_class(), included_classes(self.num_classes, self.include_background), "iou")
    }

    fn reset(&mut self) {
        *self = Self::new(self.num_classes, self.include_background);
    }

    fn higher_is_better(&self) -> bool {
        true
    }
}

/// 95th-percentile symmetric Hausdorff distance between prediction and ground-truth surfaces, as
/// MONAI's `compute_hausdorff_distance(percentile=95)`.
///
/// For every sample and included class, the surface of a mask is the set of its voxels with at
/// least one face neighbour (4-connectivity in 2-D, 6 in 3-D) outside the mask or outside the image.
/// The distance from each surface voxel of one mask to the nearest surface voxel of the other is
/// Euclidean in physical units (`spacing` per spatial axis, computed exactly with a separable
/// distance transform); the result is the larger of the two directions' 95th percentiles (linear
/// interpolation, like `numpy.percentile`). Pairs where either mask is empty are skipped;
/// `compute` is the mean over the remaining pairs.
#[derive(Debug, Clone)]
pub struct HausdorffDistance95 {
    num_classes: usize,
    include_background: bool,
    spacing: Vec<f64>,
    distance_sum_per_class: Vec<f64>,
    pairs_per_class: Vec<u64>,
}

const HAUSDORFF_METRIC: &str = "hausdorff95";
const HAUSDORFF_PERCENTILE: f64 = 95.0;

impl HausdorffDistance95 {
    /// HD95 over `num_classes` classes with voxel `spacing` per spatial axis (its length is the number
    /// of spatial dims, e.g. 2 for `[N, H, W]`, 3 for `[N, D, H, W]`).
    pub fn new(num_classes: usize, include_background: bool, spacing: Vec<f64>) -> Self {
        Self {
            num_classes,
            include_background,
            spacing,
            distance_sum_per_class: vec![0.0; num_classes],
            pairs_per_class: vec![0; num_classes],
        }
    }

    /// Mean HD95 of every class (background included); `None` where no pair had both masks non-empty.
    pub fn per_class(&self) -> Vec<Option<f64>> {
        self.distance_sum_per_class
            .iter()
            .zip(&self.pairs_per_class)
            .map(|(&sum, &pairs)| (pairs > 0).then(|| sum / pairs as f64))
            .collect()
    }

    /// Spatial shape of the batch, checked against the spacing.
    fn spatial_shape(&self, maps: &LabelMaps) -> Result<Vec<usize>> {
        let spatial = &maps.spatial;
        if spatial.len() == self.spacing.len() {
            Ok(spatial.clone())
        } else if spatial.len() == self.spacing.len() + 1 && spatial[0] == 1 {
            Ok(spatial[1..].to_vec())
        } else {
            Err(Error::Shape(format!(
                "{HAUSDORFF_METRIC}: spatial shape {spatial:?} does not have {} dims like the spacing {:?}",
                self.spacing.len(),
                self.spacing
            )))
        }
    }
}

impl Metric for HausdorffDistance95 {
    fn name(&self) -> String {
        HAUSDORFF_METRIC.to_string()
    }

    fn update(&mut self, output: &Tensor, target: &Tensor) -> Result<()> {
        if self.spacing.is_empty() || self.spacing.iter().any(|step| !(step.is_finite() && *step > 0.0)) {
            return Err(Error::Config(format!(
                "{HAUSDORFF_METRIC}: spacing must be one positive finite value per spatial axis, got {:?}",
                self.spacing
            )));
        }
        let maps = decode_label_maps(output, target, self.num_classes, HAUSDORFF_METRIC)?;
        let shape = self.spatial_shape(&maps)?;
        for sample in 0..maps.samples {
            let (predicted, actual) = maps.sample(sample);
            for class in included_classes(self.num_classes, self.include_background) {
                let predicted_mask: Vec<bool> = predicted.iter().map(|&label| label == class).collect();
                let actual_mask: Vec<bool> = actual.iter().map(|&label| label == class).collect();
                if let Some(distance) = hausdorff_95(&predicted_mask, &actual_mask, &shape, &self.spacing) {
                    self.distance_sum_per_class[class] += distance;
                    self.pairs_per_class[class] += 1;
                }
            }
        }
        Ok(())
    }

    fn compute(&self) -> Result<f64> {
        let pairs: u64 = self.pairs_per_class.iter().sum();
        if pairs == 0 {
            return Err(Error::Metric {
                metric: HAUSDORFF_METRIC,
                reason: "no (sample, class) pair with non-empty prediction and ground truth yet".to_string(),
            });
        }
        Ok(self.distance_sum_per_class.iter().sum::<f64>() / pairs as f64)
    }

    fn reset(&mut self) {
        self.distance_sum_per_class.iter_mut().for_each(|sum| *sum = 0.0);
        self.pairs_per_class.iter_mut().for_each(|pairs| *pairs = 0);
    }

    fn higher_is_better(&self) -> bool {
        false
    }
}

/// Symmetric 95th-percentile surface distance of two masks of `shape`; `None` if either is empty.
fn hausdorff_95(mask_a: &[bool], mask_b: &[bool], shape: &[usize], spacing: &[f64]) -> Option<f64> {
    if !mask_a.contains(&true) || !mask_b.contains(&true) {
        return None;
    }
    // Both surfaces lie in the bounding box of the union, and every surface voxel there is a surface
    // voxel of the full image (a mask voxel on the box boundary has an outside neighbour outside the
    // mask); the exact distance transform restricted to the box is therefore exact.
    let (origin, extent) = union_bounding_box(mask_a, mask_b, shape)?;
    let mask_a = crop(mask_a, shape, &origin, &extent);
    let mask_b = crop(mask_b, shape, &origin, &extent);
    let surface_a = surface_voxels(&mask_a, &extent);
    let surface_b = surface_voxels(&mask_b, &extent);
    let squared_distance_to_a = squared_distance_transform(&surface_a, &extent, spacing);
    let squared_distance_to_b = squared_distance_transform(&surface_b, &extent, spacing);
    let a_to_b = percentile_of_surface_distances(&surface_a, &squared_distance_to_b)?;
    let b_to_a = percentile_of_surface_distances(&surface_b, &squared_distance_to_a)?;
    Some(a_to_b.max(b_to_a))
}

/// 95th percentile of the distances (from a squared distance map) at the surface voxels.
fn percentile_of_surface_distances(surface: &[bool], squared_distance: &[f64]) -> Option<f64> {
    let mut distances: Vec<f64> = surface
        .iter()
        .zip(squared_distance)
        .filter(|&(&on_surface, _)| on_surface)
        .map(|(_, squared)| squared.sqrt())
        .collect();
    distances.sort_by(f64::total_cmp);
    percentile_linear(&distances, HAUSDORFF_PERCENTILE)
}

/// `percentile` (0..=100) of sorted values with linear interpolation, as `numpy.percentile`'s default.
fn percentile_linear(sorted: &[f64], percentile: f64) -> Option<f64> {
    let last = sorted.len().checked_sub(1)?;
    let position = percentile / 100.0 * last as f64;
    let lower = (position.floor() as usize).min(last);
    let upper = (position.ceil() as usize).min(last);
    let fraction = position - lower as f64;
    Some(sorted[lower] + (sorted[upper] - sorted[lower]) * fraction)
}

/// Row-major strides of `shape`.
fn strides_of(shape: &[usize]) -> Vec<usize> {
    let mut strides = vec![1; shape.len()];
    for axis in (0..shape.len().saturating_sub(1)).rev() {
        strides[axis] = strides[axis + 1] * shape[axis + 1];
    }
    strides
}

/// Origin and extent of the bounding box of `mask_a | mask_b`; `None` if both are empty.
fn union_bounding_box(mask_a: &[bool], mask_b: &[bool], shape: &[usize]) -> Option<(Vec<usize>, Vec<usize>)> {
    let strides = strides_of(shape);
    let mut lowest = shape.to_vec();
    let mut highest = vec![0; shape.len()];
    let mut any = false;
    for (index, _) in mask_a.iter().zip(mask_b).enumerate().filter(|&(_, (&a, &b))| a || b) {
        any = true;
        for axis in 0..shape.len() {
            let coordinate = index / strides[axis] % shape[axis];
            lowest[axis] = lowest[axis].min(coordinate);
            highest[axis] = highest[axis].max(coordinate);
        }
    }
    let extent = lowest.iter().zip(&highest).map(|(low, high)| high - low + 1).collect();
    any.then_some((lowest, extent))
}

/// The part of `mask` (of `shape`) inside the box at `origin` with `extent`.
fn crop(mask: &[bool], shape: &[usize], origin: &[usize], extent: &[usize]) -> Vec<bool> {
    let strides = strides_of(shape);
    let crop_strides = strides_of(extent);
    let crop_voxels: usize = extent.iter().product();
    (0..crop_voxels)
        .map(|crop_index| {
            let full_index: usize = (0..extent.len())
                .map(|axis| (crop_index / crop_strides[axis] % extent[axis] + origin[axis]) * strides[axis])
                .sum();
            mask[full_index]
        })
        .collect()
}

/// Mask voxels with a face neighbour outside the mask or outside the image.
fn surface_voxels(mask: &[bool], shape: &[usize]) -> Vec<bool> {
    let strides = strides_of(shape);
    mask.iter()
        .enumerate()
        .map(|(index, &inside)| {
            inside
                && (0..shape.len()).any(|axis| {
                    let coordinate = index / strides[axis] % shape[axis];
                    coordinate == 0
                        || coordinate + 1 == shape[axis]
                        || !mask[index - strides[axis]]
                        || !mask[index + strides[axis]]
                })
        })
        .collect()
}

/// Exact squared Euclidean distance (physical units) from every voxel to the nearest `feature` voxel,
/// by the separable lower-envelope algorithm of Felzenszwalb & Huttenlocher; infinite if there is none.
fn squared_distance_transform(features: &[bool], shape: &[usize], spacing: &[f64]) -> Vec<f64> {
    let voxels = features.len();
    let mut squared: Vec<f64> =
        features.iter().map(|&is_feature| if is_feature { 0.0 } else { f64::INFINITY }).collect();
    let mut envelope = LowerEnvelope::default();
    let mut line = Vec::new();
    for (axis, (&length, &step)) in shape.iter().zip(spacing).enumerate() {
        if length <= 1 {
            continue;
        }
        let inner: usize = shape[axis + 1..].iter().product();
        let outer = voxels / (length * inner);
        for block in 0..outer {
            for offset in 0..inner {
                let start = block * length * inner + offset;
                line.clear();
                line.extend((0..length).map(|position| squared[start + position * inner]));
                envelope.transform(&line, step * step);
                for (position, &value) in envelope.output.iter().enumerate() {
                    squared[start + position * inner] = value;
                }
            }
        }
    }
    squared
}

/// Work space of the 1-D squared distance transform.
#[derive(Debug, Default)]
struct LowerEnvelope {
    /// Positions of the parabolas in the lower envelope.
    vertices: Vec<usize>,
    /// Where each parabola of the envelope starts to be the lowest.
    starts: Vec<f64>,
    /// The transformed line.
    output: Vec<f64>,
}

impl LowerEnvelope {
    /// `output[p] = min_q (step_squared (p - q)^2 + input[q])`.
    fn transform(&mut self, input: &[f64], step_squared: f64) {
        self.vertices.clear();
        self.starts.clear();
        self.output.clear();
        let offset = |q: usize| input[q] + step_squared * (q * q) as f64;
        for (q, &value) in input.iter().enumerate() {
            if value.is_infinite() {
                continue;
            }
            let mut start = f64::NEG_INFINITY;
            while let Some(&r) = self.vertices.last() {
                start = (offset(q) - offset(r)) / (2.0 * step_squared * (q - r) as f64);
                if self.starts.last().is_some_and(|&last_start| start <= last_start) {
                    self.vertices.pop();
                    self.starts.pop();
                    start = f64::NEG_INFINITY;
                } else {
                    break;
                }
            }
            self.vertices.push(q);
            self.starts.push(start);
        }
        if self.vertices.is_empty() {
            self.output.resize(input.len(), f64::INFINITY);
            return;
        }
        let mut current = 0;
        for p in 0..input.len() {
            while current + 1 < self.vertices.len() && self.starts[current + 1] < p as f64 {
                current += 1;
            }
            let q = self.vertices[current];
            let distance = p.abs_diff(q) as f64;
            self.output.push(step_squared * distance * distance + input[q]);
        }
    }
}

#[cfg(test)]
mod tests {
    use candle_core::{DType, Device};

    use super::*;

    fn assert_close(actual: f64, expected: f64, tolerance: f64) {
        assert!((actual - expected).abs() < tolerance, "got {actual}, expected {expected}");
    }

    /// truth
    ///   0 1 1
    ///   0 1 1
    ///   2 2 0
    /// prediction
    ///   0 1 0
    ///   1 1 1
    ///   2 0 0
    fn hand_maps() -> Result<(Tensor, Tensor)> {
        let device = Device::Cpu;
        let truth = Tensor::new(&[[[0u32, 1, 1], [0, 1, 1], [2, 2, 0]]], &device)?;
        let prediction = Tensor::new(&[[[0u32, 1, 0], [1, 1, 1], [2, 0, 0]]], &device)?;
        Ok((prediction, truth))
    }

    // Class 0: truth {(0,0),(1,0),(2,2)} = 3, prediction {(0,0),(0,2),(2,1),(2,2)} = 4, overlap 2
    //   -> Dice 4/7, IoU 2/5.
    // Class 1: truth {(0,1),(0,2),(1,1),(1,2)} = 4, prediction {(0,1),(1,0),(1,1),(1,2)} = 4, overlap 3
    //   -> Dice 6/8 = 3/4, IoU 3/5.
    // Class 2: truth {(2,0),(2,1)} = 2, prediction {(2,0)} = 1, overlap 1 -> Dice 2/3, IoU 1/2.

    #[test]
    fn dice_and_iou_by_hand() -> Result<()> {
        let (prediction, truth) = hand_maps()?;
        let mut dice = Dice::new(3, false);
        dice.update(&prediction, &truth)?;
        let per_class = dice.per_class();
        assert_close(per_class[0].unwrap_or(f64::NAN), 4.0 / 7.0, 1e-12);
        assert_close(per_class[1].unwrap_or(f64::NAN), 0.75, 1e-12);
        assert_close(per_class[2].unwrap_or(f64::NAN), 2.0 / 3.0, 1e-12);
        // Without background: (3/4 + 2/3) / 2 = 17/24.
        assert_close(dice.compute()?, 17.0 / 24.0, 1e-12);
        // One sample, so the per-sample mean is the same.
        assert_close(dice.mean_per_sample()?, 17.0 / 24.0, 1e-12);
        let mut dice_with_background = Dice::new(3, true);
        dice_with_background.update(&prediction, &truth)?;
        assert_close(dice_with_background.compute()?, (4.0 / 7.0 + 0.75 + 2.0 / 3.0) / 3.0, 1e-12);

        let mut iou = IoU::new(3, false);
        iou.update(&prediction, &truth)?;
        // Without background: (3/5 + 1/2) / 2 = 0.55.
        assert_close(iou.compute()?, 0.55, 1e-12);
        let mut iou_with_background = IoU::new(3, true);
        iou_with_background.update(&prediction, &truth)?;
        assert_close(iou_with_background.compute()?, (0.4 + 0.6 + 0.5) / 3.0, 1e-12);
        Ok(())
    }

    #[test]
    fn dice_from_logits_and_channel_target() -> Result<()> {
        let (prediction, truth) = hand_maps()?;
        let device = Device::Cpu;
        // One-hot logits [1, 3, 3, 3] whose argmax over dim 1 is the prediction.
        let logits = Tensor::eye(3, DType::F32, &device)?
            .index_select(&prediction.flatten_all()?, 0)?
            .reshape((1, 3, 3, 3))?
            .permute((0, 3, 1, 2))?;
        let mut dice = Dice::new(3, false);
        dice.update(&logits, &truth.unsqueeze(1)?)?;
        assert_close(dice.compute()?, 17.0 / 24.0, 1e-12);
        let mut plain_target = Dice::new(3, false);
        plain_target.update(&logits, &truth.to_dtype(DType::F32)?)?;
        assert_close(plain_target.compute()?, 17.0 / 24.0, 1e-12);
        // Wrong channel count and mismatched maps are shape errors.
        assert!(matches!(Dice::new(4, false).update(&logits, &truth), Err(Error::Shape(_))));
        assert!(matches!(dice.update(&prediction, &truth.narrow(1, 0, 2)?), Err(Error::Shape(_))));
        Ok(())
    }

    #[test]
    fn dice_global_versus_per_sample_and_streaming() -> Result<()> {
        let device = Device::Cpu;
        // Two classes, three samples of 1 x 4 pixels.
        // Sample A: truth [1,0,0,0], prediction [1,0,0,0] -> class-1 Dice 1.
        // Sample B: truth [1,1,1,0], prediction [1,0,0,0] -> class-1 Dice 2*1/(3+1) = 0.5.
        // Sample C: no class 1 anywhere -> excluded from the per-sample mean.
        let truth = Tensor::new(&[[[1u8, 0, 0, 0]], [[1, 1, 1, 0]], [[0, 0, 0, 0]]], &device)?;
        let prediction = Tensor::new(&[[[1u8, 0, 0, 0]], [[1, 0, 0, 0]], [[0, 0, 0, 0]]], &device)?;
        let mut whole = Dice::new(2, false);
        whole.update(&prediction, &truth)?;
        // Global: overlap 2, |P| 2, |T| 4 -> 4/6.
        assert_close(whole.compute()?, 2.0 / 3.0, 1e-12);
        // Per sample: (1 + 0.5) / 2 = 0.75.
        assert_close(whole.mean_per_sample()?, 0.75, 1e-12);
        let mut parts = Dice::new(2, false);
        parts.update(&prediction.narrow(0, 0, 1)?, &truth.narrow(0, 0, 1)?)?;
        parts.update(&prediction.narrow(0, 1, 2)?, &truth.narrow(0, 1, 2)?)?;
        assert_close(parts.compute()?, 2.0 / 3.0, 1e-12);
        assert_close(parts.mean_per_sample()?, 0.75, 1e-12);
        parts.reset();
        assert!(parts.compute().is_err());
        assert!(parts.mean_per_sample().is_err());
        // Only sample C: class 1 is empty everywhere -> no value.
        parts.update(&prediction.narrow(0, 2, 1)?, &truth.narrow(0, 2, 1)?)?;
        assert_eq!(parts.per_class()[1], None);
        assert!(parts.compute().is_err());
        // Labels out of range are rejected.
        assert!(matches!(
            Dice::new(2, false).update(&prediction, &(truth.to_dtype(DType::F32)? * 2.0)?),
            Err(Error::Metric { .. })
        ));
        Ok(())
    }

    /// A `[1, height, width]` label map with class 1 at `pixels`.
    fn label_map_2d(height: usize, width: usize, pixels: &[(usize, usize)]) -> Result<Tensor> {
        let mut labels = vec![0u32; height * width];
        for &(row, column) in pixels {
            labels[row * width + column] = 1;
        }
        Ok(Tensor::from_vec(labels, (1, height, width), &Device::Cpu)?)
    }

    fn square(top: usize, left: usize, side: usize) -> Vec<(usize, usize)> {
        (top..top + side).flat_map(|row| (left..left + side).map(move |column| (row, column))).collect()
    }

    #[test]
    fn hausdorff_single_points_distance_five() -> Result<()> {
        // (0, 0) to (3, 4): sqrt(9 + 16) = 5.
        let prediction = label_map_2d(6, 6, &[(0, 0)])?;
        let truth = label_map_2d(6, 6, &[(3, 4)])?;
        let mut hd = HausdorffDistance95::new(2, false, vec![1.0, 1.0]);
        hd.update(&prediction, &truth)?;
        assert_close(hd.compute()?, 5.0, 1e-12);
        assert!(!hd.higher_is_better());
        Ok(())
    }

    #[test]
    fn hausdorff_anisotropic_spacing() -> Result<()> {
        // Rows 2.0 apart, columns 0.5 apart: (0, 0) to (3, 4) is sqrt(6^2 + 2^2) = sqrt(40).
        let prediction = label_map_2d(6, 6, &[(0, 0)])?;
        let truth = label_map_2d(6, 6, &[(3, 4)])?;
        let mut hd = HausdorffDistance95::new(2, false, vec![2.0, 0.5]);
        hd.update(&prediction, &truth)?;
        assert_close(hd.compute()?, 40f64.sqrt(), 1e-12);
        // 3-D [1, D, H, W] with spacing (2, 1, 1): (0, 0, 0) to (1, 2, 2) is sqrt(4 + 4 + 4) = sqrt(12).
        let mut volume = vec![0u32; 3 * 4 * 4];
        volume[0] = 1;
        let mut volume_truth = vec![0u32; 3 * 4 * 4];
        volume_truth[16 + 2 * 4 + 2] = 1;
        let prediction = Tensor::from_vec(volume, (1, 3, 4, 4), &Device::Cpu)?;
        let truth = Tensor::from_vec(volume_truth, (1, 3, 4, 4), &Device::Cpu)?;
        let mut hd3 = HausdorffDistance95::new(2, false, vec![2.0, 1.0, 1.0]);
        hd3.update(&prediction, &truth)?;
        assert_close(hd3.compute()?, 12f64.sqrt(), 1e-12);
        // Wrong number of spacing values.
        assert!(matches!(hd.update(&prediction, &truth), Err(Error::Shape(_))));
        Ok(())
    }

    #[test]
    fn hausdorff_offset_squares() -> Result<()> {
        // 3x3 squares at columns 1..=3 and 2..=4 (rows 1..=3) in an 8x8 image. Each surface is the
        // 8 border pixels. Prediction -> truth distances: (1,1),(2,1),(3,1) and (2,3) are 1 away,
        // the other four lie on the truth surface: sorted [0,0,0,0,1,1,1,1], 95th percentile at
        // position 0.95 * 7 = 6.65 -> 1. By symmetry the other direction is also 1.
        let prediction = label_map_2d(8, 8, &square(1, 1, 3))?;
        let truth = label_map_2d(8, 8, &square(1, 2, 3))?;
        let mut hd = HausdorffDistance95::new(2, false, vec![1.0, 1.0]);
        hd.update(&prediction, &truth)?;
        assert_close(hd.compute()?, 1.0, 1e-12);
        Ok(())
    }

    #[test]
    fn hausdorff_percentile_interpolates() -> Result<()> {
        // Prediction: the point (0, 0). Truth: the row segment (0, 0)..(0, 4), all surface.
        // Prediction -> truth: [0]. Truth -> prediction: [0, 1, 2, 3, 4]; position 0.95 * 4 = 3.8
        // -> 3 + 0.8 * (4 - 3) = 3.8. Result max(0, 3.8) = 3.8 (the plain Hausdorff distance is 4).
        let prediction = label_map_2d(5, 5, &[(0, 0)])?;
        let truth = label_map_2d(5, 5, &[(0, 0), (0, 1), (0, 2), (0, 3), (0, 4)])?;
        let mut hd = HausdorffDistance95::new(2, false, vec![1.0, 1.0]);
        hd.update(&prediction, &truth)?;
        assert_close(hd.compute()?, 3.8, 1e-12);
        Ok(())
    }

    #[test]
    fn hausdorff_skips_empty_pairs_and_averages() -> Result<()> {
        // Sample 0: point vs point 5 apart (5). Sample 1: empty prediction (skipped).
        // Sample 2: identical masks (0). Mean over the two valid pairs: 2.5.
        let prediction = Tensor::cat(
            &[label_map_2d(6, 6, &[(0, 0)])?, label_map_2d(6, 6, &[])?, label_map_2d(6, 6, &square(1, 1, 2))?],
            0,
        )?;
        let truth = Tensor::cat(
            &[label_map_2d(6, 6, &[(3, 4)])?, label_map_2d(6, 6, &[(2, 2)])?, label_map_2d(6, 6, &square(1, 1, 2))?],
            0,
        )?;
        let mut hd = HausdorffDistance95::new(2, false, vec![1.0, 1.0]);
        assert!(hd.compute().is_err());
        hd.update(&prediction, &truth)?;
        assert_close(hd.compute()?, 2.5, 1e-12);
        assert_eq!(hd.per_class()[0], None);
        // Streaming in two parts gives the same mean.
        let mut parts = HausdorffDistance95::new(2, false, vec![1.0, 1.0]);
        parts.update(&prediction.narrow(0, 0, 2)?, &truth.narrow(0, 0, 2)?)?;
        parts.update(&prediction.narrow(0, 2, 1)?, &truth.narrow(0, 2, 1)?)?;
        assert_close(parts.compute()?, 2.5, 1e-12);
        parts.reset();
        assert!(parts.compute().is_err());
        // Bad spacing is a configuration error.
        let bad_spacing = HausdorffDistance95::new(2, false, vec![1.0, 0.0]).update(&prediction, &truth);
        assert!(matches!(bad_spacing, Err(Error::Config(_))));
        // A channel dim on the label maps is accepted: [N, 1, H, W] with 2-D spacing.
        let mut with_channel = HausdorffDistance95::new(2, false, vec![1.0, 1.0]);
        with_channel.update(&prediction.unsqueeze(1)?, &truth.unsqueeze(1)?)?;
        assert_close(with_channel.compute()?, 2.5, 1e-12);
        Ok(())
    }

    #[test]
    fn surface_of_cube_is_its_shell() {
        // A 3x3x3 cube inside a 5x5x5 volume: 27 voxels, only the centre is interior -> 26 surface voxels.
        let shape = [5, 5, 5];
        let mask: Vec<bool> = (0..125)
            .map(|index| {
                let (z, y, x) = (index / 25, index / 5 % 5, index % 5);
                (1..=3).contains(&z) && (1..=3).contains(&y) && (1..=3).contains(&x)
            })
            .collect();
        let surface = surface_voxels(&mask, &shape);
        assert_eq!(surface.iter().filter(|&&on| on).count(), 26);
        assert!(!surface[2 * 25 + 2 * 5 + 2]);
        // A full 3x3 image: every pixel but the centre touches the image border.
        let full = surface_voxels(&[true; 9], &[3, 3]);
        assert_eq!(full.iter().filter(|&&on| on).count(), 8);
    }

    /// Deterministic xorshift generator for the brute-force comparison.
    fn next_random(state: &mut u64) -> u64 {
        *state ^= *state << 13;
        *state ^= *state >> 7;
        *state ^= *state << 17;
        *state
    }

    #[test]
    fn distance_transform_matches_brute_force() {
        let mut state = 0x2545_f491_4f6c_dd1d_u64;
        for (shape, spacing) in [
            (vec![7usize, 9], vec![1.0, 1.0]),
            (vec![6, 11], vec![0.7, 2.3]),
            (vec![4, 5, 6], vec![2.0, 0.5, 1.25]),
            (vec![1, 5, 4], vec![3.0, 1.0, 1.0]),
        ] {
            let strides = strides_of(&shape);
            let voxels: usize = shape.iter().product();
            for _ in 0..5 {
                let features: Vec<bool> = (0..voxels).map(|_| next_random(&mut state).is_multiple_of(7)).collect();
                let transform = squared_distance_transform(&features, &shape, &spacing);
                for (index, &value) in transform.iter().enumerate() {
                    let brute_force = features
                        .iter()
                        .enumerate()
                        .filter(|&(_, &is_feature)| is_feature)
                        .map(|(feature, _)| {
                            (0..shape.len())
                                .map(|axis| {
                                    let a = index / strides[axis] % shape[axis];
                                    let b = feature / strides[axis] % shape[axis];
                                    let delta = a.abs_diff(b) as f64 * spacing[axis];
                                    delta * delta
                                })
                                .sum::<f64>()
                        })
                        .fold(f64::INFINITY, f64::min);
                    assert!(
                        (value - brute_force).abs() < 1e-9 || value == brute_force,
                        "shape {shape:?} voxel {index}: transform {value}, brute force {brute_force}"
                    );
                }
            }
        }
    }

    /// HD95 by brute force on the full image: surfaces, all-pairs nearest neighbours, percentiles.
    fn brute_force_hausdorff_95(mask_a: &[bool], mask_b: &[bool], shape: &[usize], spacing: &[f64]) -> f64 {
        let strides = strides_of(shape);
        let points = |mask: &[bool]| -> Vec<Vec<f64>> {
            surface_voxels(mask, shape)
                .iter()
                .enumerate()
                .filter(|&(_, &on)| on)
                .map(|(index, _)| {
                    (0..shape.len()).map(|axis| (index / strides[axis] % shape[axis]) as f64 * spacing[axis]).collect()
                })
                .collect()
        };
        let directed = |from: &[Vec<f64>], to: &[Vec<f64>]| -> f64 {
            let mut distances: Vec<f64> = from
                .iter()
                .map(|a| {
                    to.iter()
                        .map(|b| a.iter().zip(b).map(|(x, y)| (x - y) * (x - y)).sum::<f64>().sqrt())
                        .fold(f64::INFINITY, f64::min)
                })
                .collect();
            distances.sort_by(f64::total_cmp);
            percentile_linear(&distances, 95.0).unwrap_or(f64::NAN)
        };
        let (points_a, points_b) = (points(mask_a), points(mask_b));
        directed(&points_a, &points_b).max(directed(&points_b, &points_a))
    }

    #[test]
    fn hausdorff_matches_brute_force_on_random_masks() {
        let mut state = 0x9e37_79b9_7f4a_7c15_u64;
        for (shape, spacing) in
            [(vec![12usize, 10], vec![1.0, 1.0]), (vec![9, 13], vec![0.8, 1.7]), (vec![5, 7, 6], vec![2.5, 1.0, 0.6])]
        {
            let voxels: usize = shape.iter().product();
            for density in [3, 5, 11] {
                let mask_a: Vec<bool> = (0..voxels).map(|_| next_random(&mut state) % density < 2).collect();
                let mask_b: Vec<bool> = (0..voxels).map(|_| next_random(&mut state) % density < 2).collect();
                let fast = hausdorff_95(&mask_a, &mask_b, &shape, &spacing).unwrap_or(f64::NAN);
                let slow = brute_force_hausdorff_95(&mask_a, &mask_b, &shape, &spacing);
                assert_close(fast, slow, 1e-9);
            }
        }
    }

    #[test]
    fn percentile_matches_numpy_linear() {
        // numpy.percentile([1, 2, 3, 4], 95) = 1 + 0.95 * 3 = position 2.85 -> 3 + 0.85 * 1 = 3.85.
        assert_close(percentile_linear(&[1.0, 2.0, 3.0, 4.0], 95.0).unwrap_or(f64::NAN), 3.85, 1e-12);
        assert_eq!(percentile_linear(&[7.0], 95.0), Some(7.0));
        assert_eq!(percentile_linear(&[], 95.0), None);
    }
}
