#!/bin/bash
# `tinyforge hls --rtl` end to end: generate Verilog, lint it with verilator -Wall, verilate it and stream the
# test vectors through it (in order, then with random input gaps and output back-pressure); every output bit
# must equal the emulator's.
# usage: rtl_project.sh TINYFORGE MODEL [extra tinyforge hls options]
set -eu
bin=$1; model=$2; shift 2
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
"$bin" hls "$model" --out "$work/out" --rtl "$@" > /dev/null
out=$("$work/out/rtl/verify.sh" 2>&1)
echo "$out" | tail -4
[ "$(echo "$out" | grep -c ' 0 mismatching outputs')" -eq 2 ] || { echo "FAIL: mismatches"; exit 1; }
echo ok
