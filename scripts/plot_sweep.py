#!/usr/bin/python3
"""Plots of a finished `tinyforge sweep` directory.

usage: plot_sweep.py DIR [--out OUTDIR] [--format png,svg] [--tinyforge BIN]

Reads DIR/manifest.json, DIR/results.json, DIR/results.csv and DIR/pareto.csv and writes into OUTDIR
(default DIR/plots):
  pareto_X__Y.*  every pair of objectives: the ok points, the Pareto points highlighted (for two objectives
                 joined by the step line of the front), points coloured by a categorical axis when there is one
  metric_M.*     each objective and the headline metrics present (energy_pJ, latency_ns, area_um2, tops_per_w)
                 against each axis: one subplot per axis, scatter and median line for numeric axes, box and
                 strip per category for the others
Only `ok` points are plotted; the others (invalid, failed, timeout, missing) are counted in each figure's title.
Units come from `tinyforge describe MODEL` (the binary: --tinyforge, $TINYFORGE, the repository's build, or
PATH); without one, axes carry the names only. Prints the paths it wrote, one per line.
Exit codes: 0 written, 2 bad input (missing or malformed sweep directory, bad option).
"""
import argparse
import csv
import json
import math
import os
import re
import sys
from collections import Counter, OrderedDict

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import tfplot  # noqa: E402
from tfplot import BadInput, plt  # noqa: E402

import numpy as np  # noqa: E402

HEADLINE = ["energy_pJ", "latency_ns", "area_um2", "tops_per_w"]
PALETTE = ["#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd", "#8c564b", "#e377c2", "#17becf", "#bcbd22", "#7f7f7f",
           "#d62728"]
MARKERS = ["o", "s", "^", "D", "v", "P", "X", "<", ">", "h"]
PARETO_COLOR = "#d62728"
CSV_HEAD = ["point", "hash", "status", "wall_s"]


def is_num(v):
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)


def cat_key(v):
    """The category of an axis value: the value itself for text, its canonical JSON otherwise."""
    return v if isinstance(v, str) else json.dumps(v, separators=(",", ":"), sort_keys=True)


def short_label(v, width=28):
    """A readable label of an axis value: JSON without the quotes around keys, cut in the middle when long; the
    file name of an absolute path (file parameters are resolved to absolute paths)."""
    if isinstance(v, str):
        s = os.path.basename(v) if os.path.isabs(v) and not v.endswith("/") else v
    else:
        s = json.dumps(v, separators=(",", ":"))
        s = re.sub(r'"([A-Za-z_][A-Za-z0-9_.]*)":', r"\1:", s)
    if len(s) > width:
        s = s[:width // 2 - 1] + "\u2026" + s[-(width - width // 2):]
    return s


# ---------------------------------------------------------------------------------------------------- input

def read_csv(path, what):
    if not os.path.isfile(path):
        raise BadInput(f"{path}: no such file; expected {what}")
    try:
        with open(path, newline="", encoding="utf-8") as f:
            rows = list(csv.reader(f))
    except (OSError, UnicodeDecodeError, csv.Error) as e:
        raise BadInput(f"{path}: cannot read ({e}); expected {what}")
    if not rows or rows[0][:4] != CSV_HEAD:
        got = ",".join(rows[0][:4]) if rows else "an empty file"
        raise BadInput(f"{path}: header: got '{got}'; expected {what} (columns {','.join(CSV_HEAD)},...)")
    for i, r in enumerate(rows[1:], start=2):
        if len(r) != len(rows[0]):
            raise BadInput(f"{path}:{i}: got {len(r)} columns; expected {len(rows[0])} as in the header")
    return rows[0], rows[1:]


def load_sweep(d):
    if not os.path.isdir(d):
        raise BadInput(f"{d}: no such directory; expected a finished sweep directory (tinyforge sweep --out DIR)")
    mpath = os.path.join(d, "manifest.json")
    rpath = os.path.join(d, "results.json")
    manifest = tfplot.load_json(mpath, "the manifest of a finished sweep (tinyforge sweep --out DIR)")
    if not isinstance(manifest, dict) or not isinstance(manifest.get("spec"), dict):
        raise BadInput(f"{mpath}: expected a JSON object with the sweep's \"spec\" object")
    spec = manifest["spec"]
    model = manifest.get("model", spec.get("model"))
    if not isinstance(model, str):
        raise BadInput(f"{mpath}: model: got {json.dumps(model)}; expected the model's name")
    objectives = spec.get("objectives", {})
    if not isinstance(objectives, dict) or any(v not in ("min", "max") for v in objectives.values()):
        raise BadInput(f"{mpath}: spec.objectives: got {json.dumps(objectives)}; expected {{\"METRIC\": \"min\"|\"max\"}}")
    results = tfplot.load_json(rpath, "the results of a finished sweep (a list of points)")
    if not isinstance(results, list):
        raise BadInput(f"{rpath}: got a JSON {tfplot.json_type(results)}; expected a list of points")
    for i, r in enumerate(results):
        if not (isinstance(r, dict) and isinstance(r.get("point"), int) and isinstance(r.get("status"), str)
                and isinstance(r.get("values", {}), dict) and isinstance(r.get("metrics", {}), dict)):
            raise BadInput(f"{rpath}: [{i}]: expected a point object with point (integer), status (text), "
                           "values and metrics (objects)")
    # The CSV files: present, well formed, and the same points as results.json.
    _, rows = read_csv(os.path.join(d, "results.csv"), "the results table of a finished sweep")
    if len(rows) != len(results):
        raise BadInput(f"{os.path.join(d, 'results.csv')}: got {len(rows)} points; expected the {len(results)} of "
                       "results.json")
    _, prow = read_csv(os.path.join(d, "pareto.csv"), "the Pareto front of a finished sweep")
    by_point = {r["point"]: r for r in results}
    pareto = set()
    for i, r in enumerate(prow, start=2):
        try:
            p = int(r[0])
        except ValueError:
            p = None
        if p not in by_point or by_point[p]["status"] != "ok":
            raise BadInput(f"{os.path.join(d, 'pareto.csv')}:{i}: point '{r[0]}'; expected an ok point of "
                           "results.json")
        pareto.add(p)
    manifest["model"] = model
    return manifest, objectives, results, pareto


# ---------------------------------------------------------------------------------------------------- plots

class Sweep:
    def __init__(self, d, manifest, objectives, results, pareto, units):
        self.dir, self.manifest, self.model, self.units = d, manifest, manifest["model"], units
        self.objectives = OrderedDict(objectives)
        self.ok = [r for r in results if r["status"] == "ok"]
        self.pareto = pareto
        self.counts = Counter(r["status"] for r in results)
        self.total = len(results)
        axes = []
        for r in results:
            for k in r.get("values", {}):
                if k not in axes:
                    axes.append(k)
        self.axes = axes
        self.numeric_axis = {a: all(is_num(r["values"][a]) for r in self.ok if a in r["values"]) for a in axes}
        # A categorical axis to colour points by: the first with 2 to 10 categories.
        self.color_axis = None
        for a in axes:
            if not self.numeric_axis[a]:
                cats = self.categories(a)
                if 2 <= len(cats) <= len(PALETTE):
                    self.color_axis = a
                    break

    def categories(self, axis):
        """[(key, label)] of the axis's values among the ok points, in order of appearance; labels unique."""
        cats = OrderedDict()
        for r in self.ok:
            if axis in r["values"]:
                cats.setdefault(cat_key(r["values"][axis]), short_label(r["values"][axis]))
        seen = Counter(cats.values())
        k = Counter()
        for key, lab in cats.items():
            if seen[lab] > 1:
                k[lab] += 1
                cats[key] = f"{lab} ({k[lab]})"
        return list(cats.items())

    def note(self):
        """The counts line: ok points, Pareto points, and what was left out."""
        s = f"{len(self.ok)} ok of {self.total} points"
        if self.objectives:
            s += f", {len(self.pareto)} on the Pareto front"
        left = [f"{n} {st}" for st, n in sorted(self.counts.items()) if st != "ok"]
        if left:
            s += "; not plotted: " + ", ".join(left)
        return s

    def title(self):
        spec_file = self.manifest.get("spec_file")
        name = os.path.splitext(os.path.basename(spec_file))[0] if isinstance(spec_file, str) and spec_file else \
            os.path.basename(os.path.normpath(os.path.abspath(self.dir)))
        return f"{self.model} sweep {name}"

    def metric_values(self, metric, rows=None):
        rows = self.ok if rows is None else rows
        return [(r, r["metrics"][metric]) for r in rows if is_num(r["metrics"].get(metric))]

    def has_metric(self, m):
        return any(is_num(r["metrics"].get(m)) for r in self.ok)

    def axis_label(self, name, better=None):
        s = tfplot.label(name, self.units)
        if better:
            s += f"  [{better} is better]"
        return s


def set_log(ax, which, values, axis=False):
    """Log scale on WHICH ('x'/'y') when VALUES span more than two decades; an AXIS of powers of two (the
    values of a log2 sweep) gets base 2 from a span of 8 on."""
    pow2 = all(float(v).is_integer() and int(v) > 0 and (int(v) & (int(v) - 1)) == 0 for v in values)
    if axis and pow2 and len(set(values)) > 2 and max(values) / min(values) >= 8:
        base = 2
    elif tfplot.spans_decades(values):
        base = 2 if pow2 else 10
    else:
        return False
    (ax.set_xscale if which == "x" else ax.set_yscale)("log", base=base)
    return True


def numeric_ticks(ax, values):
    """Ticks at the axis values themselves when there are few of them."""
    distinct = sorted(set(values))
    if len(distinct) <= 10:
        ax.set_xticks(distinct)
        ax.set_xticklabels([tfplot.fmt(v) for v in distinct])
        ax.minorticks_off()


def front_order(points, bx, by):
    """Pareto points in objective order: best x first, then best y."""
    sx = 1 if bx == "min" else -1
    sy = 1 if by == "min" else -1
    return sorted(points, key=lambda p: (sx * p[0], sy * p[1]))


def plot_pair(sw, x, y, fmts, outdir, written):
    bx, by = sw.objectives[x], sw.objectives[y]
    pts = [(r["metrics"][x], r["metrics"][y], r) for r in sw.ok
           if is_num(r["metrics"].get(x)) and is_num(r["metrics"].get(y))]
    if not pts:
        return
    fig, ax = plt.subplots(figsize=(7.0, 5.2))
    front = [p for p in pts if p[2]["point"] in sw.pareto]
    rest = [p for p in pts if p[2]["point"] not in sw.pareto]
    if sw.color_axis:
        # Hollow markers of one shape per category: points of different categories that coincide stay visible.
        cats = sw.categories(sw.color_axis)
        for i, (c, lab) in enumerate(cats):
            sel = [p for p in pts if cat_key(p[2]["values"].get(sw.color_axis)) == c]
            ax.scatter([p[0] for p in sel], [p[1] for p in sel], s=34, marker=MARKERS[i], facecolors="none",
                       edgecolors=PALETTE[i], linewidths=1.3, label=f"{sw.color_axis} = {lab}", zorder=2)
        ax.scatter([p[0] for p in front], [p[1] for p in front], s=150, facecolors="none", edgecolors="black",
                   linewidths=1.0, label="Pareto point", zorder=3)
    else:
        ax.scatter([p[0] for p in rest], [p[1] for p in rest], s=24, color="#1f77b4", alpha=0.6,
                   edgecolors="none", label="ok point", zorder=2)
        ax.scatter([p[0] for p in front], [p[1] for p in front], s=46, color=PARETO_COLOR, edgecolors="black",
                   linewidths=0.6, label="Pareto point", zorder=3)
    if len(sw.objectives) == 2 and len(front) > 1:
        f = front_order([(p[0], p[1]) for p in front], bx, by)
        ax.plot([p[0] for p in f], [p[1] for p in f], drawstyle="steps-post", color="black", linewidth=1.1,
                alpha=0.8, label="Pareto front", zorder=2.5)
    elif len(sw.objectives) > 2:
        ax.plot([], [], " ", label=f"(Pareto in all {len(sw.objectives)} objectives)")
    set_log(ax, "x", [p[0] for p in pts])
    set_log(ax, "y", [p[1] for p in pts])
    ax.set_xlabel(sw.axis_label(x, bx))
    ax.set_ylabel(sw.axis_label(y, by))
    ax.set_title(f"{sw.title()}: {y} vs {x}\n{sw.note()}", fontsize=10.5)
    ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1.0), frameon=False, borderaxespad=0.0)
    tfplot.save(fig, outdir, f"pareto_{tfplot.safe_name(x)}__{tfplot.safe_name(y)}", fmts, written)


def strip_jitter(n, width=0.22):
    """Horizontal offsets for N points of one category: random, but the same on every run."""
    return np.random.default_rng(n).uniform(-width, width, n) if n > 1 else np.zeros(n)


def plot_metric(sw, metric, fmts, outdir, written):
    vals = sw.metric_values(metric)
    if not vals or not sw.axes:
        return
    n = len(sw.axes)
    ncols = 2 if n == 4 else min(n, 3)
    nrows = math.ceil(n / ncols)
    fig, axs = plt.subplots(nrows, ncols, figsize=(4.8 * ncols, 3.9 * nrows + 0.6), squeeze=False)
    ylog = tfplot.spans_decades([v for _, v in vals])
    better = sw.objectives.get(metric)
    for k, axis in enumerate(sw.axes):
        ax = axs[k // ncols][k % ncols]
        pts = [(r["values"][axis], v, r["point"] in sw.pareto) for r, v in vals if axis in r["values"]]
        if sw.numeric_axis[axis]:
            xs = [p[0] for p in pts]
            normal = [p for p in pts if not p[2]]
            front = [p for p in pts if p[2]]
            if normal:
                ax.scatter([p[0] for p in normal], [p[1] for p in normal], s=20, color="#1f77b4", alpha=0.55,
                           edgecolors="none", label="ok point", zorder=2)
            if front:
                ax.scatter([p[0] for p in front], [p[1] for p in front], s=34, color=PARETO_COLOR,
                           edgecolors="black", linewidths=0.5, label="Pareto point", zorder=3)
            distinct = sorted(set(xs))
            if 1 < len(distinct) <= 12 and len(xs) >= 2 * len(distinct):  # a median only where values repeat
                med = [float(np.median([p[1] for p in pts if p[0] == d])) for d in distinct]
                ax.plot(distinct, med, color="black", linewidth=1.2, marker="_", markersize=10, label="median",
                        zorder=2.5)
            set_log(ax, "x", xs, axis=True)
            numeric_ticks(ax, xs)
        else:
            cats = sw.categories(axis)
            groups = [[p for p in pts if cat_key(p[0]) == c] for c, _ in cats]
            ax.boxplot([[p[1] for p in g] for g in groups], positions=range(1, len(cats) + 1), widths=0.55,
                       showfliers=False, medianprops={"color": "black"}, boxprops={"color": "#555555"},
                       whiskerprops={"color": "#555555"}, capprops={"color": "#555555"}, zorder=1)
            for i, g in enumerate(groups, start=1):
                xs = i + strip_jitter(len(g))
                col = [PARETO_COLOR if p[2] else "#1f77b4" for p in g]
                ax.scatter(xs, [p[1] for p in g], s=[34 if p[2] else 20 for p in g], c=col, alpha=0.8,
                           edgecolors=["black" if p[2] else "none" for p in g], linewidths=0.5, zorder=2)
            labels = [lab for _, lab in cats]
            ax.set_xticks(range(1, len(cats) + 1))
            long = sum(len(c) for c in labels) > 40 or max((len(c) for c in labels), default=0) > 12
            ax.set_xticklabels(labels, rotation=25 if long else 0, ha="right" if long else "center",
                               rotation_mode="anchor")
            ax.grid(False, axis="x")
            if any(not p[2] for p in pts):
                ax.scatter([], [], s=20, color="#1f77b4", label="ok point")
            if any(p[2] for p in pts):
                ax.scatter([], [], s=34, color=PARETO_COLOR, edgecolors="black", linewidths=0.5,
                           label="Pareto point")
        if ylog:
            ax.set_yscale("log")
        ax.set_xlabel(sw.axis_label(axis))
        ax.set_ylabel(sw.axis_label(metric))
    for k in range(n, nrows * ncols):
        axs[k // ncols][k % ncols].set_visible(False)
    handles, labels = axs[0][0].get_legend_handles_labels()
    for a in axs.flat[1:n]:
        for h, lab in zip(*a.get_legend_handles_labels()):
            if lab not in labels:
                handles.append(h)
                labels.append(lab)
    head = f"{metric}" + (f" ({better} is better, an objective)" if better else "")
    fig.suptitle(f"{sw.title()}: {head}\n{sw.note()}", fontsize=11)
    fig.legend(handles, labels, loc="lower center", ncol=len(labels), frameon=False, bbox_to_anchor=(0.5, 0.0))
    fig.tight_layout(rect=(0, 0.06 if nrows == 1 else 0.04, 1, 1))
    tfplot.save(fig, outdir, f"metric_{tfplot.safe_name(metric)}", fmts, written)


def main():
    ap = argparse.ArgumentParser(prog="plot_sweep.py", description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter,
                                 epilog="\n\n".join(__doc__.split("\n\n")[2:]))
    ap.add_argument("dir", metavar="DIR", help="a finished sweep directory (tinyforge sweep --out DIR)")
    ap.add_argument("--out", metavar="OUTDIR", help="where to write the plots (default DIR/plots)")
    ap.add_argument("--format", default="png,svg", help="comma-separated: png, svg, pdf (default png,svg)")
    ap.add_argument("--tinyforge", metavar="BIN", help="tinyforge binary for the units (tinyforge describe)")
    a = ap.parse_args()
    fmts = tfplot.parse_formats(a.format)
    manifest, objectives, results, pareto = load_sweep(a.dir)
    model = manifest["model"]
    units = tfplot.describe(model, tfplot.find_tinyforge(a.tinyforge))
    if not units:
        print("plot_sweep.py: note: no units (no tinyforge binary that describes model "
              f"'{model}'; give --tinyforge BIN); axes are labelled with names only", file=sys.stderr)
    tfplot.setup_style()
    sw = Sweep(a.dir, manifest, objectives, results, pareto, units)
    outdir = a.out or os.path.join(a.dir, "plots")
    written = []
    if not sw.ok:
        print(f"plot_sweep.py: {a.dir}: no ok points to plot ({sw.note()})", file=sys.stderr)
        return 0
    objs = list(sw.objectives)
    for i in range(len(objs)):
        for j in range(i + 1, len(objs)):
            plot_pair(sw, objs[i], objs[j], fmts, outdir, written)
    metrics = [m for m in objs + [h for h in HEADLINE if h not in objs] if sw.has_metric(m)]
    for m in metrics:
        plot_metric(sw, m, fmts, outdir, written)
    for p in written:
        print(p)
    return 0


if __name__ == "__main__":
    tfplot.main_wrapper("plot_sweep.py", main)
