//! # scidl-climate
//!
//! Climate and hydrology time series on scidl's model core: read CSV/Parquet tables and NetCDF-4
//! files into series on a calendar-aware time axis, fill gaps by a declared policy, build
//! leakage-free windows, train LSTM/GRU/transformer forecasters beside honest baselines
//! (persistence, seasonal naive, climatology, trend + harmonics, autoregression), backtest them over
//! many forecast origins, and flag anomalies.
//!
//! ```
//! use scidl_climate::time::{Calendar, parse_cf_units};
//! let units = parse_cf_units("days since 2000-01-01", Calendar::NoLeap).unwrap();
//! // Day 59 after 2000-01-01 is March 1 in a calendar without leap days.
//! assert_eq!(Calendar::NoLeap.from_days(units.to_days(59.0)).to_string(), "2000-03-01");
//! ```

pub mod baselines;
pub mod cli;
pub mod error;
pub mod heads;
pub mod loaders;
pub mod plots;
pub mod series;
pub mod tasks;
pub mod time;
pub mod transforms;

pub use error::{Error, Result};
pub use series::{Column, Frame, Step};

#[cfg(test)]
pub(crate) mod test_data {
    use std::path::{Path, PathBuf};

    /// `data/co2.csv`: Mauna Loa weekly CO2 (statsmodels 0.15.0, public domain NOAA).
    pub fn co2_path() -> PathBuf {
        Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../../data/co2.csv")).to_path_buf()
    }

    /// `tests/fixtures/co2_reference.json`: pandas/statsmodels/numpy values for co2.csv.
    pub fn co2_reference() -> serde_json::Value {
        let p = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/co2_reference.json"));
        serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap()
    }
}
