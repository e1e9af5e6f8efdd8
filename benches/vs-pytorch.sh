#!/usr/bin/env bash
# scidl vs PyTorch on the five model shapes of the reference benchmark (torch_ref.py): for each model,
# the PyTorch reference then scidl-bench, alternating in one session with the same thread count, then
# one line per model:   ratio MODEL train X infer Y   (scidl / PyTorch steps per second; > 1: scidl faster).
#
# Usage: benches/vs-pytorch.sh [--threads N (2)] [--steps N (20)] [--warmup N (3)] [--repeat N (1)]
#                              [--device cpu|cuda]
#
# --repeat N runs each model's PyTorch/scidl pair N times in a row, alternating, and reports the
# median of the N pairs' ratios, after a line per model with their range: on a VM whose cores are
# shared with other tenants one pair can be off by a factor of two.
# PyTorch comes from $BENCH_VENV (a virtual environment with torch) if set; otherwise the script creates
# .venv-bench at the repository root (git-ignored) with `python3 -m venv` and `pip install torch`. That
# downloads a lot, once: the default Linux wheel from PyPI pulls in the CUDA libraries (several GB).
# The reference script is $TORCH_REF, by default ../shared/bench/torch_ref.py next to the repository.
# `--device cuda` builds scidl-bench with `--features cuda` and needs a CUDA build of torch.
#
# Raw JSON lines go to benches/results/vs-pytorch-<date>.jsonl: a first line {"run": {...}} (date,
# commit, CPU, torch version, settings), then each measurement as printed, with "impl": "pytorch" or
# "scidl" added in front. Run it on an otherwise idle machine: the numbers mean nothing under load.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
THREADS=2
STEPS=20
WARMUP=3
REPEAT=1
DEVICE=cpu
while [[ $# -gt 0 ]]; do
  case "$1" in
    --threads) THREADS="$2"; shift 2 ;;
    --steps) STEPS="$2"; shift 2 ;;
    --warmup) WARMUP="$2"; shift 2 ;;
    --repeat) REPEAT="$2"; shift 2 ;;
    --device) DEVICE="$2"; shift 2 ;;
    -h|--help) sed -n '2,24p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "vs-pytorch.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
done
[[ "$REPEAT" =~ ^[1-9][0-9]*$ ]] || { echo "vs-pytorch.sh: --repeat takes a positive count, not $REPEAT" >&2; exit 2; }

MODELS=(cnn_fmnist_b64 unet2d_128_b4 unet3d_32_b2 lstm_forecast_b64 dcgan_b64)
TORCH_REF="${TORCH_REF:-$ROOT/../shared/bench/torch_ref.py}"
[[ -f "$TORCH_REF" ]] || { echo "vs-pytorch.sh: reference script $TORCH_REF not found (set TORCH_REF)" >&2; exit 2; }

# PyTorch.
VENV="${BENCH_VENV:-$ROOT/.venv-bench}"
if [[ ! -x "$VENV/bin/python" ]]; then
  echo "creating $VENV and installing torch (large download, once)" >&2
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --upgrade pip >&2
  "$VENV/bin/pip" install torch >&2
fi
PY="$VENV/bin/python"
"$PY" -c 'import torch' || { echo "vs-pytorch.sh: $PY cannot import torch" >&2; exit 2; }

# scidl.
FEATURES=()
[[ "$DEVICE" == cpu ]] || FEATURES=(--features cuda)
(cd "$ROOT" && cargo build --release -p scidl --bin scidl-bench "${FEATURES[@]}")
BENCH="${CARGO_TARGET_DIR:-$ROOT/target}/release/scidl-bench"

mkdir -p "$ROOT/benches/results"
OUT="$ROOT/benches/results/vs-pytorch-$(date -u +%Y-%m-%dT%H%M%SZ).jsonl"
COMMIT="$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)"
if ! git -C "$ROOT" diff --quiet HEAD 2>/dev/null; then COMMIT="$COMMIT+dirty"; fi
CPU="$(grep -m1 'model name' /proc/cpuinfo 2>/dev/null | cut -d: -f2- | sed 's/^ *//' || true)"
"$PY" - "$COMMIT" "${CPU:-unknown}" "$THREADS" "$STEPS" "$WARMUP" "$REPEAT" "$DEVICE" > "$OUT" <<'PYEOF'
import datetime, json, os, sys, torch
commit, cpu, threads, steps, warmup, repeat, device = sys.argv[1:]
print(json.dumps({"run": {"date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
                          "commit": commit, "cpu": cpu, "cores": os.cpu_count(), "torch": torch.__version__,
                          "threads": int(threads), "steps": int(steps), "warmup": int(warmup),
                          "repeat": int(repeat), "device": device}}))
PYEOF

# Appends each JSON line of stdin to $OUT with "impl" and the pair's number "rep" first, and
# echoes it.
tag() {
  "$PY" -c '
import json, sys
for line in sys.stdin:
    line = line.strip()
    if line.startswith("{"):
        print(json.dumps({"impl": sys.argv[1], "rep": int(sys.argv[2]), **json.loads(line)}), flush=True)
' "$1" "$2" | tee -a "$OUT"
}

COMMON=(--threads "$THREADS" --steps "$STEPS" --warmup "$WARMUP" --device "$DEVICE")
for m in "${MODELS[@]}"; do
  for ((rep = 0; rep < REPEAT; rep++)); do
    "$PY" "$TORCH_REF" "${COMMON[@]}" --only "$m" | tag pytorch "$rep"
    "$BENCH" "${COMMON[@]}" --only "$m" | tag scidl "$rep"
  done
done

echo "raw results: $OUT" >&2
"$PY" - "$OUT" <<'PYEOF'
import json, statistics, sys
# (model, rep) -> impl -> measurement; the ratios of each pair, then their median per model.
rows = {}
for line in open(sys.argv[1]):
    r = json.loads(line)
    if "impl" in r:
        rows.setdefault(r["model"], {}).setdefault(r.get("rep", 0), {})[r["impl"]] = r
keys = ("train_steps_per_s", "infer_batches_per_s")
summary = []
for model, pairs in rows.items():
    ratios = {k: [] for k in keys}
    for by in pairs.values():
        if "pytorch" in by and "scidl" in by:
            for k in keys:
                t, s = by["pytorch"][k], by["scidl"][k]
                ratios[k].append(s / t if t else float("nan"))
    if not ratios[keys[0]]:
        summary.append(f"ratio {model} missing a pair")
        continue
    if len(ratios[keys[0]]) > 1:
        span = lambda v: f"{min(v):.2f}-{max(v):.2f}"
        print(f"range {model} train {span(ratios[keys[0]])} infer {span(ratios[keys[1]])} ({len(ratios[keys[0]])} pairs)")
    med = {k: f"{statistics.median(v):.2f}" for k, v in ratios.items()}
    summary.append(f"ratio {model} train {med[keys[0]]} infer {med[keys[1]]}")
print("\n".join(summary))
PYEOF
