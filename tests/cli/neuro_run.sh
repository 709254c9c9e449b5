#!/bin/bash
# A small network from a file with a CSV raster: the run record holds spikes.json, readout.csv, record.csv
# (V and I of the recorded neurons) and a VCD; stats name the cycles and the energy. record.outputs: full writes
# the generated network.json and input.csv, and running them with --network/--input gives the same spikes;
# summary writes readout.csv only; none no model output.
set -eu
bin=$1; f=$2
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
"$bin" sim neuro --network "$f/neuro_net.json" --input "$f/neuro_raster.csv" --record 0,2 --trace "$work/n.vcd" \
  --set readout=v --out "$work/run" --json > "$work/stats.json"
for file in spikes.json readout.csv record.csv stats.json config.effective.json summary.csv run.log; do
  [ -s "$work/run/$file" ] || { echo "FAIL: missing $file"; exit 1; }
done
head -1 "$work/run/record.csv" | grep -q "^step,h0_V,h0_I0,h0_I1,h2_V,h2_I0,h2_I1$" || { echo "FAIL: record.csv header"; head -2 "$work/run/record.csv"; exit 1; }
[ "$(wc -l < "$work/run/record.csv")" -eq 5 ] || { echo "FAIL: record.csv rows"; exit 1; }
# Step 0: channel 0 fires once; hidden 0 gets 100 << 4 = 1600 on synapse 0, decays by 1600 >> 4 = 100: I0 = 1500.
sed -n 2p "$work/run/record.csv" | grep -q "^0,1500,1500,0," || { echo "FAIL: first step of neuron 0"; sed -n 2p "$work/run/record.csv"; exit 1; }
grep -q "hidden0_V" "$work/n.vcd" || { echo "FAIL: VCD lacks hidden0_V"; exit 1; }
grep -q '"steps": 4' "$work/stats.json" || { echo "FAIL: steps"; exit 1; }
"$bin" sim neuro --set input.steps=50 --set network.random.n_hidden=100 --set record.outputs=full --out "$work/full" > /dev/null
"$bin" sim neuro --set input.steps=50 --network "$work/full/network.json" --input "$work/full/input.csv" --out "$work/again" > /dev/null
cmp "$work/full/spikes.json" "$work/again/spikes.json" || { echo "FAIL: network.json + input.csv do not reproduce the run"; exit 1; }
[ ! -e "$work/again/network.json" ] && [ ! -e "$work/again/input.csv" ] || { echo "FAIL: standard outputs wrote the network"; exit 1; }
"$bin" sim neuro --set input.steps=50 --set network.random.n_hidden=100 --set record.outputs=summary --out "$work/sum" > /dev/null
[ -s "$work/sum/readout.csv" ] && [ ! -e "$work/sum/spikes.json" ] || { echo "FAIL: summary outputs"; ls "$work/sum"; exit 1; }
"$bin" sim neuro --set input.steps=50 --set network.random.n_hidden=100 --set record.outputs=none --out "$work/none" > /dev/null
[ "$(ls "$work/none" | tr '\n' ' ')" = "config.effective.json run.log stats.json summary.csv " ] || { echo "FAIL: none outputs"; ls "$work/none"; exit 1; }
echo ok
