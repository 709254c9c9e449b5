#!/usr/bin/python3
"""Writes configs/models/jet_tagging_mlp.json: a benchmark model with the shape of the well-known jet-tagging
MLP (16 inputs, dense 64-32-32 with relu, 5 outputs with softmax, every type fixed<16,6>).

The weights are NOT trained: they are seeded Gaussian draws (seed 42, standard deviation 1/sqrt(n_in), biases
0.1 x that), which gives activations of realistic magnitude for speed and resource benchmarks. Accuracy
numbers must not be quoted for this model. Python standard library only; output is deterministic.
Writes it elsewhere with --out DIR.
"""
import argparse
import json
import math
import os
import random

SIZES = [16, 64, 32, 32, 5]


def main():
    ap = argparse.ArgumentParser(description="Writes the jet-tagging-shaped benchmark MLP (untrained).")
    ap.add_argument("--out", metavar="DIR", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "..",
                                                                  "configs", "models"),
                    help="output directory (default: configs/models beside this script's folder)")
    out_dir = ap.parse_args().out
    os.makedirs(out_dir, exist_ok=True)
    rng = random.Random(42)
    layers = []
    for k in range(len(SIZES) - 1):
        n_in, n_out = SIZES[k], SIZES[k + 1]
        sd = 1.0 / math.sqrt(n_in)
        w = [[round(rng.gauss(0.0, sd), 6) for _ in range(n_out)] for _ in range(n_in)]
        b = [round(rng.gauss(0.0, 0.1 * sd), 6) for _ in range(n_out)]
        last = k == len(SIZES) - 2
        layers.append({"name": "fc%d" % (k + 1), "type": "dense", "units": n_out, "weights": w, "bias": b,
                       "activation": "softmax" if last else "relu"})
    model = {
        "name": "jet_tagging_mlp",
        "description": "Benchmark model with the jet-tagging MLP shape 16-64-32-32-5; seeded random weights "
                       "(scripts/make_jet_mlp.py), not trained.",
        "input": {"shape": [16], "precision": "fixed<16,6>"},
        "precision": {"weight": "fixed<16,6>", "bias": "fixed<16,6>", "accum": "fixed<16,6>",
                      "result": "fixed<16,6>", "table": "fixed<16,6>"},
        "layers": layers,
    }
    out = os.path.join(out_dir, "jet_tagging_mlp.json")
    with open(out + ".tmp", "w") as f:
        json.dump(model, f, indent=1)
        f.write("\n")
    os.replace(out + ".tmp", out)
    print("wrote", os.path.normpath(out))


if __name__ == "__main__":
    main()
