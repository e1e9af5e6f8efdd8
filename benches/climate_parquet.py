#!/usr/bin/env python3
"""Parquet -> normalised sliding windows benchmark (pandas/numpy side).

    python3 benches/climate_parquet.py --rows 10000000 \
        --file /tmp/scidl-bench/series_10m.parquet --repeat 3

Requires numpy, pandas, pyarrow. The Rust counterpart (scidl-climate) must do
the same job; the definitions below are pinned so the checksums match.

Data file (created if missing; seed --seed, default 0):
  time  int64   Unix seconds, 946684800 (2000-01-01T00:00:00Z) + 60*i
  value float32 sin(2*pi*time/86400) + 0.1*N(0,1)
  cov1  float32 N(0,1)
  cov2  float32 cos(2*pi*time/86400) + 0.05*N(0,1)
  one file, snappy, row groups of 1,000,000 rows (pyarrow.parquet.ParquetWriter).

Timed job (per repeat, wall clock, from read to materialised arrays):
  1. pd.read_parquet(file, columns=["time","value","cov1","cov2"])
  2. error unless time is strictly increasing
  3. n_train = (rows * 8) // 10; mean and std (ddof=0) of value[:n_train],
     accumulated in float64
  4. z = ((value as f64 - mean) / std) cast to float32
  5. windows start at s = 0, 16, 32, ... with s + L + H <= rows
     (n_windows = (rows - L - H) // 16 + 1, L=64, H=16)
     X[k] = stack([z, cov1, cov2], axis=-1)[s:s+L]   -> (n, 64, 3) float32
     Y[k] = z[s+L : s+L+H]                             -> (n, 16)    float32
     built with numpy sliding_window_view, materialised with
     np.ascontiguousarray
  checksum = float(X.sum(dtype=float64)) + float(Y.sum(dtype=float64))
"""

import argparse
import json
import os
import platform
import resource
import statistics
import sys
import time

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from numpy.lib.stride_tricks import sliding_window_view

L = 64
H = 16
STRIDE = 16
T0 = 946684800  # 2000-01-01T00:00:00Z
STEP = 60
ROW_GROUP = 1_000_000
COLUMNS = ["time", "value", "cov1", "cov2"]


def versions():
    return {
        "python": platform.python_version(),
        "numpy": np.__version__,
        "pandas": pd.__version__,
        "pyarrow": pa.__version__,
    }


def generate(path, rows, seed):
    os.makedirs(os.path.dirname(os.path.abspath(path)) or ".", exist_ok=True)
    rng = np.random.default_rng(seed)
    schema = pa.schema(
        [("time", pa.int64()), ("value", pa.float32()), ("cov1", pa.float32()), ("cov2", pa.float32())]
    )
    tmp = path + ".partial"
    with pq.ParquetWriter(tmp, schema, compression="snappy") as w:
        for start in range(0, rows, ROW_GROUP):
            n = min(ROW_GROUP, rows - start)
            t = T0 + STEP * np.arange(start, start + n, dtype=np.int64)
            phase = 2.0 * np.pi * (t % 86400) / 86400.0
            value = (np.sin(phase) + 0.1 * rng.standard_normal(n)).astype(np.float32)
            cov1 = rng.standard_normal(n).astype(np.float32)
            cov2 = (np.cos(phase) + 0.05 * rng.standard_normal(n)).astype(np.float32)
            tbl = pa.Table.from_arrays(
                [pa.array(t), pa.array(value), pa.array(cov1), pa.array(cov2)], schema=schema
            )
            w.write_table(tbl, row_group_size=ROW_GROUP)
    os.replace(tmp, path)


def job(path):
    df = pd.read_parquet(path, columns=COLUMNS)
    t = df["time"].to_numpy()
    if len(t) > 1 and not np.all(t[1:] > t[:-1]):
        raise ValueError("time column is not strictly increasing")
    value = df["value"].to_numpy(dtype=np.float32)
    rows = len(value)
    n_train = (rows * 8) // 10
    tr = value[:n_train]
    mean = float(np.mean(tr, dtype=np.float64))
    std = float(np.std(tr, dtype=np.float64, ddof=0))
    z = ((value.astype(np.float64) - mean) / std).astype(np.float32)

    n_win = (rows - L - H) // STRIDE + 1 if rows >= L + H else 0
    feats = np.empty((rows, 3), dtype=np.float32)
    feats[:, 0] = z
    feats[:, 1] = df["cov1"].to_numpy(dtype=np.float32)
    feats[:, 2] = df["cov2"].to_numpy(dtype=np.float32)
    del df
    # (rows-L+1, 3, L) view -> every STRIDE-th start, first n_win -> (n, L, 3)
    xv = sliding_window_view(feats, L, axis=0)[::STRIDE][:n_win].transpose(0, 2, 1)
    X = np.ascontiguousarray(xv, dtype=np.float32)
    yv = sliding_window_view(z[L:], H)[::STRIDE][:n_win]
    Y = np.ascontiguousarray(yv, dtype=np.float32)
    assert X.shape == (n_win, L, 3) and Y.shape == (n_win, H)
    checksum = float(X.sum(dtype=np.float64)) + float(Y.sum(dtype=np.float64))
    return rows, n_win, checksum, mean, std


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rows", type=int, default=10_000_000)
    ap.add_argument("--file", default="/tmp/scidl-bench/series_10m.parquet")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()

    if not os.path.exists(args.file):
        t0 = time.perf_counter()
        generate(args.file, args.rows, args.seed)
        print(
            json.dumps({"event": "generated", "file": args.file, "rows": args.rows,
                        "seconds": time.perf_counter() - t0}),
            file=sys.stderr,
        )
    meta = pq.ParquetFile(args.file).metadata
    if meta.num_rows != args.rows:
        sys.exit(f"{args.file} has {meta.num_rows} rows, --rows says {args.rows}; delete it or fix --rows")

    vers = versions()
    times = []
    for r in range(args.repeat):
        t0 = time.perf_counter()
        rows, n_win, checksum, mean, std = job(args.file)
        dt = time.perf_counter() - t0
        times.append(dt)
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
        print(json.dumps({
            "tool": "pandas", "run": r, "rows": rows, "windows": n_win, "seconds": dt,
            "checksum": checksum, "train_mean": mean, "train_std": std,
            "peak_rss_mb": round(peak_mb, 1), "versions": vers,
        }), flush=True)
    print(json.dumps({"tool": "pandas", "rows": args.rows, "repeat": args.repeat,
                      "median_seconds": statistics.median(times), "versions": vers}))


if __name__ == "__main__":
    main()
