//! `scidl-climate`: inspect climate series, train forecasters, forecast, backtest against
//! baselines, and flag anomalies. Bad input exits with code 2.

use clap::Parser;
use scidl_climate::cli::{self, Cli, Command};
use scidl_climate::tasks::anomaly::Threshold;
use std::process::ExitCode;

fn main() -> ExitCode {
    scidl_cli::main_with(|| {
        let c = Cli::parse();
        match &c.command {
            Command::Inspect { file, json, input } => cli::inspect(file, *json, input),
            Command::Train { file, input, model } => cli::train(&c.common, file, input, model),
            Command::Forecast { file, input, checkpoint, origin, out, plot } => {
                cli::forecast_cmd(&c.common, file, input, checkpoint, origin.as_deref(), out, plot.as_deref())
            }
            Command::Backtest { file, input, model, horizons, baselines_only } => {
                cli::backtest_cmd(&c.common, file, input, model, horizons, *baselines_only)
            }
            Command::DetectAnomalies {
                file,
                input,
                target,
                method,
                window,
                quantile,
                false_alarm_rate,
                calibration_end,
                out,
                plot,
            } => {
                let rule = match quantile {
                    Some(q) => Threshold::Quantile(*q),
                    None => Threshold::FalseAlarmRate(false_alarm_rate.unwrap_or(0.01)),
                };
                cli::detect_cmd(
                    &c.common,
                    file,
                    input,
                    target,
                    *method,
                    *window,
                    rule,
                    calibration_end.as_deref(),
                    out,
                    plot.as_deref(),
                )
            }
        }
    })
}
