#!/usr/bin/python3
"""The LMU memory's matrices and its delay property, checked against independent references.

1. `tinyforge sim lmu_memory` writes Abar and Bbar (lmu_matrices.json) for orders 1 to 64, several windows and
   steps, zoh and euler. Each is compared with scipy.signal.cont2discrete applied to A and B built (scripts/lmu_ref.py) from
   the paper's definition (Voelker et al., NeurIPS 2019, eq. 2): at most 1e-12 relative (largest difference over
   the largest entry).
2. Order 1 has a closed form: Abar = exp(-dt/theta), Bbar = 1 - exp(-dt/theta), within 1e-13 relative.
3. The delay property, computed here with scipy's matrices, a signal drawn here and scipy's shifted Legendre
   polynomials: a band-limited input is read back at delays theta/4, theta/2, 3 theta/4 and theta within 1e-4
   of its RMS (at delay 0, the newest end, within 5e-3); an input far above the memory's band is not (above
   30%). tinyforge's own readout errors must fall on the same side of both thresholds and within 10x of the
   reference's (they use different random signals).

usage: check_lmu_math.py --tinyforge PATH
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile

import numpy as np
from scipy.signal import cont2discrete
from scipy.special import eval_sh_legendre

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "scripts"))
from lmu_ref import lmu_ab  # noqa: E402  (the paper's A and B, built entry by entry)


def run(tf, sets, out):
    args = [tf, "sim", "lmu_memory", "--out", out, "--json"]
    for s in sets:
        args += ["--set", s]
    p = subprocess.run(args, capture_output=True, text=True)
    if p.returncode != 0:
        sys.exit(f"FAIL: {' '.join(args)} exited {p.returncode}: {p.stderr.strip()}")
    with open(os.path.join(out, "lmu_matrices.json")) as f:
        mats = json.load(f)
    return json.loads(p.stdout), mats


def rel(a, b):
    return np.max(np.abs(np.asarray(a) - b)) / np.max(np.abs(b))


def held(u, s, r):
    """The held signal at time s (steps), as the Legendre series converges there (mean at a step edge, the
    inner side at the newest end)."""
    def at(j):
        return u[j] if 0 <= j < len(u) else 0.0
    n = round(s)
    if abs(s - n) > 1e-9:
        return at(int(np.floor(s)))
    if r == 0:
        return at(n - 1)
    return 0.5 * (at(n - 1) + at(n))


def readout_error(d, theta, dt, cutoff, seconds, seed):
    A, B = lmu_ab(d, theta)
    Ad, Bd, _, _, _ = cont2discrete((A, B, np.zeros((1, d)), np.zeros((1, 1))), dt, method="zoh")
    rng = np.random.default_rng(seed)
    f = rng.uniform(0, cutoff, 24)
    ph = rng.uniform(0, 2 * np.pi, 24)
    k = np.arange(int(round(seconds / dt)))
    u = np.sqrt(2 / 24) * np.sin(2 * np.pi * np.outer(k * dt, f) + ph).sum(axis=1)
    m = np.zeros(d)
    first = int(np.ceil(2 * theta / dt))
    errs = {r: 0.0 for r in (0.0, 0.25, 0.5, 0.75, 1.0)}
    sig = 0.0
    P = {r: eval_sh_legendre(np.arange(d), r) for r in errs}
    for kk in range(len(u)):
        m = Ad @ m + Bd[:, 0] * u[kk]
        if kk < first:
            continue
        sig += u[kk] ** 2
        for r in errs:
            errs[r] += (P[r] @ m - held(u, kk + 1 - r * theta / dt, r)) ** 2
    return {r: np.sqrt(e / sig) for r, e in errs.items()}


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--tinyforge", required=True)
    a = ap.parse_args()
    fails = []
    worst = {"zoh": 0.0, "euler": 0.0}
    with tempfile.TemporaryDirectory() as tmp:
        n = 0
        for d in (1, 2, 3, 8, 16, 33, 64, 128):
            for theta in (0.05, 1.0, 7.5):
                for dt in (0.001, 0.02):
                    for method in ("zoh", "euler"):
                        n += 1
                        out = os.path.join(tmp, f"r{n}")
                        _, mats = run(a.tinyforge, [f"lmu.order={d}", f"lmu.theta_s={theta}", f"lmu.dt_s={dt}",
                                                    f"lmu.method={method}", "signal.duration_s=0"], out)
                        A, B = lmu_ab(d, theta)
                        Ad, Bd, _, _, _ = cont2discrete((A, B, np.zeros((1, d)), np.zeros((1, 1))), dt,
                                                        method=method)
                        e = max(rel(mats["Abar"], Ad), rel(mats["Bbar"], Bd))
                        worst[method] = max(worst[method], e)
                        if not (mats["order"] == d and mats["method"] == method and mats["dt_s"] == dt
                                and mats["theta_s"] == theta):
                            fails.append(f"d={d} theta={theta} dt={dt} {method}: header {mats}")
                        if e > 1e-12:
                            fails.append(f"d={d} theta={theta} dt={dt} {method}: relative difference {e:.3g} "
                                         f"from scipy's cont2discrete (limit 1e-12)")
                        if d == 1 and method == "zoh":
                            q = np.exp(-dt / theta)
                            b = -np.expm1(-dt / theta)  # 1 - q without cancellation
                            ce = max(abs(mats["Abar"][0][0] - q) / q, abs(mats["Bbar"][0][0] - b) / b)
                            if ce > 1e-13:
                                fails.append(f"d=1 theta={theta} dt={dt}: {ce:.3g} from exp(-dt/theta)")
        print(f"matrices: {n} cases; largest relative difference from scipy: zoh {worst['zoh']:.2e}, "
              f"euler {worst['euler']:.2e} (limit 1e-12)")

        # The delay property: order 16, window 1 s, 1 ms steps.
        for cutoff, inside in ((1.0, True), (20.0, False)):
            ref = readout_error(16, 1.0, 0.001, cutoff, 4.0, seed=7)
            stats, _ = run(a.tinyforge, ["lmu.order=16", "lmu.theta_s=1", "lmu.dt_s=0.001",
                                         f"signal.cutoff_hz={cutoff}", "signal.duration_s=4"],
                           os.path.join(tmp, f"delay{cutoff}"))
            tfv = {0.0: stats["nrmse_delay_0"], 0.25: stats["nrmse_delay_25"], 0.5: stats["nrmse_delay_50"],
                   0.75: stats["nrmse_delay_75"], 1.0: stats["nrmse_delay_100"]}
            print(f"delay readout, band {cutoff} Hz: reference " +
                  ", ".join(f"{r}: {v:.2e}" for r, v in ref.items()) + "; tinyforge " +
                  ", ".join(f"{r}: {v:.2e}" for r, v in tfv.items()))
            # The newest end of the window (r = 0) is the hardest to hold: its own, looser limit.
            limit = {0.0: 5e-3, 0.25: 1e-4, 0.5: 1e-4, 0.75: 1e-4, 1.0: 1e-4}
            for r in ref:
                for who, v in (("reference", ref[r]), ("tinyforge", tfv[r])):
                    if inside and not v < limit[r]:
                        fails.append(f"{who}: band {cutoff} Hz, delay {r} theta: error {v:.3g}, expected < {limit[r]}")
                    if not inside and not v > 0.3:
                        fails.append(f"{who}: band {cutoff} Hz, delay {r} theta: error {v:.3g}, expected > 0.3 "
                                     f"(beyond the memory's band)")
                # Different random signals, the same memory: the two errors must be of the same size.
                if inside and not (tfv[r] <= 10 * ref[r] + 1e-6 and ref[r] <= 10 * tfv[r] + 1e-6):
                    fails.append(f"band {cutoff} Hz, delay {r} theta: tinyforge {tfv[r]:.3g} and the reference "
                                 f"{ref[r]:.3g} differ by more than 10x")
    if fails:
        print("\n".join("FAIL: " + f for f in fails))
        sys.exit(1)
    print("PASS")


if __name__ == "__main__":
    main()
