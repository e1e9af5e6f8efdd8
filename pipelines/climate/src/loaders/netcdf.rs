//! NetCDF-4 files, read through libhdf5 (a NetCDF-4 file is an HDF5 file with conventions).
//!
//! Variables are the root group's datasets; dimensions are its dimension-scale datasets
//! (`CLASS = "DIMENSION_SCALE"`), named by their link name. A variable's axes are named through
//! its `DIMENSION_LIST` attribute (one object reference per axis, resolved to the scale dataset);
//! a coordinate variable is its own dimension. Values are decoded as CF asks: `_FillValue`,
//! `missing_value` (or netCDF's default fill value for the type when neither is set),
//! `valid_min`/`valid_max`/`valid_range` and NaN become missing, then `scale_factor` and
//! `add_offset` apply. Time axes are decoded from their `units` and `calendar` (see
//! [`crate::time`]). Gridded variables give series at the grid cell nearest to a point, or as the
//! area mean over a latitude/longitude box weighted by cos(latitude).
//!
//! NetCDF-3 classic files (`CDF\x01`, `CDF\x02`, `CDF\x05`) are not HDF5 and are refused with a
//! hint to convert them (`nccopy -k nc4 in.nc out.nc`).

use crate::series::{Column, Frame};
use crate::time::{Calendar, parse_cf_units};
use crate::{Error, Result};
use hdf5::types::{
    FixedAscii, FixedUnicode, FloatSize, IntSize, TypeDescriptor, VarLenArray, VarLenAscii, VarLenUnicode,
};
use hdf5::{Attribute, Dataset, ObjectReference, ObjectReference1, ReferencedObject};
use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};

/// An attribute value: text or numbers.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[serde(untagged)]
pub enum AttrValue {
    /// A string attribute.
    Text(String),
    /// A numeric attribute (one or more values).
    Numbers(Vec<f64>),
}

impl AttrValue {
    /// The first number, if numeric.
    pub fn number(&self) -> Option<f64> {
        match self {
            AttrValue::Numbers(v) => v.first().copied(),
            AttrValue::Text(_) => None,
        }
    }

    /// The text, if a string.
    pub fn text(&self) -> Option<&str> {
        match self {
            AttrValue::Text(s) => Some(s),
            AttrValue::Numbers(_) => None,
        }
    }
}

/// A variable of a NetCDF-4 file.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Variable {
    /// Name.
    pub name: String,
    /// Dimension name of each axis.
    pub dims: Vec<String>,
    /// Length of each axis.
    pub shape: Vec<usize>,
    /// On-disk element type (`f32`, `i16`, ...).
    pub dtype: String,
    /// Attributes other than HDF5/netCDF bookkeeping.
    pub attrs: BTreeMap<String, AttrValue>,
}

impl Variable {
    /// The attribute `name`, if present.
    pub fn attr(&self, name: &str) -> Option<&AttrValue> {
        self.attrs.get(name)
    }
}

/// An open NetCDF-4 file.
pub struct NetCdf {
    path: PathBuf,
    file: hdf5::File,
    variables: Vec<Variable>,
    dimensions: Vec<(String, usize)>,
}

const BOOKKEEPING: &[&str] =
    &["DIMENSION_LIST", "REFERENCE_LIST", "CLASS", "NAME", "_Netcdf4Dimid", "_Netcdf4Coordinates", "_nc3_strict"];
const NOT_A_VARIABLE: &str = "This is a netCDF dimension but not a netCDF variable";

fn type_name(td: &TypeDescriptor) -> String {
    match td {
        TypeDescriptor::Unsigned(IntSize::U1) => "u8".into(),
        TypeDescriptor::Integer(IntSize::U1) => "i8".into(),
        TypeDescriptor::Unsigned(IntSize::U2) => "u16".into(),
        TypeDescriptor::Integer(IntSize::U2) => "i16".into(),
        TypeDescriptor::Unsigned(IntSize::U4) => "u32".into(),
        TypeDescriptor::Integer(IntSize::U4) => "i32".into(),
        TypeDescriptor::Unsigned(IntSize::U8) => "u64".into(),
        TypeDescriptor::Integer(IntSize::U8) => "i64".into(),
        TypeDescriptor::Float(FloatSize::U4) => "f32".into(),
        TypeDescriptor::Float(FloatSize::U8) => "f64".into(),
        other => other.to_string(),
    }
}

/// netCDF's default fill value for an on-disk type (netcdf.h `NC_FILL_*`), used for masking when a
/// variable sets neither `_FillValue` nor `missing_value` (as netCDF4-python does). Bytes have none.
fn default_fill(dtype: &str) -> Option<f64> {
    match dtype {
        "i16" => Some(-32767.0),
        "i32" => Some(-2_147_483_647.0),
        "u16" => Some(65535.0),
        "u32" => Some(4_294_967_295.0),
        "f32" => Some(f64::from(9.969_21e36_f32)),
        "f64" => Some(9.969_209_968_386_869e36),
        _ => None,
    }
}

fn trim_nul(s: &str) -> String {
    s.split('\0').next().unwrap_or("").trim_end().to_string()
}

fn read_attr(a: &Attribute) -> Option<AttrValue> {
    let td = a.dtype().ok()?.to_descriptor().ok()?;
    match td {
        TypeDescriptor::FixedAscii(_) => {
            let v = a.read_raw::<FixedAscii<4096>>().ok()?;
            Some(AttrValue::Text(trim_nul(v.first()?.as_str())))
        }
        TypeDescriptor::FixedUnicode(_) => {
            let v = a.read_raw::<FixedUnicode<4096>>().ok()?;
            Some(AttrValue::Text(trim_nul(v.first()?.as_str())))
        }
        TypeDescriptor::VarLenAscii => {
            let v = a.read_raw::<VarLenAscii>().ok()?;
            Some(AttrValue::Text(trim_nul(v.first()?.as_str())))
        }
        TypeDescriptor::VarLenUnicode => {
            let v = a.read_raw::<VarLenUnicode>().ok()?;
            Some(AttrValue::Text(trim_nul(v.first()?.as_str())))
        }
        TypeDescriptor::Integer(_) | TypeDescriptor::Unsigned(_) | TypeDescriptor::Float(_) => {
            Some(AttrValue::Numbers(a.read_raw::<f64>().ok()?))
        }
        _ => None,
    }
}

impl NetCdf {
    /// Opens a NetCDF-4 file and reads its metadata.
    pub fn open(path: &Path) -> Result<NetCdf> {
        let mut magic = [0u8; 4];
        let n = std::fs::File::open(path)
            .and_then(|mut f| f.read(&mut magic))
            .map_err(|e| Error::input(path, format!("cannot read: {e}")))?;
        if n >= 4 && &magic[..3] == b"CDF" && matches!(magic[3], 1 | 2 | 5) {
            return Err(Error::input(
                path,
                "this is a NetCDF-3 classic file (magic CDF), which scidl does not read; convert it to NetCDF-4 with `nccopy -k nc4 in.nc out.nc`",
            ));
        }
        let file = scidl_data::readers::hdf5::open(path).map_err(|e| match e {
            scidl_data::Error::Format { reason, .. } => Error::input(path, format!("not a NetCDF-4 file: {reason}")),
            other => other.into(),
        })?;
        let mut nc = NetCdf { path: path.to_path_buf(), file, variables: Vec::new(), dimensions: Vec::new() };
        nc.scan()?;
        Ok(nc)
    }

    fn fail(&self, what: impl Into<String>) -> Error {
        Error::input(&self.path, what)
    }

    fn scan(&mut self) -> Result<()> {
        let datasets = self.file.datasets().map_err(|e| self.fail(format!("cannot list variables: {e}")))?;
        for ds in &datasets {
            let name = link_name(ds);
            let is_scale = matches!(self.attr_of(ds, "CLASS"), Some(AttrValue::Text(t)) if t == "DIMENSION_SCALE");
            if is_scale {
                self.dimensions.push((name.clone(), ds.shape().first().copied().unwrap_or(0)));
                if matches!(self.attr_of(ds, "NAME"), Some(AttrValue::Text(t)) if t.starts_with(NOT_A_VARIABLE)) {
                    continue;
                }
            }
            let dims = if is_scale { vec![name.clone()] } else { self.dim_names(ds)? };
            let td =
                ds.dtype().and_then(|t| t.to_descriptor()).map_err(|e| self.fail(format!("variable `{name}`: {e}")))?;
            let mut attrs = BTreeMap::new();
            for a in ds.attr_names().unwrap_or_default() {
                if BOOKKEEPING.contains(&a.as_str()) {
                    continue;
                }
                if let Some(v) = ds.attr(&a).ok().as_ref().and_then(read_attr) {
                    attrs.insert(a, v);
                }
            }
            self.variables.push(Variable { name, dims, shape: ds.shape(), dtype: type_name(&td), attrs });
        }
        Ok(())
    }

    fn attr_of(&self, ds: &Dataset, name: &str) -> Option<AttrValue> {
        ds.attr(name).ok().as_ref().and_then(read_attr)
    }

    /// Axis names from `DIMENSION_LIST`; `dim0, dim1, ...` for a plain HDF5 dataset without one.
    fn dim_names(&self, ds: &Dataset) -> Result<Vec<String>> {
        let rank = ds.shape().len();
        let Ok(attr) = ds.attr("DIMENSION_LIST") else {
            return Ok((0..rank).map(|k| format!("dim{k}")).collect());
        };
        let lists = attr
            .read_raw::<VarLenArray<ObjectReference1>>()
            .map_err(|e| self.fail(format!("variable `{}`: unreadable DIMENSION_LIST: {e}", link_name(ds))))?;
        lists
            .iter()
            .enumerate()
            .map(|(k, refs)| {
                let r = refs
                    .as_slice()
                    .first()
                    .ok_or_else(|| self.fail(format!("`{}` axis {k} has no dimension", link_name(ds))))?;
                match r.dereference(&self.file) {
                    Ok(ReferencedObject::Dataset(d)) => Ok(link_name(&d)),
                    _ => Err(self.fail(format!("variable `{}`: axis {k} refers to no dimension", link_name(ds)))),
                }
            })
            .collect()
    }

    /// The file's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The variables, in name order.
    pub fn variables(&self) -> &[Variable] {
        &self.variables
    }

    /// The dimensions (name, length), in name order.
    pub fn dimensions(&self) -> &[(String, usize)] {
        &self.dimensions
    }

    /// The variable `name`, or an error listing the variables there are.
    pub fn variable(&self, name: &str) -> Result<&Variable> {
        self.variables.iter().find(|v| v.name == name).ok_or_else(|| {
            let names: Vec<&str> = self.variables.iter().map(|v| v.name.as_str()).collect();
            self.fail(format!("no variable `{name}` (variables: {})", names.join(", ")))
        })
    }

    /// The CF-decoded values of `name` (row-major), missing values as NaN.
    pub fn read(&self, name: &str) -> Result<Vec<f64>> {
        let var = self.variable(name)?.clone();
        let ds = self.file.dataset(name).map_err(|e| self.fail(format!("variable `{name}`: {e}")))?;
        let raw = ds
            .read_raw::<f64>()
            .map_err(|e| self.fail(format!("variable `{name}` is not numeric or unreadable: {e}")))?;
        let num = |k: &str| var.attr(k).and_then(AttrValue::number);
        let nums = |k: &str| match var.attr(k) {
            Some(AttrValue::Numbers(v)) => v.clone(),
            _ => Vec::new(),
        };
        let mut missing: Vec<f64> = nums("_FillValue");
        missing.extend(nums("missing_value"));
        if missing.is_empty() {
            missing.extend(default_fill(&var.dtype));
        }
        let (mut lo, mut hi) = (num("valid_min"), num("valid_max"));
        if let Some(AttrValue::Numbers(r)) = var.attr("valid_range")
            && r.len() == 2
        {
            (lo, hi) = (Some(r[0]), Some(r[1]));
        }
        let scale = num("scale_factor");
        let offset = num("add_offset");
        Ok(raw
            .into_iter()
            .map(|v| {
                if v.is_nan() || missing.contains(&v) || lo.is_some_and(|l| v < l) || hi.is_some_and(|h| v > h) {
                    return f64::NAN;
                }
                let v = match scale {
                    Some(s) => v * s,
                    None => v,
                };
                match offset {
                    Some(o) => v + o,
                    None => v,
                }
            })
            .collect())
    }

    /// The decoded time axis of the time coordinate `name`: its calendar and the times in days
    /// since 1970-01-01 of that calendar.
    pub fn time_axis(&self, name: &str) -> Result<(Calendar, Vec<f64>)> {
        let var = self.variable(name)?;
        let units = var
            .attr("units")
            .and_then(AttrValue::text)
            .ok_or_else(|| self.fail(format!("time variable `{name}` has no units")))?;
        let cal_name = var.attr("calendar").and_then(AttrValue::text).unwrap_or("standard");
        let calendar = Calendar::from_cf(cal_name).map_err(|e| self.fail(format!("time variable `{name}`: {e}")))?;
        let u = parse_cf_units(units, calendar).map_err(|e| self.fail(format!("time variable `{name}`: {e}")))?;
        let raw = self.read(name)?;
        if let Some(i) = raw.iter().position(|v| v.is_nan()) {
            return Err(self.fail(format!("time variable `{name}` has a missing value at index {i}")));
        }
        Ok((calendar, raw.iter().map(|&v| u.to_days(v)).collect()))
    }

    /// The name of the time dimension of `var`: the axis whose coordinate variable has time units
    /// (`<unit> since <date>`), or whose name is `time`.
    pub fn time_dim(&self, var: &Variable) -> Result<String> {
        let is_time = |d: &str| {
            d == "time"
                || self.variables.iter().any(|v| {
                    v.name == d && v.attr("units").and_then(AttrValue::text).is_some_and(|u| u.contains(" since "))
                })
        };
        var.dims.iter().find(|d| is_time(d)).cloned().ok_or_else(|| {
            self.fail(format!("variable `{}` has no time dimension (dims: {})", var.name, var.dims.join(", ")))
        })
    }

    fn axis_kind(&self, dim: &str) -> Option<&'static str> {
        let v = self.variables.iter().find(|v| v.name == dim);
        let units = v.and_then(|v| v.attr("units")).and_then(AttrValue::text).unwrap_or("").to_ascii_lowercase();
        let std = v.and_then(|v| v.attr("standard_name")).and_then(AttrValue::text).unwrap_or("");
        let l = dim.to_ascii_lowercase();
        if std == "latitude"
            || units.starts_with("degrees_north")
            || units == "degree_north"
            || l == "lat"
            || l == "latitude"
        {
            Some("lat")
        } else if std == "longitude"
            || units.starts_with("degrees_east")
            || units == "degree_east"
            || l == "lon"
            || l == "longitude"
        {
            Some("lon")
        } else {
            None
        }
    }

    /// Reads `name` as (time, lat, lon) cubes: the time axis, latitudes, longitudes and the
    /// decoded values in `[t][lat][lon]` order. Other axes must have length 1.
    fn grid(&self, name: &str) -> Result<Grid> {
        let var = self.variable(name)?.clone();
        let tdim = self.time_dim(&var)?;
        let mut axes = [None; 3];
        for (k, d) in var.dims.iter().enumerate() {
            let slot = if *d == tdim {
                0
            } else {
                match self.axis_kind(d) {
                    Some("lat") => 1,
                    Some("lon") => 2,
                    _ if var.shape[k] == 1 => continue,
                    _ => {
                        return Err(self.fail(format!(
                            "variable `{name}` has the extra dimension `{d}` of length {}; scidl takes series from (time, lat, lon) grids",
                            var.shape[k]
                        )));
                    }
                }
            };
            axes[slot] = Some(k);
        }
        let [Some(ta), Some(la), Some(oa)] = axes else {
            return Err(self.fail(format!(
                "variable `{name}` (dims: {}) is not a (time, latitude, longitude) grid",
                var.dims.join(", ")
            )));
        };
        let (calendar, times) = self.time_axis(&tdim)?;
        let lat = self.read(&var.dims[la])?;
        let lon = self.read(&var.dims[oa])?;
        let values = self.read(name)?;
        let strides: Vec<usize> = (0..var.shape.len()).map(|k| var.shape[k + 1..].iter().product()).collect();
        let (nt, ny, nx) = (times.len(), lat.len(), lon.len());
        let mut cube = vec![0.0; nt * ny * nx];
        for t in 0..nt {
            for y in 0..ny {
                for x in 0..nx {
                    cube[(t * ny + y) * nx + x] = values[t * strides[ta] + y * strides[la] + x * strides[oa]];
                }
            }
        }
        Ok(Grid { calendar, times, lat, lon, values: cube })
    }

    /// The series of `name` at the grid cell nearest to (`lat`, `lon`) (longitude compared modulo 360).
    pub fn point_series(&self, name: &str, lat: f64, lon: f64) -> Result<(Frame, (usize, usize))> {
        let g = self.grid(name)?;
        let y = nearest(&g.lat, |v| (v - lat).abs());
        let x = nearest(&g.lon, |v| {
            let d = (v - lon).rem_euclid(360.0);
            d.min(360.0 - d)
        });
        let (ny, nx) = (g.lat.len(), g.lon.len());
        let values: Vec<f64> = (0..g.times.len()).map(|t| g.values[(t * ny + y) * nx + x]).collect();
        let col = Column::new(name, values);
        Ok((Frame::new(self.path.clone(), g.calendar, g.times, vec![col])?, (y, x)))
    }

    /// The area mean of `name` over the cells inside `bbox` (lat_min, lat_max, lon_min, lon_max;
    /// `None`: the whole grid), weighted by cos(latitude), missing cells skipped. A time step with
    /// no valid cell is missing.
    pub fn area_mean(&self, name: &str, bbox: Option<[f64; 4]>) -> Result<Frame> {
        let g = self.grid(name)?;
        let (ny, nx) = (g.lat.len(), g.lon.len());
        let inside_lon = |v: f64, a: f64, b: f64| {
            let (v, a, b) = (v.rem_euclid(360.0), a.rem_euclid(360.0), b.rem_euclid(360.0));
            if a <= b { (a..=b).contains(&v) } else { v >= a || v <= b }
        };
        let w: Vec<f64> = g.lat.iter().map(|l| l.to_radians().cos()).collect();
        let cells: Vec<(usize, usize)> = (0..ny)
            .flat_map(|y| (0..nx).map(move |x| (y, x)))
            .filter(|&(y, x)| bbox.is_none_or(|[a, b, c, d]| (a..=b).contains(&g.lat[y]) && inside_lon(g.lon[x], c, d)))
            .collect();
        if cells.is_empty() {
            return Err(self.fail(format!("no grid cell of `{name}` lies inside the box {bbox:?}")));
        }
        let values: Vec<f64> = (0..g.times.len())
            .map(|t| {
                let (mut sw, mut swx) = (0.0, 0.0);
                for &(y, x) in &cells {
                    let v = g.values[(t * ny + y) * nx + x];
                    if !v.is_nan() {
                        sw += w[y];
                        swx += w[y] * v;
                    }
                }
                if sw > 0.0 { swx / sw } else { f64::NAN }
            })
            .collect();
        Frame::new(self.path.clone(), g.calendar, g.times, vec![Column::new(name, values)])
    }

    /// A 1-D variable along time (a station series) as a frame.
    pub fn series(&self, name: &str) -> Result<Frame> {
        let var = self.variable(name)?.clone();
        if var.dims.len() != 1 {
            return Err(self.fail(format!(
                "variable `{name}` has {} dimensions; pick a point (--lat/--lon) or an area mean (--area-mean)",
                var.dims.len()
            )));
        }
        let tdim = self.time_dim(&var)?;
        let (calendar, times) = self.time_axis(&tdim)?;
        Frame::new(self.path.clone(), calendar, times, vec![Column::new(name, self.read(name)?)])
    }
}

struct Grid {
    calendar: Calendar,
    times: Vec<f64>,
    lat: Vec<f64>,
    lon: Vec<f64>,
    values: Vec<f64>,
}

fn nearest(v: &[f64], dist: impl Fn(f64) -> f64) -> usize {
    let mut best = 0;
    for (i, &x) in v.iter().enumerate() {
        if dist(x) < dist(v[best]) {
            best = i;
        }
    }
    best
}

fn link_name(ds: &Dataset) -> String {
    ds.name().rsplit('/').next().unwrap_or("").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::DateTime;

    fn fixture(rel: &str) -> PathBuf {
        Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../..")).join(rel)
    }

    fn reference() -> serde_json::Value {
        let p = fixture("pipelines/climate/tests/fixtures/netcdf_reference.json");
        serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap()
    }

    fn close(a: f64, b: f64, rel: f64) -> bool {
        (a - b).abs() <= rel * b.abs().max(1.0)
    }

    #[test]
    fn ostia_sst_variables_dimensions_and_decoding_match_netcdf4_python() {
        // Reference: netcdf_reference.json "real" (netCDF4-python 1.7.5 / xarray, iris-sample-data 2.5.2).
        let want = &reference()["real"];
        let nc = NetCdf::open(&fixture("data/ostia_monthly.nc")).unwrap();
        let sst = nc.variable("surface_temperature").unwrap();
        assert_eq!(sst.dims, ["time", "latitude", "longitude"]);
        assert_eq!(sst.shape, [54, 18, 432]);
        assert_eq!(sst.dtype, "f32");
        assert_eq!(sst.attr("units").and_then(AttrValue::text), Some("K"));
        let dims: BTreeMap<String, usize> = nc.dimensions().iter().cloned().collect();
        for (name, d) in want["dimensions"].as_object().unwrap() {
            assert_eq!(dims[name] as u64, d["length"].as_u64().unwrap(), "{name}");
        }
        // `bnds` is a dimension without a variable.
        assert!(nc.variable("bnds").is_err());
        let v = nc.read("surface_temperature").unwrap();
        let dec = &want["decoded"];
        assert_eq!(v[0], dec["value_000"].as_f64().unwrap());
        assert_eq!(v.iter().filter(|x| x.is_nan()).count() as u64, dec["masked_count"].as_u64().unwrap());
        let valid: Vec<f64> = v.iter().copied().filter(|x| !x.is_nan()).collect();
        let mean = valid.iter().sum::<f64>() / valid.len() as f64;
        assert!(close(mean, dec["global_mean"].as_f64().unwrap(), 1e-9), "{mean}");

        let (cal, times) = nc.time_axis("time").unwrap();
        let iso: Vec<String> =
            want["time"]["iso_first3"].as_array().unwrap().iter().map(|s| s.as_str().unwrap().to_string()).collect();
        for (k, s) in iso.iter().enumerate() {
            let d = cal.from_days(times[k]);
            let t = if d.seconds == 0.0 { format!("{d}T00:00:00") } else { d.to_string() };
            assert_eq!(&t, s);
        }

        let p = &dec["point"];
        let (f, (y, x)) = nc.point_series("surface_temperature", 0.1, 200.1).unwrap();
        assert_eq!((y as u64, x as u64), (p["lat_index"].as_u64().unwrap(), p["lon_index"].as_u64().unwrap()));
        for (k, w) in p["first5"].as_array().unwrap().iter().enumerate() {
            assert_eq!(f.columns[0].values[k], w.as_f64().unwrap());
        }
        let area = nc.area_mean("surface_temperature", None).unwrap();
        for (k, w) in dec["area_mean"]["first5"].as_array().unwrap().iter().enumerate() {
            assert!(close(area.columns[0].values[k], w.as_f64().unwrap(), 1e-12), "{k}");
        }
        let m = area.columns[0].values.iter().sum::<f64>() / area.len() as f64;
        assert!(close(m, dec["area_mean"]["mean_over_time"].as_f64().unwrap(), 1e-12));
        assert_eq!(
            area.step(),
            crate::Step::Irregular,
            "mid-month stamps 2006-04-16, 2006-05-16T12 are not a fixed step"
        );
    }

    #[test]
    fn packed_filled_and_calendar_variables_decode_as_cftime_does() {
        let want = &reference()["cf_calendars"];
        let nc = NetCdf::open(&fixture("pipelines/climate/tests/fixtures/cf_calendars.nc")).unwrap();
        for (var, cal) in [("time", Calendar::NoLeap), ("time360", Calendar::Day360)] {
            let (c, days) = nc.time_axis(var).unwrap();
            assert_eq!(c, cal);
            for (k, s) in want["time"][var]["iso"].as_array().unwrap().iter().enumerate() {
                let d = c.from_days(days[k]);
                let t = if d.seconds == 0.0 { format!("{d}T00:00:00") } else { d.to_string() };
                assert_eq!(t, s.as_str().unwrap(), "{var}[{k}]");
            }
        }
        assert_eq!(Calendar::Day360.from_days(nc.time_axis("time360").unwrap().1[3]), DateTime::ymd(2000, 2, 30));
        let tas = nc.read("tas").unwrap();
        let flat: Vec<Option<f64>> = want["tas"]["decoded"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|a| a.as_array().unwrap().iter().flat_map(|b| b.as_array().unwrap().iter().map(|x| x.as_f64())))
            .collect();
        assert_eq!(flat.len(), tas.len());
        for (k, (w, g)) in flat.iter().zip(&tas).enumerate() {
            match w {
                Some(w) => assert_eq!(g, w, "tas flat {k}"),
                None => assert!(g.is_nan(), "tas flat {k}"),
            }
        }
        let area = nc.area_mean("tas", None).unwrap();
        for (k, w) in want["tas"]["area_mean"].as_array().unwrap().iter().enumerate() {
            assert!(close(area.columns[0].values[k], w.as_f64().unwrap(), 1e-12), "{k}");
        }
        let pr = nc.read("pr").unwrap();
        assert_eq!(pr.iter().filter(|v| v.is_nan()).count() as u64, want["pr"]["masked_count"].as_u64().unwrap());
    }

    #[test]
    fn netcdf3_unknown_variables_and_non_grids_are_clear_errors() {
        let classic = fixture("data/example_1_classic.nc");
        let e = NetCdf::open(&classic).err().unwrap().to_string();
        assert!(e.contains("example_1_classic.nc") && e.contains("NetCDF-3") && e.contains("nccopy"), "{e}");
        let nc = NetCdf::open(&fixture("data/ostia_monthly.nc")).unwrap();
        let e = nc.variable("sst").unwrap_err().to_string();
        assert!(e.contains("no variable `sst`") && e.contains("surface_temperature"), "{e}");
        let e = nc.series("surface_temperature").unwrap_err().to_string();
        assert!(e.contains("3 dimensions"), "{e}");
        let csv = fixture("data/co2.csv");
        let e = NetCdf::open(&csv).err().unwrap().to_string();
        assert!(e.contains("co2.csv") && e.contains("not a NetCDF-4 file"), "{e}");
    }
}
