#!/bin/bash
# A run's program.json runs again with --program to the same cycles and energy, also when the run had
# resident data (the listing carries it as "preload"): the compute SRAM's resident 8-bit adds and the default
# int4 MVM.
# usage: program_rerun.sh TINYFORGE SOURCE_DIR
set -eu
bin=$1; src=$2
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
export SC_COPYRIGHT_MESSAGE=DISABLE
for cfg in "$src/configs/cim/macros/compute_sram_wang2020/config.json" "$src/configs/cim/digital_28nm.json"; do
  rm -rf "$work/a" "$work/b"
  "$bin" sim cim --config "$cfg" --out "$work/a" > "$work/a.log" 2>&1 || { cat "$work/a.log"; exit 1; }
  "$bin" sim cim --config "$cfg" --program "$work/a/program.json" --out "$work/b" > "$work/b.log" 2>&1 ||
    { cat "$work/b.log"; exit 1; }
  /usr/bin/python3 - "$work" "$cfg" <<'PY' || exit 1
import json, sys
w = sys.argv[1]
a, b = (json.load(open(f"{w}/{d}/stats.json")) for d in ("a", "b"))
for k in ("micro_ops", "latency_cycles", "energy_pJ", "energy_dynamic_pJ"):
    assert a[k] == b[k], f"FAIL: {sys.argv[2]}: {k}: run {a[k]}, its program.json {b[k]}"
print(f"PASS: {sys.argv[2]}: program.json re-runs to the same cycles and energy")
PY
done
grep -q '"preload"' "$work/a/program.json" && { echo "FAIL: a run without resident data wrote a preload"; exit 1; }
exit 0
