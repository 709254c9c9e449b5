#!/bin/bash
# CIM macro simulation speed, with its anchors measured in the same run:
#  - simulated micro-ops per wall-second vs a bare 6-stage SystemC sc_fifo pipeline (no model work);
#  - wall time per default design point (whole process: start, config, simulate, write the run record)
#    vs the bare start of the same binary (`tinyforge --help`).
# usage: tests/bench/bench_cim.sh [BUILD_DIR]   (prints a markdown table for docs/BENCHMARKS.md)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$root/build}
tf=$build/sim/app/tinyforge
anchor=$build/tests/bench/bench_kernel_anchor
[ -x "$tf" ] && [ -x "$anchor" ] || { echo "build first: scripts/test.sh (or cmake --build build)" >&2; exit 2; }
export SC_COPYRIGHT_MESSAGE=DISABLE
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
now() { date +%s.%N; }
field() { sed -n "s/.*\"$1\": \([0-9.e+-]*\).*/\1/p" "$2" | head -1; }

# 1. Throughput on a long program: 64 MVM layers with the gated mapping (about 142k micro-ops, the same
#    program as before the direct mapping became the default, whose 64 layers are only about 51k), one process.
layers=$(printf '{},%.0s' $(seq 1 64)); layers="[${layers%,}]"
t0=$(now)
"$tf" sim cim --json --out "$work/long" --set "workload.layers=$layers" --set mapper.mvm=gated \
  --set macro.accumulators=0 > "$work/long.json"
t1=$(now)
uops=$(field micro_ops "$work/long.json")
simwall=$(field sim_wall_s "$work/long.json")
proc=$(echo "$t1 - $t0" | bc -l)
ops_sim=$(echo "$uops / $simwall" | bc -l)
ops_proc=$(echo "$uops / $proc" | bc -l)
# Anchor: the bare kernel pipeline with the same token count.
read -r n_anchor s_anchor < <("$anchor" "$uops")
ops_anchor=$(echo "$n_anchor / $s_anchor" | bc -l)

# 2. Wall time per default design point, whole process, averaged over N runs; anchor: bare process start.
N=50
t0=$(now)
for i in $(seq 1 $N); do "$tf" sim cim --json --out "$work/p$i" > /dev/null; done
t1=$(now)
per_point=$(echo "($t1 - $t0) / $N" | bc -l)
t0=$(now)
for i in $(seq 1 $N); do "$tf" --help > /dev/null; done
t1=$(now)
per_start=$(echo "($t1 - $t0) / $N" | bc -l)
def_uops=$(field micro_ops "$work/p1/stats.json")

source "$root/tests/bench/machine.sh"
tf_bench_machine
printf '| metric | value | anchor (same run) | ratio to anchor | target |\n'
printf '|---|---|---|---|---|\n'
printf '| simulated micro-ops per wall-second, simulation only (%d micro-ops) | %.0f | bare 6-stage sc_fifo pipeline: %.0f tokens/s | %.2f | >= 500k |\n' \
  "$uops" "$ops_sim" "$ops_anchor" "$(echo "$ops_sim / $ops_anchor" | bc -l)"
printf '| simulated micro-ops per wall-second, whole process | %.0f | - | %.2f (vs bare pipeline) | >= 500k |\n' \
  "$ops_proc" "$(echo "$ops_proc / $ops_anchor" | bc -l)"
printf '| wall time per default design point (%d micro-ops, whole process, mean of %d) | %.1f ms | `tinyforge --help`: %.1f ms | %.2f | < 50 ms |\n' \
  "$def_uops" "$N" "$(echo "$per_point * 1000" | bc -l)" "$(echo "$per_start * 1000" | bc -l)" "$(echo "$per_point / $per_start" | bc -l)"
printf '| default design points per second, one core | %.0f | - | - | >= 100 |\n' "$(echo "1 / $per_point" | bc -l)"
met() { [ "$(echo "$1 >= $2" | bc -l)" = 1 ] && echo yes || echo no; }
tf_bench_summary "CIM micro-ops/s, simulation only" "$(printf '%.0f' "$ops_sim")" ">= 500k" "$(met "$ops_sim" 500000)"
tf_bench_summary "CIM micro-ops/s, whole process" "$(printf '%.0f' "$ops_proc")" ">= 500k" "$(met "$ops_proc" 500000)"
tf_bench_summary "CIM default points per second, one core" "$(printf '%.0f' "$(echo "1 / $per_point" | bc -l)")" ">= 100" "$(met "$(echo "1 / $per_point" | bc -l)" 100)"
