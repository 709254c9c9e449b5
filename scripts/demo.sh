#!/bin/bash
# The main job on the bundled default config: installs what is missing, builds, and simulates the
# all-digital 10T SRAM CIM macro (28 nm) running a signed int4 matrix-vector multiply that fills the array;
# prints the energy breakdown and TOPS/W (runs/demo-cim/); two published digital CIM macros as modelled by
# `tinyforge sim dcim` against their silicon; the Xylo-like neuromorphic core on its default
# network (runs/demo-neuro/); and the digits MLP through the fixed-point emulator, the HLS C++ project and
# Verilog checked by Verilator (runs/demo-hls/).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/deps.sh
tinyforge_install_deps
tinyforge_build tinyforge
echo
echo "== tinyforge sim cim  (configs/cim/digital_28nm.json: int4 x int4 MVM on a 256x256 10T macro, 28 nm, 0.9 V, 200 MHz)"
echo
build/sim/app/tinyforge sim cim --config configs/cim/digital_28nm.json --out runs/demo-cim
echo
echo "   The TOPS/W above counts a MAC as 2 ops and includes loading the weights. It belongs with bit-serial"
echo "   logic-in-memory macros such as the 28 nm compute SRAM of Wang et al. (JSSC 2020: 0.56 TOPS/W for an"
echo "   8-bit multiply, 5.27 for an 8-bit add, at 0.6 V), not with adder-tree digital CIM macros (tens of TOPS/W"
echo "   at 4 bits, e.g. 89 TOPS/W in 22 nm, ISSCC 2021). docs/cim.md says where the energy goes."
echo
echo "== tinyforge sim dcim  (digital CIM macros with the MAC in the array, against their published silicon)"
echo
dcim_line() {  # LABEL PUBLISHED UNIT CONFIG SETS...
  local label=$1 pub=$2 unit=$3 cfg=$4; shift 4
  local sets=() s
  for s in "$@"; do sets+=(--set "$s"); done
  build/sim/app/tinyforge sim dcim --config "$cfg" "${sets[@]}" --json | /usr/bin/python3 -c '
import json, sys
s = json.load(sys.stdin)
label, pub, unit = sys.argv[1], float(sys.argv[2]), sys.argv[3]
got = s["fj_per_mac"] if unit == "fJ/MAC" else s["tops_per_w"]
print(f"   {label:<48} model {got:8.1f} {unit:<7} published {pub:7.1f}   ratio {got / pub:.2f}")' "$label" "$pub" "$unit"
}
col=configs/cim/macros/colonnade_kim2021/config.json
dcim_line "Colonnade 65 nm, 1b x 1b, 0.6 V (fitted)" 17.1 fJ/MAC $col workload.w_bits=1 workload.x_bits=1
dcim_line "Colonnade 65 nm, 2b x 2b, 0.7 V (held out)" 101.8 fJ/MAC $col workload.w_bits=2 workload.x_bits=2 tech.vdd_V=0.7
dcim_line "Colonnade 65 nm, 8b x 8b, 0.7 V (held out)" 725.4 fJ/MAC $col tech.vdd_V=0.7
dcim_line "adder-tree DCIM 22 nm, 4b x 4b, 0.72 V (fitted)" 89 TOPS/W configs/cim/macros/dcim_chih2021/config.json
dcim_line "adder-tree DCIM 22 nm, 8b x 8b (held out)" 24.7 TOPS/W configs/cim/macros/dcim_chih2021/config.json \
  workload.w_bits=8 workload.x_bits=8
echo "   (scripts/calibrate_cim.py checks every published point of three macros, fitted and held out; docs/cim.md)"
echo
echo "== tinyforge sim acim  (analog CIM with noise: the digits MLP through a 64x64 charge-domain macro, 10 chip instances)"
echo
for b in 3 4 5 8; do
  build/sim/app/tinyforge sim acim --network configs/models/digits_mlp.onnx --set chips=10 --set adc.range=calibrated \
    --set macro.adc_bits=$b --json | /usr/bin/python3 -c '
import json, sys
s = json.load(sys.stdin)
a, sd, ideal, fl = s["accuracy_mean"], s["accuracy_std"], s["accuracy_ideal"], s["accuracy_float"]
e, t = s["energy_pJ"], s["tops_per_w"]
print(f"   {sys.argv[1]}-bit ADC: accuracy {a:.3f} +- {sd:.3f} (ideal {ideal:.3f}, float {fl:.3f}), "
      f"{e:6.0f} pJ per inference, {t:5.1f} TOPS/W")' "$b"
done
echo "   (4b x 4b; past 5 bits the ADC only costs energy: a calibrated range of 31 needs no more. docs/acim.md)"
echo "   hardware-aware training (scripts/train_acim_aware.py), the same MLP trained plainly and with the macro in the loop:"
for b in 4 5; do
  for kind in plain aware; do
    build/sim/app/tinyforge sim acim --config configs/cim/acim_digits.json --set chips=10 --set macro.adc_bits=$b \
      --set "workload.network=configs/models/digits_mlp_acim_$kind.onnx" --json | /usr/bin/python3 -c '
import json, sys
s = json.load(sys.stdin)
a, sd, e = s["accuracy_mean"], s["accuracy_std"], s["energy_pJ"]
print(f"   {sys.argv[1]}-bit ADC, {sys.argv[2]:5s} network: accuracy {a:.3f} +- {sd:.3f}, {e:4.0f} pJ per inference")' "$b" "$kind"
  done
done
echo
echo "== tinyforge sim neuro  (configs/neuro/xylo_like.json: Xylo-like core, 16-1000-8 recurrent network, Poisson input, 50 MHz, dt = 1 ms)"
echo
build/sim/app/tinyforge sim neuro --config configs/neuro/xylo_like.json --out runs/demo-neuro
echo
echo "== tinyforge hls  (configs/models/digits_mlp.onnx: a trained 64-32-10 MLP -> fixed-point emulation, HLS C++ project,"
echo "   Verilog checked bit for bit by Verilator on all 360 test images)"
echo
build/sim/app/tinyforge hls configs/models/digits_mlp.onnx --precision configs/models/digits_mlp_precision.json \
  --out runs/demo-hls --emulate --verify 360
echo
echo "== tinyforge sweep  (configs/sweeps/cim_array.json: rows x cols x word bits x cell x node x Vdd of the CIM macro, 270 points, one process each)"
echo
rm -rf runs/demo-sweep
build/sim/app/tinyforge sweep configs/sweeps/cim_array.json --out runs/demo-sweep --plot
echo
echo "Try: build/sim/app/tinyforge describe cim        (every parameter and every metric)"
echo "     build/sim/app/tinyforge sim cim --set tech.vdd_V=0.6 --set 'workload.layers[0].w_bits=8' --set macro.word_bits=32"
echo "     build/sim/app/tinyforge sim hls --set hls.reuse=2    (the HLS flow as a model: accuracy, latency, multipliers)"
echo "     build/sim/app/tinyforge sweep configs/sweeps/hls_digits.json --plot   (reuse x precision: accuracy vs multipliers)"
echo "     build/sim/app/tinyforge sweep configs/sweeps/neuro_realtime.json      (clock x size x activity: real time?)"
echo "     scripts/plot_run.py RUNDIR                                            (a run's energy and area breakdown as bars)"
