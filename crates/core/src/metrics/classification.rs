//! Classification metrics: accuracy, top-k accuracy, confusion matrix (precision, recall, F1) and ROC-AUC.
//!
//! Scores are `[N, C]` logits or probabilities (row per sample); targets are `[N]` (or `[N, 1]`) class labels.

use candle_core::Tensor;

use super::{Metric, argmax_strided, ensure_no_nan, labels_from_values, no_data, tensor_to_f64};
use crate::{Error, Result};

/// Scores of one batch: `rows` samples with `classes` scores each, row-major.
struct ScoreRows {
    values: Vec<f64>,
    rows: usize,
    classes: usize,
}

impl ScoreRows {
    /// The scores of sample `row`.
    fn row(&self, row: usize) -> &[f64] {
        &self.values[row * self.classes..(row + 1) * self.classes]
    }
}

/// Reads `[N]` (one score per sample, `classes == 1`) or `[N, C]` scores, rejecting NaN.
fn read_scores(output: &Tensor, metric: &'static str) -> Result<ScoreRows> {
    let (rows, classes) = match *output.dims() {
        [rows] => (rows, 1),
        [rows, classes] => (rows, classes),
        ref other => {
            return Err(Error::Shape(format!("{metric}: output must be [N] or [N, C] scores, got {other:?}")));
        }
    };
    if classes == 0 {
        return Err(Error::Shape(format!("{metric}: output {:?} has no classes", output.dims())));
    }
    let values = tensor_to_f64(output)?;
    ensure_no_nan(&values, metric, "output")?;
    Ok(ScoreRows { values, rows, classes })
}

/// Reads `rows` target labels (any shape with `rows` elements, e.g. `[N]` or `[N, 1]`), each below `num_classes`.
fn read_labels(target: &Tensor, rows: usize, num_classes: usize, metric: &'static str) -> Result<Vec<usize>> {
    if target.elem_count() != rows {
        return Err(Error::Shape(format!(
            "{metric}: target {:?} must hold one label per sample ({rows} samples)",
            target.dims()
        )));
    }
    labels_from_values(&tensor_to_f64(target)?, num_classes, metric)
}

/// Predicted class of every row: argmax (ties to the lowest index).
fn argmax_rows(scores: &ScoreRows) -> Vec<usize> {
    (0..scores.rows).map(|row| argmax_strided(&scores.values, row * scores.classes, scores.classes, 1)).collect()
}

/// Fraction of samples whose predicted class equals the target.
///
/// Output `[N, C]`: the prediction is the argmax of each row (ties go to the lowest index).
/// Output `[N]` or `[N, 1]`: binary probabilities, which must lie in `[0, 1]`; a score `>= 0.5`
/// predicts class 1 (apply a sigmoid to logits first, or pass `[N, 2]` logits). Targets are `[N]` labels.
#[derive(Debug, Clone, Default)]
pub struct Accuracy {
    correct: u64,
    total: u64,
}

impl Accuracy {
    /// An empty accuracy counter.
    pub fn new() -> Self {
        Self::default()
    }
}

impl Metric for Accuracy {
    fn name(&self) -> String {
        "accuracy".to_string()
    }

    fn update(&mut self, output: &Tensor, target: &Tensor) -> Result<()> {
        const METRIC: &str = "accuracy";
        let scores = read_scores(output, METRIC)?;
        let predicted = if scores.classes == 1 {
            if let Some(bad) = scores.values.iter().find(|score| !(0.0..=1.0).contains(*score)) {
                return Err(Error::Metric {
                    metric: METRIC,
                    reason: format!(
                        "binary scores must be probabilities in [0, 1], got {bad}; apply a sigmoid or pass [N, 2] logits"
                    ),
                });
            }
            scores.values.iter().map(|&score| usize::from(score >= 0.5)).collect()
        } else {
            argmax_rows(&scores)
        };
        let actual = read_labels(target, scores.rows, scores.classes.max(2), METRIC)?;
        self.correct += predicted.iter().zip(&actual).filter(|(p, a)| p == a).count() as u64;
        self.total += scores.rows as u64;
        Ok(())
    }

    fn compute(&self) -> Result<f64> {
        if self.total == 0 {
            return Err(no_data("accuracy"));
        }
        Ok(self.correct as f64 / self.total as f64)
    }

    fn reset(&mut self) {
        *self = Self::default();
    }

    fn higher_is_better(&self) -> bool {
        true
    }
}

/// Fraction of samples whose target class is among the `k` highest scores of `[N, C]` output.
///
/// Ties are ranked like the argmax of [`Accuracy`]: among equal scores the lower class index ranks
/// first, so top-1 accuracy equals accuracy. With `k >= C` every sample counts as correct.
#[derive(Debug, Clone)]
pub struct TopKAccuracy {
    k: usize,
    correct: u64,
    total: u64,
}

impl TopKAccuracy {
    /// Top-`k` accuracy; `k == 0` makes `update` return an error.
    pub fn new(k: usize) -> Self {
        Self { k, correct: 0, total: 0 }
    }

    /// The `k` of top-`k`.
    pub fn k(&self) -> usize {
        self.k
    }
}

impl Metric for TopKAccuracy {
    fn name(&self) -> String {
        format!("top{}_accuracy", self.k)
    }

    fn update(&mut self, output: &Tensor, target: &Tensor) -> Result<()> {
        const METRIC: &str = "top_k_accuracy";
        if self.k == 0 {
            return Err(Error::Metric { metric: METRIC, reason: "k must be at least 1".to_string() });
        }
        if output.rank() != 2 {
            return Err(Error::Shape(format!("{METRIC}: output must be [N, C] scores, got {:?}", output.dims())));
        }
        let scores = read_scores(output, METRIC)?;
        let actual = read_labels(target, scores.rows, scores.classes, METRIC)?;
        for (row, &label) in actual.iter().enumerate() {
            let row_scores = scores.row(row);
            let target_score = row_scores[label];
            // Classes ranked before the target: higher score, or equal score and lower index.
            let ranked_before = row_scores
                .iter()
                .enumerate()
                .filter(|&(class, &score)| score > target_score || (score == target_score && class < label))
                .count();
            if ranked_before < self.k {
                self.correct += 1;
            }
        }
        self.total += scores.rows as u64;
        Ok(())
    }

    fn compute(&self) -> Result<f64> {
        if self.total == 0 {
            return Err(no_data("top_k_accuracy"));
        }
        Ok(self.correct as f64 / self.total as f64)
    }

    fn reset(&mut self) {
        self.correct = 0;
        self.total = 0;
    }

    fn higher_is_better(&self) -> bool {
        true
    }
}

/// How per-class precision, recall or F1 are combined into one number (as in scikit-learn).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Average {
    /// Unweighted mean over all classes (classes never seen count with value 0).
    Macro,
    /// Computed from the global counts of true positives, false positives and false negatives;
    /// for single-label classification this equals accuracy.
    Micro,
    /// Mean over classes weighted by support (number of true samples of each class).
    Weighted,
}

/// Confusion matrix of a `num_classes` problem: rows are actual classes, columns predicted ones (like scikit-learn).
///
/// Per-class precision, recall and F1 are 0.0 where their denominator is 0 (scikit-learn's
/// `zero_division=0`). As a [`Metric`] it reports the macro F1, named `"macro_f1"`.
#[derive(Debug, Clone)]
pub struct ConfusionMatrix {
    num_classes: usize,
    counts: Vec<Vec<u64>>,
}

const CONFUSION_METRIC: &str = "confusion_matrix";

impl ConfusionMatrix {
    /// An all-zero `num_classes x num_classes` matrix.
    pub fn new(num_classes: usize) -> Self {
        Self { num_classes, counts: vec![vec![0; num_classes]; num_classes] }
    }

    /// Number of classes.
    pub fn num_classes(&self) -> usize {
        self.num_classes
    }

    /// Adds pairs of predicted and actual class indices.
    pub fn update_labels(&mut self, predicted: &[usize], actual: &[usize]) -> Result<()> {
        if predicted.len() != actual.len() {
            return Err(Error::Shape(format!(
                "{CONFUSION_METRIC}: {} predicted labels but {} actual labels",
                predicted.len(),
                actual.len()
            )));
        }
        if let Some(bad) = predicted.iter().chain(actual).find(|&&label| label >= self.num_classes) {
            return Err(Error::Metric {
                metric: CONFUSION_METRIC,
                reason: format!("label {bad} is out of range for {} classes", self.num_classes),
            });
        }
        for (&p, &a) in predicted.iter().zip(actual) {
            self.counts[a][p] += 1;
        }
        Ok(())
    }

    /// The counts: `matrix()[actual][predicted]`.
    pub fn matrix(&self) -> &[Vec<u64>] {
        &self.counts
    }

    /// Number of samples counted.
    pub fn total(&self) -> u64 {
        self.counts.iter().flatten().sum()
    }

    /// Number of samples whose actual class is `class`.
    pub fn support(&self, class: usize) -> Result<u64> {
        self.check_class(class)?;
        Ok(self.actual_count(class))
    }

    /// True positives / predicted positives of `class`; 0.0 if `class` was never predicted.
    pub fn precision(&self, class: usize) -> Result<f64> {
        self.check_ready(class)?;
        Ok(ratio_or_zero(self.counts[class][class], self.predicted_count(class)))
    }

    /// True positives / actual positives of `class`; 0.0 if `class` never occurred.
    pub fn recall(&self, class: usize) -> Result<f64> {
        self.check_ready(class)?;
        Ok(ratio_or_zero(self.counts[class][class], self.actual_count(class)))
    }

    /// Harmonic mean of precision and recall of `class`, `2 TP / (2 TP + FP + FN)`; 0.0 if that is 0/0.
    pub fn f1(&self, class: usize) -> Result<f64> {
        self.check_ready(class)?;
        let true_positives = self.counts[class][class];
        let denominator = self.predicted_count(class) + self.actual_count(class);
        Ok(ratio_or_zero(2 * true_positives, denominator))
    }

    /// Precision averaged over classes.
    pub fn precision_avg(&self, average: Average) -> Result<f64> {
        // Every sample is predicted exactly once, so the global predicted-positive count is the total.
        self.averaged(average, Self::precision, Self::total)
    }

    /// Recall averaged over classes.
    pub fn recall_avg(&self, average: Average) -> Result<f64> {
        self.averaged(average, Self::recall, Self::total)
    }

    /// F1 averaged over classes.
    pub fn f1_avg(&self, average: Average) -> Result<f64> {
        // Micro F1 = 2 TP / (2 TP + FP + FN) over global counts, where FP = FN = total - TP: TP / total.
        self.averaged(average, Self::f1, Self::total)
    }

    /// Fraction of samples on the diagonal.
    pub fn accuracy(&self) -> Result<f64> {
        let total = self.total();
        if total == 0 {
            return Err(no_data(CONFUSION_METRIC));
        }
        Ok(self.trace() as f64 / total as f64)
    }

    /// Combines a per-class metric; `micro_denominator` gives the global denominator of the micro
    /// average (whose numerator is the global number of true positives).
    fn averaged(
        &self,
        average: Average,
        per_class: fn(&Self, usize) -> Result<f64>,
        micro_denominator: fn(&Self) -> u64,
    ) -> Result<f64> {
        let total = self.total();
        if total == 0 || self.num_classes == 0 {
            return Err(no_data(CONFUSION_METRIC));
        }
        match average {
            Average::Macro => {
                let mut sum = 0.0;
                for class in 0..self.num_classes {
                    sum += per_class(self, class)?;
                }
                Ok(sum / self.num_classes as f64)
            }
            Average::Micro => Ok(ratio_or_zero(self.trace(), micro_denominator(self))),
            Average::Weighted => {
                let mut sum = 0.0;
                for class in 0..self.num_classes {
                    sum += self.actual_count(class) as f64 * per_class(self, class)?;
                }
                Ok(sum / total as f64)
            }
        }
    }

    fn trace(&self) -> u64 {
        (0..self.num_classes).map(|class| self.counts[class][class]).sum()
    }

    fn actual_count(&self, class: usize) -> u64 {
        self.counts[class].iter().sum()
    }

    fn predicted_count(&self, class: usize) -> u64 {
        self.counts.iter().map(|row| row[class]).sum()
    }

    fn check_class(&self, class: usize) -> Result<()> {
        if class >= self.num_classes {
            return Err(Error::Metric {
                metric: CONFUSION_METRIC,
                reason: format!("class {class} is out of range for {} classes", self.num_classes),
            });
        }
        Ok(())
    }

    fn check_ready(&self, class: usize) -> Result<()> {
        self.check_class(class)?;
        if self.total() == 0 {
            return Err(no_data(CONFUSION_METRIC));
        }
        Ok(())
    }
}

/// `numerator / denominator`, or 0.0 when the denominator is 0.
fn ratio_or_zero(numerator: u64, denominator: u64) -> f64 {
    if denominator == 0 { 0.0 } else { numerator as f64 / denominator as f64 }
}

impl Metric for ConfusionMatrix {
    fn name(&self) -> String {
        "macro_f1".to_string()
    }

    /// Output `[N, C]` scores (argmax, ties to the lowest index) or `[N]` predicted labels; target `[N]` labels.
    fn update(&mut self, output: &Tensor, target: &Tensor) -> Result<()> {
        if self.num_classes == 0 {
            return Err(Error::Metric { metric: CONFUSION_METRIC, reason: "num_classes is 0".to_string() });
        }
        let predicted = match *output.dims() {
            [_, classes] => {
                if classes != self.num_classes {
                    return Err(Error::Shape(format!(
                        "{CONFUSION_METRIC}: output {:?} has {classes} classes, expected {}",
                        output.dims(),
                        self.num_classes
                    )));
                }
                argmax_rows(&read_scores(output, CONFUSION_METRIC)?)
            }
            [_] => labels_from_values(&tensor_to_f64(output)?, self.num_classes, CONFUSION_METRIC)?,
            ref other => {
                return Err(Error::Shape(format!(
                    "{CONFUSION_METRIC}: output must be [N, C] scores or [N] labels, got {other:?}"
                )));
            }
        };
        let actual = read_labels(target, predicted.len(), self.num_classes, CONFUSION_METRIC)?;
        self.update_labels(&predicted, &actual)
    }

    fn compute(&self) -> Result<f64> {
        self.f1_avg(Average::Macro)
    }

    fn reset(&mut self) {
        self.counts.iter_mut().flatten().for_each(|count| *count = 0);
    }

    fn higher_is_better(&self) -> bool {
        true
    }
}

/// Which ROC-AUC is computed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum RocMode {
    Binary,
    OneVsRest { num_classes: usize },
}

/// Area under the ROC curve, computed exactly from the Mann–Whitney U statistic with average ranks
/// for tied scores (equal to the trapezoidal ROC area of `sklearn.metrics.roc_auc_score`).
///
/// All scores are kept until `reset`, as an exact AUC needs them. `compute` fails if a class has no
/// positive or no negative sample.
#[derive(Debug, Clone)]
pub struct RocAuc {
    mode: RocMode,
    scores: Vec<f64>,
    labels: Vec<usize>,
}

impl RocAuc {
    /// Binary ROC-AUC: output `[N]` (or `[N, 1]`) scores of class 1, or `[N, 2]` logits/probabilities
    /// (ranked by column 1 minus column 0, which is monotone in the class-1 probability); labels 0/1.
    pub fn binary() -> Self {
        Self { mode: RocMode::Binary, scores: Vec::new(), labels: Vec::new() }
    }

    /// Macro average over classes of one-vs-rest ROC-AUC from `[N, num_classes]` scores.
    ///
    /// Each column is ranked as given; pass softmax probabilities to match scikit-learn's
    /// `roc_auc_score(multi_class="ovr")` on `predict_proba` output.
    pub fn one_vs_rest(num_classes: usize) -> Self {
        Self { mode: RocMode::OneVsRest { num_classes }, scores: Vec::new(), labels: Vec::new() }
    }

    /// ROC-AUC of `class` against the rest (for binary, `class` 1 is the positive class).
    fn class_auc(&self, class: usize, metric: &'static str) -> Result<f64> {
        let (scores, positive): (Vec<f64>, Vec<bool>) = match self.mode {
            RocMode::Binary => (self.scores.clone(), self.labels.iter().map(|&label| label == 1).collect()),
            RocMode::OneVsRest { num_classes } => (
                self.scores.iter().skip(class).step_by(num_classes).copied().collect(),
                self.labels.iter().map(|&label| label == class).collect(),
            ),
        };
        mann_whitney_auc(&scores, &positive).ok_or_else(|| Error::Metric {
            metric,
            reason: format!("class {class} needs at least one positive and one negative sample"),
        })
    }

    fn metric_name(&self) -> &'static str {
        match self.mode {
            RocMode::Binary => "roc_auc",
            RocMode::OneVsRest { .. } => "roc_auc_ovr",
        }
    }
}

/// Exact ROC-AUC `U / (n_pos n_neg)` with average ranks for ties; `None` without positives or negatives.
fn mann_whitney_auc(scores: &[f64], positive: &[bool]) -> Option<f64> {
    let positives = positive.iter().filter(|&&is_positive| is_positive).count();
    let negatives = positive.len() - positives;
    if positives == 0 || negatives == 0 {
        return None;
    }
    let mut order: Vec<usize> = (0..scores.len()).collect();
    order.sort_by(|&a, &b| scores[a].total_cmp(&scores[b]));
    let mut positive_rank_sum = 0.0;
    let mut start = 0;
    while start < order.len() {
        let mut end = start;
        while end + 1 < order.len() && scores[order[end + 1]] == scores[order[start]] {
            end += 1;
        }
        // Ranks are 1-based; tied scores share the mean of ranks start+1 ..= end+1.
        let average_rank = (start + end) as f64 / 2.0 + 1.0;
        let tied_positives = order[start..=end].iter().filter(|&&index| positive[index]).count();
        positive_rank_sum += average_rank * tied_positives as f64;
        start = end + 1;
    }
    let (positives, negatives) = (positives as f64, negatives as f64);
    let u_statistic = positive_rank_sum - positives * (positives + 1.0) / 2.0;
    Some(u_statistic / (positives * negatives))
}

impl Metric for RocAuc {
    fn name(&self) -> String {
        self.metric_name().to_string()
    }

    fn update(&mut self, output: &Tensor, target: &Tensor) -> Result<()> {
        let metric = self.metric_name();
        let scores = read_scores(output, metric)?;
        match self.mode {
            RocMode::Binary => {
                let labels = read_labels(target, scores.rows, 2, metric)?;
                match scores.classes {
                    1 => self.scores.extend_from_slice(&scores.values),
                    2 => self.scores.extend((0..scores.rows).map(|row| scores.row(row)[1] - scores.row(row)[0])),
                    classes => {
                        return Err(Error::Shape(format!(
                            "{metric}: binary output must be [N], [N, 1] or [N, 2], got [{}, {classes}]",
                            scores.rows
                        )));
                    }
                }
                self.labels.extend(labels);
            }
            RocMode::OneVsRest { num_classes } => {
                if num_classes < 2 {
                    return Err(Error::Metric {
                        metric,
                        reason: format!("needs at least 2 classes, got {num_classes}"),
                    });
                }
                if output.rank() != 2 || scores.classes != num_classes {
                    return Err(Error::Shape(format!(
                        "{metric}: output must be [N, {num_classes}] scores, got {:?}",
                        output.dims()
                    )));
                }
                let labels = read_labels(target, scores.rows, num_classes, metric)?;
                self.scores.extend_from_slice(&scores.values);
                self.labels.extend(labels);
            }
        }
        Ok(())
    }

    fn compute(&self) -> Result<f64> {
        let metric = self.metric_name();
        if self.labels.is_empty() {
            return Err(no_data(metric));
        }
        match self.mode {
            RocMode::Binary => self.class_auc(1, metric),
            RocMode::OneVsRest { num_classes } => {
                let mut sum = 0.0;
                for class in 0..num_classes {
                    sum += self.class_auc(class, metric)?;
                }
                Ok(sum / num_classes as f64)
            }
        }
    }

    fn reset(&mut self) {
        self.scores.clear();
        self.labels.clear();
    }

    fn higher_is_better(&self) -> bool {
        true
    }
}

#[cfg(test)]
mod tests {
    use candle_core::{DType, Device};

    use super::*;

    const EPS: f64 = 1e-12;

    fn assert_close(actual: f64, expected: f64) {
        assert!((actual - expected).abs() < EPS, "got {actual}, expected {expected}");
    }

    #[test]
    fn accuracy_argmax_with_tie_and_u32_labels() -> Result<()> {
        let device = Device::Cpu;
        // Row argmax: [2,1,0] -> 0, [0,3,1] -> 1, [1,1,0] -> 0 (tie -> lowest index).
        let logits = Tensor::new(&[[2f32, 1.0, 0.0], [0.0, 3.0, 1.0], [1.0, 1.0, 0.0]], &device)?;
        let target = Tensor::new(&[0u32, 2, 0], &device)?;
        let mut accuracy = Accuracy::new();
        accuracy.update(&logits, &target)?;
        // Correct: rows 0 and 2 -> 2/3.
        assert_close(accuracy.compute()?, 2.0 / 3.0);
        assert_eq!(accuracy.name(), "accuracy");
        accuracy.reset();
        assert!(accuracy.compute().is_err());
        Ok(())
    }

    #[test]
    fn accuracy_binary_probabilities() -> Result<()> {
        let device = Device::Cpu;
        // Predictions at threshold 0.5: [0, 1, 1, 0]; targets [0, 1, 0, 0] -> 3 of 4 correct.
        let scores = Tensor::new(&[0.2f64, 0.5, 0.9, 0.49], &device)?;
        let target = Tensor::new(&[0i64, 1, 0, 0], &device)?;
        let mut accuracy = Accuracy::new();
        accuracy.update(&scores, &target)?;
        assert_close(accuracy.compute()?, 0.75);
        // Scores outside [0, 1] are rejected rather than guessed at.
        let logits = Tensor::new(&[-2f32, 3.0], &device)?;
        assert!(accuracy.update(&logits, &Tensor::new(&[0u8, 1], &device)?).is_err());
        Ok(())
    }

    #[test]
    fn accuracy_rejects_bad_labels_and_shapes() -> Result<()> {
        let device = Device::Cpu;
        let logits = Tensor::zeros((2, 3), DType::F32, &device)?;
        let mut accuracy = Accuracy::new();
        assert!(matches!(accuracy.update(&logits, &Tensor::new(&[0i64, -1], &device)?), Err(Error::Metric { .. })));
        assert!(accuracy.update(&logits, &Tensor::new(&[0f32, 1.5], &device)?).is_err());
        assert!(accuracy.update(&logits, &Tensor::new(&[0u32, 3], &device)?).is_err());
        assert!(matches!(accuracy.update(&logits, &Tensor::new(&[0u32], &device)?), Err(Error::Shape(_))));
        let nan_logits = Tensor::new(&[[f32::NAN, 0.0, 0.0]], &device)?;
        assert!(matches!(accuracy.update(&nan_logits, &Tensor::new(&[0u32], &device)?), Err(Error::NonFinite(_))));
        // Nothing was counted by the failed updates.
        assert!(accuracy.compute().is_err());
        Ok(())
    }

    #[test]
    fn top2_accuracy_by_hand() -> Result<()> {
        let device = Device::Cpu;
        let logits = Tensor::new(
            &[
                [0.1f32, 0.5, 0.4], // target 2: top-2 = {1, 2} -> correct
                [0.6, 0.3, 0.1],    // target 2: top-2 = {0, 1} -> wrong
                [0.2, 0.2, 0.6],    // target 1: order 2, 0 (tie, lower index first), 1 -> top-2 = {2, 0} -> wrong
                [0.3, 0.3, 0.4],    // target 0: order 2, 0, 1 -> top-2 = {2, 0} -> correct
            ],
            &device,
        )?;
        let target = Tensor::new(&[2u32, 2, 1, 0], &device)?;
        let mut top2 = TopKAccuracy::new(2);
        top2.update(&logits, &target)?;
        // 2 of 4 correct.
        assert_close(top2.compute()?, 0.5);
        assert_eq!(top2.name(), "top2_accuracy");
        // Top-1 equals accuracy: argmax [1, 0, 2, 2] vs targets [2, 2, 1, 0] -> 0 correct.
        let mut top1 = TopKAccuracy::new(1);
        top1.update(&logits, &target)?;
        let mut accuracy = Accuracy::new();
        accuracy.update(&logits, &target)?;
        assert_close(top1.compute()?, 0.0);
        assert_close(accuracy.compute()?, 0.0);
        assert!(TopKAccuracy::new(0).update(&logits, &target).is_err());
        Ok(())
    }

    /// actual    = [0, 0, 0, 1, 1, 1, 1, 2, 2, 2]
    /// predicted = [0, 1, 1, 1, 1, 2, 1, 2, 0, 2]
    fn hand_confusion_matrix() -> Result<ConfusionMatrix> {
        let mut matrix = ConfusionMatrix::new(3);
        matrix.update_labels(&[0, 1, 1, 1, 1, 2, 1, 2, 0, 2], &[0, 0, 0, 1, 1, 1, 1, 2, 2, 2])?;
        Ok(matrix)
    }

    #[test]
    fn confusion_matrix_by_hand() -> Result<()> {
        let matrix = hand_confusion_matrix()?;
        // Rows = actual, columns = predicted.
        // actual 0 predicted [0, 1, 1]    -> [1, 2, 0]
        // actual 1 predicted [1, 1, 2, 1] -> [0, 3, 1]
        // actual 2 predicted [2, 0, 2]    -> [1, 0, 2]
        assert_eq!(matrix.matrix(), &[vec![1, 2, 0], vec![0, 3, 1], vec![1, 0, 2]]);
        // Column sums (predicted counts): 2, 5, 3. Row sums (support): 3, 4, 3.
        assert_eq!(matrix.support(0)?, 3);
        assert_eq!(matrix.support(1)?, 4);
        assert_eq!(matrix.support(2)?, 3);
        // Precision = TP / column sum: 1/2, 3/5, 2/3.
        assert_close(matrix.precision(0)?, 0.5);
        assert_close(matrix.precision(1)?, 0.6);
        assert_close(matrix.precision(2)?, 2.0 / 3.0);
        // Recall = TP / row sum: 1/3, 3/4, 2/3.
        assert_close(matrix.recall(0)?, 1.0 / 3.0);
        assert_close(matrix.recall(1)?, 0.75);
        assert_close(matrix.recall(2)?, 2.0 / 3.0);
        // F1 = 2TP / (2TP + FP + FN): 2/(2+1+2) = 0.4, 6/(6+2+1) = 2/3, 4/(4+1+1) = 2/3.
        assert_close(matrix.f1(0)?, 0.4);
        assert_close(matrix.f1(1)?, 2.0 / 3.0);
        assert_close(matrix.f1(2)?, 2.0 / 3.0);
        // Macro: precision (1/2 + 3/5 + 2/3)/3 = 53/90; recall (1/3 + 3/4 + 2/3)/3 = 7/12;
        // F1 (2/5 + 2/3 + 2/3)/3 = 26/45.
        assert_close(matrix.precision_avg(Average::Macro)?, 53.0 / 90.0);
        assert_close(matrix.recall_avg(Average::Macro)?, 7.0 / 12.0);
        assert_close(matrix.f1_avg(Average::Macro)?, 26.0 / 45.0);
        // Micro: 6 correct of 10 for all three.
        assert_close(matrix.precision_avg(Average::Micro)?, 0.6);
        assert_close(matrix.recall_avg(Average::Micro)?, 0.6);
        assert_close(matrix.f1_avg(Average::Micro)?, 0.6);
        // Weighted by support 3, 4, 3 over 10:
        // precision (3*0.5 + 4*0.6 + 3*2/3)/10 = (1.5 + 2.4 + 2)/10 = 0.59;
        // recall (3*1/3 + 4*3/4 + 3*2/3)/10 = 0.6;
        // F1 (3*0.4 + 4*2/3 + 3*2/3)/10 = (1.2 + 8/3 + 2)/10 = 44/75.
        assert_close(matrix.precision_avg(Average::Weighted)?, 0.59);
        assert_close(matrix.recall_avg(Average::Weighted)?, 0.6);
        assert_close(matrix.f1_avg(Average::Weighted)?, 44.0 / 75.0);
        assert_close(matrix.accuracy()?, 0.6);
        assert_eq!(matrix.name(), "macro_f1");
        assert_close(matrix.compute()?, 26.0 / 45.0);
        assert!(matrix.precision(3).is_err());
        Ok(())
    }

    #[test]
    fn confusion_matrix_zero_division_and_reset() -> Result<()> {
        let mut matrix = ConfusionMatrix::new(3);
        assert!(matrix.compute().is_err());
        // Class 2 never predicted and never actual: precision, recall and F1 are 0 (zero_division = 0).
        matrix.update_labels(&[0, 1], &[0, 0])?;
        assert_close(matrix.precision(2)?, 0.0);
        assert_close(matrix.recall(2)?, 0.0);
        assert_close(matrix.f1(2)?, 0.0);
        // Class 1 predicted once, wrongly: precision 0/1, recall 0/0 -> 0.
        assert_close(matrix.precision(1)?, 0.0);
        assert!(matrix.update_labels(&[0], &[3]).is_err());
        assert!(matrix.update_labels(&[0, 1], &[0]).is_err());
        matrix.reset();
        assert_eq!(matrix.total(), 0);
        assert!(matrix.accuracy().is_err());
        Ok(())
    }

    #[test]
    fn confusion_matrix_streaming_from_tensors() -> Result<()> {
        let device = Device::Cpu;
        // One-hot-like logits whose argmax is the predicted list of the hand example.
        let predicted = [0u32, 1, 1, 1, 1, 2, 1, 2, 0, 2];
        let actual = Tensor::new(&[0i64, 0, 0, 1, 1, 1, 1, 2, 2, 2], &device)?;
        let logits = Tensor::new(&predicted, &device)?.to_dtype(DType::I64)?;
        let logits = candle_core::Tensor::eye(3, DType::F32, &device)?.index_select(&logits, 0)?;
        let mut whole = ConfusionMatrix::new(3);
        whole.update(&logits, &actual)?;
        let mut halves = ConfusionMatrix::new(3);
        halves.update(&logits.narrow(0, 0, 4)?, &actual.narrow(0, 0, 4)?)?;
        // Second half given as predicted labels (rank 1) instead of logits.
        let predicted_labels = Tensor::new(&predicted[4..], &device)?;
        halves.update(&predicted_labels, &actual.narrow(0, 4, 6)?)?;
        assert_eq!(whole.matrix(), hand_confusion_matrix()?.matrix());
        assert_eq!(halves.matrix(), whole.matrix());
        assert_close(halves.compute()?, 26.0 / 45.0);
        Ok(())
    }

    #[test]
    fn roc_auc_sklearn_example() -> Result<()> {
        let device = Device::Cpu;
        // sklearn docs: y = [0, 0, 1, 1], scores = [0.1, 0.4, 0.35, 0.8] -> 0.75.
        // Ranks 1, 3, 2, 4; positive rank sum 2 + 4 = 6; U = 6 - 2*3/2 = 3; AUC = 3 / (2*2) = 0.75.
        let mut auc = RocAuc::binary();
        auc.update(&Tensor::new(&[0.1f32, 0.4, 0.35, 0.8], &device)?, &Tensor::new(&[0u32, 0, 1, 1], &device)?)?;
        assert_close(auc.compute()?, 0.75);
        Ok(())
    }

    #[test]
    fn roc_auc_with_ties_and_streaming() -> Result<()> {
        let device = Device::Cpu;
        // Scores [0.5, 0.5, 0.2, 0.8], labels [1, 0, 0, 1]. Sorted: 0.2 (rank 1), 0.5, 0.5 (rank 2.5 each),
        // 0.8 (rank 4). Positive rank sum 2.5 + 4 = 6.5; U = 6.5 - 3 = 3.5; AUC = 3.5 / 4 = 0.875.
        let scores = Tensor::new(&[0.5f64, 0.5, 0.2, 0.8], &device)?;
        let labels = Tensor::new(&[1f32, 0.0, 0.0, 1.0], &device)?;
        let mut whole = RocAuc::binary();
        whole.update(&scores, &labels)?;
        assert_close(whole.compute()?, 0.875);
        let mut halves = RocAuc::binary();
        halves.update(&scores.narrow(0, 0, 2)?, &labels.narrow(0, 0, 2)?)?;
        halves.update(&scores.narrow(0, 2, 2)?, &labels.narrow(0, 2, 2)?)?;
        assert_close(halves.compute()?, 0.875);
        // [N, 2] logits: column 1 - column 0 reproduces the same ranking.
        let two_column = Tensor::stack(&[scores.zeros_like()?, scores.clone()], 1)?;
        let mut from_logits = RocAuc::binary();
        from_logits.update(&two_column, &labels)?;
        assert_close(from_logits.compute()?, 0.875);
        halves.reset();
        assert!(halves.compute().is_err());
        Ok(())
    }

    #[test]
    fn roc_auc_errors_without_both_classes() -> Result<()> {
        let device = Device::Cpu;
        let mut auc = RocAuc::binary();
        auc.update(&Tensor::new(&[0.1f32, 0.7], &device)?, &Tensor::new(&[1u32, 1], &device)?)?;
        assert!(matches!(auc.compute(), Err(Error::Metric { .. })));
        assert!(auc.update(&Tensor::new(&[0.1f32], &device)?, &Tensor::new(&[2u32], &device)?).is_err());
        Ok(())
    }

    #[test]
    fn roc_auc_one_vs_rest_by_hand() -> Result<()> {
        let device = Device::Cpu;
        let scores = Tensor::new(&[[0.7f32, 0.2, 0.1], [0.3, 0.4, 0.3], [0.2, 0.3, 0.5], [0.5, 0.3, 0.2]], &device)?;
        let labels = Tensor::new(&[0u32, 1, 2, 1], &device)?;
        // Class 0: positive 0.7 vs negatives 0.3, 0.2, 0.5 -> 1.
        // Class 1: positives 0.4, 0.3 vs negatives 0.2, 0.3: pairs 1 + 1 + 1 + 0.5 (tie) = 3.5 of 4 -> 0.875.
        // Class 2: positive 0.5 vs negatives 0.1, 0.3, 0.2 -> 1.
        // Macro: (1 + 0.875 + 1) / 3 = 2.875 / 3.
        let mut auc = RocAuc::one_vs_rest(3);
        auc.update(&scores, &labels)?;
        assert_close(auc.compute()?, 2.875 / 3.0);
        assert_eq!(auc.name(), "roc_auc_ovr");
        assert!(matches!(auc.update(&scores.narrow(1, 0, 2)?, &labels), Err(Error::Shape(_))));
        Ok(())
    }
}
