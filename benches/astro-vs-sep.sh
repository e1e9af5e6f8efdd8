#!/usr/bin/env bash
# `scidl-astro detect` against SEP 1.4.1 on the same simulated 4096 x 4096 float32 field with the same
# parameters, side by side in one run (SEP from PyPI in BENCH_VENV, default /root/venv-astro; created
# with pip if missing). Ends with `ratio detect_4096 X` (SEP time / scidl time: > 1 means scidl is faster).
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=${BENCH_VENV:-/root/venv-astro}
if [ ! -x "$VENV/bin/python" ]; then
  python3 -m venv "$VENV" && "$VENV/bin/pip" install -q numpy astropy sep==1.4.1
fi
mkdir -p /tmp/scidl-bench benches/results
FIELD=/tmp/scidl-bench/field4096.fits
cargo build -q --release -p scidl-astro
BIN=target/release/scidl-astro
[ -f "$FIELD" ] || SCIDL_NO_PROGRESS=1 $BIN --seed 11 simulate --out "$FIELD" --truth /tmp/scidl-bench/field4096_truth.csv \
  --width 4096 --height 4096 --stars 9600 --galaxies 3840
out=benches/results/astro-detect-$(date +%Y%m%d-%H%M%S).jsonl
"$VENV/bin/python" benches/astro_sep.py --file "$FIELD" --repeat 3 | tee "$out"
times=()
for i in 1 2 3; do
  t0=$(date +%s.%N)
  n=$(SCIDL_NO_PROGRESS=1 $BIN --threads "${THREADS:-2}" detect "$FIELD" --out /tmp/scidl-bench/scidl_catalog.csv | awk '{print $1}')
  t1=$(date +%s.%N)
  s=$(python3 -c "print(round($t1 - $t0, 4))")
  times+=("$s")
  echo "{\"tool\":\"scidl\",\"objects\":$n,\"seconds\":$s,\"threads\":${THREADS:-2}}" | tee -a "$out"
done
rs=$(printf '%s\n' "${times[@]}" | sort -n | sed -n 2p)
echo "{\"tool\":\"scidl\",\"median_seconds\":$rs}" | tee -a "$out"
py=$(grep median_seconds "$out" | grep '"sep"' | sed -E 's/.*median_seconds": *([0-9.]+).*/\1/')
echo "ratio detect_4096 $(python3 -c "print(round($py / $rs, 2))") (SEP median ${py}s / scidl median ${rs}s; > 1 means scidl is faster)"
