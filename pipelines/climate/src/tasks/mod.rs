//! The pipeline's tasks: forecasting ([`forecast`]), rolling-origin backtests ([`backtest`]) and
//! anomaly detection ([`anomaly`]).

pub mod anomaly;
pub mod backtest;
pub mod forecast;
