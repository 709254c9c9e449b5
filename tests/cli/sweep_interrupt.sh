#!/bin/bash
# A sweep killed in the middle loses nothing and repeats nothing: kill -9 of the sweep (its running points die
# with it), then --resume: the results equal an uninterrupted run and no config is in the journal twice.
# Ctrl-C (SIGINT) and SIGTERM: exit 130, the running points are stopped (no process left), --resume finishes.
# usage: sweep_interrupt.sh TINYFORGE_CRASHTEST SPEC
set -eu
bin=$1; spec=$2
work=$(mktemp -d)
# On any exit (a failed check included), stop the sweeps started here and their points before removing $work.
cleanup() {
  jobs -p | xargs -r kill -9 2>/dev/null || true
  pkill -9 -f -- "$work/" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
export SC_COPYRIGHT_MESSAGE=DISABLE
"$bin" sweep "$spec" --out "$work/full" > /dev/null 2>&1 || { echo "FAIL: uninterrupted sweep"; exit 1; }

# Waits until DIR's journal has at least N lines (at most 20 s).
wait_journal() {
  for _ in $(seq 1 2000); do
    [ -f "$1/journal.jsonl" ] && [ "$(wc -l < "$1/journal.jsonl")" -ge "$2" ] && return 0
    sleep 0.01
  done
  echo "FAIL: $1/journal.jsonl never reached $2 lines"; exit 1
}
no_children() {  # no process of this sweep directory is left
  sleep 0.3
  if pgrep -f -- "$1/points" > /dev/null; then pgrep -af -- "$1/points"; echo "FAIL: points of $1 still running"; exit 1; fi
}
same() {
  /usr/bin/python3 - "$1" "$work/full" <<'PY' || { echo "FAIL: $1 differs from the uninterrupted run"; exit 1; }
import csv, json, sys
def rows(d):
    return [{k: v for k, v in r.items() if k not in ('wall_s', 'sim_wall_s')} for r in csv.DictReader(open(d + '/results.csv'))]
assert rows(sys.argv[1]) == rows(sys.argv[2])
h = [json.loads(l)['hash'] for l in open(sys.argv[1] + '/journal.jsonl')]
assert len(h) == len(set(h)) == 24, (len(h), len(set(h)))
PY
}

# kill -9
"$bin" sweep "$spec" --out "$work/k" > /dev/null 2>&1 & pid=$!
wait_journal "$work/k" 5
kill -9 $pid; wait $pid 2>/dev/null || true
[ ! -f "$work/k/results.csv" ] || { echo "FAIL: the sweep finished before it was killed"; exit 1; }
no_children "$work/k"
n=$(wc -l < "$work/k/journal.jsonl")
"$bin" sweep "$spec" --out "$work/k" --resume > "$work/k.log" 2>&1 || { cat "$work/k.log"; echo "FAIL: resume after kill -9"; exit 1; }
grep -q "\[$((24 - n))/$((24 - n))\]" "$work/k.log" || { cat "$work/k.log"; echo "FAIL: resume ran other than the $((24 - n)) unfinished points"; exit 1; }
same "$work/k"

# SIGINT and SIGTERM
for sig in INT TERM; do
  d=$work/$sig
  rc=0
  "$bin" sweep "$spec" --out "$d" > "$d.log" 2>&1 & pid=$!
  wait_journal "$d" 4
  kill -$sig $pid
  wait $pid || rc=$?
  [ $rc -eq 130 ] && grep -q "continue with --resume" "$d.log" || { cat "$d.log"; echo "FAIL: SIG$sig: exit $rc, expected 130 and a hint"; exit 1; }
  no_children "$d"
  ls "$d/points" | grep -q tmp && { echo "FAIL: SIG$sig left a temporary record"; exit 1; }
  "$bin" sweep "$spec" --out "$d" --resume > /dev/null 2>&1 || { echo "FAIL: resume after SIG$sig"; exit 1; }
  same "$d"
done
echo "PASS: kill -9, SIGINT and SIGTERM mid-sweep, then --resume: same results, nothing ran twice"
