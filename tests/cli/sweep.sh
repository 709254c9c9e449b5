#!/bin/bash
# `tinyforge sweep` end to end: a product sweep with constraints and an invalid point; every point's record
# equals a direct `tinyforge sim` of the same overrides; the Pareto front against a brute-force check; a list
# sweep with one point of each fate (ok, duplicate run once, timeout, invalid) and exit code 3; --resume after
# an interruption runs nothing twice and gives the same results; bad specs exit 2 and leave nothing behind.
# usage: sweep.sh TINYFORGE SOURCE_DIR
set -eu
bin=$1; src=$2; F=$src/tests/cli/fixtures/sweeps
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
export SC_COPYRIGHT_MESSAGE=DISABLE
py() { /usr/bin/python3 -c "$@"; }

# 1. Product sweep: 8 points, 4 invalid (macro.cols=100 is no multiple of the 16-bit word), 4 ok.
"$bin" sweep "$F/cim_small.json" --out "$work/s" > "$work/s.log" 2> "$work/s.err" || { cat "$work/s.log" "$work/s.err"; echo "FAIL: sweep"; exit 1; }
py "
import csv, json, sys, subprocess, os
rows = list(csv.DictReader(open('$work/s/results.csv')))
assert len(rows) == 8, len(rows)
st = [r['status'] for r in rows]
assert st.count('ok') == 4 and st.count('invalid') == 4, st
for r in rows:
    assert (r['status'] == 'invalid') == (r['macro.cols'] == '100'), r
# Every ok point equals a direct run with the same overrides (stats.json, apart from the wall time).
for r in rows:
    if r['status'] != 'ok': continue
    out = '$work/direct-' + r['point']
    subprocess.run(['$bin', 'sim', 'cim', '--config', '$src/configs/cim/digital_28nm.json', '--set', 'macro.rows=' + r['macro.rows'],
                    '--set', 'macro.cols=' + r['macro.cols'], '--set', 'macro.cell=\"' + r['macro.cell'] + '\"', '--out', out],
                   check=True, stdout=subprocess.DEVNULL)
    a = json.load(open(out + '/stats.json')); b = json.load(open('$work/s/points/' + r['hash'] + '/stats.json'))
    a.pop('sim_wall_s'); b.pop('sim_wall_s')
    assert a == b, r['point']
    assert float(r['energy_pJ']) == a['energy_pJ']
# Pareto front (energy_pJ min, latency_ns min) against a brute-force check of every pair.
ok = [r for r in rows if r['status'] == 'ok']
def dom(a, b):
    x = (float(a['energy_pJ']), float(a['latency_ns'])); y = (float(b['energy_pJ']), float(b['latency_ns']))
    return all(p <= q for p, q in zip(x, y)) and x != y
want = [r['point'] for r in ok if not any(dom(o, r) for o in ok)]
got = [r['point'] for r in csv.DictReader(open('$work/s/pareto.csv'))]
assert got == want, (got, want)
" || { echo "FAIL: product sweep"; exit 1; }

# The report lists exactly the Pareto points.
"$bin" sweep report "$work/s" > "$work/report"
n=$(($(wc -l < "$work/s/pareto.csv") - 1))
grep -q "^Pareto front: $n of 8 points" "$work/report" && [ "$(wc -l < "$work/report")" -eq $((n + 2)) ] ||
  { cat "$work/report"; echo "FAIL: sweep report"; exit 1; }

# 2. --resume after an interruption: keep two journal lines, drop the outputs; nothing finished runs again.
cp "$work/s/results.csv" "$work/full.csv"
head -n 2 "$work/s/journal.jsonl" > "$work/j" && mv "$work/j" "$work/s/journal.jsonl"
rm "$work/s/results.csv" "$work/s/pareto.csv"
"$bin" sweep "$F/cim_small.json" --out "$work/s" --resume > /dev/null 2>&1 || { echo "FAIL: resume"; exit 1; }
[ "$(wc -l < "$work/s/journal.jsonl")" -eq 4 ] || { cat "$work/s/journal.jsonl"; echo "FAIL: resume ran finished points again"; exit 1; }
py "
import json
h = [json.loads(l)['hash'] for l in open('$work/s/journal.jsonl')]
assert len(h) == len(set(h)), h
" || { echo "FAIL: a point ran twice"; exit 1; }
py "
import csv
def rows(f):  # every column but the wall-clock ones
    return [{k: v for k, v in r.items() if k not in ('wall_s', 'sim_wall_s')} for r in csv.DictReader(open(f))]
assert rows('$work/full.csv') == rows('$work/s/results.csv')
" || { echo "FAIL: resumed results differ"; exit 1; }
rc=0; "$bin" sweep "$F/neuro_fates.json" --out "$work/s" --resume > /dev/null 2> "$work/err" || rc=$?
[ $rc -eq 2 ] && grep -q "different spec" "$work/err" || { cat "$work/err"; echo "FAIL: resume with another spec"; exit 1; }
rc=0; "$bin" sweep "$F/cim_small.json" --out "$work/s" > /dev/null 2> "$work/err" || rc=$?
[ $rc -eq 2 ] && grep -q "give --resume" "$work/err" || { echo "FAIL: an earlier sweep was not protected"; exit 1; }

# Shards (as Slurm array tasks would run them) partition the distinct configs; the merge equals the full run.
for i in 0 1 2; do "$bin" sweep "$F/cim_small.json" --out "$work/sh" --shard $i/3 > /dev/null 2>&1 || { echo "FAIL: shard $i"; exit 1; }; done
SLURM_ARRAY_TASK_ID=1 SLURM_ARRAY_TASK_COUNT=3 "$bin" sweep "$F/cim_small.json" --out "$work/sh" --shard slurm > "$work/sl" 2>&1 ||
  { cat "$work/sl"; echo "FAIL: --shard slurm"; exit 1; }
[ "$(wc -l < "$work/sh/journal.shard-1-of-3.jsonl")" -eq 1 ] || { cat "$work/sl"; echo "FAIL: a shard re-ran its finished slice"; exit 1; }
"$bin" sweep merge "$work/sh" > /dev/null || { echo "FAIL: merge"; exit 1; }
py "
import csv, glob, json
def rows(f):
    return [{k: v for k, v in r.items() if k not in ('wall_s', 'sim_wall_s')} for r in csv.DictReader(open(f))]
assert rows('$work/full.csv') == rows('$work/sh/results.csv')
hashes = [json.loads(l)['hash'] for j in sorted(glob.glob('$work/sh/journal.shard-*')) for l in open(j)]
ok = {r['hash'] for r in csv.DictReader(open('$work/full.csv')) if r['status'] == 'ok'}
assert len(hashes) == len(set(hashes)) and set(hashes) == ok, hashes
" || { echo "FAIL: shards and merge"; exit 1; }

# 3. One point of each fate; the duplicate runs once; exit code 3 for the timeout.
rc=0; "$bin" sweep "$F/neuro_fates.json" --out "$work/n" > "$work/n.log" 2>&1 || rc=$?
[ $rc -eq 3 ] || { cat "$work/n.log"; echo "FAIL: exit $rc, expected 3"; exit 1; }
py "
import csv
st = [r['status'] for r in csv.DictReader(open('$work/n/results.csv'))]
assert st == ['ok', 'timeout', 'invalid', 'ok'], st
" || { echo "FAIL: fates"; exit 1; }
[ "$(wc -l < "$work/n/journal.jsonl")" -eq 2 ] || { echo "FAIL: the duplicate point ran twice"; exit 1; }
ls "$work/n/points" | grep -q tmp && { echo "FAIL: the killed point left a temporary record"; exit 1; }

# 4. Bad specs: exit 2, file and JSON path named, nothing written.
check_bad() {
  local spec=$1 expect=$2 rc=0
  "$bin" sweep "$F/$spec" --out "$work/bad" > /dev/null 2> "$work/err" || rc=$?
  [ $rc -eq 2 ] || { cat "$work/err"; echo "FAIL: $spec: exit $rc"; exit 1; }
  grep -qF "$expect" "$work/err" || { cat "$work/err"; echo "FAIL: $spec: no '$expect'"; exit 1; }
  [ ! -e "$work/bad" ] || { echo "FAIL: $spec left $work/bad"; exit 1; }
}
check_bad bad_axis.json "bad_axis.json: axes.macro.rowz: got 'macro.rowz'; expected a parameter of model cim; did you mean 'macro.rows'?"
check_bad bad_axis.json "axes.macro.cell[1]: got \"12t\"; expected one of: 6t, 8t, 10t (macro.cell)"
check_bad bad_axis.json "objectives.energy_pj: got 'energy_pj'; expected a numeric metric of model cim; did you mean 'energy_pJ'?"
check_bad bad_where.json "bad_where.json: where[0]: got \"macro.rows * * 2 > 1\"; expected an expression over numeric parameter paths (column"
check_bad too_many.json "expected at most --max-points 100000"
check_bad empty_axis.json "empty_axis.json: axes.macro.rows: got []; expected a non-empty list of values"
check_bad empty_where.json "empty_where.json: where: got constraints that keep none of the 2 points"
echo ok
