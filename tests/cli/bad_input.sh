#!/bin/bash
# One bad-input case: tinyforge must exit 2, name the problem (EXPECT appears on stderr) once, print nothing on
# stdout, and leave no run directory (finished or temporary) behind.
# usage: bad_input.sh TINYFORGE FIXTURES EXPECT ARGS...
set -u
bin=$1; fixtures=$2; expect=$3; shift 3
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
args=()
for a in "$@"; do args+=("${a//@F@/$fixtures}"); done
"$bin" "${args[@]}" --out "$work/run" >"$work/stdout" 2>"$work/stderr"
rc=$?
fail=0
if [ $rc -ne 2 ]; then echo "FAIL: exit code $rc, expected 2"; fail=1; fi
if ! grep -qF -- "$expect" "$work/stderr"; then echo "FAIL: stderr lacks: $expect"; fail=1; fi
if [ -s "$work/stdout" ]; then echo "FAIL: stdout not empty"; fail=1; fi
dup=$(grep '^error: ' "$work/stderr" | sort | uniq -d | head -1)
if [ -n "$dup" ]; then echo "FAIL: an error reported twice: $dup"; fail=1; fi
if ls -d "$work"/run* >/dev/null 2>&1; then echo "FAIL: a run directory was left behind"; ls -d "$work"/run*; fail=1; fi
if [ -d "$work/runs" ]; then echo "FAIL: runs/ was created"; fail=1; fi
echo "--- stderr:"; cat "$work/stderr"
exit $fail
