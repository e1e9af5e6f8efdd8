//! End-to-end tests of the `scidl` binary: the demo, prediction from a checkpoint, and the
//! bad-input contract (message naming the file, exit code 2, no output written).

use std::path::Path;
use std::process::{Command, Output};

fn scidl(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_scidl"))
        .args(args)
        .env("SCIDL_NO_PROGRESS", "1")
        .env("RUST_LOG", "warn")
        .output()
        .expect("run scidl")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).to_string()
}

/// Writes the first `n` digits of the bundled set as 8x8 grey PNGs (raw values 0..16) and returns (path, label).
fn digit_pngs(dir: &Path, n: usize) -> Vec<(String, usize)> {
    let csv = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/digits.csv.gz");
    let t = scidl_data::readers::csv::read_numeric_csv(&csv).unwrap();
    (0..n)
        .map(|r| {
            let row = &t.values[r * 65..(r + 1) * 65];
            let px: Vec<u8> = row[..64].iter().map(|&v| v as u8).collect();
            let p = dir.join(format!("digit{r}.png"));
            scidl_data::readers::image::write_png_gray8(&p, 8, 8, &px).unwrap();
            (p.display().to_string(), row[64] as usize)
        })
        .collect()
}

#[test]
fn demo_trains_reports_and_its_checkpoint_predicts() {
    let d = tempfile::tempdir().unwrap();
    let run = d.path().join("demo");
    let o = scidl(&["demo", "--epochs", "6", "--run-dir", run.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let report = std::fs::read_to_string(run.join("report.md")).unwrap();
    assert!(report.contains("Test accuracy"), "{report}");
    for png in ["loss.png", "confusion.png"] {
        let bytes = std::fs::read(run.join(png)).unwrap();
        assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n", "{png} is a PNG");
    }
    let csv = std::fs::read_to_string(run.join("metrics.csv")).unwrap();
    assert_eq!(csv.lines().count(), 7, "header + 6 epochs:\n{csv}");
    assert!(run.join("checkpoints/best/manifest.json").exists());
    assert!(run.join("config.toml").exists());

    // The printed accuracy line: six epochs on the digits reach well above chance (0.1).
    let out = String::from_utf8_lossy(&o.stdout);
    let acc: f64 = out.split_whitespace().nth(2).and_then(|s| s.trim_end_matches(';').parse().ok()).unwrap();
    assert!(acc > 0.8, "test accuracy {acc}");

    // Predict the first 20 digits (training data, so nearly all must be right) from PNG files.
    let pngs = digit_pngs(d.path(), 20);
    let ckpt = run.join("checkpoints/best");
    let mut args = vec!["predict", "--checkpoint", ckpt.to_str().unwrap()];
    args.extend(pngs.iter().map(|(p, _)| p.as_str()));
    let o = scidl(&args);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = String::from_utf8_lossy(&o.stdout);
    let rows: Vec<&str> = text.lines().skip(1).collect();
    assert_eq!(rows.len(), 20);
    let right = rows.iter().zip(&pngs).filter(|(r, (_, l))| r.split(',').nth(2) == Some(&l.to_string())).count();
    assert!(right >= 17, "{right}/20 correct:\n{text}");

    // Bad input: an image of the wrong size -> exit 2, the file named, no output file written.
    let big = d.path().join("big.png");
    scidl_data::readers::image::write_png_gray8(&big, 9, 9, &[0u8; 81]).unwrap();
    let out_csv = d.path().join("pred.csv");
    let o = scidl(&[
        "predict",
        "--checkpoint",
        ckpt.to_str().unwrap(),
        "--out",
        out_csv.to_str().unwrap(),
        big.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("big.png") && stderr(&o).contains("does not match"), "{}", stderr(&o));
    assert!(!out_csv.exists());

    // A truncated weights file -> exit 2 naming it.
    let broken = d.path().join("broken");
    std::fs::create_dir_all(&broken).unwrap();
    std::fs::copy(ckpt.join("manifest.json"), broken.join("manifest.json")).unwrap();
    let w = std::fs::read(ckpt.join("model.safetensors")).unwrap();
    std::fs::write(broken.join("model.safetensors"), &w[..w.len() / 2]).unwrap();
    let o = scidl(&["predict", "--checkpoint", broken.to_str().unwrap(), &pngs[0].0]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("model.safetensors"), "{}", stderr(&o));
}

#[test]
fn missing_inputs_exit_2_with_the_path() {
    let o = scidl(&["predict", "--checkpoint", "/nonexistent/ckpt", "x.png"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("/nonexistent/ckpt"), "{}", stderr(&o));
    let o = scidl(&["case", "fashion-mnist", "--data-dir", "/nonexistent/fm", "--run-dir", "/tmp/scidl-never"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("/nonexistent/fm/train-images-idx3-ubyte.gz"), "{}", stderr(&o));
    let o = scidl(&["demo", "--device", "tpu"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("tpu"), "{}", stderr(&o));
}
