#!/usr/bin/python3
"""Whole-process emulation speed against hls4ml's C simulation (not part of the default test run).

The jet-tagging MLP (configs/models/jet_tagging_mlp.json, 16-64-32-32-5) in hls4ml's configuration: every type
ap_fixed<16,6>, saturating accumulators, dense with the latency strategy, relu, softmax 'stable'. tinyforge runs
it with its hls4ml compatibility modes, so both sides compute the same bits, and the script checks that they do.

Both sides are timed as whole processes pinned to one core (taskset), best of REPEAT runs, on the same
N vectors (default 100,000) in hls4ml's test-bench format (tb_data/tb_input_features.dat, one vector per line,
space-separated):
  hls4ml:    a test bench doing what hls4ml's generated <project>_test.cpp does (read both tb_data files line by
             line, split with strtok, atof, copy into the input array, call the network built from hls4ml's
             nnet_utils templates and the ap_fixed headers, a progress line every 5,000 vectors, print each
             result to tb_data/csim_results.log), compiled with g++ -O3 as hls4ml's build_lib.sh does;
  tinyforge: `tinyforge hls MODEL --emulate --no-float --test-vectors tb_input_features.dat --outputs FILE`
             (bit-accurate outputs to a file, saturation counts on stdout), one thread and all threads;
             also the default report (float model on, JSON test vectors) for reference.

usage: bench_hls4ml_speed.py TINYFORGE [--ap-include DIR --hls4ml DIR] [--vectors N] [--repeat R]
  --ap-include: the directory holding ap_fixed.h (Xilinx's HLS_arbitrary_Precision_Types/include);
                default: $AP_INCLUDE
  --hls4ml:     an hls4ml source tree (its hls4ml/templates/vivado/nnet_utils is used); default: $HLS4ML_SRC
Without the two paths it reports tinyforge's figures only. Prints a markdown table for docs/BENCHMARKS.md
(and, under tests/bench/all.sh, a line of its summary).
"""
import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import hls4ml_side_by_side as sbs  # noqa: E402  (the network in hls4ml's templates, shared)

TB_MAIN = r"""
#include <fstream>
#include <iostream>
#include <string>
#include <vector>
#include <cstring>
#include <cstdlib>

static void split_floats(std::string& line, std::vector<float>& v) {
  char* tok = std::strtok(const_cast<char*>(line.c_str()), " ");
  while (tok) {
    v.push_back(std::atof(tok));
    tok = std::strtok(nullptr, " ");
  }
}

int main() {
  std::ifstream fin("tb_data/tb_input_features.dat"), fpr("tb_data/tb_output_predictions.dat");
  std::ofstream fout("tb_data/csim_results.log");
  if (!fin.is_open() || !fpr.is_open()) { std::cerr << "no tb_data\n"; return 2; }
  std::string iline, pline;
  for (long e = 0; std::getline(fin, iline) && std::getline(fpr, pline); ++e) {
    if (e % 5000 == 0) std::cout << "Processing input " << e << std::endl;
    std::vector<float> in, pr;
    split_floats(iline, in);
    split_floats(pline, pr);
    t x0[N_IN];
    std::copy(in.begin(), in.begin() + N_IN, x0);
    t* y = network(x0);
    if (e % 5000 == 0) {
      std::cout << "Predictions" << std::endl;
      for (float p : pr) std::cout << p << " ";
      std::cout << std::endl << "Quantized predictions" << std::endl;
      for (int i = 0; i < N_OUT; ++i) std::cout << y[i] << " ";
      std::cout << std::endl;
    }
    for (int i = 0; i < N_OUT; ++i) fout << y[i] << " ";
    fout << std::endl;
  }
  std::cout << "INFO: Saved inference results to file: tb_data/csim_results.log" << std::endl;
  return 0;
}
"""


def hls4ml_network(model):
    """The network as a function over hls4ml's templates (declarations from the side-by-side script)."""
    prog = sbs.cpp_program(model, "stable")
    head = prog[:prog.index("int main() {")]
    dims = [model["input"]["shape"][0]] + [L["units"] for L in model["layers"]]
    body = ["#define N_IN %d" % dims[0], "#define N_OUT %d" % dims[-1], "static t* network(t x0[N_IN]) {"]
    cur = "x0"
    for k, L in enumerate(model["layers"]):
        body.append("  static t y%d[%d];" % (k, dims[k + 1]))
        body.append("  nnet::dense_latency<t, t, dcfg<%d, %d> >(%s, y%d, w%d, b%d);" % (dims[k], dims[k + 1], cur, k, k, k))
        cur = "y%d" % k
        act = L.get("activation", "linear")
        if act == "relu":
            body.append("  static t r%d[%d];" % (k, dims[k + 1]))
            body.append("  nnet::relu<t, t, rcfg<%d> >(%s, r%d);" % (dims[k + 1], cur, k))
            cur = "r%d" % k
        elif act == "softmax":
            body.append("  static t s%d[%d];" % (k, dims[k + 1]))
            body.append("  nnet::softmax_stable<t, t, scfg>(%s, s%d);" % (cur, k))
            cur = "s%d" % k
    body.append("  return %s;" % cur)
    body.append("}")
    return head + "\n".join(body) + "\n" + TB_MAIN


def timed(cmd, cwd, repeat, pin):
    """Best wall time of REPEAT runs, after one untimed run (page cache, CPU frequency)."""
    best = None
    for k in range(repeat + 1):
        t0 = time.perf_counter()
        r = subprocess.run((["taskset", "-c", "0"] if pin else []) + cmd, cwd=cwd, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, text=True)
        dt = time.perf_counter() - t0
        if r.returncode != 0:
            sys.exit("failed (%d): %s\n%s" % (r.returncode, " ".join(cmd), r.stderr[-2000:]))
        if k > 0:
            best = dt if best is None else min(best, dt)
    return best, r.stdout


def codes(path, frac_bits=10):
    with open(path) as fh:
        return [[round(float(t) * (1 << frac_bits)) for t in line.split()] for line in fh if line.strip()]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("tinyforge")
    ap.add_argument("--ap-include", default=os.environ.get("AP_INCLUDE"))
    ap.add_argument("--hls4ml", default=os.environ.get("HLS4ML_SRC"))
    ap.add_argument("--vectors", type=int, default=100000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--keep", help="work in this folder and keep it")
    a = ap.parse_args()
    if bool(a.ap_include) != bool(a.hls4ml):
        sys.exit("give both --ap-include and --hls4ml, or neither")
    if a.ap_include and not os.path.exists(os.path.join(a.ap_include, "ap_fixed.h")):
        sys.exit("--ap-include %s: no ap_fixed.h there" % a.ap_include)
    nnet = os.path.join(a.hls4ml, "hls4ml", "templates", "vivado", "nnet_utils") if a.hls4ml else None
    if nnet and not os.path.isdir(nnet):
        sys.exit("--hls4ml %s: no hls4ml/templates/vivado/nnet_utils there" % a.hls4ml)
    pin = shutil.which("taskset") is not None
    model = json.load(open(sbs.JET))
    rng = random.Random(2026)
    vecs = []
    for k in range(a.vectors):
        span = 32768 if k % 10 == 0 else 8192
        vecs.append([rng.randint(-span, span - 1) / 1024.0 for _ in range(16)])
    work = os.path.abspath(a.keep) if a.keep else tempfile.mkdtemp()
    try:
        os.makedirs(os.path.join(work, "tb_data"), exist_ok=True)
        with open(os.path.join(work, "tb_data", "tb_input_features.dat"), "w") as fh:
            fh.write("".join(" ".join(repr(v) for v in x) + "\n" for x in vecs))
        with open(os.path.join(work, "tb_data", "tb_output_predictions.dat"), "w") as fh:
            fh.write("0 0 0 0 0\n" * len(vecs))  # read and printed at checkpoints only; the values do not matter
        with open(os.path.join(work, "vectors.json"), "w") as fh:
            json.dump({"inputs": vecs}, fh)
        m = json.loads(json.dumps(model))
        m["test_vectors"] = "vectors.json"
        m["precision"]["accum"] = "fixed<16,6,TRN,SAT>"
        m["accumulation"] = "hls4ml"
        m["softmax"] = {"implementation": "hls4ml_stable"}
        with open(os.path.join(work, "jet.json"), "w") as fh:
            json.dump(m, fh)
        os.sync()  # the 50 MB just written are not flushed while something is being timed
        tf = os.path.abspath(a.tinyforge)
        base = [tf, "hls", "jet.json", "--emulate"]
        fast = base + ["--no-float", "--test-vectors", "tb_data/tb_input_features.dat", "--outputs", "tf_out.txt"]
        t_one, _ = timed(fast + ["--threads", "1"], work, a.repeat, pin)
        t_all, _ = timed(fast + ["--threads", "0"], work, a.repeat, False)
        t_json, _ = timed(base, work, a.repeat, pin)
        rows = [("tinyforge --emulate --no-float, text vectors, --outputs, 1 thread (pinned)", t_one),
                ("tinyforge --emulate --no-float, text vectors, --outputs, all %d threads" % os.cpu_count(), t_all),
                ("tinyforge --emulate, default report (float model on, JSON vectors), 1 thread", t_json)]
        ratio = None
        if nnet:
            inc = os.path.join(work, "inc")
            os.makedirs(os.path.join(inc, "nnet_utils"), exist_ok=True)
            for f in os.listdir(nnet):
                if f.endswith(".h"):
                    shutil.copy(os.path.join(nnet, f), os.path.join(inc, "nnet_utils", f))
            with open(os.path.join(inc, "hls_stream.h"), "w") as fh:
                fh.write(sbs.STREAM_STUB)
            with open(os.path.join(work, "hls4ml_test.cpp"), "w") as fh:
                fh.write(hls4ml_network(model))
            subprocess.run(["g++", "-O3", "-std=c++11", "-w", "-I", a.ap_include, "-I", inc, "hls4ml_test.cpp",
                            "-o", "hls4ml_test"], cwd=work, check=True)
            t_h, _ = timed(["./hls4ml_test"], work, a.repeat, pin)
            rows.insert(0, ("hls4ml C simulation (test bench as generated, g++ -O3, pinned)", t_h))
            h = codes(os.path.join(work, "tb_data", "csim_results.log"))
            mine = codes(os.path.join(work, "tf_out.txt"))
            diff = sum(1 for x, y in zip(h, mine) if x != y) + abs(len(h) - len(mine))
            ratio = t_h / t_one
        machine = os.path.join(os.path.dirname(os.path.abspath(__file__)), "machine.sh")
        subprocess.run(["bash", "-c", 'source "$0"; tf_bench_machine', machine])
        print("jet-tagging MLP, %d vectors, whole processes, best of %d%s" %
              (a.vectors, a.repeat, "" if pin else " (taskset missing: not pinned)"))
        print()
        print("| process | seconds | vectors/s | hls4ml time / this |")
        print("|---|---|---|---|")
        for label, t in rows:
            print("| %s | %.3f | %.0f | %s |" % (label, t, a.vectors / t, "%.1f" % (rows[0][1] / t) if nnet else "-"))
        if nnet:
            print()
            print("outputs: %d of %d vectors differ between hls4ml and tinyforge (codes of 2^-10)" % (diff, len(h)))
            print("BENCH hls4ml_emulation_speedup %.2f (target >= 10)" % ratio)
        summary = os.environ.get("TF_BENCH_SUMMARY")
        if summary:
            with open(summary, "a") as fh:
                if nnet:
                    fh.write("emulation vs hls4ml C simulation, whole process, one core\t%.1fx\t>= 10x\t%s\n"
                             % (ratio, "yes" if ratio >= 10 and diff == 0 else "no"))
                else:
                    fh.write("emulation, whole process, one core (no hls4ml tree given)\t%.0f vectors/s\t-\t-\n"
                             % (a.vectors / t_one))
        return 0 if not nnet or diff == 0 else 1
    finally:
        if not a.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
