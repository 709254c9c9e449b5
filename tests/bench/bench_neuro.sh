#!/bin/bash
# Speed of the Xylo-like core model: 10,000 steps of the default 16-1000-8 recurrent network (fan-out 32,
# Poisson input at 10% activity), against Brian2 running the equivalent floating-point LIF network with the
# same connectivity and input spikes (cython target, median of three warm runs), in the same run; tinyforge's
# figures are medians of five runs.
# usage: tests/bench/bench_neuro.sh [BUILD_DIR]   (needs python3-brian; prints a markdown table)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$root/build}
tf=$build/sim/app/tinyforge
[ -x "$tf" ] || { echo "build first: scripts/test.sh (or cmake --build build)" >&2; exit 2; }
/usr/bin/python3 -c "import brian2" 2>/dev/null || { echo "needs Debian's python3-brian: apt-get install python3-brian" >&2; exit 2; }
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
field() { sed -n "s/.*\"$1\": \([0-9.e+-]*\).*/\1/p" "$2" | head -1; }
# Five runs; the medians of the simulation time and of the whole process are reported.
sims=(); procs=()
for k in 1 2 3 4 5; do
  rm -rf "$work/run"
  t0=$(date +%s.%N)
  "$tf" sim neuro --set input.steps=10000 --out "$work/run" --json > "$work/stats.json"
  t1=$(date +%s.%N)
  sims+=("$(field sim_wall_s "$work/stats.json")"); procs+=("$(echo "$t1 - $t0" | bc -l)")
done
median() { printf '%s\n' "$@" | sort -g | sed -n 3p; }
sim=$(median "${sims[@]}"); proc=$(median "${procs[@]}")
# Brian2 reads the same network and input spikes, which the run writes with record.outputs=full.
"$tf" sim neuro --set input.steps=10000 --set record.outputs=full --out "$work/full" --json > /dev/null
brian=$(/usr/bin/python3 "$root/tests/bench/brian2_lif.py" "$work/full" 2>/dev/null | tail -1)
[ -n "$brian" ] || { echo "Brian2 run failed: /usr/bin/python3 $root/tests/bench/brian2_lif.py $work/full" >&2; exit 1; }
# Brian2's whole process (python start, import, network build, one run; its code cache warm): median of three.
bprocs=()
for k in 1 2 3; do
  t0=$(date +%s.%N); /usr/bin/python3 "$root/tests/bench/brian2_lif.py" --once "$work/full" > /dev/null 2>&1; t1=$(date +%s.%N)
  bprocs+=("$(echo "$t1 - $t0" | bc -l)")
done
bproc=$(printf '%s\n' "${bprocs[@]}" | sort -g | sed -n 2p)
rate=$(field hidden_rate_Hz "$work/stats.json")
source "$root/tests/bench/machine.sh"
tf_bench_machine
printf '| metric | value | anchor (same run) | ratio | target |\n|---|---|---|---|---|\n'
printf '| 10,000 steps, simulation only | %.3f s | Brian2 (cython, warm): %.3f s | %.1fx faster | >= 10x faster |\n' \
  "$sim" "$brian" "$(echo "$brian / $sim" | bc -l)"
printf '| 10,000 steps, whole process (incl. writing the standard run record) | %.3f s | Brian2 whole process (python, import, build, run; code cache warm): %.3f s | %.1fx faster | >= 5x faster |\n' \
  "$proc" "$bproc" "$(echo "$bproc / $proc" | bc -l)"
printf '| 10,000 steps, whole process, against Brian2 warm simulation only | %.3f s | Brian2 (cython, warm): %.3f s | %.1fx faster | - |\n' \
  "$proc" "$brian" "$(echo "$brian / $proc" | bc -l)"
printf '| speed against real time (dt = 1 ms), simulation only | %.0fx | 10 s of network time | - | >= 100x (under 0.1 s) |\n' \
  "$(echo "10 / $sim" | bc -l)"
printf '| hidden firing rate (tinyforge, integer model) | %.1f Hz | - | - | - |\n' "$rate"
met() { [ "$(echo "$1 >= $2" | bc -l)" = 1 ] && echo yes || echo no; }
tf_bench_summary "neuro 10k steps: simulation vs Brian2 warm" "$(printf '%.1fx' "$(echo "$brian / $sim" | bc -l)")" ">= 10x" "$(met "$(echo "$brian / $sim" | bc -l)" 10)"
tf_bench_summary "neuro 10k steps: whole process vs Brian2 whole process" "$(printf '%.1fx' "$(echo "$bproc / $proc" | bc -l)")" ">= 5x" "$(met "$(echo "$bproc / $proc" | bc -l)" 5)"
