#!/bin/bash
# Runs every benchmark of tests/bench/ on this machine and prints their tables, then one summary table of the
# measured ratios against their targets. Each benchmark measures its anchors in the same run.
# usage: tests/bench/all.sh [BUILD_DIR] [--with-synth]
#   BUILD_DIR     a Release build (default build/; scripts/test.sh makes it)
#   --with-synth  also the yosys costs of bench_rtl.sh (minutes per design); without it bench_rtl.sh runs
#                 --no-synth at R = 1 and 4
# HLS4ML_SRC (an hls4ml source tree) and AP_INCLUDE (the folder of ap_fixed.h) in the environment add the
# comparison with hls4ml's C simulation to bench_hls4ml_speed.py; without them it reports tinyforge alone.
# The neuromorphic benchmark needs Debian's python3-brian (installed here when missing and running as root).
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=$root/build
synth=0
for a in "$@"; do
  case "$a" in
    --with-synth) synth=1 ;;
    -h | --help) sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) echo "all.sh: unknown option $a (see --help)" >&2; exit 2 ;;
    *) build=$(cd "$a" && pwd) || exit 2 ;;
  esac
done
[ -x "$build/sim/app/tinyforge" ] || { echo "all.sh: build first: scripts/test.sh (or cmake --build $build)" >&2; exit 2; }
source "$root/tests/bench/machine.sh"
if ! /usr/bin/python3 -c "import brian2" 2>/dev/null && [ "$(id -u)" = 0 ]; then
  echo "installing python3-brian for bench_neuro.sh"
  (apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends python3-brian) \
    > /dev/null 2>&1 || echo "could not install python3-brian: bench_neuro.sh will be skipped"
fi
export TF_BENCH_SUMMARY
TF_BENCH_SUMMARY=$(mktemp); trap 'rm -f "$TF_BENCH_SUMMARY"' EXIT
status=()
run() {  # NAME SCRIPT ARGS...
  local name=$1; shift
  echo; echo "## $name"; echo
  local t0=$SECONDS
  local how=bash
  [[ $1 == *.py ]] && how=/usr/bin/python3
  if $how "$@"; then status+=("$name: ok ($((SECONDS - t0)) s)"); else status+=("$name: FAILED or skipped (exit $?)"); fi
}
run "start-up" "$root/tests/bench/bench_startup.sh" "$build"
run "CIM macro simulation" "$root/tests/bench/bench_cim.sh" "$build"
run "digital MAC arrays (dcim)" "$root/tests/bench/bench_dcim.sh" "$build"
run "analog CIM with noise (acim)" "$root/tests/bench/bench_acim.sh" "$build"
run "neuromorphic core vs Brian2" "$root/tests/bench/bench_neuro.sh" "$build"
run "HLS emulation" "$root/tests/bench/bench_hls.sh" "$build"
run "LMU keyword spotter emulation" "$root/tests/bench/bench_lmu.sh" "$build"
run "HLS emulation vs hls4ml" "$root/tests/bench/bench_hls4ml_speed.py" "$build/sim/app/tinyforge"
run "sweeps" "$root/tests/bench/bench_sweep.sh" "$build"
if [ $synth = 1 ]; then
  run "RTL" "$root/tests/bench/bench_rtl.sh" "$build"
else
  run "RTL (no synthesis)" "$root/tests/bench/bench_rtl.sh" "$build" --no-synth 1 4
fi
echo; echo "## Summary"; echo
tf_bench_machine
echo
printf '| measure | measured | target | met |\n|---|---|---|---|\n'
while IFS=$'\t' read -r name value target met; do
  printf '| %s | %s | %s | %s |\n' "$name" "$value" "$target" "$met"
done < "$TF_BENCH_SUMMARY"
echo
printf '%s\n' "${status[@]}"
