#!/bin/bash
# The bundled acim sweep (configs/sweeps/acim_pareto.json), run from another directory (its network paths are
# relative to the spec): every point runs; a point equals the same config run alone with `tinyforge sim acim`;
# the noise-aware network beats the plain one at 4 and 5 ADC bits on every array setting; pareto.csv is exactly
# the set of points no other point dominates (checked here independently).
# usage: sweep_acim.sh TINYFORGE SOURCE_DIR
set -eu
bin=$1; src=$2
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
cd "$work"
"$bin" sweep "$src/configs/sweeps/acim_pareto.json" --engine fast --out "$work/s" > "$work/s.log" 2>&1 ||
  { cat "$work/s.log"; echo "FAIL: sweep"; exit 1; }
"$bin" sim acim --config "$src/configs/cim/acim_digits.json" --set macro.adc_bits=5 --set macro.rows_active=32 \
  --set macro.c_unit_fF=2 --set "workload.network=$src/configs/models/digits_mlp_acim_plain.onnx" \
  --out "$work/one" > "$work/one.log" 2>&1 || { cat "$work/one.log"; echo "FAIL: sim acim"; exit 1; }
/usr/bin/python3 - "$work" <<'PY' || exit 1
import csv, json, sys
w = sys.argv[1]
rows = list(csv.DictReader(open(f"{w}/s/results.csv")))
assert len(rows) == 72, len(rows)
bad = [r["point"] for r in rows if r["status"] != "ok"]
assert not bad, f"FAIL: points not ok: {bad}"
kind = lambda r: "aware" if r["workload.network"].endswith("aware.onnx") else "plain"
one = json.load(open(f"{w}/one/stats.json"))
pick = [r for r in rows if kind(r) == "plain" and r["macro.adc_bits"] == "5" and r["macro.rows_active"] == "32"
        and float(r["macro.c_unit_fF"]) == 2]
assert len(pick) == 1, pick
for k in ("accuracy_mean", "accuracy_min", "energy_pJ", "tops_per_w", "area_mm2"):
    a, b = float(pick[0][k]), one[k]
    assert abs(a - b) <= 1e-9 * abs(b), f"FAIL: {k}: sweep {a} vs sim {b}"
acc = {(kind(r), r["macro.adc_bits"], r["macro.rows_active"], r["macro.c_unit_fF"]): float(r["accuracy_mean"])
       for r in rows}
for (k, b, ra, c), a in acc.items():
    if k == "aware" and b in ("4", "5"):
        assert a > acc[("plain", b, ra, c)] + 0.02, f"FAIL: aware {a} vs plain {acc[('plain', b, ra, c)]} at {b} bits, rows_active {ra}, {c} fF"
pts = [(r["point"], float(r["accuracy_mean"]), float(r["energy_pJ"])) for r in rows]
def dominated(p):
    return any(q[1] >= p[1] and q[2] <= p[2] and (q[1] > p[1] or q[2] < p[2]) for q in pts)
front = sorted(p[0] for p in pts if not dominated(p))
got = sorted(r["point"] for r in csv.DictReader(open(f"{w}/s/pareto.csv")))
assert front == got, f"FAIL: pareto.csv {got}, expected {front}"
assert any(kind(r) == "aware" for r in rows if r["point"] in front)
print(f"PASS: 72 points ok; a point equals its own run; aware beats plain at 4 and 5 bits everywhere; "
      f"{len(front)} points on the front")
PY
