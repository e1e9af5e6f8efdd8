//! The pipeline's PNG plots: history + forecast + interval, skill by horizon, anomaly timeline.

use anyhow::Result;
use scidl_cli::plot::{Band, Markers, Series, chart};
use std::path::Path;

use crate::series::Frame;
use crate::tasks::backtest::{HorizonScores, skill};

/// Skill score (vs `reference`) of every other method by horizon.
pub fn skill_by_horizon(path: &Path, scores: &[HorizonScores], reference: &str) -> Result<()> {
    let mut methods: Vec<&str> = Vec::new();
    for s in scores {
        if s.method != reference && !methods.contains(&s.method.as_str()) {
            methods.push(&s.method);
        }
    }
    let mut horizons: Vec<usize> = scores.iter().map(|s| s.horizon).collect();
    horizons.sort_unstable();
    horizons.dedup();
    let series: Vec<Series> = methods
        .iter()
        .map(|m| Series {
            label: m,
            points: horizons
                .iter()
                .filter_map(|&h| skill(scores, m, reference, h).map(|v| (h as f64, v.max(-2.0))))
                .collect(),
        })
        .collect();
    chart(
        path,
        &format!("skill vs {reference} (1 - MSE ratio, clipped at -2)"),
        "horizon (steps)",
        "skill",
        &series,
        &[],
        &[],
    )
}

/// The series over time with flagged points (and, if given, the true anomalies) marked.
pub fn anomaly_timeline(
    path: &Path,
    frame: &Frame,
    values: &[f64],
    flags: &[bool],
    truth: Option<&[bool]>,
    name: &str,
) -> Result<()> {
    let x: Vec<f64> = (0..frame.len()).map(|i| frame.decimal_year(i)).collect();
    let line = Series { label: name, points: x.iter().copied().zip(values.iter().copied()).collect() };
    let mut markers = vec![Markers {
        label: "flagged",
        points: (0..values.len()).filter(|&i| flags[i]).map(|i| (x[i], values[i])).collect(),
    }];
    if let Some(t) = truth {
        markers.push(Markers {
            label: "injected",
            points: (0..values.len()).filter(|&i| t[i]).map(|i| (x[i], values[i])).collect(),
        });
    }
    chart(path, &format!("{name}: anomalies"), "year", name, &[line], &[], &markers)
}

/// History, median forecast and interval band (x in decimal years).
pub fn forecast_chart(
    path: &Path,
    title: &str,
    y_label: &str,
    history: Vec<(f64, f64)>,
    median: Vec<(f64, f64)>,
    band: Vec<(f64, f64, f64)>,
    band_label: &str,
) -> Result<()> {
    chart(
        path,
        title,
        "year",
        y_label,
        &[Series { label: "observed", points: history }, Series { label: "median forecast", points: median }],
        &[Band { label: band_label, points: band }],
        &[],
    )
}
