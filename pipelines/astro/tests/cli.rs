//! End-to-end checks of the `scidl-astro` binary on the real m13 image and broken files.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_scidl-astro"));
    c.env("SCIDL_NO_PROGRESS", "1");
    c
}

fn m13() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/m13.fits")
}

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/fits").join(name)
}

fn run(c: &mut Command) -> (Output, String) {
    let o = c.output().unwrap();
    let text = format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr));
    (o, text)
}

#[test]
fn detect_writes_csv_fits_segmentation_and_overlay() {
    let d = tempfile::tempdir().unwrap();
    let (csv, fits, seg, png) =
        (d.path().join("c.csv"), d.path().join("c.fits"), d.path().join("seg.fits"), d.path().join("o.png"));
    let (o, text) =
        run(bin().arg("detect").arg(m13()).arg("--out").arg(&csv).arg("--segmap").arg(&seg).arg("--overlay").arg(&png));
    assert!(o.status.success(), "{text}");
    let cat = std::fs::read_to_string(&csv).unwrap();
    let header = cat.lines().next().unwrap();
    for col in ["x", "y", "ra", "dec", "flux_iso", "flux_aper", "a", "b", "theta", "flag"] {
        assert!(header.split(',').any(|h| h == col), "{col} missing in {header}");
    }
    let rows = cat.lines().count() - 1;
    // SEP 1.4.1 finds 291 objects with the same defaults (tests/fixtures/m13_sep.csv).
    assert!((280..=300).contains(&rows), "{rows}");
    assert!(std::fs::metadata(&png).unwrap().len() > 10_000);
    let (o, text) = run(bin().arg("detect").arg(m13()).arg("--out").arg(&fits));
    assert!(o.status.success(), "{text}");
    let (o, text) = run(bin().arg("inspect").arg(&fits).arg("--json"));
    assert!(o.status.success(), "{text}");
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["hdus"][1]["kind"], "binary table");
    assert_eq!(v["hdus"][1]["shape"][0].as_u64().unwrap() as usize, rows);
    let (o, text) = run(bin().arg("inspect").arg(&seg).arg("--json"));
    assert!(o.status.success(), "{text}");
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["hdus"][0]["shape"], serde_json::json!([300, 300]));
    assert!((v["hdus"][0]["wcs"]["centre_ra"].as_f64().unwrap() - 250.4226).abs() < 0.01);
}

#[test]
fn photometry_at_positions_and_from_a_catalog() {
    let d = tempfile::tempdir().unwrap();
    let out = d.path().join("p.csv");
    let (o, text) = run(bin()
        .arg("photometry")
        .arg(m13())
        .args(["--at", "77.1083,3.4413", "--radius", "5", "--annulus", "6,10", "--out"])
        .arg(&out));
    assert!(o.status.success(), "{text}");
    let t = std::fs::read_to_string(&out).unwrap();
    let f: Vec<f64> = t.lines().nth(1).unwrap().split(',').map(|v| v.parse().unwrap()).collect();
    // SEP 1.4.1 sum_circle(r=5, bkgann=(6, 10)) at this object: 7551.5 (tests/fixtures/m13_sep.csv,
    // second row); scidl's overlap is exact, SEP's subsampled 5x5 and its annulus 1x1.
    assert!((f[2] - 7551.5).abs() / 7551.5 < 0.01, "{t}");
}

#[test]
fn broken_inputs_exit_2_and_write_nothing() {
    let d = tempfile::tempdir().unwrap();
    let out = d.path().join("never.csv");
    for (file, want) in [
        (fixture("truncated.fits"), "truncated"),
        (fixture("wrong_magic.fits"), "not a FITS file"),
        (fixture("table_only.fits"), "not an image"),
    ] {
        let (o, text) = run(bin().arg("detect").arg(&file).arg("--out").arg(&out));
        assert_eq!(o.status.code(), Some(2), "{text}");
        assert!(text.contains(file.file_name().unwrap().to_str().unwrap()) && text.contains(want), "{text}");
    }
    let (o, text) = run(bin().arg("detect").arg(fixture("multi_ext.fits")).args(["--hdu", "CAT", "--out"]).arg(&out));
    assert_eq!(o.status.code(), Some(2), "{text}");
    assert!(text.contains("HDU 3") && text.contains("not an image"), "{text}");
    // An all-NaN image.
    let nan = d.path().join("nan.fits");
    let (o, text) = run(bin()
        .arg("simulate")
        .arg("--out")
        .arg(d.path().join("s.fits"))
        .arg("--truth")
        .arg(d.path().join("t.csv"))
        .args(["--width", "32", "--height", "32", "--stars", "1", "--galaxies", "0"]));
    assert!(o.status.success(), "{text}");
    scidl_astro::fits::write_image(&nan, &[f32::NAN; 64], 8, 8, &[]).unwrap();
    let (o, text) = run(bin().arg("detect").arg(&nan).arg("--out").arg(&out));
    assert_eq!(o.status.code(), Some(2), "{text}");
    assert!(text.contains("nan.fits") && text.contains("masked"), "{text}");
    assert!(!out.exists());
}

#[test]
fn train_then_classify_adds_class_columns() {
    let d = tempfile::tempdir().unwrap();
    let run_dir = d.path().join("clf");
    let (o, text) = run(bin().args(["train", "--fields", "1", "--epochs", "1", "--run-dir"]).arg(&run_dir));
    assert!(o.status.success(), "{text}");
    let out = d.path().join("classes.csv");
    let (o, text) = run(bin()
        .arg("classify")
        .arg(m13())
        .arg("--checkpoint")
        .arg(run_dir.join("checkpoints/best"))
        .arg("--out")
        .arg(&out));
    assert!(o.status.success(), "{text}");
    let t = std::fs::read_to_string(&out).unwrap();
    let header: Vec<&str> = t.lines().next().unwrap().split(',').collect();
    assert!(header.ends_with(&["class", "p_star", "p_galaxy", "p_artifact"]), "{header:?}");
    for line in t.lines().skip(1) {
        let f: Vec<f64> = line.split(',').map(|v| v.parse().unwrap()).collect();
        let p = &f[f.len() - 3..];
        assert!((p.iter().sum::<f64>() - 1.0).abs() < 1e-4, "{line}");
    }
    // A checkpoint of another kind is refused.
    let (o, text) = run(bin()
        .arg("classify")
        .arg(m13())
        .arg("--checkpoint")
        .arg(d.path())
        .arg("--out")
        .arg(d.path().join("x.csv")));
    assert_eq!(o.status.code(), Some(2), "{text}");
}

/// `table`: the Chandra event list (binary table) and an ASCII table to CSV, a CSV back to a FITS
/// binary table; images and unknown outputs are refused with exit code 2.
#[test]
fn table_converts_fits_tables_and_csv() {
    let d = tempfile::tempdir().unwrap();
    let csv = d.path().join("events.csv");
    let (o, text) = run(bin().arg("table").arg(fixture("table_only.fits")).arg("--out").arg(&csv));
    assert!(o.status.success(), "{text}");
    let body = std::fs::read_to_string(&csv).unwrap();
    let mut lines = body.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    assert_eq!(header.len(), 19, "{header:?}");
    let pha = header.iter().position(|h| *h == "pha").unwrap();
    // astropy: pha = [1682, 1326].
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    assert_eq!((rows.len(), rows[0][pha], rows[1][pha]), (2, "1682", "1326"));
    let asc = d.path().join("asc.csv");
    let (o, text) = run(bin().arg("table").arg(fixture("tables.fits")).args(["--hdu", "ASC", "--out"]).arg(&asc));
    assert!(o.status.success(), "{text}");
    assert_eq!(std::fs::read_to_string(&asc).unwrap(), "ID,FLUX,TAG\n1,1.5,a\n2,2.5,bb\n3,-3.25,ccc\n");
    let fits = d.path().join("back.fits");
    let (o, text) = run(bin().arg("table").arg(&asc).arg("--out").arg(&fits));
    assert!(o.status.success(), "{text}");
    let again = d.path().join("again.csv");
    let (o, text) = run(bin().arg("table").arg(&fits).arg("--out").arg(&again));
    assert!(o.status.success(), "{text}");
    assert_eq!(std::fs::read_to_string(&again).unwrap(), std::fs::read_to_string(&asc).unwrap());
    for (input, out, want) in [
        (m13(), d.path().join("x.csv"), "no table HDU"),
        (fixture("odd_columns.fits"), d.path().join("x.csv"), "variable-length"),
        (fixture("tables.fits"), d.path().join("x.txt"), ".csv, .parquet or .fits"),
    ] {
        let (o, text) = run(bin().arg("table").arg(&input).arg("--out").arg(&out));
        assert_eq!(o.status.code(), Some(2), "{text}");
        assert!(text.contains(want) && !out.exists(), "{text}");
    }
}

/// `photometry --elliptical` reads a, b, theta from the catalog: a unit circle scaled by 5 measures
/// exactly what the r = 5 circle does (the same exact overlaps), a 2 x 1 ellipse scaled by 5 inside
/// the image covers pi * 10 * 5 pixels, and a catalog without the shape columns is refused with
/// exit code 2.
#[test]
fn elliptical_photometry_from_catalog_shapes() {
    let d = tempfile::tempdir().unwrap();
    let cat = d.path().join("cat.csv");
    std::fs::write(&cat, "x,y,a,b,theta\n77.1083,3.4413,1,1,0.7\n150.2,148.9,2,1,0\n").unwrap();
    let (circ, ell) = (d.path().join("c.csv"), d.path().join("e.csv"));
    let (o, text) =
        run(bin().arg("photometry").arg(m13()).arg("--catalog").arg(&cat).args(["--radius", "5", "--out"]).arg(&circ));
    assert!(o.status.success(), "{text}");
    let (o, text) = run(bin()
        .arg("photometry")
        .arg(m13())
        .arg("--catalog")
        .arg(&cat)
        .args(["--radius", "5", "--elliptical", "--out"])
        .arg(&ell));
    assert!(o.status.success(), "{text}");
    let rows = |p: &std::path::Path| -> Vec<Vec<f64>> {
        std::fs::read_to_string(p)
            .unwrap()
            .lines()
            .skip(1)
            .map(|l| l.split(',').map(|v| v.parse().unwrap()).collect())
            .collect()
    };
    let (c, e) = (rows(&circ), rows(&ell));
    assert!((c[0][2] - e[0][2]).abs() <= 1e-9 * c[0][2].abs(), "{c:?} {e:?}");
    // The first star is 3.4 px from the edge: both apertures lose the same area there.
    assert!((c[0][4] - e[0][4]).abs() < 1e-9 && c[0][4] < std::f64::consts::PI * 25.0, "{c:?} {e:?}");
    assert!((e[1][4] - std::f64::consts::PI * 50.0).abs() < 1e-9, "area {}", e[1][4]);
    let bare = d.path().join("bare.csv");
    std::fs::write(&bare, "x,y\n77.1,3.4\n").unwrap();
    let never = d.path().join("never.csv");
    let (o, text) =
        run(bin().arg("photometry").arg(m13()).arg("--catalog").arg(&bare).args(["--elliptical", "--out"]).arg(&never));
    assert_eq!(o.status.code(), Some(2), "{text}");
    assert!(text.contains("a, b and theta") && !never.exists(), "{text}");
}
