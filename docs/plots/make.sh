#!/usr/bin/env sh
# Makes the pictures in this folder with real sweeps of examples/lpf.yaml and its specs (about a
# minute on one core); pmrf must be on PATH (README's install).
set -eu
cd "$(dirname "$0")/../.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pmrf sweep examples/lpf.yaml --batch 2000 --seed 1 -q -o "$tmp/mc.h5"
pmrf sweep examples/lpf.yaml --vary Lnom=7.2nH:9.2nH:21 --batch 200 --seed 1 -q -o "$tmp/grid.h5"
pmrf simulate examples/lpf.yaml -o "$tmp/nominal.h5" >/dev/null 2>&1
for kind in db phase gd; do
  pmrf plot "$tmp/mc.h5" --kind "$kind" --nominal "$tmp/nominal.h5" -o "docs/plots/$kind.png"
done
pmrf plot "$tmp/mc.h5" --kind smith --trace S11 --nominal "$tmp/nominal.h5" -o docs/plots/smith.png
pmrf plot "$tmp/mc.h5" --kind hist -o docs/plots/hist.png
pmrf plot "$tmp/grid.h5" --kind yield -o docs/plots/yield.png
