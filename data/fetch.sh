#!/usr/bin/env bash
# Fetches the larger real data sets scidl's case studies use, from Debian's package registry.
# Usage: data/fetch.sh fashion-mnist
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
sudo_if_needed() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

fetch_fashion_mnist() {
  local src=/usr/share/datasets/fashion-mnist
  if [ ! -f "$src/train-images-idx3-ubyte.gz" ]; then
    sudo_if_needed apt-get update -qq
    sudo_if_needed env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq dataset-fashion-mnist
  fi
  mkdir -p "$here/fashion-mnist"
  for f in train-images-idx3-ubyte.gz train-labels-idx1-ubyte.gz t10k-images-idx3-ubyte.gz t10k-labels-idx1-ubyte.gz; do
    [ -f "$src/$f" ] || { echo "fetch.sh: $src/$f missing after installing dataset-fashion-mnist" >&2; exit 2; }
    ln -sf "$src/$f" "$here/fashion-mnist/$f"
  done
  echo "Fashion-MNIST ready in $here/fashion-mnist"
}

case "${1:-}" in
  fashion-mnist) fetch_fashion_mnist ;;
  *) echo "usage: $0 fashion-mnist" >&2; exit 2 ;;
esac
