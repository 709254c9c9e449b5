# Shared helpers of plot_sweep.py and plot_run.py: matplotlib set up for files only (Agg, deterministic SVG),
# the units of a model's parameters and metrics from `tinyforge describe`, bad-input errors (exit 2), saving.
import json
import math
import os
import re
import shutil
import subprocess
import sys
import tempfile

try:
    import matplotlib
    import numpy  # noqa: F401
except ImportError as e:
    sys.exit(f"{os.path.basename(sys.argv[0])}: {e}: needs Debian's python3-matplotlib and python3-numpy "
             "(scripts/deps.sh installs them); run it as it is (#!/usr/bin/python3), not with another python3")

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

FORMATS = ("png", "svg", "pdf")


class BadInput(Exception):
    """Bad input: the script prints the message and exits 2."""


def setup_style():
    plt.rcParams.update({
        "svg.hashsalt": "tinyforge",  # stable ids in SVG files
        "svg.fonttype": "none",  # text stays text (searchable, smaller files)
        "font.family": "DejaVu Sans",
        "font.size": 10,
        "axes.titlesize": 11,
        "axes.labelsize": 10,
        "xtick.labelsize": 9,
        "ytick.labelsize": 9,
        "legend.fontsize": 9,
        "figure.titlesize": 12,
        "axes.grid": True,
        "grid.alpha": 0.3,
        "axes.spines.top": False,
        "axes.spines.right": False,
        "savefig.dpi": 120,
    })


def main_wrapper(prog, main):
    """Runs MAIN(); bad input -> message on stderr and exit 2."""
    try:
        sys.exit(main())
    except BadInput as e:
        print(f"{prog}: {e}", file=sys.stderr)
        sys.exit(2)
    except BrokenPipeError:
        sys.exit(1)


def parse_formats(text):
    fmts = [f.strip().lower() for f in text.split(",") if f.strip()]
    bad = [f for f in fmts if f not in FORMATS]
    if not fmts or bad:
        raise BadInput(f"--format: got '{text}'; expected a comma-separated list of {', '.join(FORMATS)}")
    return list(dict.fromkeys(fmts))


def load_json(path, what):
    """JSON of PATH; a missing or malformed file is bad input naming the file and WHAT was expected."""
    if not os.path.isfile(path):
        raise BadInput(f"{path}: no such file; expected {what}")
    try:
        with open(path, encoding="utf-8") as f:
            return json.load(f)
    except json.JSONDecodeError as e:
        raise BadInput(f"{path}:{e.lineno}:{e.colno}: malformed JSON ({e.msg}); expected {what}")
    except (OSError, UnicodeDecodeError) as e:
        raise BadInput(f"{path}: cannot read ({e}); expected {what}")


def json_type(v):
    return {dict: "object", list: "list", str: "string", bool: "boolean", type(None): "null"}.get(
        type(v), "number")


def find_tinyforge(explicit):
    """The tinyforge binary for `describe`: --tinyforge, $TINYFORGE, the repository's build, the installation
    this script belongs to (PREFIX/share/tinyforge/scripts -> PREFIX/bin), or PATH."""
    if explicit:
        if not (os.path.isfile(explicit) and os.access(explicit, os.X_OK)):
            raise BadInput(f"--tinyforge: got '{explicit}'; expected an executable tinyforge binary")
        return explicit
    env = os.environ.get("TINYFORGE")
    if env and os.path.isfile(env) and os.access(env, os.X_OK):
        return env
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    candidates = [os.path.join(root, b, "sim", "app", "tinyforge") for b in ("build", "build-dev")]
    if os.path.basename(root) == "tinyforge":
        candidates.append(os.path.join(root, "..", "..", "bin", "tinyforge"))
    for p in candidates:
        if os.path.isfile(p) and os.access(p, os.X_OK):
            return os.path.normpath(p)
    return shutil.which("tinyforge")


def sim(tinyforge, model, config, sets):
    """Runs `tinyforge sim MODEL --config CONFIG --set ...` in a scratch directory; returns its stats and its
    effective config. A failing run is bad input carrying tinyforge's own message."""
    with tempfile.TemporaryDirectory() as d:
        cmd = [tinyforge, "sim", model, "--config", config, "--json", "--out", os.path.join(d, "run")]
        for s in sets:
            cmd += ["--set", s]
        r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        if r.returncode != 0:
            raise BadInput(f"tinyforge {' '.join(cmd[1:])}: exit {r.returncode}: {r.stderr.strip()}")
        with open(os.path.join(d, "run", "config.effective.json")) as f:
            return json.loads(r.stdout), json.load(f)


def _table(lines, first_col):
    """Rows of a `tinyforge describe` table (columns padded to the header's positions) as dicts."""
    rows = []
    header = None
    for line in lines:
        if header is None:
            if line.startswith(first_col + " "):
                names = re.findall(r"\S+", line)
                starts = [line.index(n) for n in names]
                header = list(zip(names, starts, starts[1:] + [None]))
            continue
        if not line.strip():
            break
        rows.append({n: line[s:e].strip() for n, s, e in header})
    return rows


def describe(model, tinyforge):
    """{name: (unit, description)} for every parameter path and metric of MODEL, from `tinyforge describe
    MODEL`; {} when that cannot be had (no binary, unknown model)."""
    if not tinyforge or not model:
        return {}
    try:
        p = subprocess.run([tinyforge, "describe", model], capture_output=True, text=True, timeout=60,
                           env=dict(os.environ, SC_COPYRIGHT_MESSAGE="DISABLE"))
    except (OSError, subprocess.SubprocessError):
        return {}
    if p.returncode != 0:
        return {}
    lines = p.stdout.splitlines()
    out = {}
    for key, rows in (("PATH", _table(lines, "PATH")), ("METRIC", _table(lines, "METRIC"))):
        for r in rows:
            if r.get(key):
                out[r[key]] = (r.get("UNIT", ""), r.get("DESCRIPTION", ""))
    return out


def unit(name, described):
    """The unit of a parameter path or metric; list items by index (layers[0].n) as declared (layers[].n)."""
    d = described.get(name) or described.get(re.sub(r"\[\d+\]", "[]", name))
    return d[0] if d else ""


def label(name, described):
    u = unit(name, described)
    return f"{name} ({u})" if u else name


def fmt(v, unit=""):
    """A number in 4 significant digits, plainly when it reads well."""
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        return str(v)
    a = abs(v)
    if v == 0:
        s = "0"
    elif a >= 1e6 or a < 1e-3:
        m, e = f"{v:.3e}".split("e")
        s = f"{m.rstrip('0').rstrip('.')}e{int(e)}"
    elif a >= 1000:
        s = f"{v:,.0f}"
    else:
        s = f"{v:.4g}"
    return f"{s} {unit}" if unit else s


# Larger units for values in the units tinyforge reports (energy in pJ, area in um2).
LADDERS = {"pJ": [("pJ", 1.0), ("nJ", 1e3), ("uJ", 1e6), ("mJ", 1e9), ("J", 1e12)],
           "um2": [("um2", 1.0), ("mm2", 1e6)]}


def scaled_unit(unit, vmax):
    """(unit, factor): the largest unit of UNIT's ladder in which VMAX is at least 1 (values / factor)."""
    best = (unit, 1.0)
    for u, f in LADDERS.get(unit, []):
        if abs(vmax) >= f:
            best = (u, f)
    return best


def fmt_scaled(v, unit):
    """V in UNIT, and in a larger unit when that reads better: '3.24e8 pJ (324 uJ)'."""
    u, f = scaled_unit(unit, v)
    return fmt(v, unit) + (f" ({fmt(v / f, u)})" if f != 1.0 else "")


def spans_decades(values, decades=2.0):
    """True when every value is positive and max / min exceeds 10^DECADES (then a log scale reads better)."""
    vals = [v for v in values if v is not None and math.isfinite(v)]
    if not vals or min(vals) <= 0:
        return False
    return max(vals) / min(vals) > 10 ** decades


def safe_name(s):
    return re.sub(r"[^A-Za-z0-9_.+-]+", "_", s).strip("_") or "x"


def save(fig, outdir, stem, formats, written):
    """Writes FIG as OUTDIR/STEM.FMT for each format, without dates in the metadata; appends the paths."""
    os.makedirs(outdir, exist_ok=True)
    for f in formats:
        path = os.path.join(outdir, f"{stem}.{f}")
        meta = {"Date": None} if f == "svg" else {"CreationDate": None} if f == "pdf" else None
        fig.savefig(path, format=f, metadata=meta, bbox_inches="tight")
        written.append(path)
    plt.close(fig)
