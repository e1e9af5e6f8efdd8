#!/usr/bin/env python3
"""SEP side of the detection benchmark (benches/astro-vs-sep.sh).

Times, per repeat, the job scidl-astro's `detect` does on the same file: read the FITS image
(astropy), background (sep.Background defaults: 64x64 meshes, 3x3 filter), extraction with SEP's
defaults (thresh 1.5 x globalrms, minarea 5, 3x3 kernel, 32 levels, contrast 0.005, cleaning),
circular aperture photometry r = 5 at every object, half-light radius (flux_radius within 6 a of the
isophotal flux) and windowed centroids (winpos with sigma = 2/2.35 of it), and a CSV catalog. Prints one JSON line per
run and the median.
"""
import argparse, json, statistics, sys, time

import numpy as np
import sep
from astropy.io import fits

p = argparse.ArgumentParser()
p.add_argument("--file", required=True)
p.add_argument("--out", default="/tmp/scidl-bench/sep_catalog.csv")
p.add_argument("--repeat", type=int, default=3)
a = p.parse_args()
sep.set_extract_pixstack(50_000_000)
sep.set_sub_object_limit(4096)
times = []
for _ in range(a.repeat):
    t0 = time.perf_counter()
    data = fits.getdata(a.file).astype(np.float64)
    bkg = sep.Background(data)
    sub = data - bkg.back()
    objs = sep.extract(sub, 1.5, err=bkg.globalrms)
    flux, fluxerr, flag = sep.sum_circle(sub, objs["x"], objs["y"], 5.0, err=bkg.globalrms)
    r, _ = sep.flux_radius(sub, objs["x"], objs["y"], 6.0 * objs["a"], 0.5, normflux=objs["flux"], subpix=5)
    xwin, ywin, _ = sep.winpos(sub, objs["x"], objs["y"], 2.0 / 2.35 * r)
    np.savetxt(a.out, np.column_stack([objs["x"], objs["y"], objs["flux"], flux, fluxerr, r, xwin, ywin, flag]),
               delimiter=",", header="x,y,flux_iso,flux_aper,fluxerr_aper,flux_radius,xwin,ywin,flag", comments="")
    s = time.perf_counter() - t0
    times.append(s)
    print(json.dumps({"tool": "sep", "sep": sep.__version__, "objects": int(len(objs)), "seconds": round(s, 4)}))
print(json.dumps({"tool": "sep", "median_seconds": statistics.median(times)}))
