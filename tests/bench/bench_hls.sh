#!/bin/bash
# Bit-accurate emulation throughput of the jet-tagging-shaped MLP (configs/models/jet_tagging_mlp.json,
# 16-64-32-32-5, fixed<16,6>, 4,389 multiply-accumulates per inference), compiled from the generated HLS
# project with g++ -O2 -std=c++14, one core; anchor: the same network in double precision, same run.
# Also checks that the generated project's outputs equal the emulator's bit for bit.
# usage: tests/bench/bench_hls.sh [BUILD_DIR]   (prints a markdown table for docs/BENCHMARKS.md)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$root/build}
tf=$build/sim/app/tinyforge
[ -x "$tf" ] || { echo "build first: scripts/test.sh (or cmake --build build)" >&2; exit 2; }
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
t0=$(date +%s.%N)
"$tf" hls "$root/configs/models/jet_tagging_mlp.json" --out "$work" > /dev/null
t1=$(date +%s.%N)
cd "$work/hls"
check=$(./build.sh | tail -1)
t2=$(date +%s.%N)
g++ -std=c++14 -O2 -Wno-unknown-pragmas -I. -Ifirmware -o bench "$root/tests/bench/hls_bench_main.cpp" firmware/jet_tagging_mlp.cpp
read -r n tf_s tfl_s _ _ < <(./bench 200000)
fixed_ips=$(echo "$n / $tf_s" | bc -l)
float_ips=$(echo "$n / $tfl_s" | bc -l)
source "$root/tests/bench/machine.sh"
tf_bench_machine
printf '| metric | value | anchor (same run) | ratio to anchor | target |\n|---|---|---|---|---|\n'
printf '| bit-accurate inferences per second, one core (200k inferences) | %.0f | double-precision network: %.0f /s | %.3f | >= 100k |\n' \
  "$fixed_ips" "$float_ips" "$(echo "$fixed_ips / $float_ips" | bc -l)"
printf '| generated project vs emulator | %s | - | - | 0 mismatches |\n' "$check"
printf '| time to generate the project | %.2f s | - | - | - |\n' "$(echo "$t1 - $t0" | bc -l)"
printf '| time to compile and run its test bench (g++ -O2) | %.2f s | - | - | - |\n' "$(echo "$t2 - $t1" | bc -l)"
tf_bench_summary "HLS emulation inferences/s, one core" "$(printf '%.0f' "$fixed_ips")" ">= 100k" "$([ "$(echo "$fixed_ips >= 100000" | bc -l)" = 1 ] && echo yes || echo no)"
