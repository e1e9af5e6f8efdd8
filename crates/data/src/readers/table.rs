//! CSV and Parquet tables through polars: dates, text and missing values welcome.
//!
//! [`read_table`] picks the format by extension (`.csv`, `.csv.gz`, `.parquet`, `.pq`) and
//! returns a polars [`DataFrame`]; [`write_parquet`] writes one atomically; [`column_f32`] takes a
//! numeric column out as `f32` values with its nulls kept as `None`. Every error names the file.
//!
//! polars is built lean (CSV and Parquet only, no lazy engine, no date/time types): a CSV column
//! of dates such as `1958-03-29` stays a string column, one of `19580329` an integer column.

use std::ffi::OsString;
use std::fs;
use std::io::{BufWriter, Cursor};
use std::path::{Path, PathBuf};

use polars::prelude::{CsvReadOptions, DataFrame, DataType, ParquetReader, ParquetWriter, SerReader};

use super::idx::read_maybe_gz;
use crate::{Error, Result};

/// The table formats [`read_table`] knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    Csv,
    Parquet,
}

/// The format of `path` by its (case-insensitive) extension, or a format error naming it.
fn format_of(path: &Path) -> Result<Format> {
    let name = path.file_name().map(|n| n.to_string_lossy().to_ascii_lowercase()).unwrap_or_default();
    if name.ends_with(".csv") || name.ends_with(".csv.gz") {
        Ok(Format::Csv)
    } else if name.ends_with(".parquet") || name.ends_with(".pq") {
        Ok(Format::Parquet)
    } else {
        Err(Error::format(path, "unknown table format: expected the extension .csv, .csv.gz, .parquet or .pq"))
    }
}

/// Reads a table: CSV (`.csv`, or gzip-compressed `.csv.gz`) or Parquet (`.parquet`, `.pq`),
/// chosen by the extension, case-insensitively.
///
/// CSV files need a header row and commas; column types are inferred from all rows (integers,
/// floats, booleans, else strings), and empty cells are nulls. A CSV file is read into memory
/// (and gunzipped there when it starts with the gzip magic) before parsing.
///
/// Fails with [`Error::Io`] if the file cannot be read, and with [`Error::Format`] naming the
/// file for an unknown extension, a corrupt gzip stream, or a file polars cannot parse (a
/// truncated or corrupt Parquet file, a malformed CSV file).
pub fn read_table(path: &Path) -> Result<DataFrame> {
    match format_of(path)? {
        Format::Csv => {
            let bytes = read_maybe_gz(path)?;
            CsvReadOptions::default()
                .with_has_header(true)
                .with_infer_schema_length(None)
                .into_reader_with_file_handle(Cursor::new(bytes))
                .finish()
                .map_err(|e| Error::format(path, format!("cannot read the CSV table: {e}")))
        }
        Format::Parquet => {
            let file = fs::File::open(path).map_err(|e| Error::io(path, e))?;
            ParquetReader::new(file)
                .finish()
                .map_err(|e| Error::format(path, format!("cannot read the Parquet file: {e}")))
        }
    }
}

/// The temporary file [`write_parquet`] writes before renaming it to `path`: a hidden sibling,
/// so that the rename stays within one file system.
fn temp_sibling(path: &Path) -> PathBuf {
    let mut name = OsString::from(".");
    name.push(path.file_name().unwrap_or_default());
    name.push(format!(".{}.tmp", std::process::id()));
    path.with_file_name(name)
}

/// Writes `df` as a Parquet file (zstd-compressed) at `path`, atomically: the data goes to a
/// temporary file beside `path`, is synced to disk, and only then renamed over `path`, so
/// readers see either the old file or the complete new one.
///
/// `df` is mutable because polars may rechunk it before writing. Fails with [`Error::Io`]
/// (naming the file) if the file cannot be written or renamed, and with [`Error::Format`] if
/// polars cannot encode the frame; the temporary file is removed on failure.
pub fn write_parquet(df: &mut DataFrame, path: &Path) -> Result<()> {
    let tmp = temp_sibling(path);
    let result = (|| {
        let file = fs::File::create(&tmp).map_err(|e| Error::io(path, e))?;
        let mut w = BufWriter::new(file);
        ParquetWriter::new(&mut w)
            .finish(df)
            .map_err(|e| Error::format(path, format!("cannot write the Parquet file: {e}")))?;
        let file = w.into_inner().map_err(|e| Error::io(path, e.into_error()))?;
        file.sync_all().map_err(|e| Error::io(path, e))?;
        fs::rename(&tmp, path).map_err(|e| Error::io(path, e))
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result
}

/// Takes the numeric column `name` of `df` as `f32` values, one per row, nulls as `None`.
///
/// Integer and float columns of any width are accepted; `f64` values and integers beyond ±2^24
/// are rounded to the nearest `f32`, and NaN stays `Some(NaN)`. `path_for_errors` is the file
/// the frame came from, named in the errors.
///
/// Fails with [`Error::Format`] naming `path_for_errors` if there is no column `name` (the
/// message lists the columns there are) or if the column is not numeric (the message names the
/// column and its type, e.g. `str` or `bool`).
pub fn column_f32(df: &DataFrame, name: &str, path_for_errors: &Path) -> Result<Vec<Option<f32>>> {
    let path = path_for_errors;
    let col = df.column(name).map_err(|_| {
        let names: Vec<String> = df.get_column_names().iter().map(|n| format!("`{n}`")).collect();
        Error::format(path, format!("no column `{name}`; the columns are {}", names.join(", ")))
    })?;
    if !col.dtype().is_primitive_numeric() {
        return Err(Error::format(path, format!("column `{name}` is of type {}, not numeric", col.dtype())));
    }
    let cast = col
        .cast(&DataType::Float32)
        .map_err(|e| Error::format(path, format!("cannot convert the column `{name}` to f32: {e}")))?;
    let ca = cast.f32().map_err(|e| Error::format(path, format!("cannot convert the column `{name}` to f32: {e}")))?;
    Ok(ca.iter().collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::readers::assert_format_err;
    use polars::prelude::{Column, NamedFrom, Series};
    use std::io::Write;

    /// `data/co2.csv`: Mauna Loa weekly CO2 (statsmodels 0.15.0, public domain NOAA).
    fn co2_csv() -> PathBuf {
        Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../../data/co2.csv")).to_path_buf()
    }

    #[test]
    fn reads_mauna_loa_co2() {
        // Reference values: pandas 3.1.1, co2.csv:
        //   df = pd.read_csv(p); len(df) 2284, list(df.columns) ['date', 'co2'],
        //   df.co2.isna().sum() 59, df.co2.mean() 340.1422471910112, df.co2.min() 313.0,
        //   df.co2.max() 373.9, df.date dtype int64, first row 19580329 316.1, row 6 co2 NaN.
        let p = co2_csv();
        let df = read_table(&p).unwrap();
        assert_eq!(df.height(), 2284);
        let names: Vec<&str> = df.get_column_names().iter().map(|n| n.as_str()).collect();
        assert_eq!(names, ["date", "co2"]);
        assert_eq!(df.column("date").unwrap().dtype(), &DataType::Int64);
        assert_eq!(df.column("co2").unwrap().dtype(), &DataType::Float64);
        assert_eq!(df.column("co2").unwrap().null_count(), 59);

        let co2 = column_f32(&df, "co2", &p).unwrap();
        assert_eq!(co2.len(), 2284);
        assert_eq!(co2.iter().filter(|v| v.is_none()).count(), 59);
        assert_eq!((co2[0], co2[6]), (Some(316.1), None));
        let present: Vec<f64> = co2.iter().flatten().map(|&v| f64::from(v)).collect();
        let mean = present.iter().sum::<f64>() / present.len() as f64;
        assert!((mean - 340.142_247_191_011_2).abs() < 1e-4, "{mean}");
        let min = present.iter().copied().fold(f64::INFINITY, f64::min);
        let max = present.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        assert_eq!((min, max), (313.0, f64::from(373.9f32)));

        let date = column_f32(&df, "date", &p).unwrap();
        assert_eq!(date[0], Some(19_580_329.0));
        assert!(date.iter().all(Option::is_some));
    }

    #[test]
    fn gzipped_csv() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("co2.CSV.GZ");
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        enc.write_all(&fs::read(co2_csv()).unwrap()).unwrap();
        fs::write(&p, enc.finish().unwrap()).unwrap();
        let df = read_table(&p).unwrap();
        assert_eq!(df.height(), 2284);
        assert_eq!(df.column("co2").unwrap().null_count(), 59);

        let cut = dir.path().join("cut.csv.gz");
        let gz = fs::read(&p).unwrap();
        fs::write(&cut, &gz[..gz.len() / 2]).unwrap();
        assert_format_err(read_table(&cut).unwrap_err(), &cut, "gzip");
    }

    #[test]
    fn parquet_round_trip() {
        let dir = tempfile::tempdir().unwrap();
        let mut df = read_table(&co2_csv()).unwrap();
        let label = Series::new(
            "label".into(),
            (0..df.height()).map(|i| if i % 3 == 0 { None } else { Some(format!("w{i}")) }).collect::<Vec<_>>(),
        );
        df.with_column(Column::from(label)).unwrap();
        let p = dir.path().join("co2.parquet");
        write_parquet(&mut df, &p).unwrap();
        // Only the target is left: the temporary file was renamed.
        let entries: Vec<_> = fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(entries, [OsString::from("co2.parquet")]);

        let back = read_table(&p).unwrap();
        assert_eq!(back.height(), 2284);
        assert_eq!(back.get_column_names(), df.get_column_names());
        for name in ["date", "co2", "label"] {
            let (a, b) = (df.column(name).unwrap(), back.column(name).unwrap());
            assert_eq!(a.dtype(), b.dtype(), "{name}");
            assert_eq!(a.null_count(), b.null_count(), "{name}");
            assert!(a.equals_missing(b), "column {name} differs after the round trip");
        }
        assert_eq!(column_f32(&back, "co2", &p).unwrap(), column_f32(&df, "co2", &p).unwrap());

        // Overwriting goes through the same rename; `.pq` is Parquet too.
        write_parquet(&mut df, &p).unwrap();
        let pq = dir.path().join("t.PQ");
        fs::copy(&p, &pq).unwrap();
        assert_eq!(read_table(&pq).unwrap().height(), 2284);
    }

    #[test]
    fn corrupt_parquet_is_an_error_naming_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let mut df = read_table(&co2_csv()).unwrap();
        let good = dir.path().join("good.parquet");
        write_parquet(&mut df, &good).unwrap();
        let bytes = fs::read(&good).unwrap();

        let cut = dir.path().join("truncated.parquet");
        fs::write(&cut, &bytes[..bytes.len() / 2]).unwrap();
        assert_format_err(read_table(&cut).unwrap_err(), &cut, "Parquet");

        let text = dir.path().join("text.parquet");
        fs::write(&text, "date,co2\n1,2\n").unwrap();
        assert_format_err(read_table(&text).unwrap_err(), &text, "Parquet");

        let empty = dir.path().join("empty.pq");
        fs::write(&empty, "").unwrap();
        assert_format_err(read_table(&empty).unwrap_err(), &empty, "Parquet");

        let missing = dir.path().join("missing.parquet");
        let err = read_table(&missing).unwrap_err();
        assert!(matches!(err, Error::Io { .. }) && err.to_string().contains("missing.parquet"));

        // Writing into a directory that does not exist fails naming the target.
        let nowhere = dir.path().join("no/such/dir/out.parquet");
        let err = write_parquet(&mut df, &nowhere).unwrap_err();
        assert!(matches!(err, Error::Io { .. }) && err.to_string().contains("out.parquet"), "{err}");
    }

    #[test]
    fn column_errors_name_file_column_and_type() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("t.csv");
        fs::write(&p, "site,temp,ok\nA,1.5,true\nB,,false\nC,3,true\n").unwrap();
        let df = read_table(&p).unwrap();

        let err = column_f32(&df, "pressure", &p).unwrap_err();
        let msg = err.to_string();
        assert_format_err(err, &p, "no column `pressure`");
        assert!(msg.contains("`site`, `temp`, `ok`"), "{msg}");

        let err = column_f32(&df, "site", &p).unwrap_err();
        let msg = err.to_string();
        assert_format_err(err, &p, "column `site`");
        assert!(msg.contains("str") && msg.contains("not numeric"), "{msg}");
        assert_format_err(column_f32(&df, "ok", &p).unwrap_err(), &p, "bool");

        assert_eq!(column_f32(&df, "temp", &p).unwrap(), [Some(1.5), None, Some(3.0)]);

        // The co2 table has no column `temperature`.
        let co2 = co2_csv();
        let df = read_table(&co2).unwrap();
        let err = column_f32(&df, "temperature", &co2).unwrap_err();
        let msg = err.to_string();
        assert_format_err(err, &co2, "no column `temperature`");
        assert!(msg.contains("`date`, `co2`"), "{msg}");
    }

    #[test]
    fn unknown_extension_and_malformed_csv() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("table.xlsx");
        fs::write(&p, "a,b\n1,2\n").unwrap();
        assert_format_err(read_table(&p).unwrap_err(), &p, "unknown table format");

        let missing = dir.path().join("missing.csv");
        let err = read_table(&missing).unwrap_err();
        assert!(matches!(err, Error::Io { .. }) && err.to_string().contains("missing.csv"));

        let ragged = dir.path().join("ragged.csv");
        fs::write(&ragged, "a,b\n1,2\n3,4,5,6\n").unwrap();
        assert_format_err(read_table(&ragged).unwrap_err(), &ragged, "CSV");
    }
}
