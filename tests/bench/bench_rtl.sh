#!/bin/bash
# RTL of the jet-tagging-shaped MLP (configs/models/jet_tagging_mlp.json, 16-64-32-32-5, fixed<16,6>, reuse
# factor 1): bit-exactness, latency and II from the Verilator run, verilated throughput (20,000 inferences),
# and yosys synth_xilinx costs (multipliers per layer against the bound n_in x n_out, logic depth), with the
# time each step takes. yosys on this design takes several minutes.
# usage: tests/bench/bench_rtl.sh [BUILD_DIR] [--no-synth]
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$root/build}
tf=$build/sim/app/tinyforge
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
now() { date +%s.%N; }
t0=$(now); "$tf" hls "$root/configs/models/jet_tagging_mlp.json" --out "$work" --rtl > /dev/null; t1=$(now)
cd "$work/rtl"
v=$(./verify.sh 2>&1 | tail -2); t2=$(now)
thr=$(./obj_dir/jet_tagging_mlp_tb tb_data 100 | tail -1)
echo "in order:        $(echo "$v" | head -1)"
echo "back-pressure:   $(echo "$v" | tail -1)"
echo "throughput run:  $thr"
printf 'generate %.1f s, lint + verilate + run %.1f s\n' "$(echo "$t1 - $t0" | bc -l)" "$(echo "$t2 - $t1" | bc -l)"
if [ "${2:-}" != "--no-synth" ]; then
  t3=$(now); "$tf" hls "$root/configs/models/jet_tagging_mlp.json" --out "$work/s" --rtl --synth xc7 > /dev/null; t4=$(now)
  cat "$work/s/report.md"
  printf 'yosys run %.0f s\n' "$(echo "$t4 - $t3" | bc -l)"
fi
