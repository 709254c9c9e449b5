#!/bin/bash
# `tinyforge sweep --slurm` on a real single-node Slurm (slurmctld + slurmd + munge on localhost, started and
# stopped here): a 3-task array and its merge job; the merged results equal a local --jobs 2 run point for
# point; points that crash or hang inside a task are merged as results. Also: --no-submit writes the scripts only.
# usage: sweep_slurm.sh TINYFORGE TINYFORGE_CRASHTEST SOURCE_DIR   (needs root: slurmd runs the jobs)
set -eu
bin=$1; crash=$2; src=$3; crash_spec=$src/tests/cli/fixtures/sweeps/crash.json; spec=$src/tests/cli/fixtures/sweeps/cim_small.json
here=$(cd "$(dirname "$0")" && pwd)
[ "$(id -u)" -eq 0 ] || { echo "FAIL: needs root to run slurmd (scripts/test.sh runs as root in CI)"; exit 1; }
work=$(mktemp -d /tmp/tf-slurm-XXXXXX); chmod 755 "$work"
source "$here/slurm_local.sh"
trap 'slurm_stop; rm -rf "$work"' EXIT
export SC_COPYRIGHT_MESSAGE=DISABLE

# The reference: the same sweep on this machine.
"$bin" sweep "$spec" --out "$work/local" --jobs 2 > /dev/null 2>&1 || { echo "FAIL: local sweep"; exit 1; }

# --no-submit: scripts only, nothing queued (no Slurm needed yet).
"$bin" sweep "$spec" --slurm --no-submit --array 3 --out "$work/ns" > "$work/ns.log"
grep -q -- "--array=0-2" "$work/ns/slurm/array.sbatch" && grep -q -- "--shard slurm" "$work/ns/slurm/array.sbatch" &&
  grep -q "sweep merge" "$work/ns/slurm/merge.sbatch" && [ ! -e "$work/ns/slurm/jobs.json" ] ||
  { cat "$work/ns.log" "$work/ns/slurm/"*; echo "FAIL: --no-submit"; exit 1; }

slurm_start "$work/slurm"
"$bin" sweep "$spec" --slurm --array 3 --out "$work/cl" > "$work/cl.log" 2>&1 || { cat "$work/cl.log"; echo "FAIL: --slurm"; exit 1; }
cat "$work/cl.log"
ids=$(python3 -c "import json; j = json.load(open('$work/cl/slurm/jobs.json')); print(j['array_job'] + ',' + j['merge_job'])")
# Wait for both jobs to leave the queue (at most 3 minutes).
for k in $(seq 1 360); do
  [ -z "$(squeue -h -j "$ids" 2>/dev/null)" ] && break
  sleep 0.5
done
[ -z "$(squeue -h -j "$ids" 2>/dev/null)" ] || { squeue; echo "FAIL: the jobs did not finish in 3 minutes"; exit 1; }
[ -f "$work/cl/results.csv" ] || { tail -n 20 "$work/cl/slurm/"*.out "$work/slurm/log/"*.log; echo "FAIL: the merge job wrote no results"; exit 1; }
ls "$work/cl"/journal.shard-*-of-3.jsonl | wc -l | grep -qx 3 || { ls "$work/cl"; echo "FAIL: expected 3 shard journals"; exit 1; }
grep -q "^merged" "$work/cl/slurm/merge.out" || { cat "$work/cl/slurm/merge.out"; echo "FAIL: merge output"; exit 1; }
python3 "$src/tests/cli/same_results.py" "$work/cl" "$work/local" || { echo "FAIL: Slurm results differ from the local run"; exit 1; }
python3 -c "
import csv
a = [r['point'] for r in csv.DictReader(open('$work/cl/pareto.csv'))]
b = [r['point'] for r in csv.DictReader(open('$work/local/pareto.csv'))]
assert a == b, (a, b)" || { echo "FAIL: Pareto fronts differ"; exit 1; }

# Points that crash or hang inside a task are results, not task failures: the merge still runs and reports them
# (the tasks map the sweep's exit 3 to 0, so that --dependency=afterok holds).
"$crash" sweep "$crash_spec" --slurm --array 2 --out "$work/cr" > "$work/cr.log" 2>&1 || { cat "$work/cr.log"; echo "FAIL: --slurm (crash model)"; exit 1; }
ids=$(python3 -c "import json; j = json.load(open('$work/cr/slurm/jobs.json')); print(j['array_job'] + ',' + j['merge_job'])")
for k in $(seq 1 360); do
  [ -z "$(squeue -h -j "$ids" 2>/dev/null)" ] && break
  sleep 0.5
done
python3 -c "
import csv
rows = list(csv.DictReader(open('$work/cr/results.csv')))
assert [(r['mode'], r['status']) for r in rows] == [('ok', 'ok'), ('segv', 'failed'), ('hang', 'timeout'), ('throw', 'failed')], rows
" || { tail -n 30 "$work/cr/slurm/"*.out; ls "$work/cr"; echo "FAIL: crash model under Slurm"; exit 1; }
echo "PASS: Slurm array of 3 shards + merge equals the local run; crashing points are merged as results"
