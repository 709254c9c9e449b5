#!/bin/bash
# The analog CIM macro (`tinyforge sim acim`), with its anchors measured in the same run:
#  - noisy analog MACs per second per core (Eigen products, one noise draw per conversion, ADC, shift-add;
#    bench_acim_kernel) vs a plain double-precision matrix-vector loop of the same MAC count;
#  - the digits MLP over its 360 test images x 10 chip instances (accuracy and energy), whole process, vs the
#    bare start of the same binary (`tinyforge --help`).
# usage: tests/bench/bench_acim.sh [BUILD_DIR]   (prints a markdown table for docs/BENCHMARKS.md)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$root/build}
tf=$build/sim/app/tinyforge
kernel=$build/tests/bench/bench_acim_kernel
[ -x "$tf" ] && [ -x "$kernel" ] || { echo "build first: scripts/test.sh (or cmake --build build)" >&2; exit 2; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
now() { date +%s.%N; }

read -r noisy plain < <(taskset -c 0 "$kernel" 256 64 256 2>/dev/null || "$kernel" 256 64 256)

N=10
t0=$(now)
for i in $(seq 1 $N); do
  "$tf" sim acim --network "$root/configs/models/digits_mlp.onnx" --set chips=10 --json --out "$work/d$i" > "$work/d.json"
done
t1=$(now)
per_run=$(echo "($t1 - $t0) / $N" | bc -l)
t0=$(now)
for i in $(seq 1 $N); do "$tf" --help > /dev/null; done
t1=$(now)
per_start=$(echo "($t1 - $t0) / $N" | bc -l)
acc=$(/usr/bin/python3 -c "import json; print('%.3f' % json.load(open('$work/d.json'))['accuracy_mean'])")

source "$root/tests/bench/machine.sh"
tf_bench_machine
printf '| metric | value | anchor (same run) | ratio to anchor |\n'
printf '|---|---|---|---|\n'
printf '| noisy analog MACs per second, one core (256x64 layer, 4b x 4b, 1-bit cells, bit-serial, 256 vectors) | %.3g | plain double matrix-vector loop: %.3g MAC/s | %.2f |\n' \
  "$noisy" "$plain" "$(echo "$noisy / $plain" | bc -l)"
printf '| digits MLP, 360 images x 10 chips (accuracy %s and energy), whole process, mean of %d | %.3f s | `tinyforge --help`: %.1f ms | %.1f |\n' \
  "$acc" "$N" "$per_run" "$(echo "$per_start * 1000" | bc -l)" "$(echo "$per_run / $per_start" | bc -l)"
tf_bench_summary "acim noisy MACs per second per core" "$(printf '%.3g' "$noisy")" ">= 2e8" \
  "$([ "$(echo "$noisy >= 200000000" | bc -l)" = 1 ] && echo yes || echo no)"
tf_bench_summary "acim digits MLP 360 x 10 chips, whole process (s)" "$(printf '%.3f' "$per_run")" "< 2 s" \
  "$([ "$(echo "$per_run < 2" | bc -l)" = 1 ] && echo yes || echo no)"
