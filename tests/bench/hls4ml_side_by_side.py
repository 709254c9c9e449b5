#!/usr/bin/python3
"""Side by side with hls4ml itself (not part of the default test run: it needs sources tinyforge does not ship).

Builds the jet-tagging MLP (configs/models/jet_tagging_mlp.json) with hls4ml's own layer templates
(nnet_utils of an hls4ml source tree) and the vendor's ap_fixed headers, g++, in hls4ml's configuration:
every type ap_fixed<16,6>, the accumulators saturating (ap_fixed<16,6,AP_TRN,AP_SAT>), dense with the latency
strategy, relu, and softmax with hls4ml's default types (stable or latency). tinyforge runs the same model with
its hls4ml compatibility modes (accumulation "hls4ml", softmax hls4ml_stable / hls4ml_latency); the script
compares the outputs of tinyforge's emulator and generated HLS project with hls4ml's, vector by vector, and
also reports how far tinyforge's default design is from hls4ml's and from the float model.

usage: hls4ml_side_by_side.py TINYFORGE AP_INCLUDE_DIR HLS4ML_NNET_UTILS_DIR [--vectors N] [--softmax stable|latency]
                              [--reuse R]   (R > 1: hls4ml's dense resource strategy on both sides)
  AP_INCLUDE_DIR: the directory holding ap_fixed.h; HLS4ML_NNET_UTILS_DIR: hls4ml/templates/vivado/nnet_utils
"""
import argparse
import json
import math
import os
import random
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
JET = os.path.join(ROOT, "configs", "models", "jet_tagging_mlp.json")

STREAM_STUB = """#pragma once
// Minimal stand-in for the HLS stream header (only its name is needed by the array-interface templates).
#include <deque>
namespace hls {
template <class T> class stream {
  std::deque<T> q_;
 public:
  T read() { T x = q_.front(); q_.pop_front(); return x; }
  void write(const T& x) { q_.push_back(x); }
  bool empty() const { return q_.empty(); }
};
}
"""


def cpp_program(model, impl, reuse=1):
    dims = [model["input"]["shape"][0]] + [L["units"] for L in model["layers"]]
    out = ["#include <cstdio>", "#include <cstdlib>", '#include "ap_fixed.h"',
           '#include "nnet_utils/nnet_dense_latency.h"', '#include "nnet_utils/nnet_dense_resource.h"',
           '#include "nnet_utils/nnet_activation.h"',
           "typedef ap_fixed<16,6> t;", "typedef ap_fixed<16,6,AP_TRN,AP_SAT> acc_t;",
           "typedef ap_fixed<18,8,AP_RND,AP_SAT> sm_t;",
           "template <unsigned NI, unsigned NO> struct dcfg {",
           "  static const unsigned n_in = NI, n_out = NO, reuse_factor = %d, multiplier_limit = NI * NO, n_zeros = 0;" % reuse,
           "  static const unsigned io_type = 0, strategy = %d;" % (1 if reuse > 1 else 0),
           "  typedef acc_t accum_t; typedef t bias_t; typedef t weight_t;",
           "  template <class x_T, class y_T> using product = nnet::product::mult<x_T, y_T>;", "};",
           "template <unsigned N> struct rcfg { static const unsigned n_in = N; };",
           "struct scfg {",
           "  static const unsigned n_in = %d, n_slice = %d, n_outer = 1, n_inner = 1;" % (dims[-1], dims[-1]),
           "  static const unsigned exp_table_size = 1024, inv_table_size = 1024, io_type = 0, reuse_factor = 1, axis = -1;",
           "  static constexpr float exp_scale = 1.0;",
           "  typedef sm_t exp_table_t; typedef sm_t inv_table_t; typedef sm_t accum_t; typedef sm_t inv_inp_t;",
           "  typedef ap_ufixed<15,5> inp_norm_t;", "};"]
    for k, L in enumerate(model["layers"]):
        w = [v for row in L["weights"] for v in row]
        if reuse > 1:  # hls4ml transposes the weights for the resource strategy ([n_out][n_in])
            w = [L["weights"][i][j] for j in range(L["units"]) for i in range(len(L["weights"]))]
        out.append("t w%d[%d] = {%s};" % (k, len(w), ", ".join(repr(float(v)) for v in w)))
        out.append("t b%d[%d] = {%s};" % (k, L["units"], ", ".join(repr(float(v)) for v in L["bias"])))
    out.append("int main() {")
    out.append("  double d;")
    out.append("  for (;;) {")
    out.append("    t x0[%d];" % dims[0])
    out.append("    for (unsigned i = 0; i < %d; ++i) { if (std::scanf(\"%%lf\", &d) != 1) return 0; x0[i] = d; }" % dims[0])
    cur = "x0"
    for k, L in enumerate(model["layers"]):
        n_in, n_out = dims[k], dims[k + 1]
        out.append("    t y%d[%d];" % (k, n_out))
        out.append("    nnet::dense_%s<t, t, dcfg<%d, %d> >(%s, y%d, w%d, b%d);" %
                   ("resource" if reuse > 1 else "latency", n_in, n_out, cur, k, k, k))
        cur = "y%d" % k
        act = L.get("activation", "linear")
        if act == "relu":
            out.append("    t r%d[%d];" % (k, n_out))
            out.append("    nnet::relu<t, t, rcfg<%d> >(%s, r%d);" % (n_out, cur, k))
            cur = "r%d" % k
        elif act == "softmax":
            out.append("    t s%d[%d];" % (k, n_out))
            out.append("    nnet::softmax_%s<t, t, scfg>(%s, s%d);" % (impl, cur, k))
            cur = "s%d" % k
    out.append("    for (unsigned i = 0; i < %d; ++i) std::printf(\"%%s%%.17g\", i ? \" \" : \"\", %s[i].to_double());" % (dims[-1], cur))
    out.append("    std::printf(\"\\n\");")
    out.append("  }")
    out.append("}")
    return "\n".join(out) + "\n"


def rows(path):
    with open(path) as fh:
        return [[float(t) for t in line.split()] for line in fh if line.strip()]


def float_model(model, x):
    for L in model["layers"]:
        W, b = L["weights"], L["bias"]
        y = [b[j] + sum(x[i] * W[i][j] for i in range(len(x))) for j in range(L["units"])]
        act = L.get("activation", "linear")
        if act == "relu":
            y = [max(0.0, v) for v in y]
        elif act == "softmax":
            m = max(y)
            e = [math.exp(v - m) for v in y]
            y = [v / sum(e) for v in e]
        x = y
    return x


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("tinyforge")
    ap.add_argument("ap_include")
    ap.add_argument("nnet_utils")
    ap.add_argument("--vectors", type=int, default=10000)
    ap.add_argument("--softmax", choices=["stable", "latency"], default="stable")
    ap.add_argument("--reuse", type=int, default=1,
                    help="reuse factor of every dense layer; above 1, hls4ml's resource strategy on both sides")
    ap.add_argument("--keep")
    a = ap.parse_args()
    model = json.load(open(JET))
    rng = random.Random(2026)
    # Inputs: codes of fixed<16,6> spread over |x| < 8, and one vector in ten over the full range (saturation).
    vecs = []
    for k in range(a.vectors):
        span = 32768 if k % 10 == 0 else 8192
        vecs.append([rng.randint(-span, span - 1) / 1024.0 for _ in range(16)])
    work = a.keep or tempfile.mkdtemp()
    os.makedirs(os.path.join(work, "inc", "nnet_utils"), exist_ok=True)
    try:
        for f in os.listdir(a.nnet_utils):
            if f.endswith(".h"):
                shutil.copy(os.path.join(a.nnet_utils, f), os.path.join(work, "inc", "nnet_utils", f))
        with open(os.path.join(work, "inc", "hls_stream.h"), "w") as fh:
            fh.write(STREAM_STUB)
        with open(os.path.join(work, "hls4ml_jet.cpp"), "w") as fh:
            fh.write(cpp_program(model, a.softmax, a.reuse))
        exe = os.path.join(work, "hls4ml_jet")
        subprocess.run(["g++", "-O2", "-std=c++14", "-w", "-I", a.ap_include, "-I", os.path.join(work, "inc"),
                        os.path.join(work, "hls4ml_jet.cpp"), "-o", exe], check=True)
        text = "\n".join(" ".join(repr(v) for v in x) for x in vecs) + "\n"
        h = [[float(t) for t in line.split()] for line in
             subprocess.run([exe], input=text, stdout=subprocess.PIPE, text=True, check=True).stdout.splitlines()]
        with open(os.path.join(work, "vectors.json"), "w") as fh:
            json.dump({"inputs": vecs}, fh)
        results = {}
        for mode in ("compat", "default"):
            m = json.loads(json.dumps(model))
            m["test_vectors"] = "vectors.json"
            if a.reuse > 1:
                m["strategy"] = "resource"
                m["reuse_factor"] = a.reuse
            if mode == "compat":
                m["precision"]["accum"] = "fixed<16,6,TRN,SAT>"
                m["accumulation"] = "hls4ml"
                m["softmax"] = {"implementation": "hls4ml_" + a.softmax}
            else:
                m["precision"]["accum"] = "fixed<16,6,TRN,SAT>"
            path = os.path.join(work, "jet_%s.json" % mode)
            with open(path, "w") as fh:
                json.dump(m, fh)
            out = os.path.join(work, "out_" + mode)
            subprocess.run([a.tinyforge, "hls", path, "--out", out], check=True, stdout=subprocess.DEVNULL)
            em = rows(os.path.join(out, "hls", "tb_data", "tb_expected_outputs.dat"))
            subprocess.run([os.path.join(out, "hls", "build.sh")], check=True, stdout=subprocess.DEVNULL)
            pj = rows(os.path.join(out, "hls", "tb_data", "csim_results.log"))
            results[mode] = (em, pj)
        lsb = 2.0**-10
        print("jet-tagging MLP, %d vectors, hls4ml softmax '%s', accumulators ap_fixed<16,6,AP_TRN,AP_SAT>, %s" %
              (len(vecs), a.softmax, "resource strategy, reuse factor %d" % a.reuse if a.reuse > 1 else "latency strategy"))
        for mode, (em, pj) in results.items():
            for label, got in (("emulator", em), ("HLS project", pj)):
                diff = [abs(g - w) for gr, wr in zip(got, h) for g, w in zip(gr, wr)]
                n_bad = sum(1 for d in diff if d != 0)
                vec_bad = sum(1 for gr, wr in zip(got, h) if gr != wr)
                print("  tinyforge %-7s %-11s vs hls4ml: %d of %d outputs differ (%d vectors), max %g LSB" %
                      (mode, label, n_bad, len(diff), vec_bad, max(diff) / lsb if diff else 0))
        # The softmax alone over the full input range (differences up to 64 wrap in inp_norm_t, large inputs
        # saturate the latency implementation's tables), five inputs as in the jet model.
        sm_vecs = [[rng.randint(-32768, 32767) / 1024.0 for _ in range(5)] for _ in range(len(vecs))]
        sm_vecs += [[rng.randint(-2048, 2047) / 1024.0] * 5 for _ in range(100)]  # ties
        prog = cpp_program({"input": {"shape": [5]}, "layers": []}, a.softmax).replace(
            "    for (unsigned i = 0; i < 5; ++i) std::printf(\"%s%.17g\", i ? \" \" : \"\", x0[i].to_double());",
            "    t s[5];\n    nnet::softmax_%s<t, t, scfg>(x0, s);\n"
            "    for (unsigned i = 0; i < 5; ++i) std::printf(\"%%s%%.17g\", i ? \" \" : \"\", s[i].to_double());" % a.softmax)
        prog = prog.replace("n_in = 16, n_slice = 16", "n_in = 5, n_slice = 5")
        with open(os.path.join(work, "hls4ml_softmax.cpp"), "w") as fh:
            fh.write(prog)
        subprocess.run(["g++", "-O2", "-std=c++14", "-w", "-I", a.ap_include, "-I", os.path.join(work, "inc"),
                        os.path.join(work, "hls4ml_softmax.cpp"), "-o", exe + "_sm"], check=True)
        text = "\n".join(" ".join(repr(v) for v in x) for x in sm_vecs) + "\n"
        hs = [[float(t) for t in line.split()] for line in
              subprocess.run([exe + "_sm"], input=text, stdout=subprocess.PIPE, text=True, check=True).stdout.splitlines()]
        with open(os.path.join(work, "sm_vectors.json"), "w") as fh:
            json.dump({"inputs": sm_vecs}, fh)
        sm_model = {"name": "sm", "input": {"shape": [5], "precision": "fixed<16,6>"}, "precision": {"result": "fixed<16,6>"},
                    "test_vectors": "sm_vectors.json",
                    "layers": [{"name": "sm", "type": "softmax", "implementation": "hls4ml_" + a.softmax}]}
        with open(os.path.join(work, "sm.json"), "w") as fh:
            json.dump(sm_model, fh)
        subprocess.run([a.tinyforge, "hls", os.path.join(work, "sm.json"), "--out", os.path.join(work, "out_sm")],
                       check=True, stdout=subprocess.DEVNULL)
        ts = rows(os.path.join(work, "out_sm", "hls", "tb_data", "tb_expected_outputs.dat"))
        n_sm = sum(1 for gr, wr in zip(ts, hs) for g, w in zip(gr, wr) if g != w)
        print("  softmax alone (full input range, %d vectors): tinyforge hls4ml_%s emulator vs hls4ml: %d of %d outputs differ"
              % (len(sm_vecs), a.softmax, n_sm, 5 * len(sm_vecs)))
        ref = [float_model(model, x) for x in vecs]
        for label, got in (("hls4ml", h), ("tinyforge compat", results["compat"][0]), ("tinyforge default", results["default"][0])):
            err = max(abs(g - r) for gr, rr in zip(got, ref) for g, r in zip(gr, rr))
            print("  max |output - float model|: %-18s %.4f" % (label, err))
        same = all(results["compat"][0][k] == h[k] and results["compat"][1][k] == h[k] for k in range(len(h)))
        return 0 if same and len(h) == len(vecs) and n_sm == 0 and len(hs) == len(sm_vecs) else 1
    finally:
        if not a.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
