#!/bin/bash
# The `hls` model (`tinyforge sim hls`) against the `tinyforge hls` command, which is checked bit for bit by
# the other hls/rtl tests: the same HLS project and Verilog files, the same emulation report, the latency
# and multiplier count the command reports, and a Verilator run through the model that passes.
# usage: hls_model.sh TINYFORGE SOURCE_DIR
set -eu
bin=$1; src=$2
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
export SC_COPYRIGHT_MESSAGE=DISABLE
stat() { /usr/bin/python3 -c "import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])" "$1/stats.json" "$2"; }

# 1. The bundled default (digits MLP from ONNX): emulation report and generated files equal the command's.
"$bin" sim hls --out "$work/run" > "$work/sim.log"
"$bin" hls "$src/configs/models/digits_mlp.onnx" --precision "$src/configs/models/digits_mlp_precision.json" \
  --out "$work/cli" --rtl --emulate > "$work/cli.log"
sed -n '/^emulation of/,/^accuracy:/p' "$work/cli.log" > "$work/cli_emulation.txt"
diff "$work/run/emulation.txt" "$work/cli_emulation.txt" || { echo "FAIL: emulation report differs"; exit 1; }
diff -r "$work/run/hls" "$work/cli/hls" || { echo "FAIL: HLS project differs"; exit 1; }
diff -r "$work/run/rtl" "$work/cli/rtl" || { echo "FAIL: Verilog differs"; exit 1; }
lat=$(sed -n 's/.*latency \([0-9]*\) cycles, II \([0-9]*\), \([0-9]*\) multipliers.*/\1 \2 \3/p' "$work/cli.log")
[ "$lat" = "$(stat "$work/run" latency_cycles) $(stat "$work/run" ii_cycles) $(stat "$work/run" multipliers)" ] ||
  { echo "FAIL: latency/II/multipliers differ from the command's ($lat)"; exit 1; }
acc=$(sed -n 's/^accuracy: float \([0-9.]*\)%, fixed point \([0-9.]*\)%.*/\1 \2/p' "$work/cli.log")
[ "$acc" = "$(/usr/bin/python3 -c "import json; s=json.load(open('$work/run/stats.json')); print('%.2f %.2f' % (100*s['accuracy_float'], 100*s['accuracy_fixed']))")" ] ||
  { echo "FAIL: accuracy differs from the command's ($acc)"; exit 1; }

# 2. Overrides as parameters: reuse 3 and the resource strategy on the test MLP, verified with Verilator.
"$bin" sim hls --network "$src/tests/cli/fixtures/model_mlp_rtl.json" --set hls.reuse=3 --set hls.strategy=resource \
  --set targets.verify=40 --out "$work/v" > "$work/v.log"
[ "$(stat "$work/v" verify_pass)" = 1 ] || { cat "$work/v.log"; echo "FAIL: verify_pass"; exit 1; }
[ "$(stat "$work/v" verify_mismatches)" = 0 ] || { echo "FAIL: mismatches"; exit 1; }
[ "$(stat "$work/v" ii_cycles)" = 3 ] || { echo "FAIL: II is not the reuse factor"; exit 1; }

# 3. Bad parameters are input errors (exit 2) naming the parameter, and leave no run record.
rc=0; "$bin" sim hls --network "$src/tests/cli/fixtures/model_seq1d.json" --set hls.reuse=7 --out "$work/bad" 2> "$work/err" || rc=$?
[ $rc -eq 2 ] || { echo "FAIL: exit $rc for a bad reuse factor"; exit 1; }
grep -q "hls.reuse: got 7; layer 'conv1d0' has 60 multiplications; nearest valid: 6, 10" "$work/err" || { cat "$work/err"; echo "FAIL: message"; exit 1; }
rc=0; "$bin" sim hls --set 'precision.weight=fixed<16>' --out "$work/bad" 2> "$work/err" || rc=$?
[ $rc -eq 2 ] && grep -q 'precision.weight: got "fixed<16>"; expected a fixed-point type' "$work/err" || { cat "$work/err"; echo "FAIL: bad precision"; exit 1; }
[ ! -e "$work/bad" ] || { echo "FAIL: a failed run left $work/bad"; exit 1; }
echo ok
