#!/usr/bin/env bash
# scidl vs PyTorch on the five model shapes of the reference benchmark (torch_ref.py): for each model,
# the PyTorch reference then scidl-bench, alternating in one session with the same thread count, then
# one line per model:   ratio MODEL train X infer Y   (scidl / PyTorch steps per second; > 1: scidl faster).
#
# Usage: benches/vs-pytorch.sh [--threads N (2)] [--steps N (20)] [--warmup N (3)] [--device cpu|cuda]
#
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
DEVICE=cpu
while [[ $# -gt 0 ]]; do
  case "$1" in
    --threads) THREADS="$2"; shift 2 ;;
    --steps) STEPS="$2"; shift 2 ;;
    --warmup) WARMUP="$2"; shift 2 ;;
    --device) DEVICE="$2"; shift 2 ;;
    -h|--help) sed -n '2,19p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "vs-pytorch.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
done

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
"$PY" - "$COMMIT" "${CPU:-unknown}" "$THREADS" "$STEPS" "$WARMUP" "$DEVICE" > "$OUT" <<'PYEOF'
import datetime, json, os, sys, torch
commit, cpu, threads, steps, warmup, device = sys.argv[1:]
print(json.dumps({"run": {"date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
                          "commit": commit, "cpu": cpu, "cores": os.cpu_count(), "torch": torch.__version__,
                          "threads": int(threads), "steps": int(steps), "warmup": int(warmup), "device": device}}))
PYEOF

# Appends each JSON line of stdin to $OUT with "impl" first, and echoes it.
tag() {
  "$PY" -c '
import json, sys
for line in sys.stdin:
    line = line.strip()
    if line.startswith("{"):
        print(json.dumps({"impl": sys.argv[1], **json.loads(line)}), flush=True)
' "$1" | tee -a "$OUT"
}

COMMON=(--threads "$THREADS" --steps "$STEPS" --warmup "$WARMUP" --device "$DEVICE")
for m in "${MODELS[@]}"; do
  "$PY" "$TORCH_REF" "${COMMON[@]}" --only "$m" | tag pytorch
  "$BENCH" "${COMMON[@]}" --only "$m" | tag scidl
done

echo "raw results: $OUT" >&2
"$PY" - "$OUT" <<'PYEOF'
import json, sys
rows = {}
for line in open(sys.argv[1]):
    r = json.loads(line)
    if "impl" in r:
        rows.setdefault(r["model"], {})[r["impl"]] = r
for model, by in rows.items():
    if "pytorch" not in by or "scidl" not in by:
        print(f"ratio {model} missing {'pytorch' if 'pytorch' not in by else 'scidl'}")
        continue
    t, s = by["pytorch"], by["scidl"]
    ratio = lambda k: f"{s[k] / t[k]:.2f}" if t[k] else "nan"
    print(f"ratio {model} train {ratio('train_steps_per_s')} infer {ratio('infer_batches_per_s')}")
PYEOF
