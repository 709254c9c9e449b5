#!/bin/bash
# The bundled dcim sweep (configs/sweeps/dcim_precision.json): every point runs and self-checks its results,
# a point equals the same config run alone with `tinyforge sim dcim` (same bits), and the in-process fast
# engine gives the same results.csv as one process per point (wall-clock columns aside).
# usage: sweep_dcim.sh TINYFORGE SOURCE_DIR
set -eu
bin=$1; src=$2
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
"$bin" sweep "$src/configs/sweeps/dcim_precision.json" --out "$work/s" > "$work/s.log" 2>&1 ||
  { cat "$work/s.log"; echo "FAIL: sweep"; exit 1; }
"$bin" sweep "$src/configs/sweeps/dcim_precision.json" --engine fast --out "$work/f" > "$work/f.log" 2>&1 ||
  { cat "$work/f.log"; echo "FAIL: sweep --engine fast"; exit 1; }
"$bin" sim dcim --config "$src/configs/cim/macros/colonnade_kim2021/config.json" --set workload.w_bits=4 \
  --set workload.x_bits=8 --set tech.vdd_V=0.7 --out "$work/one" > "$work/one.log" 2>&1 ||
  { cat "$work/one.log"; echo "FAIL: sim dcim"; exit 1; }
/usr/bin/python3 - "$work" <<'PY' || exit 1
import csv, json, sys
w = sys.argv[1]
rows = list(csv.DictReader(open(f"{w}/s/results.csv")))
assert len(rows) == 54, len(rows)
bad = [r for r in rows if r["status"] != "ok" or float(r["self_check_mismatches"]) != 0]
assert not bad, f"FAIL: points not ok or not self-checked: {bad[:2]}"
one = json.load(open(f"{w}/one/stats.json"))
pick = [r for r in rows if r["macro.arch"] == "column_mac" and r["workload.w_bits"] == "4"
        and r["workload.x_bits"] == "8" and abs(float(r["tech.vdd_V"]) - 0.7) < 1e-9]
assert len(pick) == 1, pick
for k in ("fj_per_mac", "energy_pJ", "throughput_steady_gops", "area_mm2"):
    a, b = float(pick[0][k]), one[k]
    assert abs(a - b) <= 1e-9 * abs(b), f"FAIL: {k}: sweep {a} vs sim {b}"
fast = list(csv.DictReader(open(f"{w}/f/results.csv")))
assert len(fast) == len(rows), (len(fast), len(rows))
for a, b in zip(rows, fast):
    for k in a:
        if "wall" not in k:
            assert a[k] == b[k], f"FAIL: point {a['point']}: {k}: process {a[k]}, fast {b[k]}"
print("PASS: 54 points ok and self-checked; a sweep point equals its own run; the fast engine equals the process engine")
PY
