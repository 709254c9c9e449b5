#!/bin/bash
# `--engine fast` (the CIM model's in-process fast path) against the reference process engine (one SystemC
# `tinyforge sim` per point) on 320 random design points (over 200 of them valid): the same results.csv, every metric equal as printed
# (wall-clock columns aside), the same Pareto front; its journal carries the stats and --resume uses them;
# a model without a fast path is refused.
# usage: sweep_fast.sh TINYFORGE SOURCE_DIR
set -eu
bin=$1; src=$2; F=$src/tests/cli/fixtures/sweeps
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
export SC_COPYRIGHT_MESSAGE=DISABLE
"$bin" sweep "$F/cim_random.json" --out "$work/p" > "$work/p.log" 2>&1 || { cat "$work/p.log"; echo "FAIL: process engine"; exit 1; }
"$bin" sweep "$F/cim_random.json" --out "$work/f" --engine fast > "$work/f.log" 2>&1 || { cat "$work/f.log"; echo "FAIL: fast engine"; exit 1; }
/usr/bin/python3 - "$work" <<'PY' || { echo "FAIL: fast and process engines differ"; exit 1; }
import csv, json, sys
w = sys.argv[1]
def rows(d):
    return list(csv.DictReader(open(f"{w}/{d}/results.csv")))
p, f = rows("p"), rows("f")
ok = [r for r in p if r["status"] == "ok"]
assert len(p) == len(f) == 320 and len(ok) >= 200, (len(p), len(f), len(ok))
compared = 0
for a, b in zip(p, f):
    for k in a:
        if k in ("wall_s", "sim_wall_s"):
            continue
        assert a[k] == b[k], (a["point"], k, a[k], b[k])
        compared += 1
# The full stats too (breakdowns included): each process point's stats.json against the fast journal's stats.
fast = {}
for line in open(f"{w}/f/journal.jsonl"):
    e = json.loads(line)
    fast[e["hash"]] = e.get("stats")
n = 0
for r in ok:
    a = json.load(open(f"{w}/p/points/{r['hash']}/stats.json"))
    b = dict(fast[r["hash"]])
    a.pop("sim_wall_s"); b.pop("sim_wall_s")
    assert a == b, (r["point"], [k for k in a if a.get(k) != b.get(k)][:5])
    n += 1
assert [r["point"] for r in csv.DictReader(open(f"{w}/p/pareto.csv"))] == [r["point"] for r in csv.DictReader(open(f"{w}/f/pareto.csv"))]
print(f"fast == process: {n} ok points' full stats, {compared} result cells")
PY
[ -z "$(ls "$work/f/points")" ] || { echo "FAIL: the fast engine wrote run records"; exit 1; }
# --resume of a fast sweep: keep half the journal, drop the outputs; the rest runs, the results are the same.
head -n 80 "$work/f/journal.jsonl" > "$work/j" && mv "$work/j" "$work/f/journal.jsonl"
cp "$work/f/results.csv" "$work/f.csv"; rm "$work/f/results.csv"
"$bin" sweep "$F/cim_random.json" --out "$work/f" --engine fast --resume > "$work/r.log" 2>&1 || { cat "$work/r.log"; echo "FAIL: resume"; exit 1; }
cmp <(cut -d, -f1-3,5- "$work/f.csv") <(cut -d, -f1-3,5- "$work/f/results.csv") > /dev/null ||
  python3 "$src/tests/cli/same_results.py" "$work/f" "$work/p" || { echo "FAIL: resumed fast sweep differs"; exit 1; }
rc=0; "$bin" sweep "$F/neuro_fates.json" --out "$work/n" --engine fast > /dev/null 2> "$work/n.err" || rc=$?
[ $rc -eq 2 ] && grep -q "model neuro has no fast path" "$work/n.err" || { cat "$work/n.err"; echo "FAIL: --engine fast on neuro"; exit 1; }
echo "PASS"
