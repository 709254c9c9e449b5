#!/bin/bash
# --out safety: (1) an existing directory that is not a run record is refused (exit 2) and left intact;
# (2) a run that fails on bad input after the run directory was set up leaves no parent directories behind;
# (3) re-running into an existing run record replaces it.
set -u
bin=$1; fixtures=$2
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
fail=0
mkdir -p "$work/precious"; echo keep > "$work/precious/notes.txt"
"$bin" sim cim --out "$work/precious" >/dev/null 2>"$work/err"; rc=$?
[ $rc -eq 2 ] || { echo "FAIL (1): exit $rc"; fail=1; }
grep -q "not a tinyforge run record" "$work/err" || { echo "FAIL (1): message"; cat "$work/err"; fail=1; }
[ -f "$work/precious/notes.txt" ] || { echo "FAIL (1): the directory was touched"; fail=1; }
"$bin" sim cim --out "$work/a/b/run" --set "workload.data=$fixtures/data_bad_value.json" >/dev/null 2>"$work/err"; rc=$?
[ $rc -eq 2 ] || { echo "FAIL (2): exit $rc"; fail=1; }
[ -e "$work/a" ] && { echo "FAIL (2): $work/a left behind"; fail=1; }
"$bin" sim cim --out "$work/rec" >/dev/null 2>&1 && "$bin" sim cim --out "$work/rec" --seed 2 >/dev/null 2>&1 ||
  { echo "FAIL (3): re-run failed"; fail=1; }
grep -q '"seed": 2' "$work/rec/config.effective.json" || { echo "FAIL (3): record not replaced"; fail=1; }
[ $fail -eq 0 ] && echo "ok"
exit $fail
