//! HDF5 files, through the system libhdf5 (the `hdf5-metno` bindings).
//!
//! [`list_datasets`] walks the whole file and says which datasets it holds (full path, shape,
//! element type); [`read_dataset`] reads one numeric dataset of any integer or float type into
//! an [`ArrayData`] of `f32`. HDF5's own error-stack printing to stderr is silenced: every failure
//! comes back as an [`Error`] that names the file.

use std::fs;
use std::io::{Read, Seek, SeekFrom};
use std::path::Path;

use ::hdf5::types::{FloatSize, IntSize, TypeDescriptor};
use ::hdf5::{Dataset, File, Group, LinkType, LocationToken, LocationType};

use super::{ArrayData, ArrayMeta};
use crate::{Error, Result};

/// The 8 bytes an HDF5 superblock starts with.
const HDF5_SIGNATURE: [u8; 8] = [0x89, b'H', b'D', b'F', b'\r', b'\n', 0x1a, b'\n'];

/// One dataset of an HDF5 file, as [`list_datasets`] finds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DatasetInfo {
    /// The full path from the root group, without a leading `/`, e.g.
    /// `"Scan 1/EBSD/Data/patterns"`; [`read_dataset`] takes it as is.
    pub path: String,
    /// The dimensions, outermost first (`[]` for a scalar dataset).
    pub shape: Vec<usize>,
    /// The element type: `"u8"`, `"i8"`, `"u16"`, `"i16"`, `"u32"`, `"i32"`, `"u64"`, `"i64"`,
    /// `"f32"` or `"f64"` for the numeric types [`read_dataset`] reads; HDF5's own description
    /// otherwise (`"bool"`, `"string (len 7)"`, `"compound (3 fields)"`, ...), or
    /// `"unsupported"` when the bindings cannot describe it (e.g. 16-bit floats).
    pub dtype: String,
}

/// Our short name of a numeric HDF5 type, or `None` for a non-numeric one.
fn numeric_name(td: &TypeDescriptor) -> Option<&'static str> {
    Some(match td {
        TypeDescriptor::Unsigned(IntSize::U1) => "u8",
        TypeDescriptor::Integer(IntSize::U1) => "i8",
        TypeDescriptor::Unsigned(IntSize::U2) => "u16",
        TypeDescriptor::Integer(IntSize::U2) => "i16",
        TypeDescriptor::Unsigned(IntSize::U4) => "u32",
        TypeDescriptor::Integer(IntSize::U4) => "i32",
        TypeDescriptor::Unsigned(IntSize::U8) => "u64",
        TypeDescriptor::Integer(IntSize::U8) => "i64",
        TypeDescriptor::Float(FloatSize::U4) => "f32",
        TypeDescriptor::Float(FloatSize::U8) => "f64",
        _ => return None,
    })
}

/// The element type of `ds` as [`DatasetInfo::dtype`] spells it.
fn dtype_name(ds: &Dataset) -> String {
    match ds.dtype().and_then(|t| t.to_descriptor()) {
        Ok(td) => numeric_name(&td).map_or_else(|| td.to_string(), str::to_string),
        Err(_) => "unsupported".to_string(),
    }
}

/// Whether the file carries the HDF5 signature at offset 0, 512, 1024, 2048, ... (HDF5 allows a
/// user block of a power of two ≥ 512 bytes before the superblock).
fn has_hdf5_signature(path: &Path) -> Result<bool> {
    let mut f = fs::File::open(path).map_err(|e| Error::io(path, e))?;
    let len = f.metadata().map_err(|e| Error::io(path, e))?.len();
    let mut offset = 0u64;
    while offset + 8 <= len {
        let mut buf = [0u8; 8];
        f.seek(SeekFrom::Start(offset)).and_then(|_| f.read_exact(&mut buf)).map_err(|e| Error::io(path, e))?;
        if buf == HDF5_SIGNATURE {
            return Ok(true);
        }
        offset = if offset == 0 { 512 } else { offset * 2 };
    }
    Ok(false)
}

/// Opens `path` read-only, with HDF5's stderr error printing silenced.
///
/// A file that cannot be read gives [`Error::Io`]; one without the HDF5 signature gives
/// [`Error::Format`] saying it is not an HDF5 file; any other failure of libhdf5 gives
/// [`Error::Format`] with its message.
pub fn open(path: &Path) -> Result<File> {
    ::hdf5::silence_errors(true);
    match File::open(path) {
        Ok(f) => Ok(f),
        Err(e) => {
            // Tell a missing, unreadable or foreign file apart from a damaged HDF5 one.
            if !has_hdf5_signature(path)? {
                return Err(Error::format(path, "not an HDF5 file (it lacks the HDF5 signature)"));
            }
            Err(Error::format(path, format!("cannot open the HDF5 file: {e}")))
        }
    }
}

/// Appends the datasets under `group` (whose full path is `prefix`) to `out`, depth first in
/// name order. Only hard links are followed and each object is visited once, as `H5Ovisit`
/// (and h5py's `visititems`) do, so soft-link cycles and shared groups are harmless.
fn walk(
    path: &Path,
    group: &Group,
    prefix: &str,
    seen: &mut Vec<LocationToken>,
    out: &mut Vec<DatasetInfo>,
) -> Result<()> {
    let h5err = |e: ::hdf5::Error| Error::format(path, format!("cannot list the group `/{prefix}`: {e}"));
    let mut names = Vec::new();
    group
        .iter_visit_default(|name, info| {
            if info.link_type == LinkType::Hard {
                names.push(name.to_string());
            }
            Ok(())
        })
        .map_err(h5err)?;
    names.sort();
    for name in names {
        let full = if prefix.is_empty() { name.clone() } else { format!("{prefix}/{name}") };
        let info = group.loc_info_by_name(&name).map_err(h5err)?;
        if seen.contains(&info.token) {
            continue;
        }
        seen.push(info.token);
        match info.loc_type {
            LocationType::Group => {
                let sub = group.group(&name).map_err(h5err)?;
                walk(path, &sub, &full, seen, out)?;
            }
            LocationType::Dataset => {
                let ds = group.dataset(&name).map_err(h5err)?;
                out.push(DatasetInfo { shape: ds.shape(), dtype: dtype_name(&ds), path: full });
            }
            LocationType::NamedDatatype => {}
        }
    }
    Ok(())
}

/// Lists every dataset of the HDF5 file at `path`, recursively through all groups, sorted by
/// path (name order within each group, depth first).
///
/// Each object reached through hard links is listed once, under the first path found; soft and
/// external links are not followed.
///
/// Fails with [`Error::Io`] if the file cannot be read, and with [`Error::Format`] (naming the
/// file) if it is not an HDF5 file or libhdf5 cannot open or walk it.
pub fn list_datasets(path: &Path) -> Result<Vec<DatasetInfo>> {
    let file = open(path)?;
    let mut out = Vec::new();
    let mut seen = Vec::new();
    walk(path, &file, "", &mut seen, &mut out)?;
    Ok(out)
}

/// Reads the numeric dataset `name` of the HDF5 file at `path` into `f32` values.
///
/// `name` is the full path of the dataset, as [`list_datasets`] gives it (a leading `/` is
/// allowed). Any integer or float type of 1 to 8 bytes is read and converted: 64-bit integers
/// beyond ±2^24 and `f64` values are rounded to the nearest `f32`. `meta.dtype` records the stored
/// type (`"u8"`, `"i8"`, `"u16"`, `"i16"`, `"u32"`, `"i32"`, `"u64"`, `"i64"`, `"f32"`, `"f64"`);
/// the shape is the dataset's (`[]` for a scalar); `meta.pixel_size` is `None`.
///
/// Fails with [`Error::Io`] if the file cannot be read, and with [`Error::Format`] naming the
/// file if it is not HDF5, if it holds no dataset `name` (the message lists the datasets it has,
/// or says that `name` is a group), if the dataset's type is not numeric (the message names the
/// type), or if libhdf5 fails to read the values.
pub fn read_dataset(path: &Path, name: &str) -> Result<ArrayData> {
    let file = open(path)?;
    let rel = name.trim_start_matches('/');
    let is_dataset = !rel.is_empty() && matches!(file.loc_type_by_name(rel), Ok(LocationType::Dataset));
    if !is_dataset {
        if !rel.is_empty() && matches!(file.loc_type_by_name(rel), Ok(LocationType::Group)) {
            return Err(Error::format(path, format!("`{name}` is a group, not a dataset")));
        }
        let available = list_datasets(path)?;
        let listing = if available.is_empty() {
            "the file holds no datasets".to_string()
        } else {
            let paths: Vec<&str> = available.iter().map(|d| d.path.as_str()).collect();
            format!("available datasets: {}", paths.join(", "))
        };
        return Err(Error::format(path, format!("no dataset `{name}`; {listing}")));
    }
    let h5err = |e: ::hdf5::Error| Error::format(path, format!("cannot read the dataset `{name}`: {e}"));
    let ds = file.dataset(rel).map_err(h5err)?;
    let td = ds.dtype().and_then(|t| t.to_descriptor()).map_err(|e| {
        Error::format(
            path,
            format!("dataset `{name}` has an unsupported element type ({e}); expected an integer or float type"),
        )
    })?;
    let Some(dtype) = numeric_name(&td) else {
        return Err(Error::format(
            path,
            format!("dataset `{name}` is of type {td}, not numeric; expected an integer or float type"),
        ));
    };
    let values: Vec<f32> = match td {
        TypeDescriptor::Unsigned(IntSize::U1) => conv(ds.read_raw::<u8>().map_err(h5err)?),
        TypeDescriptor::Integer(IntSize::U1) => conv(ds.read_raw::<i8>().map_err(h5err)?),
        TypeDescriptor::Unsigned(IntSize::U2) => conv(ds.read_raw::<u16>().map_err(h5err)?),
        TypeDescriptor::Integer(IntSize::U2) => conv(ds.read_raw::<i16>().map_err(h5err)?),
        TypeDescriptor::Unsigned(IntSize::U4) => {
            ds.read_raw::<u32>().map_err(h5err)?.into_iter().map(|v| v as f32).collect()
        }
        TypeDescriptor::Integer(IntSize::U4) => {
            ds.read_raw::<i32>().map_err(h5err)?.into_iter().map(|v| v as f32).collect()
        }
        TypeDescriptor::Unsigned(IntSize::U8) => {
            ds.read_raw::<u64>().map_err(h5err)?.into_iter().map(|v| v as f32).collect()
        }
        TypeDescriptor::Integer(IntSize::U8) => {
            ds.read_raw::<i64>().map_err(h5err)?.into_iter().map(|v| v as f32).collect()
        }
        TypeDescriptor::Float(FloatSize::U4) => ds.read_raw::<f32>().map_err(h5err)?,
        TypeDescriptor::Float(FloatSize::U8) => {
            ds.read_raw::<f64>().map_err(h5err)?.into_iter().map(|v| v as f32).collect()
        }
        // `numeric_name` accepted only the types above.
        _ => unreachable!("non-numeric type {td} passed the check"),
    };
    Ok(ArrayData {
        shape: ds.shape(),
        values,
        meta: ArrayMeta { source: path.to_path_buf(), dtype: dtype.to_string(), pixel_size: None },
    })
}

/// Lossless conversion of small integers to `f32`.
fn conv<T: Into<f32>>(v: Vec<T>) -> Vec<f32> {
    v.into_iter().map(Into::into).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::readers::assert_format_err;

    /// `data/patterns.h5`: real EBSD patterns from nickel (kikuchipy 0.13.1, CC-BY-4.0).
    fn patterns_h5() -> std::path::PathBuf {
        Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../../data/patterns.h5")).to_path_buf()
    }

    #[test]
    fn reads_ebsd_patterns() {
        // Reference values: h5py 3.16.0 + numpy 2.4.6, patterns.h5:
        //   d = h5py.File(p)["Scan 1/EBSD/Data/patterns"][()]
        //   d.shape (9, 60, 60), d.dtype uint8, int(d.sum()) 4732574, d.min() 23, d.max() 246,
        //   d[0,0,0] 90, d[0,0,1] 90, d[0,30,30] 224, d[4,10,20] 181, d[8,59,59] 28, d[8,0,59] 30,
        //   argmax (1, 24, 26).
        let p = patterns_h5();
        let a = read_dataset(&p, "Scan 1/EBSD/Data/patterns").unwrap();
        assert_eq!(a.shape, vec![9, 60, 60]);
        assert_eq!(a.values.len(), 9 * 60 * 60);
        assert_eq!(a.meta.dtype, "u8");
        assert_eq!(a.meta.source, p);
        assert_eq!(a.meta.pixel_size, None);
        let sum: f64 = a.values.iter().map(|&v| f64::from(v)).sum();
        assert_eq!(sum, 4_732_574.0);
        let min = a.values.iter().copied().fold(f32::INFINITY, f32::min);
        let max = a.values.iter().copied().fold(f32::NEG_INFINITY, f32::max);
        assert_eq!((min, max), (23.0, 246.0));
        let at = |i: usize, y: usize, x: usize| a.values[(i * 60 + y) * 60 + x];
        assert_eq!(
            [at(0, 0, 0), at(0, 0, 1), at(0, 30, 30), at(4, 10, 20), at(8, 59, 59), at(8, 0, 59)],
            [90., 90., 224., 181., 28., 30.]
        );
        assert_eq!(at(1, 24, 26), 246.0);

        // A leading slash names the same dataset; the tensor has the dataset's shape.
        let b = read_dataset(&p, "/Scan 1/EBSD/Data/patterns").unwrap();
        assert_eq!(b.values, a.values);
        let t = a.to_tensor(&candle_core::Device::Cpu).unwrap();
        assert_eq!(t.dims(), &[9, 60, 60]);
    }

    #[test]
    fn reads_other_numeric_types() {
        // h5py 3.16.0 + numpy 2.4.6, patterns.h5: int64, int32 and float64 datasets.
        let p = patterns_h5();
        let a = read_dataset(&p, "Scan 1/EBSD/Header/n_columns").unwrap();
        assert_eq!((a.shape, a.values, a.meta.dtype.as_str()), (vec![1], vec![3.0], "i64"));
        let a =
            read_dataset(&p, "Scan 1/EBSD/CrystalMap/crystal_map/header/phases/0/structure/atoms/0/element").unwrap();
        assert_eq!((a.values, a.meta.dtype.as_str()), (vec![28.0], "i32"));
        let a = read_dataset(&p, "Scan 1/EBSD/CrystalMap/crystal_map/data/Phi").unwrap();
        assert_eq!((a.shape.as_slice(), a.meta.dtype.as_str()), (&[9][..], "f64"));
        // d.tolist()[0], [1] and [8], rounded to f32 as the reader does.
        assert_eq!(a.values[0], 0.997_208_940_670_508_1_f64 as f32);
        assert_eq!(a.values[1], 1.077_411_374_872_901_f64 as f32);
        assert_eq!(a.values[8], 1.588_354_744_692_685_3_f64 as f32);
        let a = read_dataset(&p, "Scan 1/EBSD/Header/pcx").unwrap();
        assert_eq!(a.shape, vec![3, 3]);
        assert_eq!(a.values[0], 0.421_484_395_969_824_7_f64 as f32);
        assert_eq!(a.values[8], 0.422_485_033_537_596_64_f64 as f32);
    }

    #[test]
    fn lists_every_dataset() {
        // h5py 3.16.0, patterns.h5: visititems finds 106 datasets.
        let p = patterns_h5();
        let list = list_datasets(&p).unwrap();
        assert_eq!(list.len(), 106);
        let patterns = list.iter().find(|d| d.path == "Scan 1/EBSD/Data/patterns").unwrap();
        assert_eq!(patterns.shape, vec![9, 60, 60]);
        assert_eq!(patterns.dtype, "u8");
        let bg = list.iter().find(|d| d.path == "Scan 2/EBSD/Header/static_background").unwrap();
        assert_eq!((bg.shape.as_slice(), bg.dtype.as_str()), (&[60, 60][..], "u8"));
        let phi = list.iter().find(|d| d.path == "Scan 1/EBSD/CrystalMap/crystal_map/data/Phi").unwrap();
        assert_eq!(phi.dtype, "f64");
        let top = list.iter().find(|d| d.path == "manufacturer").unwrap();
        assert!(top.dtype.contains("string"), "{}", top.dtype);
        let mut sorted: Vec<&str> = list.iter().map(|d| d.path.as_str()).collect();
        sorted.sort();
        assert_eq!(sorted, list.iter().map(|d| d.path.as_str()).collect::<Vec<_>>());
    }

    #[test]
    fn missing_dataset_lists_the_available_ones() {
        let p = patterns_h5();
        for name in ["Scan 1/EBSD/Data/nope", "Scan 3/EBSD/Data/patterns", "", "/"] {
            let err = read_dataset(&p, name).unwrap_err();
            let msg = err.to_string();
            assert_format_err(err, &p, "available datasets");
            assert!(msg.contains(&format!("no dataset `{name}`")), "{msg}");
            assert!(msg.contains("Scan 1/EBSD/Data/patterns"), "{msg}");
            assert!(msg.contains("Scan 2/SEM/Header/microscope"), "{msg}");
        }
        assert_format_err(read_dataset(&p, "Scan 1/EBSD/Data").unwrap_err(), &p, "is a group, not a dataset");
    }

    #[test]
    fn non_numeric_dataset_is_an_error() {
        let p = patterns_h5();
        // A fixed-length string (h5py: |S5 b'orix').
        let err = read_dataset(&p, "Scan 1/EBSD/CrystalMap/manufacturer").unwrap_err();
        let msg = err.to_string();
        assert_format_err(err, &p, "not numeric");
        assert!(msg.contains("Scan 1/EBSD/CrystalMap/manufacturer") && msg.contains("string"), "{msg}");
        // A boolean (h5py stores it as an enum).
        let err = read_dataset(&p, "Scan 1/EBSD/CrystalMap/crystal_map/data/is_in_data").unwrap_err();
        assert_format_err(err, &p, "is_in_data");
    }

    #[test]
    fn other_files_are_errors_naming_them() {
        let dir = tempfile::tempdir().unwrap();
        let text = dir.path().join("notes.h5");
        fs::write(&text, "this is a text file, not HDF5\n").unwrap();
        assert_format_err(read_dataset(&text, "x").unwrap_err(), &text, "not an HDF5 file");
        assert_format_err(list_datasets(&text).unwrap_err(), &text, "not an HDF5 file");

        let empty = dir.path().join("empty.h5");
        fs::write(&empty, "").unwrap();
        assert_format_err(list_datasets(&empty).unwrap_err(), &empty, "not an HDF5 file");

        // The signature but a truncated superblock.
        let cut = dir.path().join("cut.h5");
        fs::write(&cut, &fs::read(patterns_h5()).unwrap()[..100]).unwrap();
        assert_format_err(list_datasets(&cut).unwrap_err(), &cut, "cannot open the HDF5 file");

        let missing = dir.path().join("missing.h5");
        let err = read_dataset(&missing, "x").unwrap_err();
        assert!(matches!(err, Error::Io { .. }), "{err:?}");
        assert!(err.to_string().contains("missing.h5"));
    }
}
