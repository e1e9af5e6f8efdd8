//! A plain numeric CSV reader (optionally gzip-compressed): every cell a number, an optional header
//! row. Tables with dates, text or missing values go through the polars-based readers of the
//! pipelines; this one serves all-numeric files such as the bundled digits set.

use super::idx::read_maybe_gz;
use crate::{Error, Result};
use std::path::Path;

/// A dense numeric table, row-major.
#[derive(Debug, Clone, PartialEq)]
pub struct NumericTable {
    /// Column names (`col0`, `col1`, ... when the file has no header).
    pub header: Vec<String>,
    /// Number of data rows.
    pub rows: usize,
    /// Values, `rows * header.len()`.
    pub values: Vec<f32>,
}

impl NumericTable {
    /// Column `c` as a vector.
    pub fn column(&self, c: usize) -> Vec<f32> {
        let w = self.header.len();
        (0..self.rows).map(|r| self.values[r * w + c]).collect()
    }
}

/// Reads a comma-separated numeric table. A first row that does not parse as numbers is the header.
/// Errors name the file, the 1-based line and the column for ragged rows, empty cells, text and NaN.
pub fn read_numeric_csv(path: &Path) -> Result<NumericTable> {
    let bytes = read_maybe_gz(path)?;
    let text = String::from_utf8(bytes).map_err(|_| Error::format(path, "not UTF-8 text"))?;
    let mut header: Option<Vec<String>> = None;
    let mut values = Vec::new();
    let mut rows = 0usize;
    for (ln, line) in text.lines().enumerate() {
        let line = line.trim_end_matches('\r');
        if line.trim().is_empty() {
            continue;
        }
        let cells: Vec<&str> = line.split(',').map(str::trim).collect();
        if header.is_none() && rows == 0 && cells.iter().any(|c| c.parse::<f64>().is_err()) {
            header = Some(cells.iter().map(|c| c.to_string()).collect());
            continue;
        }
        let width = header.as_ref().map_or(cells.len(), Vec::len);
        if header.is_none() {
            header = Some((0..cells.len()).map(|i| format!("col{i}")).collect());
        }
        if cells.len() != width {
            return Err(Error::format(path, format!("line {}: {} cells, expected {width}", ln + 1, cells.len())));
        }
        for (c, cell) in cells.iter().enumerate() {
            if cell.is_empty() {
                return Err(Error::format(path, format!("line {} column {}: missing value", ln + 1, c + 1)));
            }
            let v: f64 = cell.parse().map_err(|_| {
                Error::format(path, format!("line {} column {}: `{cell}` is not a number", ln + 1, c + 1))
            })?;
            if !v.is_finite() {
                return Err(Error::format(
                    path,
                    format!("line {} column {}: non-finite value `{cell}`", ln + 1, c + 1),
                ));
            }
            values.push(v as f32);
        }
        rows += 1;
    }
    if rows == 0 {
        return Err(Error::format(path, "no data rows"));
    }
    Ok(NumericTable { header: header.unwrap_or_default(), rows, values })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_bundled_digits() {
        // data/digits.csv.gz: scikit-learn's digits, 1797 rows of 64 pixels (0..16) + label; class counts
        // 178, 182, 177, 183, 181, 182, 181, 179, 174, 180 (sklearn.datasets.load_digits, np.bincount(target)).
        let p = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../../data/digits.csv.gz"));
        let t = read_numeric_csv(p).unwrap();
        assert_eq!((t.rows, t.header.len()), (1797, 65));
        let mut counts = [0usize; 10];
        for l in t.column(64) {
            counts[l as usize] += 1;
        }
        assert_eq!(counts, [178, 182, 177, 183, 181, 182, 181, 179, 174, 180]);
        assert!(t.values.iter().all(|&v| (0.0..=16.0).contains(&v)));
    }

    #[test]
    fn errors_name_line_and_column() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("t.csv");
        std::fs::write(&p, "a,b\n1,2\n3,x\n").unwrap();
        let e = read_numeric_csv(&p).unwrap_err().to_string();
        assert!(e.contains("t.csv") && e.contains("line 3 column 2"), "{e}");
        std::fs::write(&p, "1,2\n3\n").unwrap();
        assert!(read_numeric_csv(&p).unwrap_err().to_string().contains("line 2: 1 cells, expected 2"));
        std::fs::write(&p, "1,2\n3,\n").unwrap();
        assert!(read_numeric_csv(&p).unwrap_err().to_string().contains("missing value"));
        std::fs::write(&p, "1,nan\n").unwrap();
        assert!(read_numeric_csv(&p).unwrap_err().to_string().contains("non-finite"));
    }
}
