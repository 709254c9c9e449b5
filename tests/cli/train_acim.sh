#!/bin/bash
# scripts/train_acim_aware.py, shortened (3 + 2 epochs): it runs, gives the same outputs twice, and its torch
# implementation of the macro (written from docs/acim.md) gives, with the noise off, the accuracies tinyforge
# gives for the freshly trained networks at every ADC resolution of its record. Then plot_acim_aware.py on
# them: the CSV, a PNG and an SVG, and exit 2 for a missing training record.
# usage: train_acim.sh TINYFORGE SOURCE_DIR
set -eu
bin=$1; src=$2
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
for d in a b; do
  "$src/scripts/train_acim_aware.py" --tinyforge "$bin" --out "$work/$d" --epochs 3 --aware-epochs 2 \
    --set macro.adc_bits=4 --set adc.range=calibrated > "$work/$d.log" 2>&1 || { cat "$work/$d.log"; echo "FAIL: training"; exit 1; }
done
# Another macro: 2-bit cells and DAC, 32-row arrays (two row tiles), 16 rows per conversion, a percentile range.
"$src/scripts/train_acim_aware.py" --tinyforge "$bin" --out "$work/c" --epochs 3 --aware-epochs 2 \
  --set macro.cell_bits=2 --set macro.dac_bits=2 --set macro.rows=32 --set macro.rows_active=16 \
  --set adc.range=calibrated --set adc.calib_percentile=99 > "$work/c.log" 2>&1 || { cat "$work/c.log"; echo "FAIL: training c"; exit 1; }
for f in digits_mlp_acim_plain_test.json digits_mlp_acim_aware_test.json; do
  cmp "$work/a/$f" "$work/b/$f" || { echo "FAIL: $f differs between two trainings with the same seed"; exit 1; }
done
/usr/bin/python3 - "$bin" "$work/a" "$work/c" <<'PY' || exit 1
import json, subprocess, sys
tf = sys.argv[1]
n = 0
for d in sys.argv[2:]:
  rec = json.load(open(f"{d}/digits_mlp_acim_training.json"))
  for kind, m in rec["models"].items():
    for bits, v in m["noise_free_by_adc_bits"].items():
        cmd = ([tf, "sim", "acim", "--network", f"{d}/{m['onnx']}", "--json", "--out", f"{d}/run-{kind}-{bits}"] +
               sum([["--set", s] for s in rec["set"]], []) +  # the training's point, then this one's ADC bits
               ["--set", "noise.enable=false", "--set", f"macro.adc_bits={bits}"])
        s = json.loads(subprocess.run(cmd, check=True, capture_output=True, text=True).stdout)
        for k, want in (("accuracy_mean", v["accuracy"]), ("accuracy_ideal", v["accuracy_ideal"]),
                        ("accuracy_float", m["accuracy_float"])):
            assert abs(s[k] - want) < 1e-12, f"FAIL: {kind} at {bits} bits: {k} tinyforge {s[k]}, torch {want}"
        n += 1
print(f"PASS: {n} points: tinyforge equals the training script's macro")
PY
"$src/scripts/plot_acim_aware.py" --tinyforge "$bin" --training "$work/a/digits_mlp_acim_training.json" \
  --bits 3,5 --noise 0,1 --chips 2 --out "$work/plots" > "$work/plot.log" 2>&1 || { cat "$work/plot.log"; echo "FAIL: plot"; exit 1; }
[ "$(wc -l < "$work/plots/acim_aware.csv")" -eq 9 ] || { cat "$work/plots/acim_aware.csv"; echo "FAIL: csv rows"; exit 1; }
head -c 8 "$work/plots/acim_aware.png" | od -An -tx1 | grep -q "89 50 4e 47 0d 0a 1a 0a" || { echo "FAIL: PNG signature"; exit 1; }
/usr/bin/python3 -c "import sys, xml.dom.minidom; xml.dom.minidom.parse(sys.argv[1])" "$work/plots/acim_aware.svg"
set +e
"$src/scripts/plot_acim_aware.py" --tinyforge "$bin" --training "$work/none.json" --out "$work/p2" > "$work/bad.log" 2>&1
rc=$?
set -e
[ $rc -eq 2 ] && grep -q "none.json: no such file" "$work/bad.log" && [ ! -e "$work/p2" ] ||
  { cat "$work/bad.log"; echo "FAIL: missing record gave exit $rc"; exit 1; }
set +e
"$src/scripts/train_acim_aware.py" --tinyforge "$bin" --out "$work/t0" --epochs 0 > "$work/t0.log" 2>&1
rc=$?
set -e
[ $rc -eq 2 ] && grep -q -- "--epochs: got 0; expected an integer of at least 1" "$work/t0.log" && [ ! -e "$work/t0" ] ||
  { cat "$work/t0.log"; echo "FAIL: --epochs 0 gave exit $rc"; exit 1; }
echo "PASS: training reproducible, tinyforge equals the script's macro, plots written, bad input exit 2"
