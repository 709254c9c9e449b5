#!/usr/bin/python3
"""Bar charts of the energy and area breakdowns of one `tinyforge sim` run record.

usage: plot_run.py RUNDIR [--out OUTDIR] [--format png,svg] [--tinyforge BIN]

Reads RUNDIR/stats.json and RUNDIR/config.effective.json and writes, into OUTDIR (default RUNDIR/plots), one
chart per breakdown of stats.json whose name starts with energy or area (energy_by_component_pJ,
energy_by_action_pJ, energy_by_op_pJ / energy_by_stage_pJ, area_by_component_um2, ...): the entries sorted by
size, largest first, each with its value and its share of the breakdown's sum; entries beyond the 24 largest
are summed into one bar, zero entries are counted in a note. The title names the model, the total energy and
the area. Units come from `tinyforge describe MODEL` (the binary: --tinyforge, $TINYFORGE, the repository's
build, or PATH), else from the unit at the end of the breakdown's name. Prints the paths it wrote, one per line.
Exit codes: 0 written, 2 bad input (missing or malformed run record, no breakdown, bad option).
"""
import argparse
import math
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import tfplot  # noqa: E402
from tfplot import BadInput, plt  # noqa: E402

MAX_BARS = 24
COLORS = {"energy": "#1f77b4", "area": "#2ca02c"}
NAME_UNIT = re.compile(r"_(fJ|pJ|nJ|uJ|mJ|J|um2|mm2|nW|uW|mW|W)$")


def is_num(v):
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)


def breakdowns(stats):
    """(name, {entry: value}) of the energy and area breakdowns, in the order of stats.json."""
    out = []
    for k, v in stats.items():
        if not (k.startswith("energy") or k.startswith("area")) or not isinstance(v, dict):
            continue
        if any(not is_num(x) for x in v.values()):
            raise BadInput(f"stats.json: {k}: expected a breakdown of numbers (entry -> value)")
        out.append((k, v))
    return out


def plot_breakdown(name, parts, ctx, fmts, outdir, written):
    kind = "energy" if name.startswith("energy") else "area"
    unit = tfplot.unit(name, ctx["described"])
    if not unit:
        m = NAME_UNIT.search(name)
        unit = m.group(1) if m else ""
    items = sorted(parts.items(), key=lambda kv: (-kv[1], kv[0]))
    zeros = [k for k, v in items if v == 0]
    items = [(k, v) for k, v in items if v != 0]
    total = sum(v for _, v in items)
    if len(items) > MAX_BARS:
        rest = items[MAX_BARS - 1:]
        items = items[:MAX_BARS - 1] + [(f"other ({len(rest)} entries)", sum(v for _, v in rest))]
    n = max(len(items), 1)
    fig, ax = plt.subplots(figsize=(9.5, 2.0 + 0.36 * max(n, 2)))
    labels = [k for k, _ in items]
    # Shown in a larger unit when the values are large (pJ -> nJ/uJ/..., um2 -> mm2); percentages are unaffected.
    shown, factor = tfplot.scaled_unit(unit, max((v for _, v in items), default=0.0))
    values = [v / factor for _, v in items]
    y = list(range(len(items)))
    ax.barh(y, values, color=COLORS[kind], height=0.7, zorder=2)
    ax.set_yticks(y)
    ax.set_yticklabels(labels)
    vmax = max(values) if values else 1.0
    for yi, v in zip(y, values):
        pct = 100.0 * v * factor / total if total else 0.0
        u, f = tfplot.scaled_unit(unit, v * factor)  # each value in its own best unit
        text = f"{tfplot.fmt(v * factor / f, u)}  ({pct:.1f}%)" if pct >= 0.1 else \
            f"{tfplot.fmt(v * factor / f, u)}  (<0.1%)"
        if v >= 0.6 * vmax:  # inside the bar, at its end
            ax.text(v - 0.01 * vmax, yi, text, va="center", ha="right", color="white", fontsize=9,
                    fontweight="bold", zorder=3)
        else:
            ax.text(v + 0.01 * vmax, yi, text, va="center", ha="left", color="black", fontsize=9, zorder=3)
    ax.set_xlim(0, vmax * 1.05 if values else 1)
    span = max(n, 3)  # one or two bars keep the width of a bar among three
    ax.set_ylim(n - 0.5 + (span - n) / 2, -0.5 - (span - n) / 2)
    ax.grid(False, axis="y")
    ax.set_xlabel(f"{kind} ({shown})" if shown else name)
    desc = ctx["described"].get(name, ("", ""))[1]
    head = f"{ctx['model']} (run record {ctx['run']})"
    totals = []
    if ctx["energy"] is not None:
        totals.append(f"energy {tfplot.fmt_scaled(ctx['energy'], 'pJ')}")
    if ctx["area"] is not None:
        totals.append(f"area {tfplot.fmt_scaled(ctx['area'], 'um2')}")
    if totals:
        head += ": " + ", ".join(totals)
    sub = f"{name}" + (f": {desc}" if desc else "")
    sub += f"\nsum {tfplot.fmt_scaled(total, unit)}, {len(parts)} entries; % of the sum"
    if zeros:
        sub += "; at 0, not shown: " + (", ".join(zeros) if len(zeros) <= 4 else f"{len(zeros)} entries")
    ax.set_title(f"{head}\n{sub}", fontsize=10.5, loc="left")
    tfplot.save(fig, outdir, tfplot.safe_name(name), fmts, written)


def main():
    ap = argparse.ArgumentParser(prog="plot_run.py", description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter,
                                 epilog="\n\n".join(__doc__.split("\n\n")[2:]))
    ap.add_argument("rundir", metavar="RUNDIR", help="a run record (tinyforge sim MODEL --out RUNDIR)")
    ap.add_argument("--out", metavar="OUTDIR", help="where to write the plots (default RUNDIR/plots)")
    ap.add_argument("--format", default="png,svg", help="comma-separated: png, svg, pdf (default png,svg)")
    ap.add_argument("--tinyforge", metavar="BIN", help="tinyforge binary for the units (tinyforge describe)")
    a = ap.parse_args()
    fmts = tfplot.parse_formats(a.format)
    d = a.rundir
    if not os.path.isdir(d):
        raise BadInput(f"{d}: no such directory; expected a run record (tinyforge sim MODEL --out RUNDIR)")
    spath = os.path.join(d, "stats.json")
    cpath = os.path.join(d, "config.effective.json")
    stats = tfplot.load_json(spath, "the metrics of a run record (tinyforge sim MODEL --out RUNDIR)")
    config = tfplot.load_json(cpath, "the effective config of a run record")
    if not isinstance(stats, dict):
        raise BadInput(f"{spath}: got a JSON {tfplot.json_type(stats)}; expected an object of metrics")
    if not isinstance(config, dict):
        raise BadInput(f"{cpath}: got a JSON {tfplot.json_type(config)}; expected an object (the effective config)")
    model = stats.get("model")
    if not isinstance(model, str):
        raise BadInput(f"{spath}: model: got {model!r}; expected the name of the model that made the record")
    try:
        parts = breakdowns(stats)
    except BadInput as e:
        raise BadInput(f"{spath}: {str(e).split(': ', 1)[1]}")
    if not parts:
        raise BadInput(f"{spath}: no energy or area breakdown; expected objects such as energy_by_component_pJ")
    described = tfplot.describe(model, tfplot.find_tinyforge(a.tinyforge))
    tfplot.setup_style()
    ctx = {"model": model, "run": os.path.basename(os.path.normpath(os.path.abspath(d))),
           "energy": stats.get("energy_pJ") if is_num(stats.get("energy_pJ")) else None,
           "area": stats.get("area_um2") if is_num(stats.get("area_um2")) else None,
           "described": described}
    outdir = a.out or os.path.join(d, "plots")
    written = []
    for name, p in parts:
        plot_breakdown(name, p, ctx, fmts, outdir, written)
    for p in written:
        print(p)
    return 0


if __name__ == "__main__":
    tfplot.main_wrapper("plot_run.py", main)
