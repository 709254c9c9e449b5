#!/bin/bash
# Digital MAC arrays (`tinyforge sim dcim`), with their anchors measured in the same run:
#  - wall time per design point of the Colonnade config (whole process: start, config, simulate, write the run
#    record) vs the bare start of the same binary (`tinyforge --help`);
#  - simulated cell-row steps per wall-second (one step: one row of one output for one input bit; simulation
#    only, `sim_wall_s`) on a large point of each architecture; anchor: the column_mac rate (same run);
#  - the three calibration checks of scripts/calibrate_cim.py (about 70 simulated points) vs as many bare starts.
# usage: tests/bench/bench_dcim.sh [BUILD_DIR]   (prints a markdown table for docs/BENCHMARKS.md)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$root/build}
tf=$build/sim/app/tinyforge
[ -x "$tf" ] || { echo "build first: scripts/test.sh (or cmake --build build)" >&2; exit 2; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
now() { date +%s.%N; }
field() { sed -n "s/.*\"$1\": \([0-9.e+-]*\).*/\1/p" "$2" | head -1; }
col=$root/configs/cim/macros/colonnade_kim2021/config.json

# 1. Wall time per Colonnade design point (8b x 8b, 8 vectors), whole process, mean of N.
N=30
t0=$(now)
for i in $(seq 1 $N); do "$tf" sim dcim --config "$col" --json --out "$work/p$i" > /dev/null; done
t1=$(now)
per_point=$(echo "($t1 - $t0) / $N" | bc -l)
t0=$(now)
for i in $(seq 1 $N); do "$tf" --help > /dev/null; done
t1=$(now)
per_start=$(echo "($t1 - $t0) / $N" | bc -l)

# 2. Cell-row steps per second on a large point of each architecture (128 rows, 8-bit weights and inputs).
rate() {  # ARCH -> steps/s
  "$tf" sim dcim --config "$col" --set macro.arch="$1" --set workload.vectors=512 --json --out "$work/$1" > "$work/$1.json"
  local outs wall
  outs=$(field outputs "$work/$1.json")
  wall=$(field sim_wall_s "$work/$1.json")
  echo "128 * $outs * 512 * 8 / $wall" | bc -l
}
r_col=$(rate column_mac)
r_tree=$(rate adder_tree)

# 3. The calibration checks of the three published macros.
t0=$(now)
for m in compute_sram_wang2020 colonnade_kim2021 dcim_chih2021; do
  /usr/bin/python3 "$root/scripts/calibrate_cim.py" "$root/configs/cim/macros/$m" --tinyforge "$tf" --check > "$work/cal_$m.log"
done
t1=$(now)
cal=$(echo "$t1 - $t0" | bc -l)
npts=$(cat "$work"/cal_*.log | grep -c '^| [^p-]')

source "$root/tests/bench/machine.sh"
tf_bench_machine
printf '| metric | value | anchor (same run) | ratio to anchor |\n'
printf '|---|---|---|---|\n'
printf '| wall time per Colonnade design point (8b x 8b, 8 vectors, whole process, mean of %d) | %.1f ms | `tinyforge --help`: %.1f ms | %.2f |\n' \
  "$N" "$(echo "$per_point * 1000" | bc -l)" "$(echo "$per_start * 1000" | bc -l)" "$(echo "$per_point / $per_start" | bc -l)"
printf '| cell-row steps per wall-second, column_mac (simulation only) | %.3g | - | 1.00 |\n' "$r_col"
printf '| cell-row steps per wall-second, adder_tree (simulation only) | %.3g | column_mac: %.3g | %.2f |\n' \
  "$r_tree" "$r_col" "$(echo "$r_tree / $r_col" | bc -l)"
printf '| calibration checks of 3 macros (%d points, each simulated twice, uncalibrated and calibrated) | %.2f s | %d bare starts: %.2f s | %.2f |\n' \
  "$npts" "$cal" "$((2 * npts))" "$(echo "2 * $npts * $per_start" | bc -l)" "$(echo "$cal / (2 * $npts * $per_start)" | bc -l)"
tf_bench_summary "dcim Colonnade point, whole process (ms)" "$(printf '%.1f' "$(echo "$per_point * 1000" | bc -l)")" "< 50 ms" \
  "$([ "$(echo "$per_point < 0.05" | bc -l)" = 1 ] && echo yes || echo no)"
