#!/bin/bash
# `tinyforge hls --rtl --synth xc7`: yosys costs the design; report.json and report.md hold cell counts per
# layer and in total, the logic depth and the pipeline's latency, and the per-layer counts add up.
set -eu
bin=$1; model=$2
command -v yosys > /dev/null || { echo "yosys not installed"; exit 1; }
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
"$bin" hls "$model" --out "$work/out" --rtl --synth xc7 > "$work/log"
cat "$work/out/report.md"
r="$work/out/report.json"
grep -q '"target": "xc7"' "$r" || { echo "FAIL: target"; exit 1; }
grep -q '"logic_depth_cells": [0-9]' "$r" || { echo "FAIL: logic depth"; exit 1; }
lut=$(sed -n '/"total"/,/}/p' "$r" | sed -n 's/.*"lut": \([0-9]*\).*/\1/p')
[ "${lut:-0}" -gt 0 ] || { echo "FAIL: no LUTs"; exit 1; }
sum=$(sed -n '/"layers"/,$p' "$r" | sed -n 's/.*"lut": \([0-9]*\).*/\1/p' | paste -sd+ | bc)
# The top adds a few LUTs of handshake logic to the layers.
[ "$sum" -le "$lut" ] && [ $((lut - sum)) -le 16 ] || { echo "FAIL: layers ($sum) vs total ($lut)"; exit 1; }
echo ok
