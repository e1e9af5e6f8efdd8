//! Loaders: CSV/Parquet tables ([`table`]) and NetCDF-4 files ([`netcdf`]) into [`crate::Frame`]s.

pub mod netcdf;
pub mod table;

pub use netcdf::NetCdf;
pub use table::{TableOptions, read_series_table};
