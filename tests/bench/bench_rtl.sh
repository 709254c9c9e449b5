#!/bin/bash
# RTL of the jet-tagging-shaped MLP (configs/models/jet_tagging_mlp.json, 16-64-32-32-5, fixed<16,6>) at reuse
# factors 1, 2, 4 and 8: bit-exactness, latency and II from the Verilator run, verilated throughput (20,000
# inferences, verilated single-threaded and with --threads 2), yosys synth_xilinx costs (multipliers per layer against the bound ceil(n_in x n_out / R),
# DSP48E1, LUT, logic depth) and the time each step takes. yosys takes minutes per design.
# usage: tests/bench/bench_rtl.sh [BUILD_DIR] [--no-synth] [R ...]     (PIPELINE=K adds --pipeline K)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$root/build}
shift || true
synth=1
if [ "${1:-}" = "--no-synth" ]; then synth=0; shift; fi
rs=${*:-1 2 4 8}
tf=$build/sim/app/tinyforge
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
source "$root/tests/bench/machine.sh"
tf_bench_machine
now() { date +%s.%N; }
pk=${PIPELINE:-0}
popt=""; [ "$pk" != 0 ] && popt="--pipeline $pk"
table="| R | --pipeline | bit-exact (in order / back-pressure) | latency | II measured | verilated inferences/s, 1 thread (2 threads) | yosys multipliers per layer (bound) | DSP48E1 | LUT | logic depth (cells) | generate / verilate+run / yosys (s) |
|---|---|---|---|---|---|---|---|---|---|---|"
for r in $rs; do
  d=$work/r$r
  t0=$(now); "$tf" hls "$root/configs/models/jet_tagging_mlp.json" --out "$d" --rtl --reuse "$r" $popt > "$d.gen.log"; t1=$(now)
  v=$(cd "$d/rtl" && ./verify.sh 2>&1 | tail -2); t2=$(now)
  thr=$(cd "$d/rtl" && ./obj_dir/jet_tagging_mlp_tb tb_data 100 | tail -1)
  # The same model verilated with --threads 2 (Verilator's own multithreading; both cores).
  thr2=$(cd "$d/rtl" && sed -n 's/^verilator --cc /verilator --cc --threads 2 -Mdir obj_mt /p' verify.sh | sed 's/ > verilator.log$//' | sh > mt.log 2>&1 \
         && ./obj_mt/jet_tagging_mlp_tb tb_data 100 | tail -1)
  echo "R=$r 2 threads:       $thr2"
  ips2=$(echo "$thr2" | sed -n 's/.* \([0-9]*\) inferences\/s.*/\1/p')
  echo "R=$r in order:       $(echo "$v" | head -1)"
  echo "R=$r back-pressure:  $(echo "$v" | tail -1)"
  echo "R=$r throughput run: $thr"
  exact="$(echo "$v" | grep -c ' 0 mismatching outputs')/2 runs with 0 mismatches"
  lat=$(echo "$v" | head -1 | sed -n 's/.*latency \([0-9]*\) cycles.*/\1/p')
  ii=$(echo "$v" | head -1 | sed -n 's/.*II \([0-9.]*\) cycles.*/\1/p')
  ips=$(echo "$thr" | sed -n 's/.* \([0-9]*\) inferences\/s.*/\1/p')
  mults="-"; dsp="-"; lut="-"; depth="-"; ys="-"
  if [ $synth = 1 ]; then
    t3=$(now); "$tf" hls "$root/configs/models/jet_tagging_mlp.json" --out "$d/s" --rtl --reuse "$r" $popt --synth xc7 > /dev/null; t4=$(now)
    cat "$d/s/report.md"
    read -r mults dsp lut depth < <(/usr/bin/python3 - "$d/s/report.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
m = ", ".join("%d (%d)" % (l["yosys_multipliers"], l["multiplier_bound"]) for l in r["layers"] if "multiplier_bound" in l)
print(m.replace(" ", "_"), r["total"]["dsp"], r["total"]["lut"], r.get("logic_depth_cells", "?"))
PY
)
    mults=${mults//_/ }
    ys=$(printf '%.0f' "$(echo "$t4 - $t3" | bc -l)")
  fi
  table+=$'\n'"| $r | $pk | $exact | $lat | $ii | $ips ($ips2) | $mults | $dsp | $lut | $depth | $(printf '%.1f / %.0f' "$(echo "$t1 - $t0" | bc -l)" "$(echo "$t2 - $t1" | bc -l)") / $ys |"
done
echo
echo "$table"
