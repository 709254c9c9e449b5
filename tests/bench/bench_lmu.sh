#!/bin/bash
# Bit-accurate emulation of the shipped LMU keyword spotters (configs/models/kws_lmu_*.json) on one core,
# against the same models in double precision in the same run, over their own test utterances (repeated).
# Targets (issue 15): the emulator at >= 0.5x the double model, and >= 1,000x real time at 50 frames/s.
# usage: tests/bench/bench_lmu.sh [BUILD_DIR]   (prints a markdown table for docs/BENCHMARKS.md)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$root/build}
bench=$build/tests/bench/bench_lmu_emulate
[ -x "$bench" ] || { echo "build first: scripts/test.sh (or cmake --build build --target bench_lmu_emulate)" >&2; exit 2; }
source "$root/tests/bench/machine.sh"
tf_bench_machine
printf '| model | parameters | frames | emulator frames/s | double model frames/s (anchor) | ratio | real time (50 frames/s) | targets |\n|---|---:|---:|---:|---:|---:|---:|---|\n'
largest=""
for m in "$root"/configs/models/kws_lmu_{small,medium,large}.json; do
  [ -f "$m" ] || continue
  name=$(basename "$m" .json)
  params=$(/usr/bin/python3 -c "import json,sys; r=json.load(open(sys.argv[1])); print(r['models'][sys.argv[2]]['params'])" \
           "$root/configs/models/kws_lmu_training.json" "${name#kws_lmu_}")
  read -r frames te td _ < <("$bench" "$m" 20)
  fe=$(echo "$frames / $te" | bc -l); fd=$(echo "$frames / $td" | bc -l)
  ratio=$(echo "$fe / $fd" | bc -l); rt=$(echo "$fe / 50" | bc -l)
  met=$([ "$(echo "$ratio >= 0.5 && $rt >= 1000" | bc -l)" = 1 ] && echo "met" || echo "missed")
  printf '| %s | %s | %s | %.0f | %.0f | %.2f | %.0fx | >= 0.5x, >= 1000x: %s |\n' "$name" "$params" "$frames" "$fe" "$fd" "$ratio" "$rt" "$met"
  largest="$name $ratio $rt $met"
done
read -r name ratio rt met <<<"$largest"
tf_bench_summary "LMU emulation vs double ($name)" "$(printf '%.2fx, %.0fx real time' "$ratio" "$rt")" ">= 0.5x, >= 1000x" "$([ "$met" = met ] && echo yes || echo no)"
