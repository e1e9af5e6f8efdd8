//! Time series from CSV and Parquet tables (through polars).
//!
//! Long tables have a time column and one numeric column per series or covariate. The time column
//! may hold dates or datetimes (Parquet `date32`/`timestamp`, or text such as `2012-01-31`,
//! `2012/01/31`, `2012-01-31T06:00:00Z`), compact integers `20120131`, or integer years. Wide
//! tables with a year column and twelve month columns (`Jan`..`Dec` or `1`..`12`), a row per
//! year, are reshaped into one monthly series. Missing cells stay NaN until a fill policy runs.

use crate::series::{Column, Frame};
use crate::time::{Calendar, DateTime, parse_date, parse_with_pattern};
use crate::{Error, Result};
use polars::prelude::{DataFrame, DataType, TimeUnit};
use std::path::Path;

/// How to read a table.
#[derive(Debug, Clone, Default)]
pub struct TableOptions {
    /// The time column (default: the first column named date/time/datetime/timestamp/year, else the
    /// first column if it holds text or dates).
    pub time_column: Option<String>,
    /// A `strftime`-like pattern for text dates the automatic reader does not know (`%d/%m/%Y`).
    pub time_format: Option<String>,
    /// The value columns to keep (default: every numeric column).
    pub columns: Option<Vec<String>>,
}

const TIME_NAMES: &[&str] = &["date", "time", "datetime", "timestamp", "year", "valid_time", "dates"];
const MONTHS: [&str; 12] = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];

/// Reads a CSV (`.csv`, `.csv.gz`) or Parquet (`.parquet`, `.pq`) table into a [`Frame`].
pub fn read_series_table(path: &Path, opts: &TableOptions) -> Result<Frame> {
    let df = scidl_data::readers::table::read_table(path)?;
    if df.height() == 0 {
        return Err(Error::input(path, "the table has no data rows"));
    }
    if opts.time_column.is_none()
        && let Some(wide) = wide_layout(&df)
    {
        return read_wide(path, &df, &wide, opts);
    }
    let time_name = match &opts.time_column {
        Some(n) => n.clone(),
        None => guess_time_column(path, &df)?,
    };
    let time_col = df
        .column(&time_name)
        .map_err(|_| Error::input(path, format!("no time column `{time_name}` ({})", names(&df))))?;
    let times = parse_time_column(path, &time_name, time_col, opts.time_format.as_deref())?;
    let value_names: Vec<String> = match &opts.columns {
        Some(c) => c.clone(),
        None => df
            .columns()
            .iter()
            .filter(|c| {
                c.name().as_str() != time_name && (c.dtype().is_primitive_numeric() || c.null_count() == c.len())
            })
            .map(|c| c.name().to_string())
            .collect(),
    };
    if value_names.is_empty() {
        return Err(Error::input(path, format!("no numeric value column besides the time column `{time_name}`")));
    }
    let columns = value_names.iter().map(|n| numeric_column(path, &df, n)).collect::<Result<Vec<_>>>()?;
    Frame::new(path.to_path_buf(), Calendar::Standard, times, columns)
}

fn names(df: &DataFrame) -> String {
    let n: Vec<String> = df.get_column_names().iter().map(|n| format!("`{n}`")).collect();
    format!("columns: {}", n.join(", "))
}

fn guess_time_column(path: &Path, df: &DataFrame) -> Result<String> {
    if let Some(c) = df.columns().iter().find(|c| TIME_NAMES.contains(&c.name().to_ascii_lowercase().as_str())) {
        return Ok(c.name().to_string());
    }
    let first = &df.columns()[0];
    if matches!(first.dtype(), DataType::String | DataType::Date | DataType::Datetime(..)) {
        return Ok(first.name().to_string());
    }
    Err(Error::input(path, format!("cannot tell which column is the time; name it with --time-column ({})", names(df))))
}

/// A numeric column as f64 with nulls (and NaN) as NaN; text columns and all-null columns are errors.
fn numeric_column(path: &Path, df: &DataFrame, name: &str) -> Result<Column> {
    let col = df.column(name).map_err(|_| Error::input(path, format!("no column `{name}` ({})", names(df))))?;
    if col.null_count() == col.len() {
        return Err(Error::input(path, format!("column `{name}` has no values (every cell is empty)")));
    }
    if !col.dtype().is_primitive_numeric() {
        return Err(Error::input(path, format!("column `{name}` holds {} values, not numbers", col.dtype())));
    }
    let cast = col.cast(&DataType::Float64).map_err(|e| Error::input(path, format!("column `{name}`: {e}")))?;
    let values: Vec<f64> = cast
        .f64()
        .map_err(|e| Error::input(path, format!("column `{name}`: {e}")))?
        .iter()
        .map(|v| v.unwrap_or(f64::NAN))
        .collect();
    if values.iter().all(|v| v.is_nan()) {
        return Err(Error::input(path, format!("column `{name}` has no values (every cell is empty)")));
    }
    if let Some(i) = values.iter().position(|v| v.is_infinite()) {
        return Err(Error::input(path, format!("column `{name}`, data row {}: infinite value", i + 1)));
    }
    Ok(Column::new(name, values))
}

fn parse_time_column(
    path: &Path,
    name: &str,
    col: &polars::prelude::Column,
    pattern: Option<&str>,
) -> Result<Vec<f64>> {
    let cal = Calendar::Standard;
    let row_err =
        |i: usize, why: String| Error::input(path, format!("time column `{name}`, data row {}: {why}", i + 1));
    let n = col.len();
    let mut out = Vec::with_capacity(n);
    match col.dtype() {
        DataType::Date => {
            let phys = col.to_physical_repr();
            let ca = phys.i32().map_err(|e| Error::input(path, e.to_string()))?;
            for (i, v) in ca.iter().enumerate() {
                out.push(v.ok_or_else(|| row_err(i, "missing time".into()))? as f64);
            }
        }
        DataType::Datetime(unit, _) => {
            let per_day = match unit {
                TimeUnit::Nanoseconds => 86_400e9,
                TimeUnit::Microseconds => 86_400e6,
                TimeUnit::Milliseconds => 86_400e3,
            };
            let phys = col.to_physical_repr();
            let ca = phys.i64().map_err(|e| Error::input(path, e.to_string()))?;
            for (i, v) in ca.iter().enumerate() {
                out.push(v.ok_or_else(|| row_err(i, "missing time".into()))? as f64 / per_day);
            }
        }
        DataType::String => {
            let ca = col.str().map_err(|e| Error::input(path, e.to_string()))?;
            for (i, v) in ca.iter().enumerate() {
                let s = v.ok_or_else(|| row_err(i, "missing time".into()))?;
                let d = match pattern {
                    Some(p) => parse_with_pattern(s, p),
                    None => parse_date(s),
                }
                .map_err(|e| row_err(i, e))?;
                cal.check(&d).map_err(|e| row_err(i, e))?;
                out.push(cal.to_days(&d));
            }
        }
        dt if dt.is_integer() || dt.is_float() => {
            let cast = col.cast(&DataType::Float64).map_err(|e| Error::input(path, e.to_string()))?;
            let ca = cast.f64().map_err(|e| Error::input(path, e.to_string()))?;
            let raw: Vec<f64> = ca
                .iter()
                .enumerate()
                .map(|(i, v)| v.ok_or_else(|| row_err(i, "missing time".into())))
                .collect::<Result<_>>()?;
            if let Some(i) = raw.iter().position(|v| v.fract() != 0.0) {
                return Err(row_err(i, format!("{} is neither a year nor a yyyymmdd date", raw[i])));
            }
            let years = raw.iter().all(|&v| (1583.0..=9999.0).contains(&v));
            let compact = raw.iter().all(|&v| (15_830_101.0..=99_991_231.0).contains(&v));
            if !years && !compact {
                return Err(Error::input(
                    path,
                    format!(
                        "time column `{name}` holds integers that are neither years (1583..9999) nor yyyymmdd dates"
                    ),
                ));
            }
            for (i, &v) in raw.iter().enumerate() {
                let d = if years {
                    DateTime::ymd(v as i64, 1, 1)
                } else {
                    let v = v as i64;
                    DateTime::ymd(v / 10_000, (v / 100 % 100) as u32, (v % 100) as u32)
                };
                cal.check(&d).map_err(|e| row_err(i, e))?;
                out.push(cal.to_days(&d));
            }
        }
        other => {
            return Err(Error::input(path, format!("time column `{name}` holds {other} values, not dates or years")));
        }
    }
    Ok(out)
}

/// A wide layout: the year column and the twelve month columns in calendar order.
struct Wide {
    year: String,
    months: Vec<String>,
}

fn wide_layout(df: &DataFrame) -> Option<Wide> {
    let cols = df.get_column_names();
    let year = cols.iter().find(|c| c.eq_ignore_ascii_case("year"))?.to_string();
    let mut months = Vec::with_capacity(12);
    for (k, abbr) in MONTHS.iter().enumerate() {
        let m = cols.iter().find(|c| {
            let l = c.to_ascii_lowercase();
            (l.len() >= 3 && l.starts_with(abbr) && abbr.starts_with(&l[..3])) || l == (k + 1).to_string()
        })?;
        months.push(m.to_string());
    }
    Some(Wide { year, months })
}

fn read_wide(path: &Path, df: &DataFrame, wide: &Wide, opts: &TableOptions) -> Result<Frame> {
    let cal = Calendar::Standard;
    let years = numeric_column(path, df, &wide.year)?;
    let months = wide.months.iter().map(|m| numeric_column_allow_empty(path, df, m)).collect::<Result<Vec<_>>>()?;
    let name = opts.columns.as_ref().and_then(|c| c.first().cloned()).unwrap_or_else(|| "value".to_string());
    let mut times = Vec::with_capacity(years.values.len() * 12);
    let mut values = Vec::with_capacity(years.values.len() * 12);
    for (r, &y) in years.values.iter().enumerate() {
        if !y.is_finite() || y.fract() != 0.0 {
            return Err(Error::input(path, format!("column `{}`, data row {}: {y} is not a year", wide.year, r + 1)));
        }
        for (k, m) in months.iter().enumerate() {
            times.push(cal.to_days(&DateTime::ymd(y as i64, k as u32 + 1, 1)));
            values.push(m[r]);
        }
    }
    if values.iter().all(|v| v.is_nan()) {
        return Err(Error::input(path, "the month columns hold no values"));
    }
    Frame::new(path.to_path_buf(), cal, times, vec![Column::new(name, values)])
}

fn numeric_column_allow_empty(path: &Path, df: &DataFrame, name: &str) -> Result<Vec<f64>> {
    let col = df.column(name).map_err(|_| Error::input(path, format!("no column `{name}`")))?;
    if col.dtype() == &DataType::Null {
        return Ok(vec![f64::NAN; col.len()]);
    }
    if !col.dtype().is_primitive_numeric() {
        return Err(Error::input(path, format!("column `{name}` holds {} values, not numbers", col.dtype())));
    }
    let cast = col.cast(&DataType::Float64).map_err(|e| Error::input(path, e.to_string()))?;
    Ok(cast.f64().map_err(|e| Error::input(path, e.to_string()))?.iter().map(|v| v.unwrap_or(f64::NAN)).collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::series::Step;
    use crate::test_data::co2_path;
    use std::path::PathBuf;

    fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
        let p = dir.join(name);
        std::fs::write(&p, text).unwrap();
        p
    }

    #[test]
    fn co2_reads_as_a_weekly_series_with_its_gaps() {
        // pandas 3.1.1 (tests/fixtures/co2_reference.json, "parse"): 2284 rows, 59 missing,
        // 1958-03-29 .. 2001-12-29, every step 7 days, first missing rows 6, 9, 10, 11, 12.
        let f = read_series_table(&co2_path(), &TableOptions::default()).unwrap();
        assert_eq!(f.len(), 2284);
        assert_eq!(f.columns.len(), 1);
        let co2 = f.column("co2").unwrap();
        assert_eq!(co2.missing(), 59);
        let missing: Vec<usize> = (0..f.len()).filter(|&i| co2.values[i].is_nan()).take(5).collect();
        assert_eq!(missing, [6, 9, 10, 11, 12]);
        assert_eq!(f.date(0), DateTime::ymd(1958, 3, 29));
        assert_eq!(f.date(f.len() - 1), DateTime::ymd(2001, 12, 29));
        assert_eq!(f.step(), Step::Days(7.0));
        assert!(f.time_gaps().is_empty());
    }

    #[test]
    fn text_dates_in_common_spellings_and_integer_years() {
        let dir = tempfile::tempdir().unwrap();
        let iso = write(dir.path(), "a.csv", "when,x\n2012-01-01,1\n2012-01-02,\n2012-01-03,3\n");
        let slash = write(dir.path(), "b.csv", "when,x\n2012/01/01,1\n2012/01/02,\n2012/01/03,3\n");
        let (a, b) = (
            read_series_table(&iso, &TableOptions { time_column: Some("when".into()), ..Default::default() }).unwrap(),
            read_series_table(&slash, &TableOptions { time_column: Some("when".into()), ..Default::default() })
                .unwrap(),
        );
        assert_eq!(a.times, b.times);
        assert_eq!(a.step(), Step::Days(1.0));
        assert_eq!(a.column("x").unwrap().missing(), 1);
        let years = write(dir.path(), "y.csv", "year,t\n1990,1.5\n1991,2.5\n1993,3.0\n");
        let y = read_series_table(&years, &TableOptions::default()).unwrap();
        assert_eq!(y.step(), Step::Months(12));
        assert_eq!(y.time_gaps(), vec![(1, 1)]);
        let dmy = write(dir.path(), "d.csv", "date,x\n31/01/2012,1\n");
        let e = read_series_table(&dmy, &TableOptions::default()).unwrap_err().to_string();
        assert!(e.contains("d.csv") && e.contains("data row 1") && e.contains("--time-format"), "{e}");
        let ok = read_series_table(&dmy, &TableOptions { time_format: Some("%d/%m/%Y".into()), ..Default::default() });
        assert_eq!(ok.unwrap().date(0), DateTime::ymd(2012, 1, 31));
    }

    #[test]
    fn bad_tables_are_input_errors_naming_the_problem() {
        let dir = tempfile::tempdir().unwrap();
        let cases = [
            ("dup.csv", "date,x\n2012-01-01,1\n2012-01-01,2\n", "duplicated timestamp 2012-01-01 at data rows 1 and 2"),
            ("order.csv", "date,x\n2012-01-02,1\n2012-01-01,2\n", "not increasing"),
            ("null.csv", "date,x,y\n2012-01-01,1,\n2012-01-02,2,\n", "column `y` has no values"),
            ("text.csv", "date,x\n2012-01-01,a\n2012-01-02,b\n", "no numeric value column"),
            ("bad.csv", "date,x\n2012-13-45,1\n", "not a date"),
            ("ints.csv", "date,x\n5,1\n6,2\n", "neither years"),
        ];
        for (name, text, want) in cases {
            let p = write(dir.path(), name, text);
            let e = read_series_table(&p, &TableOptions::default()).unwrap_err();
            assert!(e.is_bad_input(), "{name}");
            let msg = e.to_string();
            assert!(msg.contains(name) && msg.contains(want), "{name}: {msg}");
        }
        let p = write(dir.path(), "x.csv", "date,x\n2012-01-01,1\n");
        let e = read_series_table(&p, &TableOptions { columns: Some(vec!["nope".into()]), ..Default::default() });
        assert!(e.unwrap_err().to_string().contains("no column `nope`"));
    }

    #[test]
    fn parquet_date_and_datetime_columns() {
        use polars::prelude::{Column as PlColumn, NamedFrom, Series, TimeUnit as Tu};
        let dir = tempfile::tempdir().unwrap();
        // 2000-01-01 is day 10957 after 1970-01-01.
        let days = Series::new("day".into(), &[10_957i32, 10_958, 10_960]).cast(&DataType::Date).unwrap();
        let ms = Series::new("stamp".into(), &[946_684_800_000i64, 946_688_400_000, 946_692_000_000])
            .cast(&DataType::Datetime(Tu::Milliseconds, None))
            .unwrap();
        let x = Series::new("x".into(), &[Some(1.0f64), None, Some(3.0)]);
        let mut df =
            polars::prelude::DataFrame::new(3, vec![PlColumn::from(days), PlColumn::from(ms), PlColumn::from(x)])
                .unwrap();
        let p = dir.path().join("t.parquet");
        scidl_data::readers::table::write_parquet(&mut df, &p).unwrap();
        let by_day = read_series_table(
            &p,
            &TableOptions { time_column: Some("day".into()), columns: Some(vec!["x".into()]), ..Default::default() },
        )
        .unwrap();
        assert_eq!(by_day.times, vec![10_957.0, 10_958.0, 10_960.0]);
        assert_eq!(by_day.date(2), DateTime::ymd(2000, 1, 4));
        assert!(by_day.columns[0].values[1].is_nan());
        let hourly = read_series_table(
            &p,
            &TableOptions { time_column: Some("stamp".into()), columns: Some(vec!["x".into()]), ..Default::default() },
        )
        .unwrap();
        assert_eq!(hourly.step(), Step::Days(1.0 / 24.0));
        assert_eq!(hourly.date(1).to_string(), "2000-01-01T01:00:00");
    }

    #[test]
    fn wide_month_table_becomes_a_monthly_series() {
        let dir = tempfile::tempdir().unwrap();
        let header = "Year,Jan,Feb,Mar,Apr,May,Jun,Jul,Aug,Sep,Oct,Nov,Dec";
        let p = write(
            dir.path(),
            "wide.csv",
            &format!("{header}\n2000,1,2,3,4,5,6,7,8,9,10,11,12\n2001,13,14,15,16,17,18,19,20,21,22,23,\n"),
        );
        let f = read_series_table(&p, &TableOptions::default()).unwrap();
        assert_eq!(f.len(), 24);
        assert_eq!(f.step(), Step::Months(1));
        assert_eq!(f.date(13), DateTime::ymd(2001, 2, 1));
        let v = &f.columns[0].values;
        assert_eq!((v[0], v[12], v[22]), (1.0, 13.0, 23.0));
        assert!(v[23].is_nan());
    }
}
