#!/bin/bash
# `mpirun -n 3 tinyforge sweep SPEC --mpi` on localhost (Debian's OpenMPI): rank 0 hands the points out to
# ranks 1 and 2; the results equal a local --jobs 2 run point for point, each config ran once. A point that
# crashes or hangs on a worker rank is recorded like in a local sweep; bad input and a single rank end with
# exit 2 and a clear message, no rank left waiting.
# usage: sweep_mpi.sh TINYFORGE TINYFORGE_CRASHTEST SOURCE_DIR
set -eu
bin=$1; crash=$2; src=$3
F=$src/tests/cli/fixtures/sweeps
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
export SC_COPYRIGHT_MESSAGE=DISABLE OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
export OMPI_MCA_btl=self,vader OMPI_MCA_btl_vader_single_copy_mechanism=none OMPI_MCA_rmaps_base_oversubscribe=1
mpi() { timeout 120 mpirun --oversubscribe -n "$@"; }
[ -x "$(dirname "$bin")/tinyforge-mpi" ] || { echo "FAIL: tinyforge-mpi was not built (libopenmpi-dev missing?)"; exit 1; }

"$bin" sweep "$F/cim_small.json" --out "$work/local" --jobs 2 > /dev/null 2>&1 || { echo "FAIL: local sweep"; exit 1; }
mpi 3 "$bin" sweep "$F/cim_small.json" --mpi --out "$work/m" > "$work/m.log" 2>&1 || { cat "$work/m.log"; echo "FAIL: mpirun sweep"; exit 1; }
python3 "$src/tests/cli/same_results.py" "$work/m" "$work/local" || { cat "$work/m.log"; echo "FAIL: MPI results differ"; exit 1; }
python3 -c "
import json
h = [json.loads(l)['hash'] for l in open('$work/m/journal.jsonl')]
assert len(h) == 4 and len(set(h)) == 4, h
" || { echo "FAIL: journal of the MPI run"; exit 1; }
grep -q "^Pareto front" "$work/m.log" || { cat "$work/m.log"; echo "FAIL: rank 0 printed no report"; exit 1; }

# Crashing, hanging and failing points on worker ranks.
rc=0; mpi 3 "$crash" sweep "$F/crash.json" --mpi --out "$work/c" > "$work/c.log" 2>&1 || rc=$?
[ $rc -eq 3 ] || { cat "$work/c.log"; echo "FAIL: crash sweep under MPI: exit $rc, expected 3"; exit 1; }
python3 -c "
import csv
rows = list(csv.DictReader(open('$work/c/results.csv')))
assert [(r['mode'], r['status']) for r in rows] == [('ok', 'ok'), ('segv', 'failed'), ('hang', 'timeout'), ('throw', 'failed')], rows
" || { echo "FAIL: fates under MPI"; exit 1; }

# One rank only: a clear error, exit 2.
rc=0; mpi 1 "$bin" sweep "$F/cim_small.json" --mpi --out "$work/one" > "$work/one.log" 2>&1 || rc=$?
grep -q "needs at least 2 ranks" "$work/one.log" || { cat "$work/one.log"; echo "FAIL: single rank message"; exit 1; }
# An --out that rank 0 refuses (it holds another sweep): exit 2 on rank 0, the workers released, no hang.
rc=0; mpi 3 "$bin" sweep "$F/cim_small.json" --mpi --out "$work/local" > "$work/busy.log" 2>&1 || rc=$?
[ $rc -ne 0 ] && [ $rc -ne 124 ] && grep -q "holds an earlier sweep" "$work/busy.log" ||
  { cat "$work/busy.log"; echo "FAIL: refused --out under MPI (exit $rc)"; exit 1; }
echo "PASS: MPI sweep with 3 ranks equals the local run; crashes recorded; bad input ends every rank"
