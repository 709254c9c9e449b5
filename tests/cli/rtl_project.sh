#!/bin/bash
# `tinyforge hls --rtl` end to end: generate Verilog, lint it with verilator -Wall, verilate it and stream the
# test vectors through it (in order, then with random input gaps and output back-pressure); every output bit
# must equal the emulator's.
# usage: rtl_project.sh TINYFORGE MODEL [extra tinyforge hls options]
set -eu
bin=$1; model=$2; shift 2
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
"$bin" hls "$model" --out "$work/out" --rtl "$@" > "$work/gen.log"
out=$("$work/out/rtl/verify.sh" 2>&1)
echo "$out" | tail -4
[ "$(echo "$out" | grep -c ' 0 mismatching outputs')" -eq 2 ] || { echo "FAIL: mismatches"; exit 1; }
# The latency measured in the in-order run equals the one the generator reports.
reported=$(sed -n 's/.*latency \([0-9]*\) cycles, II.*/\1/p' "$work/gen.log")
measured=$(echo "$out" | grep ' 0 mismatching outputs' | head -1 | sed -n 's/.*latency \([0-9]*\) cycles.*/\1/p')
[ -n "$reported" ] && [ "$reported" = "$measured" ] || { echo "FAIL: latency reported $reported, measured $measured"; exit 1; }
# So does the initiation interval (cycles between outputs when nothing stalls).
ii_rep=$(sed -n 's/.*cycles, II \([0-9]*\), .*/\1/p' "$work/gen.log")
ii_meas=$(echo "$out" | grep ' 0 mismatching outputs' | head -1 | sed -n 's/.*II \([0-9.]*\) cycles.*/\1/p')
[ -n "$ii_rep" ] && [ "$ii_rep.00" = "$ii_meas" ] || { echo "FAIL: II reported $ii_rep, measured $ii_meas"; exit 1; }
echo "latency: $measured cycles, II $ii_rep (as reported)"
# A second simulator: Icarus Verilog on the same RTL and vectors (plain Verilog-2005 test bench).
if command -v iverilog > /dev/null; then
  iv=$("$work/out/rtl/verify_iverilog.sh" 2>&1)
  echo "$iv" | tail -1
  echo "$iv" | grep -q " 0 mismatching outputs (iverilog)" || { echo "FAIL: iverilog"; echo "$iv" | tail -5; exit 1; }
fi
# yosys: no latches, no multiple drivers, no combinational loops.
if command -v yosys > /dev/null; then
  top=$(basename "$(ls "$work"/out/rtl/*_top.v)" .v)
  (cd "$work/out/rtl" && yosys -q -p "read_verilog $(ls *.v | grep -v _tb.v | tr '\n' ' '); hierarchy -check -top $top; proc; check -assert" > yosys.log 2>&1) ||
    { echo "FAIL: yosys check"; tail -20 "$work/out/rtl/yosys.log"; exit 1; }
  echo "yosys check -assert: passed"
fi
echo ok
