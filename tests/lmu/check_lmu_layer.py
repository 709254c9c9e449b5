#!/usr/bin/python3
"""The `lmu` layer (docs/hls.md, "lmu") against an independent reference and across levels.

Models are built here with seeded random weights: an lmu layer (5 inputs, 6 units, memory_d 2 of order 4,
theta 0.3 s, dt 20 ms) and a dense output of 3, over three sequences of 7, 1 and 12 frames.

1. Double reference: scripts/lmu_ref.py (numpy, Abar and Bbar from scipy's cont2discrete) runs the same cell.
   With wide types (2^-20 weights, 2^-28 state and accumulator), the emulator's last-frame outputs
   (`tinyforge hls --emulate --outputs`) are within 1e-6 of it with a relu hidden activation, and within 5e-4
   with tanh from a 65,536-entry table (bins of 2.4e-4), zoh and euler. The reference is given the weights as
   quantized; the bound covers the state's and the accumulator's rounding over 12 frames.
2. Template = emulator: the generated HLS project (`tinyforge hls --out`, its build.sh with g++) runs the
   lmu.h template over every frame with the reset flags and compares every output of every frame with the
   emulator's: 0 mismatches, for the wide types, for narrow ones (fixed<10,2> state) that saturate, and for
   8-bit weights with products shifted left into the accumulator and truncating or ties-to-even accumulators,
   and types too wide for the emulator's 64-bit sums.
3. The narrow state's saturations are reported as a warning that names the layer and its state type.
5. The shipped keyword spotters (configs/models/kws_lmu_*.json): the template equals the emulator on every
   frame of their test utterances, and their bit-accurate classes agree with a numpy double reference of the
   whole network (batchnorm, lmu, dense) on all but at most 2 utterances.
4. Bad input exits with 2 naming the file and the JSON path: order 0, order beyond 256, theta <= 0, a missing
   W_x, a wrongly shaped e_x, a matrix type too narrow for Abar, a state type on a dense layer, plain "inputs"
   for a model that needs sequences.

usage: check_lmu_layer.py --tinyforge PATH
"""
import argparse
import copy
import glob
import json
import os
import subprocess
import sys
import tempfile

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "scripts"))
from lmu_ref import lmu_cell  # noqa: E402

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
N_IN, UNITS, ORDER, MD = 5, 6, 4, 2
WIDE = {"weight": "fixed<24,4,RND>", "bias": "fixed<24,4,RND>", "accum": "fixed<40,12,RND,SAT>",
        "result": "fixed<32,8,RND,SAT>", "state": "fixed<32,4,RND,SAT>", "matrix": "fixed<30,2,RND>",
        "table": "fixed<24,2,RND>"}


def q(v, frac):
    """Round to FRAC fraction bits (RND: half up), as the model's weight type does."""
    return np.floor(np.asarray(v) * 2.0 ** frac + 0.5) / 2.0 ** frac


def build(seed, activation, method="zoh", precision=WIDE):
    rng = np.random.default_rng(seed)
    r = lambda *s, scale=0.4: q(rng.standard_normal(s) * scale, 20).tolist()
    cell = {"name": "cell", "type": "lmu", "units": UNITS, "order": ORDER, "memory_d": MD, "theta_s": 0.3,
            "dt_s": 0.02, "discretization": method, "activation": activation,
            "e_x": r(N_IN, MD), "e_h": r(UNITS, MD), "e_m": r(MD * ORDER, MD, scale=0.1), "W_x": r(N_IN, UNITS),
            "W_h": r(UNITS, UNITS), "W_m": r(MD * ORDER, UNITS), "bias": r(UNITS)}
    if activation == "tanh":
        cell["table_size"] = 65536
    model = {"name": "lmu_case", "input": {"shape": [N_IN], "precision": "fixed<24,4,RND,SAT>"},
             "precision": dict(precision), "test_vectors": "seq.json",
             "layers": [cell, {"name": "out", "type": "dense", "units": 3, "weights": r(UNITS, 3), "bias": r(3)}]}
    seqs = [q(rng.standard_normal((t, N_IN)), 20).tolist() for t in (7, 1, 12)]
    return model, seqs


def reference(model, seqs):
    cell, out = model["layers"]
    outs = []
    for x in seqs:
        h = lmu_cell(x, cell, ORDER, MD, cell["theta_s"], cell["dt_s"], cell["activation"], cell["discretization"])
        outs.append(h[-1] @ np.asarray(out["weights"]) + np.asarray(out["bias"]))
    return np.array(outs)


def write(d, model, seqs):
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "m.json"), "w") as f:
        json.dump(model, f)
    with open(os.path.join(d, "seq.json"), "w") as f:
        json.dump({"sequences": seqs, "labels": [0, 1, 2]}, f)
    return os.path.join(d, "m.json")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--tinyforge", required=True)
    a = ap.parse_args()
    tf = a.tinyforge
    fails = []
    with tempfile.TemporaryDirectory() as tmp:
        # 1 and 2: wide types against the double reference, and the template against the emulator.
        cases = [("relu", "zoh", 1e-6), ("tanh", "zoh", 5e-4), ("relu", "euler", 1e-6), ("tanh", "euler", 5e-4)]
        for n, (act, method, bound) in enumerate(cases):
            model, seqs = build(10 + n, act, method)
            d = os.path.join(tmp, f"wide{n}")
            path = write(d, model, seqs)
            r = subprocess.run([tf, "hls", path, "--emulate", "--outputs", os.path.join(d, "o.txt")],
                               capture_output=True, text=True)
            if r.returncode != 0:
                fails.append(f"{act}/{method}: hls --emulate exit {r.returncode}: {r.stderr.strip()}")
                continue
            got = np.loadtxt(os.path.join(d, "o.txt"), ndmin=2)
            err = float(np.abs(got - reference(model, seqs)).max())
            print(f"{act}, {method}: largest |emulator - double reference| at the last frames {err:.2e} "
                  f"(limit {bound:g})")
            if not err <= bound:
                fails.append(f"{act}/{method}: {err:.3g} from the double reference (limit {bound:g})")
            if "sequences, 20 frames" not in r.stdout:
                fails.append(f"{act}/{method}: the report does not say 3 sequences, 20 frames:\n{r.stdout}")
            fails += template_check(tf, path, d, f"{act}/{method}")

        # 2 and 3: narrow types that saturate the state; the template still equals the emulator.
        narrow = dict(WIDE, state="fixed<10,2,RND,SAT>", accum="fixed<20,6,RND,SAT>", result="fixed<12,2,RND,SAT>",
                      weight="fixed<10,2,RND>", matrix="fixed<12,1,RND>", table="fixed<10,2,RND>")
        model, seqs = build(20, "tanh", precision=narrow)
        model["layers"][0]["e_x"] = (np.asarray(model["layers"][0]["e_x"]) * 8).tolist()  # drive the memory hard
        d = os.path.join(tmp, "narrow")
        path = write(d, model, seqs)
        r = subprocess.run([tf, "hls", path, "--emulate"], capture_output=True, text=True)
        warn = [l for l in r.stdout.splitlines() if l.startswith("warning: layer 'cell' (lmu)")]
        print(f"narrow state: {warn[0] if warn else 'no warning'}")
        if r.returncode != 0 or not warn or "fixed<10,2,RND,SAT>" not in warn[0]:
            fails.append(f"narrow state: expected a saturation warning naming fixed<10,2,RND,SAT> (exit "
                         f"{r.returncode}):\n{r.stdout}{r.stderr}")
        fails += template_check(tf, path, d, "narrow")

        # 2: types whose products need a left shift into the accumulator (input and hidden state) or a
        # quantization in another mode (truncation; ties to even), the emulator's other kernels.
        for n, accum in enumerate(("fixed<24,8,TRN,SAT>", "fixed<24,8,RND_CONV,SAT>")):
            kinds = dict(WIDE, weight="fixed<8,2,RND,SAT>", accum=accum, result="fixed<8,1,RND,SAT>",
                         state="fixed<16,5,RND,SAT>", matrix="fixed<16,1,RND,SAT>", table="fixed<10,1,RND,SAT>")
            model, seqs = build(40 + n, "tanh", precision=kinds)
            model["input"]["precision"] = "fixed<12,4,RND,SAT>"
            d = os.path.join(tmp, f"shift{n}")
            fails += template_check(tf, write(d, model, seqs), d, f"{accum} accumulator")

        # 5: the shipped keyword spotters: the template equals the emulator on every frame of their test
        # utterances, and the bit-accurate classes agree with a numpy double reference of the whole network.
        for path in sorted(glob.glob(os.path.join(ROOT, "configs", "models", "kws_lmu_*.json"))):
            if path.endswith("_training.json") or path.endswith("_test.json"):
                continue
            name = os.path.basename(path)[:-5]
            model = json.load(open(path))
            vec = json.load(open(os.path.join(os.path.dirname(path), model["test_vectors"])))
            d = os.path.join(tmp, name)
            os.makedirs(d)
            r = subprocess.run([tf, "hls", path, "--emulate", "--outputs", os.path.join(d, "o.txt")],
                               capture_output=True, text=True)
            if r.returncode != 0:
                fails.append(f"{name}: hls --emulate exit {r.returncode}: {r.stderr.strip()}")
                continue
            got = np.loadtxt(os.path.join(d, "o.txt"), ndmin=2).argmax(1)
            ref = np.array([network_reference(model, x).argmax() for x in vec["sequences"]])
            agree = int((got == ref).sum())
            print(f"{name}: bit-accurate classes agree with the numpy double reference on {agree} of {len(ref)} "
                  f"utterances (limit: all but 2)")
            if agree < len(ref) - 2:
                fails.append(f"{name}: only {agree} of {len(ref)} classes agree with the double reference")
            frames = sum(len(x) for x in vec["sequences"])
            fails += template_check(tf, path, d, name, frames)

        # 2: types too wide for 64-bit sums (the emulator's 128-bit path).
        kinds = dict(WIDE, weight="fixed<40,8,RND>", accum="fixed<48,16,RND,SAT>", result="fixed<40,8,RND,SAT>",
                     state="fixed<40,8,RND,SAT>", matrix="fixed<36,2,RND>")
        model, seqs = build(50, "relu", precision=kinds)
        model["input"]["precision"] = "fixed<36,8,RND,SAT>"
        d = os.path.join(tmp, "wide128")
        fails += template_check(tf, write(d, model, seqs), d, "128-bit path")

        # 4: bad input.
        base, seqs = build(30, "tanh")

        def bad(name, edit, expect, vectors=None):
            m = copy.deepcopy(base)
            edit(m)
            dd = os.path.join(tmp, "bad_" + name.replace(" ", "_"))
            p = write(dd, m, seqs)
            if vectors is not None:
                with open(os.path.join(dd, "seq.json"), "w") as f:
                    json.dump(vectors, f)
            r = subprocess.run([tf, "hls", p, "--emulate"], capture_output=True, text=True)
            ok = r.returncode == 2 and expect in r.stderr and ("m.json" in r.stderr or "seq.json" in r.stderr)
            print(f"bad input, {name}: exit {r.returncode}: {r.stderr.strip().splitlines()[0] if r.stderr else ''}")
            if not ok:
                fails.append(f"bad input {name}: expected exit 2 with '{expect}' and the file; got exit "
                             f"{r.returncode}: {r.stderr.strip()}")

        cell = lambda m: m["layers"][0]
        bad("order 0", lambda m: cell(m).update(order=0), "layers[0].order: got 0")
        bad("order 257", lambda m: cell(m).update(order=257), "layers[0].order: got 257")
        bad("theta 0", lambda m: cell(m).update(theta_s=0), "layers[0].theta_s: got 0")
        bad("theta negative", lambda m: cell(m).update(theta_s=-1), "layers[0].theta_s: got -1")
        bad("missing W_x", lambda m: cell(m).pop("W_x"), "layers[0].W_x")
        bad("e_x shape", lambda m: cell(m).update(e_x=np.zeros((N_IN, MD + 1)).tolist()), "layers[0].e_x")
        bad("matrix type", lambda m: m["precision"].update(matrix="fixed<12,0,RND>"), "layers[0].precision.matrix")
        bad("state on dense", lambda m: m["layers"][1].update(precision={"state": "fixed<8,2>"}),
            "layers[1].precision.state")
        bad("inputs for a sequential model", lambda m: None, "inputs",
            vectors={"inputs": seqs[0], "labels": [0] * len(seqs[0])})
    if fails:
        print("FAIL\n" + "\n".join(fails))
        sys.exit(1)
    print("PASS")


def network_reference(model, x):
    """The shipped network (batchnorm, lmu, dense) in double precision: the class scores at the last frame."""
    norm, cell, out = model["layers"]
    z = np.asarray(x) * np.asarray(norm["scale"]) + np.asarray(norm["bias"])
    h = lmu_cell(z, cell, cell["order"], cell.get("memory_d", 1), cell["theta_s"], cell["dt_s"],
                 cell.get("activation", "tanh"), cell.get("discretization", "zoh"))
    return h[-1] @ np.asarray(out["weights"]) + np.asarray(out["bias"])


def template_check(tf, path, d, name, frames=20):
    r = subprocess.run([tf, "hls", path, "--out", os.path.join(d, "prj")], capture_output=True, text=True)
    if r.returncode != 0:
        return [f"{name}: hls --out exit {r.returncode}: {r.stderr.strip()}"]
    b = subprocess.run([os.path.join(d, "prj", "hls", "build.sh")], capture_output=True, text=True)
    last = b.stdout.strip().splitlines()[-1] if b.stdout.strip() else ""
    print(f"{name}: template (g++) against the emulator: {last}")
    if b.returncode != 0 or last != f"{frames} vectors, 0 mismatching outputs":
        return [f"{name}: the HLS project's test bench: exit {b.returncode}: {b.stdout}{b.stderr}"]
    return []


if __name__ == "__main__":
    main()
