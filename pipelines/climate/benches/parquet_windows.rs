//! Loading + windowing a Parquet series, the job `benches/climate_parquet.py` times for
//! pandas + numpy (same definitions, same checksum): read `time,value,cov1,cov2`, check the time
//! is strictly increasing, normalise `value` with the first 80 % of rows, and materialise windows
//! `X (n, 64, 3)` and targets `Y (n, 16)` every 16 rows as contiguous f32.
//!
//! `cargo bench -p scidl-climate --bench parquet_windows -- --file F.parquet --repeat 3`
//! (the file is made by the Python script); prints one JSON line per run.

use polars::prelude::{ParquetReader, SerReader};
use rayon::prelude::*;
use std::time::Instant;

const L: usize = 64;
const H: usize = 16;
const STRIDE: usize = 16;

fn job(path: &str) -> Result<(usize, usize, f64), String> {
    let file = std::fs::File::open(path).map_err(|e| format!("{path}: {e}"))?;
    let mut df = ParquetReader::new(file)
        .with_columns(Some(vec!["time".into(), "value".into(), "cov1".into(), "cov2".into()]))
        .finish()
        .map_err(|e| format!("{path}: {e}"))?;
    // One chunk per column (a large file arrives in several row groups), in parallel over columns.
    df.rechunk_mut_par();
    let col = |n: &str| -> Result<Vec<f32>, String> {
        let c = df.column(n).map_err(|e| e.to_string())?.f32().map_err(|e| e.to_string())?.clone();
        c.cont_slice().map(<[f32]>::to_vec).map_err(|e| format!("{path}: {n}: {e}"))
    };
    let time = df.column("time").map_err(|e| e.to_string())?.i64().map_err(|e| e.to_string())?.clone();
    let t = time.cont_slice().map_err(|e| format!("{path}: time: {e}"))?;
    if let Some(i) = (1..t.len()).into_par_iter().find_first(|&i| t[i] <= t[i - 1]) {
        return Err(format!("{path}: time is not strictly increasing at row {i}"));
    }
    let (value, cov1, cov2) = (col("value")?, col("cov1")?, col("cov2")?);
    let rows = value.len();
    let n_train = rows * 8 / 10;
    let mean = value[..n_train].par_iter().map(|&v| f64::from(v)).sum::<f64>() / n_train as f64;
    let var = value[..n_train].par_iter().map(|&v| (f64::from(v) - mean).powi(2)).sum::<f64>() / n_train as f64;
    let std = var.sqrt();
    let z: Vec<f32> = value.par_iter().map(|&v| ((f64::from(v) - mean) / std) as f32).collect();
    let n = (rows - L - H) / STRIDE + 1;
    let mut x = vec![0f32; n * L * 3];
    let mut y = vec![0f32; n * H];
    x.par_chunks_mut(L * 3).zip(y.par_chunks_mut(H)).enumerate().for_each(|(k, (xw, yw))| {
        let s = k * STRIDE;
        for r in 0..L {
            xw[3 * r] = z[s + r];
            xw[3 * r + 1] = cov1[s + r];
            xw[3 * r + 2] = cov2[s + r];
        }
        yw.copy_from_slice(&z[s + L..s + L + H]);
    });
    let checksum = x.par_iter().map(|&v| f64::from(v)).sum::<f64>() + y.par_iter().map(|&v| f64::from(v)).sum::<f64>();
    Ok((rows, n, checksum))
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let get = |k: &str| args.iter().position(|a| a == k).and_then(|i| args.get(i + 1)).cloned();
    let Some(file) = get("--file") else {
        eprintln!("usage: parquet_windows --file F.parquet [--repeat N]");
        return;
    };
    let repeat: usize = get("--repeat").and_then(|r| r.parse().ok()).unwrap_or(3);
    let mut times = Vec::new();
    for _ in 0..repeat {
        let t0 = Instant::now();
        match job(&file) {
            Ok((rows, n, checksum)) => {
                let s = t0.elapsed().as_secs_f64();
                times.push(s);
                println!(
                    "{{\"tool\":\"scidl\",\"rows\":{rows},\"windows\":{n},\"seconds\":{s:.4},\"checksum\":{checksum},\"threads\":{}}}",
                    rayon::current_num_threads()
                );
            }
            Err(e) => {
                eprintln!("error: {e}");
                std::process::exit(2);
            }
        }
    }
    times.sort_by(f64::total_cmp);
    println!("{{\"tool\":\"scidl\",\"median_seconds\":{:.4}}}", times[times.len() / 2]);
}
