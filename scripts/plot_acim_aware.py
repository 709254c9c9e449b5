#!/usr/bin/python3
"""Accuracy of the plain and the hardware-aware digits MLP on the analog CIM macro, against ADC bits and against
noise, with the energy of each design point (docs/acim.md, "Hardware-aware training").

Runs `tinyforge sim acim --network` for both networks written by scripts/train_acim_aware.py, at the config
and --set values their training record names (so the macro is the one they were trained on), over
  ADC bits (--bits, default 2,3,4,5,6,8), default noise, and
  a noise multiplier (--noise, default 0,0.5,1,2,3) on every static and per-conversion sigma of the config
  (cap_matching_pct or current_mismatch, gain_sigma, offset_sigma_lsb, read_sigma_lsb) at --noise-bits (default:
  the training's ADC bits); kT/C follows the capacitors and is left as it is (so x0 still dithers the ADC's
  ties: conversion values are integers, and half-way values round either way),
each over --chips chip instances (default 10). Writes OUT/acim_aware.csv and OUT/acim_aware.{png,svg}
(default OUT: docs/img) and prints a table, and where the aware network keeps accuracy at fewer ADC bits, the
energy per inference that saves.
"""
import argparse
import csv
import io
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import tfplot  # noqa: E402
from tfplot import BadInput, plt  # noqa: E402

MODELS = os.path.normpath(os.path.join(HERE, "..", "configs", "models"))
ROOT = os.path.normpath(os.path.join(HERE, ".."))
NOISE_KEYS = ["noise.cap_matching_pct", "noise.current_mismatch", "noise.gain_sigma", "noise.offset_sigma_lsb",
              "noise.read_sigma_lsb"]


def run(tf, config, sets):
    return tfplot.sim(tf, "acim", config, sets)


def parse_list(text, what, conv):
    try:
        v = [conv(x) for x in text.split(",") if x.strip()]
    except ValueError:
        v = []
    if not v:
        raise BadInput(f"{what}: got '{text}'; expected a comma-separated list of numbers")
    return v


def main():
    ap = argparse.ArgumentParser(description="Accuracy of the plain and the hardware-aware digits MLP on the acim "
                                 "macro against ADC bits and noise, with the energy per inference.")
    ap.add_argument("--training", default=os.path.join(MODELS, "digits_mlp_acim_training.json"),
                    help="training record of train_acim_aware.py (default: configs/models/...)")
    ap.add_argument("--out", default=os.path.join(ROOT, "docs", "img"), metavar="DIR", help="output directory")
    ap.add_argument("--bits", default="2,3,4,5,6,8", help="ADC resolutions (default 2,3,4,5,6,8)")
    ap.add_argument("--noise", default="0,0.5,1,2,3", help="noise multipliers (default 0,0.5,1,2,3)")
    ap.add_argument("--noise-bits", type=int, default=0, help="ADC bits of the noise curve (default: training's)")
    ap.add_argument("--tolerance", type=float, default=0.02,
                    help="accuracy tolerance of the energy comparison (default 0.02)")
    ap.add_argument("--chips", type=int, default=10, help="chip instances per point (default 10)")
    ap.add_argument("--format", default="png,svg", help="plot formats (png, svg, pdf; default png,svg)")
    ap.add_argument("--tinyforge", default="", metavar="PATH", help="the tinyforge binary")
    args = ap.parse_args()
    formats = tfplot.parse_formats(args.format)
    bits = parse_list(args.bits, "--bits", int)
    mults = parse_list(args.noise, "--noise", float)
    if args.chips < 1:
        raise BadInput(f"--chips: got {args.chips}; expected at least 1")
    tf = tfplot.find_tinyforge(args.tinyforge)
    if not tf:
        raise BadInput("no tinyforge binary (build it, or pass --tinyforge PATH)")
    rec = tfplot.load_json(args.training, "the training record of scripts/train_acim_aware.py")
    try:
        config = os.path.join(ROOT, rec["config"])
        sets = list(rec["set"])
        models = {k: os.path.join(os.path.dirname(os.path.abspath(args.training)), v["onnx"])
                  for k, v in rec["models"].items()}
        train_bits = int(rec["macro"]["adc_bits"])
    except (KeyError, TypeError, ValueError) as e:
        raise BadInput(f"{args.training}: missing or bad key {e}; expected a record of train_acim_aware.py")
    for k in ("plain", "aware"):
        if k not in models or not os.path.isfile(models[k]):
            raise BadInput(f"{args.training}: models.{k}: no network file {models.get(k)}")
    noise_bits = args.noise_bits or train_bits
    base = sets + [f"chips={args.chips}"]
    _, eff = run(tf, config, sets + ["workload.vectors=1"])
    sigma = {k: eff["noise"][k.split(".")[1]] for k in NOISE_KEYS}

    rows = []
    for kind in ("plain", "aware"):
        for b in bits:
            s, _ = run(tf, config, base + [f"workload.network={models[kind]}", "workload.kind=network",
                                           f"macro.adc_bits={b}"])
            rows.append({"network": kind, "sweep": "adc_bits", "adc_bits": b, "noise_multiplier": 1.0, **{
                k: s[k] for k in ("accuracy_mean", "accuracy_std", "accuracy_min", "accuracy_ideal", "energy_pJ",
                                  "tops_per_w")}})
            print(f"{kind} {b}-bit ADC: accuracy {s['accuracy_mean']:.4f} +- {s['accuracy_std']:.4f}, "
                  f"{s['energy_pJ'] / 1e3:.2f} nJ per inference", flush=True)
        for f in mults:
            noise = [f"{k}={sigma[k] * f!r}" for k in NOISE_KEYS]
            s, _ = run(tf, config, base + noise + [f"workload.network={models[kind]}", "workload.kind=network",
                                                   f"macro.adc_bits={noise_bits}"])
            rows.append({"network": kind, "sweep": "noise", "adc_bits": noise_bits, "noise_multiplier": f, **{
                k: s[k] for k in ("accuracy_mean", "accuracy_std", "accuracy_min", "accuracy_ideal", "energy_pJ",
                                  "tops_per_w")}})
            print(f"{kind} noise x{f:g} at {noise_bits} bits: accuracy {s['accuracy_mean']:.4f}", flush=True)

    os.makedirs(args.out, exist_ok=True)
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=list(rows[0].keys()), lineterminator="\n")
    w.writeheader()
    for r in rows:
        w.writerow({k: (f"{v:.6g}" if isinstance(v, float) else v) for k, v in r.items()})
    path = os.path.join(args.out, "acim_aware.csv")
    with open(path + ".tmp", "w") as f:
        f.write(buf.getvalue())
    os.replace(path + ".tmp", path)
    written = [path]

    tfplot.setup_style()
    fig, (a1, a2) = plt.subplots(1, 2, figsize=(12, 4.4))
    colors = {"plain": "tab:blue", "aware": "tab:orange"}
    for kind in ("plain", "aware"):
        pts = [r for r in rows if r["network"] == kind and r["sweep"] == "adc_bits"]
        a1.errorbar([r["adc_bits"] for r in pts], [r["accuracy_mean"] for r in pts],
                    yerr=[r["accuracy_std"] for r in pts], marker="o", capsize=3, color=colors[kind],
                    label=f"{kind} (mean, std over {args.chips} chips)")
        a1.plot([r["adc_bits"] for r in pts], [r["accuracy_ideal"] for r in pts], ls=":", color=colors[kind],
                label=f"{kind}, ideal quantized MVM")
        pts = [r for r in rows if r["network"] == kind and r["sweep"] == "noise"]
        a2.errorbar([r["noise_multiplier"] for r in pts], [r["accuracy_mean"] for r in pts],
                    yerr=[r["accuracy_std"] for r in pts], marker="o", capsize=3, color=colors[kind], label=kind)
    e = [r for r in rows if r["network"] == "aware" and r["sweep"] == "adc_bits"]
    a1b = a1.twinx()
    a1b.plot([r["adc_bits"] for r in e], [r["energy_pJ"] / 1e3 for r in e], ls="--", color="gray", marker="s",
             ms=4, label="energy per inference")
    a1b.set_ylabel("energy per inference (nJ)", color="gray")
    a1b.spines["right"].set_visible(True)
    a1.set_xlabel("ADC bits")
    a1.set_ylabel("top-1 accuracy")
    a1.set_title(f"accuracy and energy against ADC resolution (trained at {train_bits} bits)")
    h1, l1 = a1.get_legend_handles_labels()
    h2, l2 = a1b.get_legend_handles_labels()
    a1.legend(h1 + h2, l1 + l2, loc="lower right", fontsize=8)
    a2.set_xlabel("noise multiplier (x every configured sigma)")
    a2.set_ylabel("top-1 accuracy")
    a2.set_title(f"accuracy against noise at {noise_bits} ADC bits")
    a2.legend(loc="lower left")
    fig.tight_layout(w_pad=4)
    tfplot.save(fig, args.out, "acim_aware", formats, written)

    # Where does the aware network keep accuracy at fewer bits, and what energy does that save?
    acc = {(r["network"], r["adc_bits"]): r for r in rows if r["sweep"] == "adc_bits"}
    print("\n| ADC bits | plain accuracy | aware accuracy | energy per inference (nJ) |")
    print("| --- | --- | --- | --- |")
    for b in bits:
        p, a = acc[("plain", b)], acc[("aware", b)]
        print(f"| {b} | {p['accuracy_mean']:.3f} ± {p['accuracy_std']:.3f} | {a['accuracy_mean']:.3f} ± "
              f"{a['accuracy_std']:.3f} | {a['energy_pJ'] / 1e3:.2f} |")
    best = {k: max(acc[(k, b)]["accuracy_mean"] for b in bits) for k in ("plain", "aware")}
    for k in ("plain", "aware"):
        c = min(b for b in bits if acc[(k, b)]["accuracy_mean"] >= best[k] - args.tolerance)
        print(f"{k}: best accuracy {best[k]:.3f}; fewest ADC bits within {args.tolerance:g} of it: {c} "
              f"({acc[(k, c)]['energy_pJ'] / 1e3:.2f} nJ per inference)")
    for b in bits:
        a = acc[("aware", b)]["accuracy_mean"]
        gain = a - acc[("plain", b)]["accuracy_mean"]
        cheaper = [c for c in bits if c > b and acc[("plain", c)]["accuracy_mean"] >= a - args.tolerance
                   and gain > args.tolerance]
        line = f"at {b} bits the aware network is {100 * gain:+.1f} points"
        if cheaper:
            c = min(cheaper)
            saved = 1 - acc[("aware", b)]["energy_pJ"] / acc[("plain", c)]["energy_pJ"]
            line += (f"; the plain network needs {c} bits to come within {args.tolerance:g} of it "
                     f"({acc[('plain', c)]['accuracy_mean']:.3f}): the aware one saves {100 * saved:.0f}% energy")
        elif gain > args.tolerance:
            line += "; the plain network does not come within %g of it at any resolution" % args.tolerance
        print(line)
    for p in written:
        print(p)
    return 0


if __name__ == "__main__":
    tfplot.main_wrapper("plot_acim_aware.py", main)
