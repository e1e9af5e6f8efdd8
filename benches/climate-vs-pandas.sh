#!/usr/bin/env bash
# Loading + windowing a 10-million-row Parquet series: scidl (polars + rayon) against pandas + numpy,
# side by side on the same file, in one run. Needs a Python with numpy, pandas and pyarrow
# (BENCH_VENV, default /root/venv-climate-ref; created with pip if missing).
set -euo pipefail
cd "$(dirname "$0")/.."
ROWS=${ROWS:-10000000}
FILE=${FILE:-/tmp/scidl-bench/series_$ROWS.parquet}
VENV=${BENCH_VENV:-/root/venv-climate-ref}
if [ ! -x "$VENV/bin/python" ]; then
  python3 -m venv "$VENV" && "$VENV/bin/pip" install -q numpy pandas pyarrow
fi
mkdir -p "$(dirname "$FILE")" benches/results
out=benches/results/climate-parquet-$(date +%Y%m%d-%H%M%S).jsonl
"$VENV/bin/python" benches/climate_parquet.py --rows "$ROWS" --file "$FILE" --repeat 3 | tee "$out"
cargo bench -q -p scidl-climate --bench parquet_windows -- --file "$FILE" --repeat 3 | tee -a "$out"
py=$(grep median_seconds "$out" | grep -v "\"tool\":\"scidl\"" | sed -E 's/.*median_seconds": *([0-9.]+).*/\1/' | head -1)
rs=$(grep median_seconds "$out" | grep scidl | sed -E 's/.*median_seconds":([0-9.]+).*/\1/')
echo "ratio parquet_windows_10m $(python3 -c "print(round($py / $rs, 2))") (pandas median ${py}s / scidl median ${rs}s; > 1 means scidl is faster)"
