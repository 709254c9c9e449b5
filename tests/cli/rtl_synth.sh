#!/bin/bash
# `tinyforge hls --rtl --synth xc7` (or SYNTH_TARGET=ice40): yosys costs the design; report.json and report.md
# hold cell counts per layer and in total, the logic depth and the pipeline's latency, and the per-layer counts
# add up.
set -eu
bin=$1; model=$2; shift 2
command -v yosys > /dev/null || { echo "yosys not installed"; exit 1; }
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
target=${SYNTH_TARGET:-xc7}
"$bin" hls "$model" --out "$work/out" --rtl --synth "$target" "$@" > "$work/log"
cat "$work/out/report.md"
r="$work/out/report.json"
grep -q "\"target\": \"$target\"" "$r" || { echo "FAIL: target"; exit 1; }
# The depth path names the target's cells.
if [ "$target" = ice40 ]; then grep -q '"logic_depth_path": ".*SB_LUT4' "$r" || { echo "FAIL: no SB_LUT4 in the depth path"; exit 1; }; fi
grep -q '"logic_depth_cells": [0-9]' "$r" || { echo "FAIL: logic depth"; exit 1; }
lut=$(sed -n '/"total"/,/}/p' "$r" | sed -n 's/.*"lut": \([0-9]*\).*/\1/p')
[ "${lut:-0}" -gt 0 ] || { echo "FAIL: no LUTs"; exit 1; }
sum=$(sed -n '/"layers"/,$p' "$r" | sed -n 's/.*"lut": \([0-9]*\).*/\1/p' | paste -sd+ | bc)
# The top adds a few LUTs of handshake logic to the layers, and the output skid buffer's multiplexer (one LUT
# per output bit).
ob=$(sed -n 's/.*output wire \[\([0-9]*\):0\] out_data.*/\1/p' "$work"/out/rtl/*_top.v)
[ "$sum" -le "$lut" ] && [ $((lut - sum)) -le $((16 + ob + 1)) ] || { echo "FAIL: layers ($sum) vs total ($lut), $((ob + 1)) output bits"; exit 1; }
# Time-multiplexed layers (reuse factor > 1): yosys finds exactly the bound ceil(products / R) of multipliers.
if grep -q '"initiation_interval": [2-9]' "$r"; then
  /usr/bin/python3 - "$r" <<'PY' || exit 1
import json, sys
r = json.load(open(sys.argv[1]))
bad = [(l["module"], l["yosys_multipliers"], l["multiplier_bound"]) for l in r["layers"]
       if "multiplier_bound" in l and l["yosys_multipliers"] != l["multiplier_bound"]]
print("multipliers per layer vs bound:", [(l["module"], l["yosys_multipliers"], l.get("multiplier_bound")) for l in r["layers"] if "multiplier_bound" in l])
if bad: print("FAIL: yosys multipliers differ from the bound:", bad); sys.exit(1)
PY
fi
echo ok
