//! End-to-end checks of the `scidl-climate` binary: real files in, outputs and exit codes out.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_scidl-climate"));
    c.env("SCIDL_NO_PROGRESS", "1").arg("--threads").arg("2");
    c
}

fn data(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data").join(name)
}

fn run(c: &mut Command) -> (Output, String) {
    let o = c.output().unwrap();
    let text = format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr));
    (o, text)
}

fn bad_input(args: &[&str], want: &[&str]) {
    let (o, text) = run(bin().args(args));
    assert_eq!(o.status.code(), Some(2), "{args:?}: {text}");
    for w in want {
        assert!(text.contains(w), "{args:?}: `{w}` not in {text}");
    }
}

#[test]
fn inspect_reports_the_series_and_the_netcdf_variables() {
    let (o, text) = run(bin().arg("inspect").arg(data("co2.csv")).arg("--json"));
    assert!(o.status.success(), "{text}");
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["series"]["rows"], 2284);
    assert_eq!(v["series"]["step"], "7 days");
    assert_eq!(v["series"]["columns"][0]["missing"], 59);
    assert_eq!(v["series"]["first"], "1958-03-29");

    let (o, text) = run(bin().arg("inspect").arg(data("ostia_monthly.nc")).arg("--json"));
    assert!(o.status.success(), "{text}");
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["time_axes"]["time"]["first"], "2006-04-16");
    assert_eq!(v["time_axes"]["time"]["steps"], 54);
    let vars: Vec<&str> = v["variables"].as_array().unwrap().iter().map(|x| x["name"].as_str().unwrap()).collect();
    assert!(vars.contains(&"surface_temperature"), "{vars:?}");
}

#[test]
fn bad_inputs_exit_2_naming_the_file_and_the_problem() {
    let dir = tempfile::tempdir().unwrap();
    let unsorted = dir.path().join("unsorted.csv");
    std::fs::write(&unsorted, "date,x\n2000-01-08,1\n2000-01-01,2\n").unwrap();
    let dup = dir.path().join("dup.csv");
    std::fs::write(&dup, "date,x\n2000-01-01,1\n2000-01-01,2\n").unwrap();
    let garbage = dir.path().join("bad.csv");
    std::fs::write(&garbage, "date,x\nyesterday,1\n").unwrap();
    let cut = dir.path().join("cut.parquet");
    std::fs::write(&cut, b"PAR1\x00\x01\x02").unwrap();
    let s = |p: &Path| p.display().to_string();
    bad_input(&["inspect", &s(&unsorted)], &["unsorted.csv", "not increasing"]);
    bad_input(&["inspect", &s(&dup)], &["dup.csv", "duplicated timestamp"]);
    bad_input(&["inspect", &s(&garbage)], &["bad.csv", "`yesterday` is not a date"]);
    bad_input(&["inspect", &s(&cut)], &["cut.parquet"]);
    bad_input(&["inspect", &s(&data("example_1_classic.nc"))], &["example_1_classic.nc", "NetCDF-3"]);
    bad_input(
        &["inspect", &s(&data("ostia_monthly.nc")), "--variable", "sst"],
        &["ostia_monthly.nc", "no variable `sst`"],
    );
    let out = dir.path().join("never.csv");
    bad_input(
        &["detect-anomalies", &s(&data("co2.csv")), "--target", "nope", "--out", &s(&out)],
        &["co2.csv", "no column `nope`"],
    );
    bad_input(
        &[
            "train",
            &s(&data("co2.csv")),
            "--target",
            "co2",
            "--lookback",
            "5000",
            "--run-dir",
            &s(&dir.path().join("r")),
        ],
        &["co2.csv", "lookback 5000"],
    );
    assert!(!out.exists(), "no output after a failure");
}

#[test]
fn train_then_forecast_writes_every_step_with_its_quantiles() {
    let dir = tempfile::tempdir().unwrap();
    let run_dir = dir.path().join("run");
    let (o, text) = run(bin()
        .args(["train"])
        .arg(data("co2.csv"))
        .args([
            "--target",
            "co2",
            "--model",
            "gru",
            "--lookback",
            "26",
            "--horizon",
            "8",
            "--epochs",
            "1",
            "--train-end",
            "1990-12-31",
            "--run-dir",
        ])
        .arg(&run_dir));
    assert!(o.status.success(), "{text}");
    assert!(run_dir.join("config.toml").exists() && run_dir.join("metrics.csv").exists());
    let out = dir.path().join("fc.parquet");
    let png = dir.path().join("fc.png");
    let (o, text) = run(bin()
        .arg("forecast")
        .arg(data("co2.csv"))
        .arg("--checkpoint")
        .arg(run_dir.join("checkpoints/best"))
        .arg("--out")
        .arg(&out)
        .arg("--plot")
        .arg(&png)
        .args(["--origin", "1995-06-30"]));
    assert!(o.status.success(), "{text}");
    let df = scidl_data::readers::table::read_table(&out).unwrap();
    assert_eq!(df.height(), 8);
    let names: Vec<String> = df.get_column_names().iter().map(|n| n.to_string()).collect();
    assert_eq!(names, ["time", "horizon", "forecast", "q0.1", "q0.5", "q0.9"]);
    // The origin is the last week at or before 1995-06-30 (Saturday 1995-06-24); one week later:
    assert_eq!(df.column("time").unwrap().str().unwrap().get(0), Some("1995-07-01"));
    assert!(std::fs::metadata(&png).unwrap().len() > 1000);
}

#[test]
fn baseline_backtest_and_anomaly_detection_write_their_tables() {
    let dir = tempfile::tempdir().unwrap();
    let (o, text) = run(bin()
        .arg("backtest")
        .arg(data("co2.csv"))
        .args([
            "--target",
            "co2",
            "--train-end",
            "1990-12-31",
            "--baselines-only",
            "--horizons",
            "1,13",
            "--horizon",
            "13",
            "--run-dir",
        ])
        .arg(dir.path().join("bt")));
    assert!(o.status.success(), "{text}");
    let csv = std::fs::read_to_string(dir.path().join("bt/backtest.csv")).unwrap();
    // co2_reference.json "naive_backtest": persistence RMSE at h = 1 over 574 origins is 0.52154.
    let row = csv.lines().find(|l| l.starts_with("persistence,1,")).unwrap();
    let f: Vec<&str> = row.split(',').collect();
    assert_eq!(f[2], "574");
    assert!((f[3].parse::<f64>().unwrap() - 0.5215395328453621).abs() < 1e-9, "{row}");
    assert!(dir.path().join("bt/skill_by_horizon.png").exists());

    let out = dir.path().join("anomalies.csv");
    let (o, text) =
        run(bin().arg("detect-anomalies").arg(data("co2.csv")).args(["--target", "co2", "--out"]).arg(&out));
    assert!(o.status.success(), "{text}");
    let text = std::fs::read_to_string(&out).unwrap();
    assert_eq!(text.lines().count(), 2285);
    let flagged = text.lines().skip(1).filter(|l| l.ends_with(",true")).count();
    // A 1 % false-alarm threshold on the first 80 % flags a handful of weeks, not hundreds.
    assert!((1..100).contains(&flagged), "{flagged}");
}
