#!/bin/bash
# `tinyforge hls MODEL --verify N`: one command generates the RTL, verilates it, streams exactly N vectors in
# order and under random back-pressure, and checks bits, latency and II; it must say PASS and exit 0.
# usage: rtl_verify.sh TINYFORGE MODEL
set -eu
bin=$1; model=$2
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
"$bin" hls "$model" --out "$work/out" --verify 257 > "$work/log" 2>&1 || { cat "$work/log"; echo "FAIL: exit $?"; exit 1; }
cat "$work/log" | tail -3
grep -q "^  in order: *257 vectors, 0 mismatching outputs" "$work/log" || { echo "FAIL: not 257 vectors bit-exact in order"; exit 1; }
grep -q "^  random back-pressure: *257 vectors, 0 mismatching outputs" "$work/log" || { echo "FAIL: back-pressure run"; exit 1; }
grep -q "^verify: bit-exact; .*: PASS$" "$work/log" || { echo "FAIL: no PASS line"; exit 1; }
[ "$(wc -l < "$work/out/rtl/tb_data/in_raw.txt")" -eq 257 ] || { echo "FAIL: tb_data does not hold 257 vectors"; exit 1; }
echo ok
