#!/usr/bin/python3
"""Fit named energy constants of a CIM macro to published silicon, and check the fitted table.

usage: calibrate_cim.py MACRO_DIR [--tinyforge BIN] [--check]

MACRO_DIR holds config.json (the macro) and calibration.json (what to fit, on which published points). For
each target the macro is simulated with `tinyforge sim cim` at the target's operating point. Energy targets
(metric tops_per_w) with role "fit" determine the scale factors of the actions named in "fit" (for example
write_driver.drive_bit): the energy per op is linear in each action's energy, so the factors minimise the
squared relative error over the fitted points (linear least squares; one factor and one point fit exactly).
Targets with role "held-out" are never used by the fit and are reported as they come out. Throughput
targets are always held out (nothing is fitted to them); "scale_by_banks" multiplies the one-macro
throughput by "banks" (identical banks working in parallel).

Without --check: writes the fitted table (output_table, a technology table whose "base" is base_table and
which replaces only the fitted actions, with a calibration block: targets, fitted values, residuals,
held-out errors and this command) and prints the table of results.
With --check (the ctest): writes nothing; fits again and requires the shipped table to hold the same
factors, then simulates every target with the shipped table and requires each within the tolerance.
Exit status: 0 pass, 1 a check failed, 2 bad input.
"""
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


def simulate(binary, config, table, sets, work):
    out = tempfile.mkdtemp(dir=work)
    shutil.rmtree(out)
    args = [binary, "sim", "cim", "--config", config, "--set", f"tech.table={table}", "--out", out]
    for s in sets:
        args += ["--set", s]
    env = dict(os.environ, SC_COPYRIGHT_MESSAGE="DISABLE")
    p = subprocess.run(args, capture_output=True, text=True, env=env)
    if p.returncode != 0:
        fail_input(f"{' '.join(args)}: exit {p.returncode}\n{p.stderr}")
    with open(os.path.join(out, "stats.json")) as f:
        stats = json.load(f)
    if stats.get("self_check_mismatches", 0) != 0:
        print(f"FAIL: {' '.join(args)}: {stats['self_check_mismatches']} results differ from the reference")
        sys.exit(1)
    return stats


def value_of(stats, target, banks):
    v = stats[target["metric"]]
    return v * banks if target.get("scale_by_banks") else v


def main():
    argv = sys.argv[1:]
    if not argv or argv[0] in ("-h", "--help"):
        print(__doc__)
        sys.exit(0 if argv else 2)
    macro_dir = os.path.abspath(argv[0])
    check = "--check" in argv
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
    for key in ("config", "base_table", "output_table", "fit", "targets"):
        if key not in cal:
            fail_input(f"{cal_file}: {key}: missing; expected it (see scripts/calibrate_cim.py)")
    config = os.path.join(macro_dir, cal["config"])
    base_table = os.path.normpath(os.path.join(macro_dir, cal["base_table"]))
    out_table = os.path.normpath(os.path.join(macro_dir, cal["output_table"]))
    banks = cal.get("banks", 1)
    tol = cal.get("tolerance", 0.20)
    base = load(base_table, "a technology table")
    fit_actions = cal["fit"]
    base_energy = {}
    for a in fit_actions:
        comp, _, act = a.partition(".")
        try:
            base_energy[a] = base["components"][comp]["actions"][act]["energy_pJ"]
        except KeyError:
            fail_input(f"{cal_file}: fit: got '{a}'; expected component.action of {base_table}")
    targets = cal["targets"]
    for k, t in enumerate(targets):
        if t.get("role") not in ("fit", "held-out"):
            fail_input(f"{cal_file}: targets[{k}].role: got {t.get('role')!r}; expected \"fit\" or \"held-out\"")
        if t.get("metric") not in ("tops_per_w", "throughput_gops"):
            fail_input(f"{cal_file}: targets[{k}].metric: got {t.get('metric')!r}; expected tops_per_w or "
                       "throughput_gops")
        for key in ("name", "set", "published", "source"):
            if key not in t:
                fail_input(f"{cal_file}: targets[{k}].{key}: missing; expected it (see scripts/calibrate_cim.py)")
        if not isinstance(t["published"], (int, float)) or t["published"] <= 0:
            fail_input(f"{cal_file}: targets[{k}].published: got {t['published']!r}; expected a positive number")
        if t["role"] == "fit" and t["metric"] != "tops_per_w":
            fail_input(f"{cal_file}: targets[{k}]: only energy targets (tops_per_w) can be fitted")

    work = tempfile.mkdtemp(prefix="tinyforge-calibrate-")
    try:
        # The fit, from the uncalibrated base table: energy per op = rest + sum_k scale_k * W_k.
        rows, rhs, before = [], [], []
        for t in targets:
            st = simulate(binary, config, base_table, t["set"], work)
            before.append(value_of(st, t, banks))
            if t["role"] != "fit":
                continue
            ops = st["ops"]
            by_action = st["energy_by_action_pJ"]
            w = [by_action.get(a, 0.0) / ops for a in fit_actions]
            rest = st["energy_pJ"] / ops - sum(w)
            target = 1.0 / t["published"]  # pJ per op
            rows.append([x / target for x in w])
            rhs.append((target - rest) / target)
        if not rows:
            fail_input(f"{cal_file}: targets: no target with role \"fit\"")
        scales, *_ = np.linalg.lstsq(np.array(rows), np.array(rhs), rcond=None)
        scales = [float(x) for x in scales]
        for a, s in zip(fit_actions, scales):
            if s <= 0:
                print(f"FAIL: the fit gives {a} a scale of {s:.4g} (no positive energy reaches the targets)")
                sys.exit(1)

        command = "scripts/calibrate_cim.py " + os.path.relpath(macro_dir, os.getcwd())
        if check:
            shipped = load(out_table, "the fitted technology table (run scripts/calibrate_cim.py to make it)")
            got = {f["action"]: f["scale"] for f in shipped.get("calibration", {}).get("fitted", [])}
            for a, s in zip(fit_actions, scales):
                if a not in got or abs(got[a] - s) > 1e-6 * abs(s):
                    print(f"FAIL: {out_table}: {a}: shipped scale {got.get(a)} differs from the fit {s:.9g} "
                          f"(run {command})")
                    sys.exit(1)
            table_for_check = out_table
        else:
            table_for_check = os.path.join(work, "fitted.json")
        fitted_table = {
            "name": os.path.splitext(os.path.basename(out_table))[0],
            "base": os.path.relpath(base_table, os.path.dirname(out_table)),
            "description": (f"{os.path.basename(base_table)} with {', '.join(fit_actions)} fitted to the published "
                            f"points of {os.path.relpath(macro_dir, os.path.dirname(out_table))} (see the calibration "
                            "block); every other number is the base table's."),
            "components": {},
        }
        fitted = []
        for a, s in zip(fit_actions, scales):
            comp, _, act = a.partition(".")
            e = base_energy[a] * s
            src = (f"fitted: {s:.6g} x {base_energy[a]:.6g} pJ (the base table's value) by {command}, on the points "
                   "with role \"fit\" in the calibration block")
            fitted_table["components"].setdefault(comp, {"actions": {}})["actions"][act] = {
                "energy_pJ": round(e, 9), "source": src}
            fitted.append({"action": a, "scale": s, "base_pJ": base_energy[a], "fitted_pJ": round(e, 9)})
        if not check:  # a temporary copy whose base is the absolute path of the base table
            with open(table_for_check, "w") as f:
                json.dump(dict(fitted_table, base=base_table), f)

        # Every target with the fitted table.
        results, ok = [], True
        for t, b in zip(targets, before):
            st = simulate(binary, config, table_for_check, t["set"], work)
            model = value_of(st, t, banks)
            ratio = model / t["published"]
            within = abs(ratio - 1) <= tol
            ok &= within
            results.append({"name": t["name"], "metric": t["metric"], "published": t["published"],
                            "uncalibrated": round(b, 6), "model": round(model, 6), "ratio": round(ratio, 4),
                            "role": t["role"] if t["metric"] == "tops_per_w" else "held-out (throughput)",
                            "source": t["source"]})
        print(f"{os.path.basename(macro_dir)}: fitted " +
              ", ".join(f"{f['action']} x {f['scale']:.4g}" for f in fitted))
        print("| point | metric | published | uncalibrated | model | ratio | role |")
        print("|---|---|---:|---:|---:|---:|---|")
        for r in results:
            print(f"| {r['name']} | {r['metric']} | {r['published']:g} | {r['uncalibrated']:.4g} | {r['model']:.4g} | "
                  f"{r['ratio']:.3f} | {r['role']} |")
        if check:
            if not ok:
                print(f"FAIL: a point is outside +-{tol:.0%} of its published value")
                sys.exit(1)
            print(f"PASS: every point within +-{tol:.0%}")
            return
        fitted_table["calibration"] = {
            "command": command,
            "macro": os.path.relpath(macro_dir, os.path.dirname(out_table)),
            "method": "linear least squares of the relative energy-per-op error over the points with role fit; "
                      "held-out points and throughput are not used by the fit",
            "fitted": fitted,
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
