//! The `scidl-climate` command line: argument types, series loading from any supported file, and
//! one function per subcommand. Every output is computed before the first file is written.

use anyhow::{Context, Result};
use clap::{Args, Parser, Subcommand};
use std::path::{Path, PathBuf};

use crate::heads::{Architecture, Strategy};
use crate::loaders::{NetCdf, TableOptions, read_series_table};
use crate::series::Frame;
use crate::tasks::anomaly::{self, AutoencoderConfig, Threshold};
use crate::tasks::backtest::{self, default_baselines};
use crate::tasks::forecast::{self, ForecastConfig};
use crate::transforms::{Aggregate, FillPolicy, Period, fill_gaps, resample};
use scidl_cli::BadInput;

/// `scidl-climate`: forecasting and anomaly detection for climate time series.
#[derive(Parser)]
#[command(
    name = "scidl-climate",
    version,
    about = "Climate time series: inspect, train, forecast, backtest, detect anomalies"
)]
pub struct Cli {
    /// Options every scidl binary shares.
    #[command(flatten)]
    pub common: scidl_cli::CommonArgs,
    /// The subcommand.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Subcommand)]
pub enum Command {
    /// Columns or variables, time range, step and gaps of a CSV, Parquet or NetCDF-4 file.
    Inspect {
        /// The file.
        file: PathBuf,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
        /// How to read the series.
        #[command(flatten)]
        input: SeriesArgs,
    },
    /// Train a forecaster; checkpoints, metrics and the resolved config go to the run folder.
    Train {
        /// The file.
        file: PathBuf,
        /// How to read the series.
        #[command(flatten)]
        input: SeriesArgs,
        /// Model options.
        #[command(flatten)]
        model: ModelArgs,
    },
    /// Forecast from the end of the series (or `--origin`) with a trained checkpoint.
    Forecast {
        /// The file.
        file: PathBuf,
        /// How to read the series.
        #[command(flatten)]
        input: SeriesArgs,
        /// Checkpoint folder (e.g. runs/climate-train/checkpoints/best).
        #[arg(long)]
        checkpoint: PathBuf,
        /// Forecast from the last row at or before this date instead of the last row.
        #[arg(long)]
        origin: Option<String>,
        /// Output table (.csv or .parquet) with the median and every quantile per step.
        #[arg(long)]
        out: PathBuf,
        /// Also draw history, forecast and interval as a PNG.
        #[arg(long)]
        plot: Option<PathBuf>,
    },
    /// Rolling-origin backtest of learned models and every baseline over the test period.
    Backtest {
        /// The file.
        file: PathBuf,
        /// How to read the series.
        #[command(flatten)]
        input: SeriesArgs,
        /// Model options (the model trained for the backtest).
        #[command(flatten)]
        model: ModelArgs,
        /// Horizons to score (comma-separated steps).
        #[arg(long, value_delimiter = ',', default_value = "1,4,13,26,52")]
        horizons: Vec<usize>,
        /// Score the baselines only (no training).
        #[arg(long)]
        baselines_only: bool,
    },
    /// Flag anomalies by forecast-residual z-scores or an LSTM autoencoder.
    DetectAnomalies {
        /// The file.
        file: PathBuf,
        /// How to read the series.
        #[command(flatten)]
        input: SeriesArgs,
        /// Column to screen.
        #[arg(long)]
        target: String,
        /// Scoring method.
        #[arg(long, value_enum, default_value = "zscore")]
        method: AnomalyMethod,
        /// Rolling window of the z-score (steps).
        #[arg(long, default_value_t = 52)]
        window: usize,
        /// Flag the top share of points (quantile threshold), e.g. 0.99.
        #[arg(long, conflicts_with = "false_alarm_rate")]
        quantile: Option<f64>,
        /// Target false-alarm rate on the calibration period (default 0.01).
        #[arg(long)]
        false_alarm_rate: Option<f64>,
        /// Last date of the clean calibration/training period (default: 80 % of the rows).
        #[arg(long)]
        calibration_end: Option<String>,
        /// Output table (.csv): time, value, score, flag.
        #[arg(long)]
        out: PathBuf,
        /// Also draw the anomaly timeline as a PNG.
        #[arg(long)]
        plot: Option<PathBuf>,
    },
}

/// Anomaly scoring methods.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum AnomalyMethod {
    /// Rolling z-score of seasonal one-step forecast residuals.
    Zscore,
    /// LSTM autoencoder reconstruction error.
    Autoencoder,
}

/// How a series is read from its file.
#[derive(Debug, Clone, Default, Args)]
pub struct SeriesArgs {
    /// Table: the time column (default: date/time/year... or the first text column).
    #[arg(long)]
    pub time_column: Option<String>,
    /// Table: strftime-like pattern for unusual dates, e.g. %d/%m/%Y.
    #[arg(long)]
    pub time_format: Option<String>,
    /// Table: value columns to keep (comma-separated).
    #[arg(long, value_delimiter = ',')]
    pub columns: Option<Vec<String>>,
    /// NetCDF: the variable.
    #[arg(long)]
    pub variable: Option<String>,
    /// NetCDF grid: latitude of the point series.
    #[arg(long, requires = "lon")]
    pub lat: Option<f64>,
    /// NetCDF grid: longitude of the point series.
    #[arg(long, requires = "lat")]
    pub lon: Option<f64>,
    /// NetCDF grid: cos(latitude)-weighted mean over lat_min,lat_max,lon_min,lon_max (or `all`).
    #[arg(long)]
    pub area_mean: Option<String>,
    /// Resample to calendar months or years first.
    #[arg(long, value_enum)]
    pub resample: Option<Period>,
    /// Aggregate when resampling.
    #[arg(long, value_enum, default_value = "mean")]
    pub aggregate: Aggregate,
    /// Observations a resampled period needs (fewer: missing).
    #[arg(long, default_value_t = 1)]
    pub min_count: usize,
}

/// Model options of `train` and `backtest` (override the TOML config).
#[derive(Debug, Clone, Default, Args)]
pub struct ModelArgs {
    /// Column to forecast.
    #[arg(long)]
    pub target: Option<String>,
    /// Network family.
    #[arg(long, value_enum)]
    pub model: Option<Architecture>,
    /// Multi-horizon strategy.
    #[arg(long, value_enum)]
    pub strategy: Option<Strategy>,
    /// Past steps per window.
    #[arg(long)]
    pub lookback: Option<usize>,
    /// Steps ahead.
    #[arg(long)]
    pub horizon: Option<usize>,
    /// Last date of the training period (YYYY-MM-DD).
    #[arg(long)]
    pub train_end: Option<String>,
    /// Epochs.
    #[arg(long)]
    pub epochs: Option<usize>,
    /// Gap filling.
    #[arg(long, value_enum)]
    pub fill: Option<FillPolicy>,
}

pub use scidl_cli::lift;

fn is_netcdf(path: &Path) -> bool {
    let n = path.to_string_lossy().to_ascii_lowercase();
    n.ends_with(".nc") || n.ends_with(".nc4") || n.ends_with(".netcdf") || n.ends_with(".h5")
}

/// Reads the series described by `a` from `path` (table or NetCDF), resampled if asked.
pub fn load_series(path: &Path, a: &SeriesArgs) -> Result<Frame> {
    let frame = if is_netcdf(path) {
        let nc = NetCdf::open(path).map_err(lift)?;
        let var = match &a.variable {
            Some(v) => v.clone(),
            None => {
                return Err(BadInput::new(format!(
                    "{}: name the variable with --variable (variables: {})",
                    path.display(),
                    nc.variables().iter().map(|v| v.name.as_str()).collect::<Vec<_>>().join(", ")
                ))
                .into());
            }
        };
        match (a.lat, a.lon, &a.area_mean) {
            (Some(lat), Some(lon), _) => nc.point_series(&var, lat, lon).map_err(lift)?.0,
            (_, _, Some(b)) if b == "all" => nc.area_mean(&var, None).map_err(lift)?,
            (_, _, Some(b)) => {
                let v: Vec<f64> =
                    b.split(',').map(|x| x.trim().parse::<f64>()).collect::<std::result::Result<_, _>>().map_err(
                        |_| {
                            BadInput::new(format!("--area-mean `{b}`: expected lat_min,lat_max,lon_min,lon_max or all"))
                        },
                    )?;
                let bbox: [f64; 4] =
                    v.try_into().map_err(|_| BadInput::new(format!("--area-mean `{b}`: expected 4 numbers")))?;
                nc.area_mean(&var, Some(bbox)).map_err(lift)?
            }
            _ => nc.series(&var).map_err(lift)?,
        }
    } else {
        let opts = TableOptions {
            time_column: a.time_column.clone(),
            time_format: a.time_format.clone(),
            columns: a.columns.clone(),
        };
        read_series_table(path, &opts).map_err(lift)?
    };
    match a.resample {
        Some(p) => resample(&frame, p, a.aggregate, a.min_count).map_err(lift),
        None => Ok(frame),
    }
}

/// `inspect`: a summary of the file and its series.
pub fn inspect(path: &Path, json: bool, a: &SeriesArgs) -> Result<()> {
    let mut report = serde_json::Map::new();
    report.insert("file".into(), path.display().to_string().into());
    if is_netcdf(path) {
        let nc = NetCdf::open(path).map_err(lift)?;
        report.insert("format".into(), "NetCDF-4".into());
        report.insert("dimensions".into(), serde_json::to_value(nc.dimensions())?);
        report.insert("variables".into(), serde_json::to_value(nc.variables())?);
        let mut times = serde_json::Map::new();
        for v in nc.variables() {
            if v.dims.len() == 1
                && v.dims[0] == v.name
                && v.attr("units").and_then(|u| u.text()).is_some_and(|u| u.contains(" since "))
            {
                let (cal, t) = nc.time_axis(&v.name).map_err(lift)?;
                if let (Some(first), Some(last)) = (t.first(), t.last()) {
                    times.insert(
                        v.name.clone(),
                        serde_json::json!({"calendar": cal.cf_name(), "first": cal.from_days(*first).to_string(), "last": cal.from_days(*last).to_string(), "steps": t.len()}),
                    );
                }
            }
        }
        report.insert("time_axes".into(), times.into());
        if a.variable.is_some() {
            summarise_frame(&load_series(path, a)?, &mut report);
        }
    } else {
        report.insert("format".into(), "table".into());
        summarise_frame(&load_series(path, a)?, &mut report);
    }
    let value = serde_json::Value::Object(report);
    if json {
        println!("{}", serde_json::to_string_pretty(&value)?);
    } else {
        print_text(&value, 0);
    }
    Ok(())
}

fn summarise_frame(f: &Frame, report: &mut serde_json::Map<String, serde_json::Value>) {
    let gaps: Vec<serde_json::Value> = f
        .time_gaps()
        .iter()
        .take(20)
        .map(|&(i, n)| serde_json::json!({"after": f.date(i).to_string(), "missing_steps": n}))
        .collect();
    let columns: Vec<serde_json::Value> = f
        .columns
        .iter()
        .map(|c| {
            let v: Vec<f64> = c.values.iter().copied().filter(|x| !x.is_nan()).collect();
            let mean = v.iter().sum::<f64>() / v.len().max(1) as f64;
            serde_json::json!({"name": c.name, "missing": c.missing(), "mean": mean,
                "min": v.iter().copied().fold(f64::INFINITY, f64::min), "max": v.iter().copied().fold(f64::NEG_INFINITY, f64::max)})
        })
        .collect();
    report.insert(
        "series".into(),
        serde_json::json!({
            "rows": f.len(),
            "calendar": f.calendar.cf_name(),
            "first": f.date(0).to_string(),
            "last": f.date(f.len() - 1).to_string(),
            "step": f.step().describe(),
            "time_gaps": f.time_gaps().len(),
            "first_gaps": gaps,
            "columns": columns,
        }),
    );
}

fn print_text(v: &serde_json::Value, indent: usize) {
    let pad = " ".repeat(indent);
    match v {
        serde_json::Value::Object(m) => {
            for (k, x) in m {
                if x.is_object() || x.is_array() {
                    println!("{pad}{k}:");
                    print_text(x, indent + 2);
                } else {
                    println!("{pad}{k}: {}", x.to_string().trim_matches('"'));
                }
            }
        }
        serde_json::Value::Array(a) => {
            for x in a {
                if x.is_object() {
                    println!("{pad}-");
                    print_text(x, indent + 2);
                } else {
                    println!("{pad}- {x}");
                }
            }
        }
        other => println!("{pad}{other}"),
    }
}

/// The forecasting configuration: defaults, TOML file, `--set`, then the command-line options.
pub fn forecast_config(common: &scidl_cli::CommonArgs, m: &ModelArgs, frame: &Frame) -> Result<ForecastConfig> {
    let mut cfg: ForecastConfig = scidl_cli::load_config(common.config.as_deref(), &common.overrides)?;
    cfg.seed = common.seed;
    if let Some(t) = &m.target {
        cfg.target = t.clone();
    }
    if cfg.target.is_empty() {
        cfg.target = frame.columns.first().map(|c| c.name.clone()).unwrap_or_default();
    }
    if let Some(a) = m.model {
        cfg.net.architecture = a;
        if a == Architecture::Transformer && !cfg.net.hidden.is_multiple_of(cfg.net.heads) {
            cfg.net.hidden = 32;
        }
    }
    if let Some(s) = m.strategy {
        cfg.net.strategy = s;
    }
    if let Some(v) = m.lookback {
        cfg.lookback = v;
    }
    if let Some(v) = m.horizon {
        cfg.horizon = v;
    }
    if let Some(v) = &m.train_end {
        cfg.train_end = v.clone();
    }
    if let Some(v) = m.epochs {
        cfg.epochs = v;
    }
    if let Some(v) = m.fill {
        cfg.fill = v;
    }
    Ok(cfg)
}

/// `train`.
pub fn train(common: &scidl_cli::CommonArgs, path: &Path, a: &SeriesArgs, m: &ModelArgs) -> Result<()> {
    let device = common.init_device()?;
    let frame = load_series(path, a)?;
    let cfg = forecast_config(common, m, &frame)?;
    let p = forecast::prepare(&frame, &cfg).map_err(lift)?;
    let run_dir = common.run_dir_or("climate-train");
    std::fs::create_dir_all(&run_dir).with_context(|| format!("creating {}", run_dir.display()))?;
    scidl_cli::write_resolved(&cfg, &run_dir)?;
    let t = forecast::train(&p, &cfg, &run_dir, "train", &device).map_err(lift)?;
    let best = t.fit.best.unwrap_or(f64::NAN);
    tracing::info!(epochs = t.fit.history.len(), best_loss = best, dir = %run_dir.display(), "trained");
    println!(
        "trained {} epochs; best monitored loss {best:.5}; checkpoint {}",
        t.fit.history.len(),
        run_dir.join("checkpoints/best").display()
    );
    Ok(())
}

/// `forecast`.
pub fn forecast_cmd(
    common: &scidl_cli::CommonArgs,
    path: &Path,
    a: &SeriesArgs,
    checkpoint: &Path,
    origin: Option<&str>,
    out: &Path,
    plot: Option<&Path>,
) -> Result<()> {
    let device = common.init_device()?;
    let (model, _store, prov) = forecast::load(checkpoint, &device).map_err(lift)?;
    let cfg = prov.config.clone();
    let frame = load_series(path, a)?;
    let mut p = forecast::prepare(&frame, &cfg).map_err(lift)?;
    // The checkpoint's normalisation, not one refitted on this file.
    p.scaler = prov.scaler;
    let o = match origin {
        Some(s) => {
            let d = crate::time::parse_date(s).map_err(|e| BadInput::new(format!("--origin: {e}")))?;
            p.frame
                .last_index_at_or_before(p.frame.calendar.to_days(&d) + 0.999_999)
                .ok_or_else(|| BadInput::new(format!("--origin {s} is before the series starts")))?
        }
        None => p.len() - 1,
    };
    if o + 1 < cfg.lookback {
        return Err(
            BadInput::new(format!("origin row {o} has fewer than lookback {} steps before it", cfg.lookback)).into()
        );
    }
    let fc = forecast::forecast(&model, &p, &cfg, &[o], &prov.interval_margins, &device).map_err(lift)?;
    let cal = p.frame.calendar;
    let mut csv = String::from("time,horizon,forecast");
    for q in &cfg.quantiles {
        csv.push_str(&format!(",q{q}"));
    }
    csv.push('\n');
    let hq = cfg.median_index();
    let future_time = |h: usize| cal.from_days(p.years[o + h] * cal.mean_year_days());
    for (h, qs) in fc[0].iter().enumerate() {
        csv.push_str(&format!("{},{},{}", future_time(h + 1), h + 1, qs[hq]));
        for v in qs {
            csv.push_str(&format!(",{v}"));
        }
        csv.push('\n');
    }
    write_table(out, &csv)?;
    if let Some(png) = plot {
        let start = o.saturating_sub(4 * cfg.horizon);
        let hist: Vec<(f64, f64)> = (start..=o).map(|i| (p.frame.decimal_year(i), p.values[i])).collect();
        let x = |h: usize| cal.decimal_year(p.years[o + h] * cal.mean_year_days());
        let med: Vec<(f64, f64)> = (1..=cfg.horizon).map(|h| (x(h), fc[0][h - 1][hq])).collect();
        let band: Vec<(f64, f64, f64)> =
            (1..=cfg.horizon).map(|h| (x(h), fc[0][h - 1][0], fc[0][h - 1][cfg.quantiles.len() - 1])).collect();
        let lbl = format!("{}-{} interval", cfg.quantiles[0], cfg.quantiles[cfg.quantiles.len() - 1]);
        crate::plots::forecast_chart(
            png,
            &format!("{} forecast from {}", cfg.target, p.frame.date(o)),
            &cfg.target,
            hist,
            med,
            band,
            &lbl,
        )?;
    }
    println!("wrote {} steps from {} to {}", cfg.horizon, p.frame.date(o), out.display());
    Ok(())
}

/// Writes CSV text to `.csv`, or converts it to Parquet for `.parquet`/`.pq`.
fn write_table(out: &Path, csv: &str) -> Result<()> {
    let lower = out.to_string_lossy().to_ascii_lowercase();
    if lower.ends_with(".parquet") || lower.ends_with(".pq") {
        use polars::prelude::{CsvReadOptions, SerReader};
        let mut df = CsvReadOptions::default()
            .with_has_header(true)
            .into_reader_with_file_handle(std::io::Cursor::new(csv.as_bytes().to_vec()))
            .finish()?;
        scidl_data::readers::table::write_parquet(&mut df, out)?;
    } else if lower.ends_with(".csv") {
        scidl_core::fs::write_atomic(out, csv.as_bytes())?;
    } else {
        return Err(BadInput::new(format!("{}: the output must end in .csv or .parquet", out.display())).into());
    }
    Ok(())
}

/// `backtest`.
pub fn backtest_cmd(
    common: &scidl_cli::CommonArgs,
    path: &Path,
    a: &SeriesArgs,
    m: &ModelArgs,
    horizons: &[usize],
    baselines_only: bool,
) -> Result<()> {
    let device = common.init_device()?;
    let frame = load_series(path, a)?;
    let mut cfg = forecast_config(common, m, &frame)?;
    cfg.horizon = cfg.horizon.max(horizons.iter().copied().max().unwrap_or(1));
    let run_dir = common.run_dir_or("climate-backtest");
    let period = frame.step().per_year(frame.calendar).unwrap_or(12.0);
    let learned = if baselines_only {
        Vec::new()
    } else {
        vec![(format!("{:?}", cfg.net.architecture).to_lowercase(), cfg.net.clone())]
    };
    let bt = backtest::run_backtest(&frame, &cfg, &learned, &default_baselines(period), horizons, &run_dir, &device)
        .map_err(lift)?;
    let table = backtest::markdown_table(&bt.scores, horizons, "persistence");
    std::fs::create_dir_all(&run_dir)?;
    scidl_core::fs::write_atomic(&run_dir.join("backtest.csv"), backtest::scores_csv(&bt.scores).as_bytes())?;
    scidl_core::fs::write_atomic(&run_dir.join("backtest.md"), table.as_bytes())?;
    crate::plots::skill_by_horizon(&run_dir.join("skill_by_horizon.png"), &bt.scores, "persistence")?;
    println!("{} origins from {}\n\n{table}", bt.origins.len(), bt.prepared.frame.date(bt.origins[0]));
    println!("wrote {}", run_dir.join("backtest.csv").display());
    Ok(())
}

/// `detect-anomalies`.
#[allow(clippy::too_many_arguments)]
pub fn detect_cmd(
    common: &scidl_cli::CommonArgs,
    path: &Path,
    a: &SeriesArgs,
    target: &str,
    method: AnomalyMethod,
    window: usize,
    rule: Threshold,
    calibration_end: Option<&str>,
    out: &Path,
    plot: Option<&Path>,
) -> Result<()> {
    let device = common.init_device()?;
    let mut frame = load_series(path, a)?;
    frame.regularise().map_err(lift)?;
    fill_gaps(&mut frame, target, FillPolicy::Linear, None).map_err(lift)?;
    let col = frame.column(target).map_err(lift)?.clone();
    let n = frame.len();
    let cal_end = match calibration_end {
        Some(s) => {
            let d = crate::time::parse_date(s).map_err(|e| BadInput::new(format!("--calibration-end: {e}")))?;
            frame.last_index_at_or_before(frame.calendar.to_days(&d) + 0.999_999).map_or(0, |i| i + 1)
        }
        None => n * 4 / 5,
    };
    if cal_end < 2 * window.max(2) || cal_end > n {
        return Err(
            BadInput::new(format!("calibration period of {cal_end} rows is too short for window {window}")).into()
        );
    }
    let scores = match method {
        AnomalyMethod::Zscore => {
            let residuals = seasonal_residuals(&frame, &col.values, cal_end).map_err(lift)?;
            anomaly::rolling_zscore(&residuals, window)
        }
        AnomalyMethod::Autoencoder => {
            let run_dir = common.run_dir_or("climate-anomaly-ae");
            let cfg = AutoencoderConfig { seed: common.seed, ..Default::default() };
            anomaly::autoencoder_scores(&col.values, cal_end, &cfg, &run_dir, &device).map_err(lift)?
        }
    };
    let thr = anomaly::threshold_value(&scores, 0..cal_end, rule).map_err(lift)?;
    let flags: Vec<bool> = scores.iter().map(|&s| s.is_finite() && s > thr).collect();
    let mut csv = String::from("time,value,filled,score,anomaly\n");
    for i in 0..n {
        csv.push_str(&format!("{},{},{},{},{}\n", frame.date(i), col.values[i], col.filled[i], scores[i], flags[i]));
    }
    scidl_core::fs::write_atomic(out, csv.as_bytes())?;
    if let Some(png) = plot {
        crate::plots::anomaly_timeline(png, &frame, &col.values, &flags, None, target)?;
    }
    println!(
        "threshold {thr:.4}: {} of {n} points flagged; wrote {}",
        flags.iter().filter(|&&f| f).count(),
        out.display()
    );
    Ok(())
}

/// One-step residuals of seasonal persistence: `y_t - (y_{t-1} + c_s)`, where `c_s` is the mean
/// step-to-step change of the seasonal slot `s` of `t` over the calibration rows `..cal_end`
/// (the mean seasonal cycle of the first differences). Row 0 has no residual (NaN).
pub fn seasonal_residuals(frame: &Frame, values: &[f64], cal_end: usize) -> crate::Result<Vec<f64>> {
    let (slots, n) = crate::transforms::season_slots(frame)?;
    let (mut sum, mut count) = (vec![0.0; n], vec![0usize; n]);
    let d: Vec<f64> = (0..values.len()).map(|i| if i == 0 { f64::NAN } else { values[i] - values[i - 1] }).collect();
    for i in 1..cal_end.min(values.len()) {
        sum[slots[i]] += d[i];
        count[slots[i]] += 1;
    }
    let cycle: Vec<f64> = sum.iter().zip(&count).map(|(s, &c)| if c > 0 { s / c as f64 } else { 0.0 }).collect();
    Ok((0..values.len()).map(|i| if i == 0 { f64::NAN } else { d[i] - cycle[slots[i]] }).collect())
}
