//! The IDX format of MNIST and Fashion-MNIST, plain or gzipped.
//!
//! An IDX file is a 4-byte magic `00 00 <type> <ndims>`, then `ndims` big-endian `u32`
//! dimensions, then the values in row-major order, big-endian. Type codes: `0x08` u8, `0x09` i8,
//! `0x0B` i16, `0x0C` i32, `0x0D` f32, `0x0E` f64. The readers here gunzip the file first
//! whenever it starts with the gzip magic `1f 8b`, whatever its extension.

use std::fs;
use std::io::{BufWriter, Read, Write};
use std::path::Path;

use flate2::read::MultiGzDecoder;

use super::{ArrayData, ArrayMeta};
use crate::{Error, Result};

/// The two bytes every gzip stream starts with.
const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];
/// The most dimensions an IDX file may declare here.
const MAX_NDIMS: usize = 8;

/// The element types of IDX.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum IdxType {
    U8,
    I8,
    I16,
    I32,
    F32,
    F64,
}

impl IdxType {
    fn from_code(code: u8) -> Option<Self> {
        Some(match code {
            0x08 => IdxType::U8,
            0x09 => IdxType::I8,
            0x0B => IdxType::I16,
            0x0C => IdxType::I32,
            0x0D => IdxType::F32,
            0x0E => IdxType::F64,
            _ => return None,
        })
    }

    fn code(self) -> u8 {
        match self {
            IdxType::U8 => 0x08,
            IdxType::I8 => 0x09,
            IdxType::I16 => 0x0B,
            IdxType::I32 => 0x0C,
            IdxType::F32 => 0x0D,
            IdxType::F64 => 0x0E,
        }
    }

    fn size(self) -> usize {
        match self {
            IdxType::U8 | IdxType::I8 => 1,
            IdxType::I16 => 2,
            IdxType::I32 | IdxType::F32 => 4,
            IdxType::F64 => 8,
        }
    }

    fn name(self) -> &'static str {
        match self {
            IdxType::U8 => "u8",
            IdxType::I8 => "i8",
            IdxType::I16 => "i16",
            IdxType::I32 => "i32",
            IdxType::F32 => "f32",
            IdxType::F64 => "f64",
        }
    }
}

/// What the header of an IDX file says.
#[derive(Debug)]
struct Header {
    ty: IdxType,
    shape: Vec<usize>,
    /// Where the values start.
    data_offset: usize,
}

/// Reads the whole file, gunzipping it if it starts with the gzip magic.
pub(crate) fn read_maybe_gz(path: &Path) -> Result<Vec<u8>> {
    let raw = fs::read(path).map_err(|e| Error::io(path, e))?;
    if !raw.starts_with(&GZIP_MAGIC) {
        return Ok(raw);
    }
    let mut out = Vec::new();
    MultiGzDecoder::new(raw.as_slice())
        .read_to_end(&mut out)
        .map_err(|e| Error::format(path, format!("corrupt or truncated gzip stream: {e}")))?;
    Ok(out)
}

/// Parses and checks the header, and checks that exactly the announced number of value bytes
/// follows it.
fn parse_header(path: &Path, bytes: &[u8]) -> Result<Header> {
    let Some(magic) = bytes.get(..4) else {
        return Err(Error::format(
            path,
            format!("truncated IDX file: the header needs at least 4 bytes, found {}", bytes.len()),
        ));
    };
    if magic[0] != 0 || magic[1] != 0 {
        return Err(Error::format(
            path,
            format!(
                "not an IDX file: bad magic {:02x} {:02x} {:02x} {:02x} (expected 00 00 <type> <ndims>)",
                magic[0], magic[1], magic[2], magic[3]
            ),
        ));
    }
    let ty = IdxType::from_code(magic[2]).ok_or_else(|| {
        Error::format(
            path,
            format!(
                "unknown IDX type code 0x{:02X} (known: 0x08 u8, 0x09 i8, 0x0B i16, 0x0C i32, 0x0D f32, 0x0E f64)",
                magic[2]
            ),
        )
    })?;
    let ndims = usize::from(magic[3]);
    if ndims == 0 || ndims > MAX_NDIMS {
        return Err(Error::format(path, format!("IDX header declares {ndims} dimensions, expected 1 to {MAX_NDIMS}")));
    }
    let data_offset = 4 + 4 * ndims;
    let Some(dim_bytes) = bytes.get(4..data_offset) else {
        return Err(Error::format(
            path,
            format!(
                "truncated IDX file: the header of {ndims} dimensions needs {data_offset} bytes, found {}",
                bytes.len()
            ),
        ));
    };
    let mut shape = Vec::with_capacity(ndims);
    for d in dim_bytes.chunks_exact(4) {
        let d = u32::from_be_bytes([d[0], d[1], d[2], d[3]]);
        let d = usize::try_from(d)
            .map_err(|_| Error::format(path, format!("IDX dimension {d} does not fit this platform")))?;
        shape.push(d);
    }
    let expected = shape
        .iter()
        .try_fold(1usize, |acc, &d| acc.checked_mul(d))
        .and_then(|n| n.checked_mul(ty.size()))
        .ok_or_else(|| Error::format(path, format!("IDX shape {shape:?} of {} is too large", ty.name())))?;
    let found = bytes.len() - data_offset;
    if found < expected {
        return Err(Error::format(
            path,
            format!("truncated IDX file: shape {shape:?} of {} needs {expected} data bytes, found {found}", ty.name()),
        ));
    }
    if found > expected {
        return Err(Error::format(
            path,
            format!(
                "{} trailing bytes after the {expected} data bytes of shape {shape:?} of {}",
                found - expected,
                ty.name()
            ),
        ));
    }
    Ok(Header { ty, shape, data_offset })
}

/// Reads an IDX file (plain or gzipped, detected by the gzip magic) into `f32` values.
///
/// The shape is the one the header declares; `meta.dtype` names the stored type (`"u8"`, `"i8"`,
/// `"i16"`, `"i32"`, `"f32"` or `"f64"`). `i32` values beyond ±2^24 and `f64` values are
/// rounded to the nearest `f32`. `meta.pixel_size` is always `None`.
///
/// Fails with [`Error::Io`] if the file cannot be read and with [`Error::Format`] on a wrong
/// magic, an unknown type code, 0 or more than 8 dimensions, truncated data (the message says
/// how many bytes were expected and found), trailing bytes, or a corrupt gzip stream.
pub fn read_idx(path: &Path) -> Result<ArrayData> {
    let bytes = read_maybe_gz(path)?;
    let header = parse_header(path, &bytes)?;
    let data = bytes.get(header.data_offset..).unwrap_or_default();
    let values: Vec<f32> = match header.ty {
        IdxType::U8 => data.iter().map(|&b| f32::from(b)).collect(),
        IdxType::I8 => data.iter().map(|&b| f32::from(b as i8)).collect(),
        IdxType::I16 => data.chunks_exact(2).map(|c| f32::from(i16::from_be_bytes([c[0], c[1]]))).collect(),
        IdxType::I32 => data.chunks_exact(4).map(|c| i32::from_be_bytes([c[0], c[1], c[2], c[3]]) as f32).collect(),
        IdxType::F32 => data.chunks_exact(4).map(|c| f32::from_be_bytes([c[0], c[1], c[2], c[3]])).collect(),
        IdxType::F64 => data
            .chunks_exact(8)
            .map(|c| f64::from_be_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]]) as f32)
            .collect(),
    };
    Ok(ArrayData {
        shape: header.shape,
        values,
        meta: ArrayMeta { source: path.to_path_buf(), dtype: header.ty.name().to_string(), pixel_size: None },
    })
}

/// Reads a `u8` IDX file (plain or gzipped) without conversion: the shape and the raw bytes.
///
/// Meant for MNIST-style labels and images. Fails like [`read_idx`], and with
/// [`Error::Format`] if the stored type is not `u8`.
pub fn read_idx_u8(path: &Path) -> Result<(Vec<usize>, Vec<u8>)> {
    let mut bytes = read_maybe_gz(path)?;
    let header = parse_header(path, &bytes)?;
    if header.ty != IdxType::U8 {
        return Err(Error::format(
            path,
            format!("IDX type is {} (code 0x{:02X}), expected u8 (0x08)", header.ty.name(), header.ty.code()),
        ));
    }
    let data = bytes.split_off(header.data_offset.min(bytes.len()));
    Ok((header.shape, data))
}

/// Writes `data` with shape `shape` as an uncompressed `u8` IDX file at `path`, replacing it.
///
/// Fails with [`Error::Param`] (naming the file) if `shape` has 0 or more than 8 dimensions, a
/// dimension exceeds `u32::MAX`, or the product of `shape` differs from `data.len()`; and with
/// [`Error::Io`] if the file cannot be written.
pub fn write_idx_u8(path: &Path, shape: &[usize], data: &[u8]) -> Result<()> {
    let param = |reason: String| Error::Param(format!("{}: {reason}", path.display()));
    if shape.is_empty() || shape.len() > MAX_NDIMS {
        return Err(param(format!("an IDX file needs 1 to {MAX_NDIMS} dimensions, got shape {shape:?}")));
    }
    let n = shape.iter().try_fold(1usize, |acc, &d| acc.checked_mul(d));
    if n != Some(data.len()) {
        return Err(param(format!("shape {shape:?} does not match the {} bytes of data", data.len())));
    }
    let mut header = Vec::with_capacity(4 + 4 * shape.len());
    // `shape.len() <= MAX_NDIMS` was checked above, so it fits a byte.
    header.extend_from_slice(&[0, 0, IdxType::U8.code(), shape.len() as u8]);
    for &d in shape {
        let d = u32::try_from(d).map_err(|_| param(format!("dimension {d} of shape {shape:?} exceeds u32::MAX")))?;
        header.extend_from_slice(&d.to_be_bytes());
    }
    let file = fs::File::create(path).map_err(|e| Error::io(path, e))?;
    let mut w = BufWriter::new(file);
    w.write_all(&header).map_err(|e| Error::io(path, e))?;
    w.write_all(data).map_err(|e| Error::io(path, e))?;
    w.flush().map_err(|e| Error::io(path, e))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::readers::assert_format_err;
    use flate2::Compression;
    use flate2::write::GzEncoder;
    use std::path::PathBuf;

    fn gzip(bytes: &[u8]) -> Vec<u8> {
        let mut enc = GzEncoder::new(Vec::new(), Compression::default());
        enc.write_all(bytes).unwrap();
        enc.finish().unwrap()
    }

    /// An IDX file of the given type code and dims, followed by `data` as is.
    fn idx_bytes(code: u8, dims: &[u32], data: &[u8]) -> Vec<u8> {
        let mut b = vec![0, 0, code, dims.len() as u8];
        for d in dims {
            b.extend_from_slice(&d.to_be_bytes());
        }
        b.extend_from_slice(data);
        b
    }

    fn write(dir: &tempfile::TempDir, name: &str, bytes: &[u8]) -> PathBuf {
        let p = dir.path().join(name);
        fs::write(&p, bytes).unwrap();
        p
    }

    #[test]
    fn u8_round_trip() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.idx3-ubyte");
        let data: Vec<u8> = (0..24u8).map(|v| v * 10).collect();
        write_idx_u8(&p, &[2, 3, 4], &data).unwrap();

        let raw = fs::read(&p).unwrap();
        assert_eq!(&raw[..16], &[0, 0, 8, 3, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0, 4]);
        assert_eq!(raw.len(), 16 + 24);

        let a = read_idx(&p).unwrap();
        assert_eq!(a.shape, vec![2, 3, 4]);
        assert_eq!(a.values, data.iter().map(|&v| f32::from(v)).collect::<Vec<_>>());
        assert_eq!(a.meta.dtype, "u8");
        assert_eq!(a.meta.source, p);
        assert_eq!(a.meta.pixel_size, None);

        let (shape, bytes) = read_idx_u8(&p).unwrap();
        assert_eq!(shape, vec![2, 3, 4]);
        assert_eq!(bytes, data);

        let t = a.to_tensor(&candle_core::Device::Cpu).unwrap();
        assert_eq!(t.dims(), &[2, 3, 4]);
    }

    #[test]
    fn gzipped_read_whatever_the_extension() {
        let dir = tempfile::tempdir().unwrap();
        let data: Vec<u8> = (0..60).map(|v| (v * 7 % 256) as u8).collect();
        let plain = dir.path().join("plain.idx");
        write_idx_u8(&plain, &[5, 12], &data).unwrap();
        let gz = gzip(&fs::read(&plain).unwrap());
        for name in ["labels.idx1-ubyte.gz", "no-extension"] {
            let p = write(&dir, name, &gz);
            let a = read_idx(&p).unwrap();
            assert_eq!(a.shape, vec![5, 12]);
            assert_eq!(a.values, data.iter().map(|&v| f32::from(v)).collect::<Vec<_>>());
            assert_eq!(read_idx_u8(&p).unwrap(), (vec![5, 12], data.clone()));
        }
    }

    #[test]
    fn other_types_are_big_endian() {
        let dir = tempfile::tempdir().unwrap();
        let cases: Vec<(u8, Vec<u8>, Vec<f32>, &str)> = vec![
            (0x09, vec![0x80, 0xff, 0x7f], vec![-128., -1., 127.], "i8"),
            (0x0B, [-300i16, 2, 32767].iter().flat_map(|v| v.to_be_bytes()).collect(), vec![-300., 2., 32767.], "i16"),
            (
                0x0C,
                [-70000i32, 0, 123456].iter().flat_map(|v| v.to_be_bytes()).collect(),
                vec![-70000., 0., 123456.],
                "i32",
            ),
            (0x0D, [1.5f32, -0.25, 3e10].iter().flat_map(|v| v.to_be_bytes()).collect(), vec![1.5, -0.25, 3e10], "f32"),
            (0x0E, [1.5f64, -2.0, 0.125].iter().flat_map(|v| v.to_be_bytes()).collect(), vec![1.5, -2.0, 0.125], "f64"),
        ];
        for (code, data, expected, dtype) in cases {
            let p = write(&dir, &format!("{dtype}.idx"), &idx_bytes(code, &[3], &data));
            let a = read_idx(&p).unwrap();
            assert_eq!(a.shape, vec![3]);
            assert_eq!(a.values, expected, "{dtype}");
            assert_eq!(a.meta.dtype, dtype);
            assert_format_err(read_idx_u8(&p).unwrap_err(), &p, "expected u8");
        }
    }

    #[test]
    fn truncated_files_are_format_errors() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("t.idx");
        write_idx_u8(&p, &[4, 5], &[7; 20]).unwrap();
        let full = fs::read(&p).unwrap();

        // Data cut short: say how many bytes were expected and found.
        let p1 = write(&dir, "short-data.idx", &full[..full.len() - 5]);
        let err = read_idx(&p1).unwrap_err();
        let msg = err.to_string();
        assert_format_err(err, &p1, "truncated");
        assert!(msg.contains("20") && msg.contains("15"), "{msg}");
        assert_format_err(read_idx_u8(&p1).unwrap_err(), &p1, "truncated");

        // Header cut short, file empty.
        for (name, len) in [("short-header.idx", 9), ("three.idx", 3), ("empty.idx", 0)] {
            let p = write(&dir, name, &full[..len]);
            assert_format_err(read_idx(&p).unwrap_err(), &p, "truncated");
        }

        // A gzipped file cut short.
        let gz = gzip(&full);
        let p2 = write(&dir, "short.gz", &gz[..gz.len() / 2]);
        assert_format_err(read_idx(&p2).unwrap_err(), &p2, "gzip");
    }

    #[test]
    fn bad_headers_and_trailing_bytes() {
        let dir = tempfile::tempdir().unwrap();

        let p = write(&dir, "magic.idx", &[1, 2, 8, 1, 0, 0, 0, 1, 9]);
        assert_format_err(read_idx(&p).unwrap_err(), &p, "magic");
        let p = write(&dir, "text.idx", b"hello, world\n");
        assert_format_err(read_idx(&p).unwrap_err(), &p, "magic");

        let p = write(&dir, "type.idx", &idx_bytes(0x0A, &[1], &[0]));
        assert_format_err(read_idx(&p).unwrap_err(), &p, "0x0A");

        let p = write(&dir, "ndims0.idx", &[0, 0, 8, 0]);
        assert_format_err(read_idx(&p).unwrap_err(), &p, "0 dimensions");
        let p = write(&dir, "ndims9.idx", &idx_bytes(8, &[1; 9], &[0]));
        assert_format_err(read_idx(&p).unwrap_err(), &p, "9 dimensions");

        let p = write(&dir, "trailing.idx", &idx_bytes(8, &[2], &[1, 2, 3, 4]));
        assert_format_err(read_idx(&p).unwrap_err(), &p, "2 trailing bytes");

        // Dimensions whose product overflows must not allocate or panic.
        let p = write(&dir, "huge.idx", &idx_bytes(0x0E, &[u32::MAX; 8], &[]));
        assert!(matches!(read_idx(&p).unwrap_err(), Error::Format { .. }));

        // Gzip magic followed by garbage.
        let p = write(&dir, "corrupt.gz", &[0x1f, 0x8b, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
        assert_format_err(read_idx(&p).unwrap_err(), &p, "gzip");

        let missing = dir.path().join("missing.idx");
        let err = read_idx(&missing).unwrap_err();
        assert!(matches!(err, Error::Io { .. }));
        assert!(err.to_string().contains("missing.idx"));
    }

    #[test]
    fn write_rejects_inconsistent_shapes() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("w.idx");
        for shape in [&[2usize, 3][..], &[][..], &[1; 9][..]] {
            let err = write_idx_u8(&p, shape, &[0; 5]).unwrap_err();
            assert!(matches!(err, Error::Param(_)));
            assert!(err.to_string().contains("w.idx"));
        }
        assert!(!p.exists());
        write_idx_u8(&p, &[0], &[]).unwrap();
        let a = read_idx(&p).unwrap();
        assert_eq!((a.shape, a.values.len()), (vec![0], 0));
    }

    /// The Fashion-MNIST test labels from the Debian package `dataset-fashion-mnist`, when
    /// installed: 10 000 labels, each of the 10 classes exactly 1 000 times.
    #[test]
    fn fashion_mnist_test_labels() {
        let p = Path::new("/usr/share/datasets/fashion-mnist/t10k-labels-idx1-ubyte.gz");
        if !p.exists() {
            return;
        }
        let (shape, labels) = read_idx_u8(p).unwrap();
        assert_eq!(shape, vec![10_000]);
        let mut counts = [0usize; 10];
        for &l in &labels {
            assert!(l < 10, "label {l}");
            counts[usize::from(l)] += 1;
        }
        assert_eq!(counts, [1000; 10]);
        let a = read_idx(p).unwrap();
        assert_eq!(a.shape, vec![10_000]);
        assert_eq!(a.meta.dtype, "u8");

        let images = p.with_file_name("t10k-images-idx3-ubyte.gz");
        if images.exists() {
            let (shape, pixels) = read_idx_u8(&images).unwrap();
            assert_eq!(shape, vec![10_000, 28, 28]);
            assert_eq!(pixels.len(), 10_000 * 28 * 28);
        }
    }
}
