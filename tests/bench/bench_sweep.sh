#!/bin/bash
# Sweep throughput on 2 cores, with its anchor measured in the same run:
#  - anchor: `xargs -P 2` running the same `tinyforge sim cim` commands (one process per point, nothing else);
#  - `tinyforge sweep --jobs 2` (process engine: the same child processes, plus the run records' hashing,
#    the fsync'd journal, results.csv/json, Pareto front and manifest);
#  - `tinyforge sweep --engine fast --jobs 2` (the CIM model's in-process fast path), on larger sweeps: over
#    the supply and the clock (20,167 points; the workload is built once per thread) and over the workload
#    seed (FAST_POINTS points; every point builds its random workload).
# The process-engine points: the default CIM design point (configs/cim/digital_28nm.json) with `seed` as the
# only axis, so every point is a distinct config of the same cost.
# usage: tests/bench/bench_sweep.sh [BUILD_DIR] [POINTS] [FAST_POINTS]   (prints a markdown table)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$root/build}
N=${2:-400}
NF=${3:-20000}
tf=$build/sim/app/tinyforge
[ -x "$tf" ] || { echo "build first: scripts/test.sh (or cmake --build build)" >&2; exit 2; }
export SC_COPYRIGHT_MESSAGE=DISABLE
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
now() { date +%s.%N; }
spec() {  # spec FILE N: seeds 1..N over the default CIM point
  cat > "$1" <<JSON
{"model": "cim", "base": "$root/configs/cim/digital_28nm.json", "axes": {"seed": {"range": [1, $2, 1]}},
 "objectives": {"energy_pJ": "min", "latency_ns": "min"}, "run": {"jobs": 2, "timeout_s": 600}}
JSON
}
spec "$work/s.json" "$N"
spec "$work/f.json" "$NF"
cat > "$work/h.json" <<JSON
{"model": "cim", "base": "$root/configs/cim/digital_28nm.json",
 "axes": {"tech.vdd_V": {"range": [0.6, 0.9, 0.001]}, "macro.freq_MHz": {"range": [100, 760, 10]}},
 "objectives": {"energy_pJ": "min", "latency_ns": "min"}, "run": {"jobs": 2, "timeout_s": 600}}
JSON

# Anchor: xargs -P 2 over the same commands.
for i in $(seq 1 "$N"); do echo "$i"; done > "$work/seeds"
t0=$(now)
xargs -P 2 -I{} "$tf" sim cim --config "$root/configs/cim/digital_28nm.json" --set seed={} --out "$work/x/{}" --json \
  < "$work/seeds" > /dev/null
t1=$(now)
x_s=$(echo "$t1 - $t0" | bc -l)

t0=$(now)
"$tf" sweep "$work/s.json" --out "$work/sw" --jobs 2 > /dev/null 2>&1
t1=$(now)
s_s=$(echo "$t1 - $t0" | bc -l)

t0=$(now)
"$tf" sweep "$work/h.json" --out "$work/hw" --jobs 2 --engine fast > "$work/hw.log" 2>&1 || { cat "$work/hw.log" >&2; exit 1; }
t1=$(now)
h_s=$(echo "$t1 - $t0" | bc -l)
NH=$(($(wc -l < "$work/hw/results.csv") - 1))

t0=$(now)
"$tf" sweep "$work/f.json" --out "$work/fast" --jobs 2 --engine fast > "$work/fast.log" 2>&1 || { cat "$work/fast.log" >&2; exit 1; }
t1=$(now)
f_s=$(echo "$t1 - $t0" | bc -l)

x_rate=$(echo "$N / $x_s" | bc -l)
s_rate=$(echo "$N / $s_s" | bc -l)
f_rate=$(echo "$NF / $f_s" | bc -l)
h_rate=$(echo "$NH / $h_s" | bc -l)
overhead_ms=$(echo "($s_s - $x_s) / $N * 2 * 1000" | bc -l)
source "$root/tests/bench/machine.sh"
tf_bench_machine
printf '| run | points | wall s | points/s | vs xargs -P 2 |\n|---|---:|---:|---:|---:|\n'
printf '| xargs -P 2, `tinyforge sim cim` per point (anchor) | %d | %.2f | %.1f | 1.00x |\n' "$N" "$x_s" "$x_rate"
printf '| `tinyforge sweep --jobs 2` (process engine) | %d | %.2f | %.1f | %.2fx |\n' "$N" "$s_s" "$s_rate" "$(echo "$s_rate / $x_rate" | bc -l)"
printf '| `tinyforge sweep --jobs 2 --engine fast`, Vdd x clock | %d | %.2f | %.0f | %.1fx |\n' "$NH" "$h_s" "$h_rate" "$(echo "$h_rate / $x_rate" | bc -l)"
printf '| `tinyforge sweep --jobs 2 --engine fast`, workload seed | %d | %.2f | %.0f | %.1fx |\n' "$NF" "$f_s" "$f_rate" "$(echo "$f_rate / $x_rate" | bc -l)"
printf '\nsweep overhead per point (process engine, per core): %.2f ms\n' "$overhead_ms"
tf_bench_summary "sweep process engine vs xargs -P 2" "$(printf '%.2fx' "$(echo "$s_rate / $x_rate" | bc -l)")" ">= 1x" "$([ "$(echo "$s_rate >= $x_rate" | bc -l)" = 1 ] && echo yes || echo no)"
