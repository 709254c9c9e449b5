#!/usr/bin/python3
"""Compares the results.csv of two sweep directories point by point: the same rows, columns and values,
apart from the wall-clock columns (wall_s, sim_wall_s). Exit 1 with the first differences otherwise.
usage: same_results.py DIR_A DIR_B"""
import csv
import sys

WALL = {"wall_s", "sim_wall_s"}


def rows(d):
    with open(d + "/results.csv") as f:
        r = list(csv.DictReader(f))
    return [{k: v for k, v in row.items() if k not in WALL} for row in r]


a, b = rows(sys.argv[1]), rows(sys.argv[2])
bad = []
if len(a) != len(b):
    bad.append(f"{len(a)} rows against {len(b)}")
for x, y in zip(a, b):
    if x != y:
        keys = [k for k in set(x) | set(y) if x.get(k) != y.get(k)]
        bad.append(f"point {x.get('point')}: " + ", ".join(f"{k}: {x.get(k)} vs {y.get(k)}" for k in sorted(keys)[:5]))
if bad:
    print("results differ:\n  " + "\n  ".join(bad[:10]))
    sys.exit(1)
print(f"same results: {len(a)} points")
