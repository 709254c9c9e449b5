#!/bin/bash
# The main job on the bundled default config: installs what is missing, builds, and simulates the
# all-digital 10T SRAM CIM macro (28 nm) running a signed int4 matrix-vector multiply that fills the array;
# prints the energy breakdown and TOPS/W (runs/demo-cim/); the Xylo-like neuromorphic core on its default
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
