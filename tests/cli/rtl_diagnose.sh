#!/bin/bash
# The RTL test bench's diagnosis: when an output mismatches, it re-runs that vector alone and names the first
# layer whose output register differs from the emulator. Checked by corrupting the expected values of one
# intermediate layer (and of the final output, so that a mismatch happens) for one vector.
set -eu
bin=$1; model=$2
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
"$bin" hls "$model" --out "$work/out" --rtl > /dev/null
cd "$work/out/rtl"
./verify.sh > /dev/null 2>&1
cp -r tb_data tb_bad
awk 'NR==6{$1="1"}1' tb_data/expected_raw.txt > tb_bad/expected_raw.txt
awk 'NR==6{$2="7"}1' tb_data/layer_1.txt > tb_bad/layer_1.txt
top=$(ls obj_dir/*_tb)
set +e
out=$("$top" tb_bad)
rc=$?
set -e
echo "$out" | tail -3
[ $rc -ne 0 ] || { echo "FAIL: a mismatch must fail the bench"; exit 1; }
echo "$out" | grep -q "first failing vector 5: layer 1 ('fc1_relu') is the first whose output differs" || { echo "FAIL: diagnosis"; exit 1; }
echo ok
