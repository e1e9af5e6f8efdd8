//! Regression and hydrology metrics: RMSE, MAE, MAPE, Nash–Sutcliffe and Kling–Gupta efficiency.
//!
//! `output` is the simulation or prediction, `target` the observation; both must hold the same number
//! of elements (their shapes may differ, e.g. `[N]` and `[N, 1]`). All metrics keep O(1) running
//! state; means and (co)variances are merged batch by batch with Chan's parallel update, which stays
//! accurate for data with a large offset (e.g. discharge in the thousands with a small variance).

use candle_core::Tensor;

use super::{Metric, no_data, tensor_to_f64};
use crate::{Error, Result};

/// Reads `output` and `target` as equally long `f64` vectors, rejecting NaN and infinities.
fn read_pairs(output: &Tensor, target: &Tensor, metric: &'static str) -> Result<(Vec<f64>, Vec<f64>)> {
    if output.elem_count() != target.elem_count() {
        return Err(Error::Shape(format!(
            "{metric}: output {:?} and target {:?} hold different numbers of elements",
            output.dims(),
            target.dims()
        )));
    }
    let simulated = tensor_to_f64(output)?;
    let observed = tensor_to_f64(target)?;
    ensure_finite(&simulated, metric, "output")?;
    ensure_finite(&observed, metric, "target")?;
    Ok((simulated, observed))
}

fn ensure_finite(values: &[f64], metric: &'static str, what: &str) -> Result<()> {
    match values.iter().position(|value| !value.is_finite()) {
        Some(index) => Err(Error::NonFinite(format!("{metric}: {what} is {} at flat index {index}", values[index]))),
        None => Ok(()),
    }
}

/// Running count, means, second moments and co-moment of (simulated, observed) pairs, plus the
/// sum of squared errors.
#[derive(Debug, Clone, Copy, Default)]
struct PairedMoments {
    count: u64,
    mean_simulated: f64,
    mean_observed: f64,
    /// Sum of squared deviations of the simulation from its mean.
    m2_simulated: f64,
    /// Sum of squared deviations of the observation from its mean.
    m2_observed: f64,
    /// Sum of products of the deviations of simulation and observation.
    co_moment: f64,
    sum_squared_error: f64,
}

impl PairedMoments {
    /// Merges one batch (two passes over the batch, then Chan et al.'s pairwise combination).
    fn push_batch(&mut self, simulated: &[f64], observed: &[f64]) {
        if simulated.is_empty() {
            return;
        }
        let batch_count = simulated.len() as f64;
        let batch_mean_simulated = simulated.iter().sum::<f64>() / batch_count;
        let batch_mean_observed = observed.iter().sum::<f64>() / batch_count;
        let mut batch = PairedMoments {
            count: simulated.len() as u64,
            mean_simulated: batch_mean_simulated,
            mean_observed: batch_mean_observed,
            ..PairedMoments::default()
        };
        for (&sim, &obs) in simulated.iter().zip(observed) {
            let deviation_simulated = sim - batch_mean_simulated;
            let deviation_observed = obs - batch_mean_observed;
            batch.m2_simulated += deviation_simulated * deviation_simulated;
            batch.m2_observed += deviation_observed * deviation_observed;
            batch.co_moment += deviation_simulated * deviation_observed;
            batch.sum_squared_error += (sim - obs) * (sim - obs);
        }
        self.merge(&batch);
    }

    fn merge(&mut self, other: &PairedMoments) {
        if other.count == 0 {
            return;
        }
        if self.count == 0 {
            *self = *other;
            return;
        }
        let (count_a, count_b) = (self.count as f64, other.count as f64);
        let count = count_a + count_b;
        let delta_simulated = other.mean_simulated - self.mean_simulated;
        let delta_observed = other.mean_observed - self.mean_observed;
        let cross_weight = count_a * count_b / count;
        self.mean_simulated += delta_simulated * count_b / count;
        self.mean_observed += delta_observed * count_b / count;
        self.m2_simulated += other.m2_simulated + delta_simulated * delta_simulated * cross_weight;
        self.m2_observed += other.m2_observed + delta_observed * delta_observed * cross_weight;
        self.co_moment += other.co_moment + delta_simulated * delta_observed * cross_weight;
        self.sum_squared_error += other.sum_squared_error;
        self.count += other.count;
    }
}

/// Root mean squared error `sqrt(mean((output - target)^2))`.
#[derive(Debug, Clone, Default)]
pub struct Rmse {
    sum_squared_error: f64,
    count: u64,
}

impl Rmse {
    /// An empty RMSE accumulator.
    pub fn new() -> Self {
        Self::default()
    }
}

impl Metric for Rmse {
    fn name(&self) -> String {
        "rmse".to_string()
    }

    fn update(&mut self, output: &Tensor, target: &Tensor) -> Result<()> {
        let (simulated, observed) = read_pairs(output, target, "rmse")?;
        self.sum_squared_error += simulated.iter().zip(&observed).map(|(s, o)| (s - o) * (s - o)).sum::<f64>();
        self.count += simulated.len() as u64;
        Ok(())
    }

    fn compute(&self) -> Result<f64> {
        if self.count == 0 {
            return Err(no_data("rmse"));
        }
        Ok((self.sum_squared_error / self.count as f64).sqrt())
    }

    fn reset(&mut self) {
        *self = Self::default();
    }

    fn higher_is_better(&self) -> bool {
        false
    }
}

/// Mean absolute error `mean(|output - target|)`.
#[derive(Debug, Clone, Default)]
pub struct Mae {
    sum_absolute_error: f64,
    count: u64,
}

impl Mae {
    /// An empty MAE accumulator.
    pub fn new() -> Self {
        Self::default()
    }
}

impl Metric for Mae {
    fn name(&self) -> String {
        "mae".to_string()
    }

    fn update(&mut self, output: &Tensor, target: &Tensor) -> Result<()> {
        let (simulated, observed) = read_pairs(output, target, "mae")?;
        self.sum_absolute_error += simulated.iter().zip(&observed).map(|(s, o)| (s - o).abs()).sum::<f64>();
        self.count += simulated.len() as u64;
        Ok(())
    }

    fn compute(&self) -> Result<f64> {
        if self.count == 0 {
            return Err(no_data("mae"));
        }
        Ok(self.sum_absolute_error / self.count as f64)
    }

    fn reset(&mut self) {
        *self = Self::default();
    }

    fn higher_is_better(&self) -> bool {
        false
    }
}

/// Mean absolute percentage error `100 * mean(|output - target| / |target|)`.
///
/// `update` fails on a zero target, where the percentage is undefined.
#[derive(Debug, Clone, Default)]
pub struct Mape {
    sum_relative_error: f64,
    count: u64,
}

impl Mape {
    /// An empty MAPE accumulator.
    pub fn new() -> Self {
        Self::default()
    }
}

impl Metric for Mape {
    fn name(&self) -> String {
        "mape".to_string()
    }

    fn update(&mut self, output: &Tensor, target: &Tensor) -> Result<()> {
        let (simulated, observed) = read_pairs(output, target, "mape")?;
        if let Some(index) = observed.iter().position(|&o| o == 0.0) {
            return Err(Error::Metric { metric: "mape", reason: format!("target is 0 at flat index {index}") });
        }
        self.sum_relative_error += simulated.iter().zip(&observed).map(|(s, o)| ((s - o) / o).abs()).sum::<f64>();
        self.count += simulated.len() as u64;
        Ok(())
    }

    fn compute(&self) -> Result<f64> {
        if self.count == 0 {
            return Err(no_data("mape"));
        }
        Ok(100.0 * self.sum_relative_error / self.count as f64)
    }

    fn reset(&mut self) {
        *self = Self::default();
    }

    fn higher_is_better(&self) -> bool {
        false
    }
}

/// Nash–Sutcliffe efficiency `1 - sum((sim - obs)^2) / sum((obs - mean(obs))^2)`;
/// `output` is the simulation, `target` the observation. 1 is perfect, 0 is as good as the mean.
///
/// `compute` fails if the observations have zero variance.
#[derive(Debug, Clone, Default)]
pub struct Nse {
    moments: PairedMoments,
}

impl Nse {
    /// An empty NSE accumulator.
    pub fn new() -> Self {
        Self::default()
    }
}

impl Metric for Nse {
    fn name(&self) -> String {
        "nse".to_string()
    }

    fn update(&mut self, output: &Tensor, target: &Tensor) -> Result<()> {
        let (simulated, observed) = read_pairs(output, target, "nse")?;
        self.moments.push_batch(&simulated, &observed);
        Ok(())
    }

    fn compute(&self) -> Result<f64> {
        let moments = &self.moments;
        if moments.count == 0 {
            return Err(no_data("nse"));
        }
        if moments.m2_observed <= 0.0 {
            return Err(Error::Metric { metric: "nse", reason: "observations have zero variance".to_string() });
        }
        Ok(1.0 - moments.sum_squared_error / moments.m2_observed)
    }

    fn reset(&mut self) {
        *self = Self::default();
    }

    fn higher_is_better(&self) -> bool {
        true
    }
}

/// Kling–Gupta efficiency (Gupta et al. 2009) `1 - sqrt((r - 1)^2 + (alpha - 1)^2 + (beta - 1)^2)`,
/// with `r` the Pearson correlation, `alpha = std(sim) / std(obs)` and `beta = mean(sim) / mean(obs)`;
/// `output` is the simulation, `target` the observation.
///
/// `compute` fails if either series has zero variance or the observed mean is 0.
#[derive(Debug, Clone, Default)]
pub struct Kge {
    moments: PairedMoments,
}

impl Kge {
    /// An empty KGE accumulator.
    pub fn new() -> Self {
        Self::default()
    }

    /// The three components `(r, alpha, beta)` of the KGE.
    pub fn components(&self) -> Result<(f64, f64, f64)> {
        const METRIC: &str = "kge";
        let moments = &self.moments;
        if moments.count == 0 {
            return Err(no_data(METRIC));
        }
        let degenerate = |reason: &str| Error::Metric { metric: METRIC, reason: reason.to_string() };
        if moments.m2_observed <= 0.0 {
            return Err(degenerate("observations have zero variance"));
        }
        if moments.m2_simulated <= 0.0 {
            return Err(degenerate("simulation has zero variance, so the correlation is undefined"));
        }
        if moments.mean_observed == 0.0 {
            return Err(degenerate("observed mean is 0, so beta is undefined"));
        }
        let correlation = moments.co_moment / (moments.m2_simulated * moments.m2_observed).sqrt();
        // The ratio of standard deviations does not depend on the 1/n or 1/(n-1) normalisation.
        let variability_ratio = (moments.m2_simulated / moments.m2_observed).sqrt();
        let bias_ratio = moments.mean_simulated / moments.mean_observed;
        Ok((correlation, variability_ratio, bias_ratio))
    }
}

impl Metric for Kge {
    fn name(&self) -> String {
        "kge".to_string()
    }

    fn update(&mut self, output: &Tensor, target: &Tensor) -> Result<()> {
        let (simulated, observed) = read_pairs(output, target, "kge")?;
        self.moments.push_batch(&simulated, &observed);
        Ok(())
    }

    fn compute(&self) -> Result<f64> {
        let (correlation, variability_ratio, bias_ratio) = self.components()?;
        let distance =
            ((correlation - 1.0).powi(2) + (variability_ratio - 1.0).powi(2) + (bias_ratio - 1.0).powi(2)).sqrt();
        Ok(1.0 - distance)
    }

    fn reset(&mut self) {
        *self = Self::default();
    }

    fn higher_is_better(&self) -> bool {
        true
    }
}

#[cfg(test)]
mod tests {
    use candle_core::Device;

    use super::*;

    fn assert_close(actual: f64, expected: f64, tolerance: f64) {
        assert!((actual - expected).abs() < tolerance, "got {actual}, expected {expected}");
    }

    fn tensor(values: &[f64]) -> Result<Tensor> {
        Ok(Tensor::new(values, &Device::Cpu)?)
    }

    #[test]
    fn rmse_and_mae_by_hand() -> Result<()> {
        // Errors [1, -2, 0, 3]: squared 1 + 4 + 0 + 9 = 14, RMSE = sqrt(14 / 4) = sqrt(3.5);
        // absolute 1 + 2 + 0 + 3 = 6, MAE = 1.5.
        let output = tensor(&[2.0, 0.0, 3.0, 7.0])?;
        let target = tensor(&[1.0, 2.0, 3.0, 4.0])?;
        let mut rmse = Rmse::new();
        let mut mae = Mae::new();
        rmse.update(&output, &target)?;
        mae.update(&output, &target)?;
        assert_close(rmse.compute()?, 3.5f64.sqrt(), 1e-12);
        assert_close(mae.compute()?, 1.5, 1e-12);
        assert!(!rmse.higher_is_better() && !mae.higher_is_better());
        rmse.reset();
        assert!(rmse.compute().is_err());
        // Same element count with a different shape is accepted; a different count is not.
        let column = Tensor::new(&[[1f32], [2.0], [3.0], [4.0]], &Device::Cpu)?;
        mae.update(&output, &column)?;
        assert!(matches!(mae.update(&output, &tensor(&[1.0])?), Err(Error::Shape(_))));
        Ok(())
    }

    #[test]
    fn mape_by_hand_and_zero_target() -> Result<()> {
        // |1 - 2| / 2 = 0.5 and |4 - 4| / 4 = 0 -> 100 * 0.25 = 25.
        let mut m = Mape::new();
        m.update(&tensor(&[1.0, 4.0])?, &tensor(&[2.0, 4.0])?)?;
        assert_close(m.compute()?, 25.0, 1e-12);
        assert!(m.update(&tensor(&[1.0])?, &tensor(&[0.0])?).is_err());
        Ok(())
    }

    #[test]
    fn nse_by_hand() -> Result<()> {
        // obs [1, 2, 3, 4], sim [1, 2, 3, 5]: squared error sum 1; mean(obs) 2.5,
        // sum of squared deviations 2.25 + 0.25 + 0.25 + 2.25 = 5; NSE = 1 - 1/5 = 0.8.
        let mut nse = Nse::new();
        nse.update(&tensor(&[1.0, 2.0, 3.0, 5.0])?, &tensor(&[1.0, 2.0, 3.0, 4.0])?)?;
        assert_close(nse.compute()?, 0.8, 1e-12);
        Ok(())
    }

    #[test]
    fn nse_streaming_equals_single_update_even_with_large_offset() -> Result<()> {
        // Same data shifted by 1e6: NSE is shift-invariant, so it is still 0.8.
        let simulated = [1.0, 2.0, 3.0, 5.0].map(|value| value + 1e6);
        let observed = [1.0, 2.0, 3.0, 4.0].map(|value| value + 1e6);
        let mut halves = Nse::new();
        halves.update(&tensor(&simulated[..1])?, &tensor(&observed[..1])?)?;
        halves.update(&tensor(&simulated[1..])?, &tensor(&observed[1..])?)?;
        assert_close(halves.compute()?, 0.8, 1e-9);
        Ok(())
    }

    #[test]
    fn nse_rejects_constant_observations_and_nan() -> Result<()> {
        let mut nse = Nse::new();
        nse.update(&tensor(&[1.0, 2.0])?, &tensor(&[3.0, 3.0])?)?;
        assert!(matches!(nse.compute(), Err(Error::Metric { .. })));
        assert!(matches!(nse.update(&tensor(&[f64::NAN])?, &tensor(&[1.0])?), Err(Error::NonFinite(_))));
        assert!(matches!(nse.update(&tensor(&[1.0])?, &tensor(&[f64::INFINITY])?), Err(Error::NonFinite(_))));
        Ok(())
    }

    #[test]
    fn kge_perfect_and_doubled() -> Result<()> {
        let observed = [1.0, 2.0, 3.0, 4.0];
        // sim = obs: r = 1, alpha = 1, beta = 1 -> KGE = 1.
        let mut perfect = Kge::new();
        perfect.update(&tensor(&observed)?, &tensor(&observed)?)?;
        assert_close(perfect.compute()?, 1.0, 1e-12);
        // sim = 2 obs: r = 1, alpha = 2, beta = 2 -> KGE = 1 - sqrt(0 + 1 + 1) = 1 - sqrt(2).
        let doubled = observed.map(|value| 2.0 * value);
        let mut kge = Kge::new();
        kge.update(&tensor(&doubled)?, &tensor(&observed)?)?;
        let (r, alpha, beta) = kge.components()?;
        assert_close(r, 1.0, 1e-12);
        assert_close(alpha, 2.0, 1e-12);
        assert_close(beta, 2.0, 1e-12);
        assert_close(kge.compute()?, 1.0 - 2f64.sqrt(), 1e-12);
        Ok(())
    }

    #[test]
    fn kge_by_hand_with_imperfect_correlation() -> Result<()> {
        // obs [1, 2, 3, 4], sim [1, 2, 3, 5].
        // mean obs 2.5, mean sim 2.75 -> beta = 1.1.
        // deviations obs [-1.5, -0.5, 0.5, 1.5], sim [-1.75, -0.75, 0.25, 2.25].
        // sum dev_obs^2 = 5; sum dev_sim^2 = 3.0625 + 0.5625 + 0.0625 + 5.0625 = 8.75;
        // co-moment = 2.625 + 0.375 + 0.125 + 3.375 = 6.5.
        // r = 6.5 / sqrt(8.75 * 5); alpha = sqrt(8.75 / 5) = sqrt(1.75).
        let simulated = [1.0, 2.0, 3.0, 5.0];
        let observed = [1.0, 2.0, 3.0, 4.0];
        let r = 6.5 / (8.75f64 * 5.0).sqrt();
        let alpha = 1.75f64.sqrt();
        let beta: f64 = 1.1;
        let expected = 1.0 - ((r - 1.0).powi(2) + (alpha - 1.0).powi(2) + (beta - 1.0).powi(2)).sqrt();
        // Streaming: three uneven batches give the same value as one.
        let mut kge = Kge::new();
        kge.update(&tensor(&simulated[..1])?, &tensor(&observed[..1])?)?;
        kge.update(&tensor(&simulated[1..3])?, &tensor(&observed[1..3])?)?;
        kge.update(&tensor(&simulated[3..])?, &tensor(&observed[3..])?)?;
        let (got_r, got_alpha, got_beta) = kge.components()?;
        assert_close(got_r, r, 1e-12);
        assert_close(got_alpha, alpha, 1e-12);
        assert_close(got_beta, beta, 1e-12);
        assert_close(kge.compute()?, expected, 1e-12);
        kge.reset();
        assert!(kge.compute().is_err());
        Ok(())
    }

    #[test]
    fn kge_rejects_degenerate_inputs() -> Result<()> {
        let mut constant_simulation = Kge::new();
        constant_simulation.update(&tensor(&[2.0, 2.0])?, &tensor(&[1.0, 3.0])?)?;
        assert!(constant_simulation.compute().is_err());
        let mut zero_mean = Kge::new();
        zero_mean.update(&tensor(&[1.0, 2.0])?, &tensor(&[-1.0, 1.0])?)?;
        assert!(zero_mean.compute().is_err());
        Ok(())
    }
}
