#!/usr/bin/python3
"""Fit named energy constants of a CIM macro to published silicon, and check the fitted table.

usage: calibrate_cim.py MACRO_DIR [--tinyforge BIN] [--check]

MACRO_DIR holds config.json (the macro) and calibration.json (what to fit, on which published points). For
each target the macro is simulated with `tinyforge sim MODEL` ("model": cim by default, dcim or acim) at the
target's operating point. Energy targets (metric tops_per_w, or fj_per_mac at 2 ops per MAC; for acim also
adc_pj_per_conversion and array_pj_per_conversion, parts of the ledger per ADC conversion) with role "fit"
determine the scale factors of the entries in "fit": a technology action whose model component has the
same name ("write_driver.drive_bit"), or a group {"name", "tech": [type.action, ...], "actions":
[component.action, ...]} scaled by one factor (the listed tech actions, and the model actions charged with
them). The energy per op is linear in each factor, so the factors minimise the squared relative error over
the fitted points (linear least squares; one factor and one point fit exactly).
An optional "voltage_law" {"range_V": [lo, hi], "source"} also fits the table's default voltage law
E ~ V^2 + c (every component): for each c the factors are fitted as above, and c minimises the same error
(a bounded one-dimensional search, deterministic); the table gets "voltage_laws" with that c and range.
Targets with role "held-out" are never used by the fit and are reported as they come out. Throughput
and area (area_mm2) targets are always held out (nothing is fitted to them); "scale_by_banks" multiplies the
one-macro throughput by "banks" (identical banks working in parallel). A target may carry its own
"tolerance" (a point reported against a looser bound, shown in the table).

Without --check: writes the fitted table (output_table, a technology table whose "base" is base_table and
which replaces only the fitted actions, with a calibration block: targets, fitted values, residuals,
held-out errors and this command) and prints the table of results.
With --check (the ctest): writes nothing; fits again and requires the shipped table to hold the same
factors, then simulates every target with the shipped table and requires each within the tolerance.
A spec with "table" (a technology table fitted on another macro) instead of base_table, output_table and fit
fits nothing: every target is held out and checked against that table.
Exit status: 0 pass, 1 a check failed, 2 bad input.
"""
import difflib
import json
import os
import shutil
import subprocess
import sys
import tempfile

import numpy as np


def fail_input(msg):
    print(f"error: {msg}", file=sys.stderr)
    sys.exit(2)


def load(path, what):
    try:
        with open(path) as f:
            return json.load(f)
    except OSError as e:
        fail_input(f"{path}: cannot read ({e.strerror}); expected {what}")
    except json.JSONDecodeError as e:
        fail_input(f"{path}:{e.lineno}:{e.colno}: malformed JSON ({e.msg}); expected {what}")


def simulate(binary, model, config, table, sets, work, where=""):
    out = tempfile.mkdtemp(dir=work)
    shutil.rmtree(out)
    args = [binary, "sim", model, "--config", config, "--set", f"tech.table={table}", "--out", out]
    for s in sets:
        args += ["--set", s]
    env = dict(os.environ, SC_COPYRIGHT_MESSAGE="DISABLE")
    p = subprocess.run(args, capture_output=True, text=True, env=env)
    if p.returncode != 0:
        fail_input(f"{where}{' (' if where else ''}{' '.join(args)}: exit {p.returncode}{')' if where else ''}\n{p.stderr}")
    with open(os.path.join(out, "stats.json")) as f:
        stats = json.load(f)
    if stats.get("self_check_mismatches", 0) != 0:
        print(f"FAIL: {' '.join(args)}: {stats['self_check_mismatches']} results differ from the reference")
        sys.exit(1)
    return stats


ENERGY_METRICS = ("tops_per_w", "fj_per_mac", "adc_pj_per_conversion", "array_pj_per_conversion")
METRICS = ENERGY_METRICS + ("throughput_gops", "throughput_steady_gops", "throughput_tops", "area_mm2", "tops_per_mm2")
# Energy metrics that cover part of the ledger (acim): the components they sum, per ADC conversion.
PART_METRICS = {"adc_pj_per_conversion": ("adcs", "adc_thermal"), "array_pj_per_conversion": ("cells", "columns", "row_drivers", "dacs")}


def value_of(stats, target, banks, where=""):
    if not isinstance(stats.get(target["metric"]), (int, float)):
        fail_input(f"{where}metric: the model's stats have no number '{target['metric']}' (got "
                   f"{stats.get(target['metric'])!r}); expected a metric the model reports")
    v = stats[target["metric"]]
    return v * banks if target.get("scale_by_banks") else v


def pj_per_op(target):
    """The published energy of an energy target in pJ per its unit (per op; per conversion for a part)."""
    if target["metric"] == "tops_per_w":
        return 1.0 / target["published"]
    if target["metric"] in PART_METRICS:
        return target["published"]
    return target["published"] / 1000.0 / 2.0  # fJ per MAC, 2 ops per MAC


def energy_terms(st, metric):
    """(divisor, dynamic pJ, leakage pJ, {action: pJ}) of METRIC in the stats ST: the whole ledger per op, or a
    part of it per conversion."""
    by_action = st["energy_by_action_pJ"]
    if metric not in PART_METRICS:
        return st["ops"], st["energy_dynamic_pJ"], st["energy_leakage_pJ"], by_action
    parts = PART_METRICS[metric]
    mine = {a: v for a, v in by_action.items() if a.partition(".")[0] in parts}
    dyn = sum(v for a, v in mine.items() if not a.endswith(".leakage"))
    leak = sum(v for a, v in mine.items() if a.endswith(".leakage"))
    if not st.get("conversions", 0) > 0:
        fail_input(f"{metric}: the run made no ADC conversions; expected a point whose energy per conversion exists")
    return st["conversions"], dyn, leak, mine


def law_factor(v, v0, c, base_factor):
    """Energy at V under V^2 + c relative to the base table's own voltage factor at V (BASE_FACTOR)."""
    return (v * v + c) / (v0 * v0 + c) / base_factor


def fit_scales(points, c, v0):
    """Least-squares factors at law constant C (None: no law); returns (factors, sum of squared errors)."""
    rows, rhs = [], []
    for pt in points:
        g = 1.0 if c is None else law_factor(pt["vdd"], v0, c, pt["vf"])
        rows.append([g * w / pt["target"] for w in pt["w"]])
        rhs.append((pt["target"] - g * pt["rest_dyn"] - pt["leak"]) / pt["target"])
    a, b = np.array(rows), np.array(rhs)
    x, *_ = np.linalg.lstsq(a, b, rcond=None)
    r = a @ x - b
    return [float(v) for v in x], float(r @ r)


SPEC_KEYS = {"description": str, "model": str, "config": str, "base_table": str, "output_table": str, "fit": list,
             "banks": int, "tolerance": (int, float), "voltage_law": dict, "targets": list, "table": str}
TARGET_KEYS = {"name": str, "set": list, "metric": str, "published": (int, float), "source": str, "role": str,
               "tolerance": (int, float), "scale_by_banks": bool}
REQUIRED = ("config", "base_table", "output_table", "fit", "targets")
TARGET_REQUIRED = ("name", "set", "metric", "published", "source", "role")


def check_keys(obj, allowed, where, cal_file):
    """Unknown keys (with the closest known one) and wrong types of known keys are input errors."""
    for k, v in obj.items():
        if k not in allowed:
            near = difflib.get_close_matches(k, list(allowed), n=1)
            fail_input(f"{cal_file}: {where}{k}: no such key" + (f"; did you mean '{near[0]}'?" if near else
                                                                  f"; expected one of {', '.join(allowed)}"))
        want = allowed[k]
        if isinstance(v, bool) and want is not bool or not isinstance(v, want):
            names = " or ".join(t.__name__ for t in (want if isinstance(want, tuple) else (want,)))
            fail_input(f"{cal_file}: {where}{k}: got {v!r}; expected a {names}")


def validate_spec(cal, cal_file, macro_dir):
    """The calibration spec's structure: keys, types, the fit list and every target's fields."""
    if not isinstance(cal, dict):
        fail_input(f"{cal_file}: got {type(cal).__name__}; expected an object (see scripts/calibrate_cim.py)")
    check_keys(cal, SPEC_KEYS, "", cal_file)
    if "table" in cal:  # held out only: checked against another macro's fitted table
        for key in ("base_table", "output_table", "fit", "voltage_law"):
            if key in cal:
                fail_input(f"{cal_file}: {key}: not with \"table\" (a macro checked against another macro's fit "
                           "fits nothing)")
    for key in (("config", "targets") if "table" in cal else REQUIRED):
        if key not in cal:
            fail_input(f"{cal_file}: {key}: missing; expected it (see scripts/calibrate_cim.py)")
    if "table" not in cal and not cal["fit"]:
        fail_input(f"{cal_file}: fit: got []; expected at least one action or group to fit")
    if not cal["targets"]:
        fail_input(f"{cal_file}: targets: got []; expected the published points")
    if "voltage_law" in cal:
        check_keys(cal["voltage_law"], {"range_V": list, "source": str}, "voltage_law.", cal_file)
    out_dir = os.path.dirname(os.path.normpath(os.path.join(macro_dir, cal.get("output_table", cal.get("table")))))
    if not os.path.isdir(out_dir):
        fail_input(f"{cal_file}: output_table: got {cal['output_table']!r}; expected a file in an existing folder "
                   f"({out_dir} is not one)")
    for k, t in enumerate(cal["targets"]):
        if not isinstance(t, dict):
            fail_input(f"{cal_file}: targets[{k}]: got {t!r}; expected an object")
        check_keys(t, TARGET_KEYS, f"targets[{k}].", cal_file)
        for key in TARGET_REQUIRED:
            if key not in t:
                fail_input(f"{cal_file}: targets[{k}].{key}: missing; expected it (see scripts/calibrate_cim.py)")
        for i, v in enumerate(t["set"]):
            if not isinstance(v, str) or "=" not in v:
                fail_input(f"{cal_file}: targets[{k}].set[{i}]: got {v!r}; expected \"path=value\"")


def validate_target(t, k, cal_file, roles):
    """One target's fields: keys and types, a role of ROLES, a known metric, a positive published value, a
    sensible tolerance; only energy targets can be fitted, only throughput targets scale by banks. Keys, their
    types and the required ones are validate_spec()'s, which runs first."""
    if t.get("role") not in roles:
        why = " (with \"table\" nothing is fitted)" if roles == ("held-out",) else ""
        fail_input(f"{cal_file}: targets[{k}].role: got {t.get('role')!r}; expected "
                   f"{' or '.join(repr(r).replace(chr(39), chr(34)) for r in roles)}{why}")
    if t.get("metric") not in METRICS:
        fail_input(f"{cal_file}: targets[{k}].metric: got {t.get('metric')!r}; expected one of {', '.join(METRICS)}")
    if "tolerance" in t and (isinstance(t["tolerance"], bool) or not 0 < t["tolerance"] < 10):
        fail_input(f"{cal_file}: targets[{k}].tolerance: got {t['tolerance']!r}; expected a fraction such as 0.2")
    if isinstance(t["published"], bool) or t["published"] <= 0:
        fail_input(f"{cal_file}: targets[{k}].published: got {t['published']!r}; expected a positive number")
    if t.get("scale_by_banks") and t["metric"] not in ("throughput_gops", "throughput_steady_gops"):
        fail_input(f"{cal_file}: targets[{k}].scale_by_banks: only throughput targets scale by banks")
    if t["role"] == "fit" and t["metric"] not in ENERGY_METRICS:
        fail_input(f"{cal_file}: targets[{k}]: only energy targets ({', '.join(ENERGY_METRICS)}) can be fitted")


def compare_tables(shipped, fitted, out_table):
    """What differs between the shipped fitted table and the one the fit makes (base, numbers, laws)."""
    problems = []
    d = os.path.dirname(out_table)
    if os.path.normpath(os.path.join(d, shipped.get("base", ""))) != os.path.normpath(os.path.join(d, fitted["base"])):
        problems.append(f"base: {shipped.get('base')!r}, the fit's is {fitted['base']!r}")
    sc, fc = shipped.get("components", {}), fitted["components"]
    for comp in sorted(set(sc) | set(fc)):
        sa, fa = sc.get(comp, {}).get("actions", {}), fc.get(comp, {}).get("actions", {})
        if set(sc.get(comp, {})) - {"actions"}:
            problems.append(f"components.{comp}: replaces more than fitted actions")
        for act in sorted(set(sa) | set(fa)):
            a, b = sa.get(act, {}).get("energy_pJ"), fa.get(act, {}).get("energy_pJ")
            if a is None or b is None or abs(a - b) > 1e-6 * abs(b):
                problems.append(f"components.{comp}.actions.{act}.energy_pJ: {a}, the fit gives {b}")
    sl, fl = shipped.get("voltage_laws"), fitted.get("voltage_laws")
    if (sl is None) != (fl is None):
        problems.append(f"voltage_laws: {sl}, the fit gives {fl}")
    elif sl is not None:
        for name in sorted(set(sl) | set(fl)):
            x, y = sl.get(name, {}), fl.get(name, {})
            cx, cy = x.get("coefficients"), y.get("coefficients")
            if (cx is None or cy is None or len(cx) != len(cy) or any(abs(u - v) > 1e-6 for u, v in zip(cx, cy))
                    or x.get("range_V") != y.get("range_V") or set(x) - {"coefficients", "range_V", "source"}):
                problems.append(f"voltage_laws.{name}: {x}, the fit gives {y}")
    return problems


def check_with_table(cal, cal_file, macro_dir, binary, model, config, table, banks, tol, check):
    """A macro whose points are all held out against another macro's fitted TABLE: simulate and compare."""
    load(table, f"a fitted technology table (table of {cal_file})")
    rows, ok = [], True
    work = tempfile.mkdtemp(prefix="tinyforge-calibrate-")
    try:
        for k, t in enumerate(cal["targets"]):
            validate_target(t, k, cal_file, ("held-out",))
            st = simulate(binary, model, config, table, t["set"], work, f"{cal_file}: targets[{k}].set")
            got = value_of(st, t, banks, f"{cal_file}: targets[{k}].")
            ratio = got / t["published"]
            t_tol = t.get("tolerance", tol)
            ok &= abs(ratio - 1) <= t_tol
            rows.append((t, got, ratio, t_tol))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(f"{os.path.basename(macro_dir)}: every point held out, with {os.path.relpath(table)} (fitted on another "
          "macro)")
    print("| point | metric | published | model | ratio | role |")
    print("|---|---|---:|---:|---:|---|")
    for t, got, ratio, t_tol in rows:
        note = f" (tolerance {t_tol:.0%})" if t_tol != tol else ""
        print(f"| {t['name']} | {t['metric']} | {t['published']:g} | {got:.4g} | {ratio:.3f} | held-out{note} |")
    if check:
        if not ok:
            print(f"FAIL: a point is outside its tolerance (+-{tol:.0%} unless the target says otherwise)")
            sys.exit(1)
        print(f"PASS: every point within its tolerance (+-{tol:.0%} unless noted)")


def main():
    argv = sys.argv[1:]
    if not argv or argv[0] in ("-h", "--help"):
        print(__doc__)
        sys.exit(0 if argv else 2)
    macro_dir = os.path.abspath(argv[0])
    check = "--check" in argv
    k = 1
    while k < len(argv):
        if argv[k] == "--check":
            k += 1
        elif argv[k] == "--tinyforge":
            k += 2
        else:
            fail_input(f"got '{argv[k]}'; expected MACRO_DIR [--tinyforge BIN] [--check] (see --help)")
    binary = "build/sim/app/tinyforge"  # from the source tree; else the installed command
    if not os.access(binary, os.X_OK) and shutil.which("tinyforge"):
        binary = shutil.which("tinyforge")
    if "--tinyforge" in argv:
        i = argv.index("--tinyforge")
        if i + 1 >= len(argv):
            fail_input("--tinyforge: expected the path of the tinyforge binary")
        binary = argv[i + 1]
    binary = os.path.abspath(binary)
    if not os.access(binary, os.X_OK):
        fail_input(f"--tinyforge: got '{binary}'; expected an executable tinyforge binary")
    cal_file = os.path.join(macro_dir, "calibration.json")
    cal = load(cal_file, "the calibration spec of the macro")
    validate_spec(cal, cal_file, macro_dir)
    config = os.path.join(macro_dir, cal["config"])
    if "table" in cal:
        base_table = out_table = os.path.normpath(os.path.join(macro_dir, cal["table"]))
    else:
        base_table = os.path.normpath(os.path.join(macro_dir, cal["base_table"]))
        out_table = os.path.normpath(os.path.join(macro_dir, cal["output_table"]))
    banks = cal.get("banks", 1)
    tol = cal.get("tolerance", 0.20)
    if not isinstance(banks, int) or isinstance(banks, bool) or banks < 1:
        fail_input(f"{cal_file}: banks: got {banks!r}; expected a positive integer")
    if not isinstance(tol, (int, float)) or isinstance(tol, bool) or not 0 < tol < 10:
        fail_input(f"{cal_file}: tolerance: got {tol!r}; expected a fraction such as 0.2")
    model = cal.get("model", "cim")
    if model not in ("cim", "dcim", "acim"):
        fail_input(f"{cal_file}: model: got {model!r}; expected \"cim\", \"dcim\" or \"acim\"")
    if "table" in cal:
        check_with_table(cal, cal_file, macro_dir, binary, model, config, out_table, banks, tol, check)
        return
    base = load(base_table, f"a technology table (base_table of {cal_file})")
    base_components = dict(base.get("components", {}))
    seen = {os.path.abspath(base_table)}
    parent = base_table
    while "base" in load(parent, "a technology table") and len(seen) < 10:  # actions may come from a base's base
        parent = os.path.normpath(os.path.join(os.path.dirname(parent), load(parent, "")["base"]))
        if parent in seen:
            break
        seen.add(parent)
        for k, v in load(parent, "a technology table").get("components", {}).items():
            if k not in base_components:
                base_components[k] = v
            else:
                acts = dict(v.get("actions", {}))
                acts.update(base_components[k].get("actions", {}))
                base_components[k] = dict(base_components[k], actions=acts)
    groups = []  # (name, [tech type.action], [model component.action])
    if cal.get("voltage_law") is not None:
        for f in seen:
            if "voltage_laws" in load(f, "a technology table"):
                fail_input(f"{cal_file}: voltage_law: the base table {f} already has voltage_laws; a fitted law "
                           "replaces them, so fit on a base table without one")
    for k, f in enumerate(cal["fit"]):
        if isinstance(f, str):
            groups.append((f, [f], [f]))
        elif isinstance(f, dict) and isinstance(f.get("tech"), list) and isinstance(f.get("actions"), list) \
                and isinstance(f.get("name"), str) and f["tech"] and f["actions"]:
            groups.append((f["name"], f["tech"], f["actions"]))
        else:
            fail_input(f"{cal_file}: fit[{k}]: got {f!r}; expected \"component.action\" or "
                       "{\"name\", \"tech\": [type.action, ...], \"actions\": [component.action, ...]}")
    base_energy = {}
    for name, techs, _ in groups:
        for a in techs:
            comp, _, act = a.partition(".")
            try:
                base_energy[a] = base_components[comp]["actions"][act]["energy_pJ"]
            except KeyError:
                fail_input(f"{cal_file}: fit: got '{a}' (in '{name}'); expected type.action of {base_table}")
    law = cal.get("voltage_law")
    if law is not None:
        r = law.get("range_V") if isinstance(law, dict) else None
        if not (isinstance(r, list) and len(r) == 2 and all(isinstance(x, (int, float)) for x in r)
                and 0 < r[0] <= r[1] and isinstance(law.get("source"), str)):
            fail_input(f"{cal_file}: voltage_law: got {law!r}; expected {{\"range_V\": [lo, hi], \"source\": ...}}")
    v0 = None
    targets = cal["targets"]
    for k, t in enumerate(targets):
        validate_target(t, k, cal_file, ("fit", "held-out"))

    work = tempfile.mkdtemp(prefix="tinyforge-calibrate-")
    try:
        # The fit, from the uncalibrated base table: energy per op = rest + sum_k scale_k * W_k (dynamic energy
        # times the voltage-law factor when a law is fitted; leakage is not scaled by the law).
        points, before = [], []
        for k, t in enumerate(targets):
            st = simulate(binary, model, config, base_table, t["set"], work, f"{cal_file}: targets[{k}].set")
            before.append(value_of(st, t, banks, f"{cal_file}: targets[{k}]."))
            if t["role"] != "fit":
                continue
            ops, dyn, leak, by_action = energy_terms(st, t["metric"])
            for name, _, acts in groups:
                for a in acts:
                    if a not in st["energy_by_action_pJ"]:
                        fail_input(f"{cal_file}: fit: '{a}' (in '{name}') is not an action the model charges "
                                   f"(energy_by_action_pJ of {t['name']!r} has no such entry)")
            w = [sum(by_action.get(a, 0.0) for a in acts) / ops for _, _, acts in groups]
            if law is not None and not law["range_V"][0] <= st["scaling"]["vdd_V"] <= law["range_V"][1]:
                fail_input(f"{cal_file}: targets '{t['name']}': supply {st['scaling']['vdd_V']} V is outside the "
                           f"voltage law's range_V {law['range_V']}")
            v0 = st["scaling"]["vdd_nominal_V"]
            points.append({"w": w, "rest_dyn": dyn / ops - sum(w), "leak": leak / ops, "target": pj_per_op(t),
                           "vdd": st["scaling"]["vdd_V"], "vf": st["scaling"]["voltage_factor"]})
        if not points:
            fail_input(f"{cal_file}: targets: no target with role \"fit\"")
        law_c = None
        if law is None:
            scales, _ = fit_scales(points, None, v0)
        else:
            lo = -min(law["range_V"][0], v0) ** 2 * (1 - 1e-6)  # P > 0 over the range and at V0
            hi = 100 * v0 * v0
            a, b = lo, hi
            for _ in range(200):  # golden-section search over c, bounded
                m1, m2 = b - (b - a) / 1.618033988749895, a + (b - a) / 1.618033988749895
                if fit_scales(points, m1, v0)[1] <= fit_scales(points, m2, v0)[1]:
                    b = m2
                else:
                    a = m1
            law_c = round((a + b) / 2, 6)
            if min(law_c - lo, hi - law_c) < 1e-4 * (hi - lo):
                print(f"FAIL: the voltage-law fit ends at its bound (c = {law_c}, bounds [{lo:.6g}, {hi:.6g}]): the "
                      "points do not determine it")
                sys.exit(1)
            scales, _ = fit_scales(points, law_c, v0)
        for (name, _, _), s in zip(groups, scales):
            if s <= 0:
                print(f"FAIL: the fit gives {name} a scale of {s:.4g} (no positive energy reaches the targets)")
                sys.exit(1)

        command = "scripts/calibrate_cim.py " + os.path.relpath(macro_dir, os.getcwd())
        if check:
            shipped = load(out_table, "the fitted technology table (run scripts/calibrate_cim.py to make it)")
            table_for_check = out_table
        else:
            table_for_check = os.path.join(work, "fitted.json")
        fitted_table = {
            "name": os.path.splitext(os.path.basename(out_table))[0],
            "base": os.path.relpath(base_table, os.path.dirname(out_table)),
            "description": (f"{os.path.basename(base_table)} with {', '.join(g[0] for g in groups)}"
                            f"{' and a voltage law' if law else ''} fitted to the published "
                            f"points of {os.path.relpath(macro_dir, os.path.dirname(out_table))} (see the calibration "
                            "block); every other number is the base table's."),
            "components": {},
        }
        fitted = []
        for (name, techs, _), s in zip(groups, scales):
            for a in techs:
                comp, _, act = a.partition(".")
                e = base_energy[a] * s
                src = (f"fitted: {s:.6g} x {base_energy[a]:.6g} pJ (the base table's value) by {command}, on the "
                       "points with role \"fit\" in the calibration block")
                fitted_table["components"].setdefault(comp, {"actions": {}})["actions"][act] = {
                    "energy_pJ": round(e, 9), "source": src}
            entry = {"action": name, "scale": s}
            if techs == [name]:
                entry.update({"base_pJ": base_energy[name], "fitted_pJ": round(base_energy[name] * s, 9)})
            else:
                entry["tech"] = techs
            fitted.append(entry)
        if law_c is not None:
            fitted_table["voltage_laws"] = {"default": {
                "coefficients": [1, 0, law_c], "range_V": law["range_V"],
                "source": f"fitted: c by {command} on the points with role \"fit\" (E ~ V^2 + c, every component); "
                          + law["source"]}}
        if check:  # the shipped table must hold exactly what this fit makes: no number changed by hand
            problems = compare_tables(shipped, fitted_table, out_table)
            if problems:
                print(f"FAIL: {out_table} differs from the fit (run {command}):\n  " + "\n  ".join(problems))
                sys.exit(1)
        if not check:  # a temporary copy whose base is the absolute path of the base table
            with open(table_for_check, "w") as f:
                json.dump(dict(fitted_table, base=base_table), f)

        # Every target with the fitted table.
        results, ok = [], True
        for k, (t, b) in enumerate(zip(targets, before)):
            st = simulate(binary, model, config, table_for_check, t["set"], work, f"{cal_file}: {t['name']}")
            got = value_of(st, t, banks, f"{cal_file}: targets[{k}].")
            ratio = got / t["published"]
            if check:
                was = {q["name"]: q for q in shipped.get("calibration", {}).get("points", [])}.get(t["name"])
                if was is None or abs(was["model"] - got) > 1e-4 * abs(got):
                    print(f"FAIL: {out_table}: calibration point '{t['name']}' records "
                          f"{None if was is None else was['model']}, the model now gives {got:.6g} (run {command})")
                    sys.exit(1)
            t_tol = t.get("tolerance", tol)
            within = abs(ratio - 1) <= t_tol
            ok &= within
            results.append({"name": t["name"], "metric": t["metric"], "published": t["published"],
                            "uncalibrated": round(b, 6), "model": round(got, 6), "ratio": round(ratio, 4),
                            "role": t["role"] if t["metric"] in ENERGY_METRICS else
                            "held-out (area)" if t["metric"] in ("area_mm2", "tops_per_mm2") else
                            "held-out (throughput)",
                            **({"tolerance": t_tol} if t_tol != tol else {}),
                            "source": t["source"]})
        print(f"{os.path.basename(macro_dir)}: fitted " +
              ", ".join(f"{f['action']} x {f['scale']:.4g}" for f in fitted) +
              (f", voltage law V^2 {law_c:+.4g}" if law_c is not None else ""))
        print("| point | metric | published | uncalibrated | model | ratio | role |")
        print("|---|---|---:|---:|---:|---:|---|")
        for r in results:
            note = f" (tolerance {r['tolerance']:.0%})" if "tolerance" in r else ""
            print(f"| {r['name']} | {r['metric']} | {r['published']:g} | {r['uncalibrated']:.4g} | {r['model']:.4g} | "
                  f"{r['ratio']:.3f} | {r['role']}{note} |")
        if check:
            if not ok:
                print(f"FAIL: a point is outside its tolerance (+-{tol:.0%} unless the target says otherwise)")
                sys.exit(1)
            print(f"PASS: every point within its tolerance (+-{tol:.0%} unless noted)")
            return
        fitted_table["calibration"] = {
            "command": command,
            "macro": os.path.relpath(macro_dir, os.path.dirname(out_table)),
            "method": "linear least squares of the relative energy-per-op error over the points with role fit; "
                      "held-out points and throughput are not used by the fit",
            "fitted": fitted,
            "voltage_law_c": law_c,
            "tolerance": tol,
            "points": results,
        }
        tmp = out_table + ".tmp"
        with open(tmp, "w") as f:
            json.dump(fitted_table, f, indent=2)
            f.write("\n")
        os.replace(tmp, out_table)
        print(f"wrote {os.path.relpath(out_table)}")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
