#!/usr/bin/python3
"""Compares tinyforge's hls4ml compatibility modes with the independent reference (hls4ml_reference.py).

For one CASE (a model built here plus seeded random and stress input vectors) it runs
`tinyforge hls MODEL --out DIR` (the emulator's outputs land in DIR/hls/tb_data/tb_expected_outputs.dat),
builds and runs the generated HLS project with g++ (DIR/hls/build.sh, which writes csim_results.log) and
requires both to equal the reference on every output. With --expect-differences the comparison must find
differences instead (a control: tinyforge's default design is not hls4ml's).

usage: check_compat.py TINYFORGE CASE [--vectors N] [--no-project] [--verify] [--expect-differences] [--keep DIR]
With TF_COMPAT_TINYFORGE_EXACT=1 in the environment tinyforge runs with accumulation "exact" (a manual control
for the accumulation cases: differences must appear where accumulators overflow).
"""
import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
from fractions import Fraction

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import hls4ml_reference as ref  # noqa: E402

JET = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "configs", "models", "jet_tagging_mlp.json")


def codes_to_values(fmt, codes):
    return [float(fmt.value(c)) for c in codes]


def grid(rng, fmt, n, lo_code=None, hi_code=None):
    lo = fmt.lo if lo_code is None else lo_code
    hi = fmt.hi if hi_code is None else hi_code
    return [float(fmt.value(rng.randint(lo, hi))) for _ in range(n)]


def softmax_stress(rng, fmt, n, norm_bits_fmt=None):
    """Vectors that hit the softmax's corners: ties, the extreme codes, differences beyond the normalized
    type's range (wrap-around), differences on table-bucket edges, tiny spreads."""
    v = []
    lsb = fmt.lsb
    v.append([0.0] * n)  # all equal: every difference 0
    v.append([float(fmt.value(fmt.hi))] * n)
    v.append([float(fmt.value(fmt.lo))] * n)
    v.append([float(fmt.value(fmt.hi))] + [float(fmt.value(fmt.lo))] * (n - 1))  # largest difference
    v.append([float(fmt.value(fmt.lo))] * (n - 1) + [float(fmt.value(fmt.hi))])
    v.append([float(fmt.value(fmt.hi))] * (n - 1) + [float(fmt.value(fmt.lo))])
    for k in range(1, 9):  # differences of 2^k codes: bucket edges of every table size
        base = rng.randint(fmt.lo // 2, fmt.hi // 2)
        v.append([float((base - ((1 << k) if i else 0) * (i % 3)) * lsb) for i in range(n)])
        v.append([float((base - ((1 << k) - 1) * (i % 3)) * lsb) for i in range(n)])
    if norm_bits_fmt is not None:  # differences just below / at / above the normalized type's range
        span = norm_bits_fmt.hi + 1  # in codes of the normalized type (same fraction bits as the input)
        for delta in (span - 1, span, span + 1, 2 * span - 1, 2 * span + 3):
            top = min(fmt.hi, fmt.lo + delta)
            v.append([float(top * lsb)] + [float((top - delta) * lsb)] * (n - 1))
    for _ in range(40):  # near ties
        base = rng.randint(fmt.lo, fmt.hi - 4)
        v.append([float((base + rng.randint(0, 3)) * lsb) for _ in range(n)])
    return v


def case_model(name, rng):
    """The model (native JSON) and its input vectors for CASE NAME."""
    if name in ("softmax_stable", "softmax_latency", "softmax_default_control"):
        impl = {"softmax_stable": "hls4ml_stable", "softmax_latency": "hls4ml_latency"}.get(name, "tinyforge")
        m = {"name": name, "input": {"shape": [5], "precision": "fixed<16,6>"},
             "precision": {"result": "fixed<16,6>"},
             "layers": [{"name": "sm", "type": "softmax", "implementation": impl}]}
        f = ref.Fmt("fixed<16,6>")
        vecs = softmax_stress(rng, f, 5, ref.Fmt("ufixed<15,5>"))
        vecs += [grid(rng, f, 5) for _ in range(1000)]  # full range: large differences wrap
        vecs += [grid(rng, f, 5, -4096, 4096) for _ in range(1000)]  # |x| < 4: the trained-network range
        return m, vecs
    if name in ("softmax_stable_custom", "softmax_latency_custom"):
        # Non-default types: narrow tables, a saturating small accumulator, an unsigned inverse index,
        # a given inp_norm_t that wraps, 7 inputs (an unbalanced adder tree), table size capped by the input.
        impl = "hls4ml_stable" if "stable" in name else "hls4ml_latency"
        opts = {"table_size": 512, "exp_table_t": "ufixed<10,2,RND,SAT>", "inv_table_t": "fixed<14,6,RND_CONV,SAT>",
                "accum_t": "ufixed<11,3,TRN,SAT>", "inv_inp_t": "ufixed<9,3,RND,WRAP>"}
        if impl == "hls4ml_stable":
            opts["inp_norm_t"] = "ufixed<9,3>"
        m = {"name": name, "input": {"shape": [7], "precision": "fixed<10,4,RND,SAT>"},
             "precision": {"result": "ufixed<12,1,RND_CONV,SAT>"},
             "layers": [{"name": "sm", "type": "softmax", "implementation": impl, "hls4ml": opts}]}
        f = ref.Fmt("fixed<10,4>")
        vecs = softmax_stress(rng, f, 7, ref.Fmt("ufixed<9,3>"))
        vecs += [grid(rng, f, 7) for _ in range(2000)]
        return m, vecs
    if name == "softmax_latency_wrap":
        # Exp-table entries that wrap to negative values (a wrapping exp_table_t) summed by a saturating
        # accumulator: the adder tree's order decides the sum.
        opts = {"table_size": 256, "exp_table_t": "fixed<12,5,RND,WRAP>", "accum_t": "fixed<12,5,TRN,SAT>",
                "inv_table_t": "fixed<16,4,RND,SAT>", "inv_inp_t": "fixed<12,5,RND,SAT>"}
        m = {"name": name, "input": {"shape": [6], "precision": "fixed<8,4>"},
             "precision": {"result": "fixed<10,2,RND,WRAP>"},
             "layers": [{"name": "sm", "type": "softmax", "implementation": "hls4ml_latency", "hls4ml": opts}]}
        f = ref.Fmt("fixed<8,4>")
        vecs = softmax_stress(rng, f, 6) + [grid(rng, f, 6) for _ in range(2000)]
        return m, vecs
    if name in ("rtl_stable", "rtl_latency"):
        # Small enough for a Verilator build: a saturating dense layer (accumulation "hls4ml") into an hls4ml
        # softmax; the stable variant with hls4ml's default types, the latency one with narrow custom types.
        n_in, n_out = 6, 5
        m = {"name": name, "input": {"shape": [n_in], "precision": "fixed<10,4>"},
             "precision": {"weight": "fixed<10,4>", "bias": "fixed<10,4>", "accum": "fixed<12,5,RND,SAT>",
                           "result": "fixed<12,5,RND,SAT>"},
             "accumulation": "hls4ml",
             "layers": [{"name": "fc", "type": "dense", "units": n_out,
                         "weights": [[rng.randint(-96, 96) / 16.0 for _ in range(n_out)] for _ in range(n_in)],
                         "bias": [rng.randint(-64, 64) / 16.0 for _ in range(n_out)]},
                        {"name": "sm", "type": "softmax", "precision": {"result": "ufixed<12,1,RND_CONV,SAT>"}}]}
        if name == "rtl_stable":
            m["softmax"] = {"implementation": "hls4ml_stable"}
        else:
            m["softmax"] = {"implementation": "hls4ml_latency",
                            "hls4ml": {"table_size": 256, "exp_table_t": "fixed<12,5,RND,WRAP>",
                                       "accum_t": "fixed<12,5,TRN,SAT>", "inv_table_t": "ufixed<14,4,RND,SAT>",
                                       "inv_inp_t": "fixed<12,5,RND,SAT>"}}
        f = ref.Fmt("fixed<10,4>")
        vecs = [[float(f.value(f.hi))] * n_in, [float(f.value(f.lo))] * n_in, [0.0] * n_in]
        vecs += [grid(rng, f, n_in) for _ in range(254)]
        return m, vecs
    if name == "conv1d_saturating":
        # conv1d with "same" padding and stride 2 under accumulation "hls4ml" with a saturating accumulator.
        W, C, K, F = 9, 2, 3, 3
        m = {"name": name, "input": {"shape": [W, C], "precision": "fixed<10,4>"},
             "precision": {"weight": "fixed<10,4>", "bias": "fixed<10,4>", "accum": "fixed<11,4,RND,SAT>",
                           "result": "fixed<9,4,RND_CONV,SAT>"},
             "accumulation": "hls4ml",
             "layers": [{"name": "cv", "type": "conv1d", "filters": F, "kernel": K, "strides": 2, "padding": "same",
                         "weights": [[[rng.randint(-64, 64) / 16.0 for _ in range(F)] for _ in range(C)] for _ in range(K)],
                         "bias": [rng.randint(-32, 32) / 16.0 for _ in range(F)]},
                        {"name": "fl", "type": "flatten"}]}
        f = ref.Fmt("fixed<10,4>")
        vecs = [[float(f.value(f.hi))] * (W * C), [float(f.value(f.lo))] * (W * C)]
        vecs += [grid(rng, f, W * C) for _ in range(1000)]
        return m, vecs
    if name in ("dense_resource_a", "dense_resource_b", "dense_resource_order_control"):
        # hls4ml's resource strategy adds in its own order (hls4ml_reference.resource_order); with a saturating
        # accumulator that changes the bits. a: R < n_in, then R > n_in not a multiple of n_in (a rotation);
        # b: R a multiple of n_in, then R < n_in. The control runs tinyforge with the latency strategy (input
        # order) against the resource-order reference: the two must differ.
        m, vecs = case_model("dense_saturating", rng)
        m["name"] = name
        m["strategy"] = "resource"
        ra, rb = (4, 9) if name != "dense_resource_b" else (36, 3)
        m["layers"][0]["reuse_factor"] = ra
        m["layers"][1]["reuse_factor"] = rb
        return m, vecs
    if name in ("dense_saturating", "dense_saturating_control"):
        # A saturating, rounding accumulator that overflows and recovers: order and per-addition conversion
        # matter. Ties in rounding: weights and inputs with few bits give exact half-LSB products.
        mode = "hls4ml" if name == "dense_saturating" else "exact"
        n_in, n_out = 12, 6
        w = [[rng.choice([-1, 1]) * rng.randint(0, 64) / 16.0 for _ in range(n_out)] for _ in range(n_in)]
        b = [rng.randint(-64, 64) / 16.0 for _ in range(n_out)]
        m = {"name": name, "input": {"shape": [n_in], "precision": "fixed<10,4>"},
             "precision": {"weight": "fixed<10,4>", "bias": "fixed<10,4>", "accum": "fixed<10,4,RND,SAT>",
                           "result": "fixed<8,3,RND_CONV,SAT>"},
             "accumulation": mode,
             "layers": [{"name": "fc", "type": "dense", "units": n_out, "weights": w, "bias": b, "activation": "relu"},
                        {"name": "fc2", "type": "dense", "units": 3,
                         "weights": [[rng.randint(-40, 40) / 8.0 for _ in range(3)] for _ in range(n_out)],
                         "precision": {"accum": "fixed<9,4,RND_CONV,SAT_SYM>", "result": "fixed<9,4,TRN_ZERO,SAT>"}}]}
        f = ref.Fmt("fixed<10,4>")
        vecs = [[float(f.value(f.hi))] * n_in, [float(f.value(f.lo))] * n_in, [0.0] * n_in]
        vecs += [grid(rng, f, n_in) for _ in range(1500)]
        vecs += [[rng.choice([-1, 1]) * rng.randint(0, 16) / 8.0 for _ in range(n_in)] for _ in range(500)]
        return m, vecs
    if name == "jet_hls4ml_config":
        # The unmodified jet model with the hls4ml configuration next to it (--hls4ml-config); the reference
        # reads the configuration's meaning from the jet_hls4ml case (same types, modes and softmax).
        m = json.load(open(JET))
        m["name"] = name
        f = ref.Fmt("fixed<16,6>")
        vecs = [grid(rng, f, 16) for _ in range(100)] + [grid(rng, f, 16, -8192, 8192) for _ in range(1100)]
        return m, vecs
    if name == "jet_hls4ml":
        # The jet-tagging MLP in hls4ml's configuration: every type ap_fixed<16,6>, a saturating accumulator,
        # hls4ml's default stable softmax.
        m = json.load(open(JET))
        m["name"] = name
        m["precision"]["accum"] = "fixed<16,6,TRN,SAT>"
        m["accumulation"] = "hls4ml"
        m["softmax"] = {"implementation": "hls4ml_stable"}
        f = ref.Fmt("fixed<16,6>")
        vecs = [grid(rng, f, 16) for _ in range(100)]  # full range: accumulators saturate
        vecs += [grid(rng, f, 16, -8192, 8192) for _ in range(1100)]  # |x| < 8
        return m, vecs
    raise SystemExit("unknown case " + name)


def read_rows(path):
    with open(path) as fh:
        return [[Fraction(float(t)) for t in line.split()] for line in fh if line.strip()]


def compare(label, got, want, out_fmt):
    bad, worst = 0, 0
    for g, w in zip(got, want):
        for a, b in zip(g, w):
            if a != b:
                bad += 1
                worst = max(worst, abs(a - b) / out_fmt.lsb)
    n = sum(len(w) for w in want)
    print("%s: %d vectors, %d outputs, %d differ from the reference (max %s LSB)" % (label, len(want), n, bad, worst))
    if len(got) != len(want):
        print("%s: %d rows, expected %d" % (label, len(got), len(want)))
        bad += 1
    return bad


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("tinyforge")
    ap.add_argument("case")
    ap.add_argument("--vectors", type=int, default=0, help="keep only the first N vectors (0: all)")
    ap.add_argument("--no-project", action="store_true", help="compare the emulator only")
    ap.add_argument("--expect-differences", action="store_true")
    ap.add_argument("--verify", action="store_true",
                    help="also generate the Verilog and run it (tinyforge hls --verify, Verilator) on the vectors")
    ap.add_argument("--keep", help="work directory to keep")
    a = ap.parse_args()
    rng = random.Random(17)
    model, vecs = case_model(a.case, rng)
    if a.vectors:
        vecs = vecs[: a.vectors]
    work = a.keep or tempfile.mkdtemp()
    os.makedirs(work, exist_ok=True)
    try:
        ref_model_json = json.loads(json.dumps(model))
        if os.environ.get("TF_COMPAT_TINYFORGE_EXACT"):  # manual control: tinyforge in its exact mode
            model["accumulation"] = "exact"
        if a.expect_differences:  # the reference models hls4ml's design: the control asks it for hls4ml's
            if a.case == "dense_resource_order_control":
                model["strategy"] = "latency"
            elif "softmax" in a.case:
                ref_model_json["layers"][0]["implementation"] = "hls4ml_stable"
            else:
                ref_model_json["accumulation"] = "hls4ml"
        if a.case == "jet_hls4ml_config":
            ref_model_json, _ = case_model("jet_hls4ml", random.Random(0))
        R = ref.Model(ref_model_json)
        want = [R.run(v) for v in vecs]
        with open(os.path.join(work, "vectors.json"), "w") as fh:
            json.dump({"inputs": vecs}, fh)
        model["test_vectors"] = "vectors.json"
        with open(os.path.join(work, "model.json"), "w") as fh:
            json.dump(model, fh)
        cmd = [a.tinyforge, "hls", os.path.join(work, "model.json"), "--out", os.path.join(work, "out")]
        if a.verify:
            cmd += ["--verify", str(len(vecs))]
        if a.case == "jet_hls4ml_config":
            cmd += ["--hls4ml-config", JET.replace(".json", "_hls4ml.yml")]
        gen = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        if gen.returncode != 0:
            print(gen.stdout)
            print("tinyforge hls failed (exit %d)" % gen.returncode)
            return 1
        tb = os.path.join(work, "out", "hls", "tb_data")
        bad = compare("emulator", read_rows(os.path.join(tb, "tb_expected_outputs.dat")), want, R.out_fmt)
        if not a.no_project:
            r = subprocess.run([os.path.join(work, "out", "hls", "build.sh")], stdout=subprocess.PIPE, text=True)
            print("generated HLS project: " + r.stdout.strip().splitlines()[-1] if r.stdout.strip() else "(no output)")
            bad += compare("generated HLS project", read_rows(os.path.join(tb, "csim_results.log")), want, R.out_fmt)
        if a.verify:
            lines = [x for x in gen.stdout.splitlines() if x.startswith("verify:") or "mismatching" in x]
            print("\n".join("Verilog: " + x.strip() for x in lines))
            if not any(x.startswith("verify: bit-exact") and x.endswith("PASS") for x in lines):
                print(gen.stdout)
                bad += 1
        if a.expect_differences:
            print("control: differences expected, %s" % ("found" if bad else "NONE FOUND"))
            return 0 if bad else 1
        return 1 if bad else 0
    finally:
        if not a.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
