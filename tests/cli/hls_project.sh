#!/bin/bash
# `tinyforge hls` end to end: generate the HLS C++ project of MODEL, build its test bench with
# g++ -std=c++14 (build.sh) and require every output to equal, bit for bit, the emulator's expected outputs.
# Also checks that no generated file escapes the output directory (hostile layer names). With AP_TYPES=DIR
# it also builds the project against DIR/ap_fixed.h (TINYFORGE_USE_AP_TYPES) and requires the same bits.
# usage: hls_project.sh TINYFORGE MODEL.json [extra tinyforge hls options]
set -eu
bin=$1; model=$2; shift 2
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
"$bin" hls "$model" --out "$work/out" "$@"
out=$("$work/out/hls/build.sh")
echo "$out"
echo "$out" | grep -q " 0 mismatching outputs" || { echo "FAIL: mismatches"; exit 1; }
expect=${EXPECT_VECTORS:-32}
echo "$out" | grep -q "^$expect vectors" || { echo "FAIL: expected $expect vectors"; exit 1; }
# With AP_TYPES=DIR: the same project compiled against DIR/ap_fixed.h (TINYFORGE_USE_AP_TYPES), same bits.
if [ -n "${AP_TYPES:-}" ]; then
  out=$("$work/out/hls/build.sh" --ap-types "$AP_TYPES")
  echo "vendor types ($AP_TYPES): $out"
  echo "$out" | grep -q "^$expect vectors, 0 mismatching outputs" || { echo "FAIL: mismatches with the vendor types"; exit 1; }
fi
stray=$(find "$work" -mindepth 1 -maxdepth 1 ! -name out)
[ -z "$stray" ] || { echo "FAIL: files outside the output directory: $stray"; exit 1; }
echo ok
