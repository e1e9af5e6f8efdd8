//! Deterministic train/validation/test splits: a seeded shuffle, cut by fractions; stratified by
//! label when labels are given, so each split keeps the class proportions.

use crate::{Error, Result};
use rand::seq::SliceRandom;
use scidl_core::rng;

fn check(fractions: &[f64]) -> Result<()> {
    let sum: f64 = fractions.iter().sum();
    if fractions.is_empty() || fractions.iter().any(|&f| !(0.0..=1.0).contains(&f)) || (sum - 1.0).abs() > 1e-9 {
        return Err(Error::Param(format!("split fractions must be in [0, 1] and sum to 1, got {fractions:?}")));
    }
    Ok(())
}

fn cut(items: &[usize], fractions: &[f64]) -> Vec<Vec<usize>> {
    let n = items.len();
    let mut out = Vec::new();
    let mut start = 0;
    let mut acc = 0.0;
    for (i, f) in fractions.iter().enumerate() {
        acc += f;
        let end = if i + 1 == fractions.len() { n } else { ((acc * n as f64).round() as usize).min(n) };
        out.push(items[start..end.max(start)].to_vec());
        start = end.max(start);
    }
    out
}

/// Splits `0..n` into parts of the given fractions after a shuffle seeded by `seed`.
pub fn split_indices(n: usize, fractions: &[f64], seed: u64) -> Result<Vec<Vec<usize>>> {
    check(fractions)?;
    let mut idx: Vec<usize> = (0..n).collect();
    idx.shuffle(&mut rng::rng_for(rng::mix(seed, 0x5b117)));
    Ok(cut(&idx, fractions))
}

/// Splits indices so each part holds the same fraction of every label.
pub fn stratified_split(labels: &[usize], fractions: &[f64], seed: u64) -> Result<Vec<Vec<usize>>> {
    check(fractions)?;
    let classes = labels.iter().copied().max().map_or(0, |m| m + 1);
    let mut parts = vec![Vec::new(); fractions.len()];
    for c in 0..classes {
        let mut idx: Vec<usize> = labels.iter().enumerate().filter(|(_, l)| **l == c).map(|(i, _)| i).collect();
        idx.shuffle(&mut rng::rng_for(rng::mix(seed, c as u64)));
        for (p, chunk) in parts.iter_mut().zip(cut(&idx, fractions)) {
            p.extend(chunk);
        }
    }
    for p in &mut parts {
        p.sort_unstable();
    }
    Ok(parts)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_partition_and_are_deterministic() {
        let a = split_indices(103, &[0.8, 0.1, 0.1], 7).unwrap();
        let b = split_indices(103, &[0.8, 0.1, 0.1], 7).unwrap();
        assert_eq!(a, b);
        // Cumulative cuts: round(0.8*103)=82, round(0.9*103)=93, 103 -> sizes 82, 11, 10.
        assert_eq!(a.iter().map(Vec::len).collect::<Vec<_>>(), vec![82, 11, 10]);
        let mut all: Vec<usize> = a.concat();
        all.sort_unstable();
        assert_eq!(all, (0..103).collect::<Vec<_>>());
        assert_ne!(a, split_indices(103, &[0.8, 0.1, 0.1], 8).unwrap());
        assert!(split_indices(10, &[0.5, 0.6], 0).is_err());
    }

    #[test]
    fn stratified_keeps_proportions() {
        let labels: Vec<usize> = (0..100).map(|i| if i < 80 { 0 } else { 1 }).collect();
        let s = stratified_split(&labels, &[0.75, 0.25], 1).unwrap();
        let ones = |p: &Vec<usize>| p.iter().filter(|&&i| labels[i] == 1).count();
        assert_eq!((s[0].len(), ones(&s[0])), (75, 15));
        assert_eq!((s[1].len(), ones(&s[1])), (25, 5));
    }
}
