#!/usr/bin/python3
"""The floating-point counterpart of a tinyforge neuro run, in Brian2 (Debian's python3-brian), for the speed
benchmark: same network (RUN/network.json), same input spikes (RUN/input.csv), dt = 1 ms, cython target.
Dynamics: each synaptic current decays by a factor 1 - 2^-dash_syn per step, the membrane by 1 - 2^-dash_mem,
plus the currents and the bias; threshold with subtractive reset (one spike per step at most; input counts
above one count once). Prints the median wall time of three warm runs (code already compiled) in seconds.
With --once: builds the network and runs it once (Brian2's code cache on disk already warm from an earlier
run), for timing Brian2's whole process from outside.
usage: brian2_lif.py [--once] RUN_DIR
"""
import json
import sys
import time

import numpy as np
from brian2 import (NeuronGroup, Network, SpikeGeneratorGroup, Synapses, defaultclock, ms, prefs, set_device)


def main(run, once=False):
    net_j = json.load(open(run + "/network.json"))
    raster = np.loadtxt(run + "/input.csv", delimiter=",", dtype=int, ndmin=2)
    prefs.codegen.target = "cython"
    defaultclock.dt = 1 * ms
    n_in, n_h, n_o, n_syn = net_j["n_in"], net_j["n_hidden"], net_j["n_out"], net_j["n_syn"]
    h, o = net_j["hidden"], net_j["output"]
    eqs = """
    dI0/dt = -I0 * k0 / (1*ms) : 1
    dI1/dt = -I1 * k1 / (1*ms) : 1
    dv/dt = (-v * km + I0 + I1 + bias) / (1*ms) : 1
    k0 : 1
    k1 : 1
    km : 1
    bias : 1
    thr : 1
    """
    hid = NeuronGroup(n_h, eqs, threshold="v >= thr", reset="v -= thr", method="euler")
    ds = np.array(h["dash_syn"])
    hid.k0 = 2.0 ** -ds[:, 0]
    hid.k1 = 2.0 ** -ds[:, 1] if n_syn > 1 else 1.0
    hid.km = 2.0 ** -np.array(h["dash_mem"])
    hid.bias = np.array(h["bias"], dtype=float)
    hid.thr = np.array(h["threshold"], dtype=float)
    out = NeuronGroup(n_o, eqs, threshold="v >= thr", reset="v -= thr", method="euler")
    out.k0 = 2.0 ** -np.array(o["dash_syn"])
    out.k1 = 1.0
    out.km = 2.0 ** -np.array(o["dash_mem"])
    out.bias = np.array(o["bias"], dtype=float)
    out.thr = np.array(o["threshold"], dtype=float)
    steps, ch = np.nonzero(raster)
    inp = SpikeGeneratorGroup(n_in, ch, steps * ms)
    objs = [hid, out, inp]
    w_in = np.array(net_j["w_in"])  # [n_in][n_h][n_syn]
    for s in range(n_syn):
        i, j = np.nonzero(w_in[:, :, s])
        syn = Synapses(inp, hid, "w : 1", on_pre="I%d_post += w" % s)
        syn.connect(i=i, j=j)
        syn.w = w_in[i, j, s] * 2.0 ** net_j["weight_shift_in"]
        objs.append(syn)
    rec = net_j["rec"]
    for s in range(n_syn):
        sel = [r for r in rec if r["syn"] == s]
        if not sel:
            continue
        syn = Synapses(hid, hid, "w : 1", on_pre="I%d_post += w" % s)
        syn.connect(i=np.array([r["src"] for r in sel]), j=np.array([r["dst"] for r in sel]))
        syn.w = np.array([r["w"] for r in sel]) * 2.0 ** net_j["weight_shift_rec"]
        objs.append(syn)
    w_out = np.array(net_j["w_out"])
    i, j = np.nonzero(w_out)
    so = Synapses(hid, out, "w : 1", on_pre="I0_post += w")
    so.connect(i=i, j=j)
    so.w = w_out[i, j] * 2.0 ** net_j["weight_shift_out"]
    objs.append(so)
    net = Network(*objs)
    duration = raster.shape[0] * ms
    if once:
        net.run(duration)
        return
    net.store()
    net.run(duration)  # first run: compiles the generated code
    times = []
    for _ in range(3):  # warm runs from the same initial state; the median is reported
        net.restore()
        t0 = time.perf_counter()
        net.run(duration)
        times.append(time.perf_counter() - t0)
    print("%.6f" % sorted(times)[1])


if __name__ == "__main__":
    if sys.argv[1:2] == ["--once"]:
        main(sys.argv[2], once=True)
    else:
        main(sys.argv[1])
