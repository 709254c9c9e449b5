#!/bin/bash
# A sweep survives points that die from a signal, hang, or fail: each recorded with its fate, the rest ok,
# exit code 3, no temporary record left behind. Uses tinyforge_crashtest (tinyforge plus a test-only model).
# usage: sweep_crash.sh TINYFORGE_CRASHTEST SPEC
set -eu
bin=$1; spec=$2
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
export SC_COPYRIGHT_MESSAGE=DISABLE
rc=0; "$bin" sweep "$spec" --out "$work/s" > "$work/log" 2>&1 || rc=$?
[ $rc -eq 3 ] || { cat "$work/log"; echo "FAIL: exit $rc, expected 3"; exit 1; }
/usr/bin/python3 -c "
import csv, json
rows = list(csv.DictReader(open('$work/s/results.csv')))
assert [(r['mode'], r['status']) for r in rows] == [('ok', 'ok'), ('segv', 'failed'), ('hang', 'timeout'), ('throw', 'failed')], rows
assert rows[0]['y'] == '1'
msg = {r['values']['mode']: r.get('message', '') for r in json.load(open('$work/s/results.json'))}
assert msg['segv'].startswith('killed by signal 11'), msg['segv']
assert msg['throw'].startswith('exit 1') and 'deliberate internal error' in msg['throw'], msg['throw']
assert 'killed' in msg['hang'], msg['hang']
" || { cat "$work/log"; echo "FAIL: fates"; exit 1; }
ls "$work/s/points" | grep -q tmp && { echo "FAIL: temporary records left"; exit 1; }
echo ok
