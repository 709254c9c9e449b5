#!/bin/bash
# A real single-node Slurm (Debian's slurm-wlm + munge) on localhost for the tests, in a scratch folder:
#   source slurm_local.sh; slurm_start DIR; ... sbatch/squeue with SLURM_CONF set ...; slurm_stop
# slurm_start installs nothing: scripts/deps.sh (TINYFORGE_CLUSTER_PACKAGES) does. It needs root (slurmd runs
# jobs as their submitting user). cgroups are left out (proctrack/linuxproc, task/none): a container may have none.
# Everything started here is stopped by PID in slurm_stop, never by name.

slurm_start() {
  SLURM_SCRATCH=$1
  mkdir -p "$SLURM_SCRATCH"/{state,spool,log,munge}
  local host cpus mem
  host=$(hostname -s)
  cpus=$(nproc)
  mem=$(awk '/MemAvailable/ {print int($2 / 1024 / 2)}' /proc/meminfo)
  # Munge: its own key, socket and pid file in the scratch folder, so that a munged already running is untouched.
  MUNGE_SOCKET=$SLURM_SCRATCH/munge/munge.socket
  mungekey -c -k "$SLURM_SCRATCH/munge/munge.key" 2>/dev/null || dd if=/dev/urandom of="$SLURM_SCRATCH/munge/munge.key" bs=1024 count=1 2>/dev/null
  chmod 700 "$SLURM_SCRATCH/munge"; chmod 400 "$SLURM_SCRATCH/munge/munge.key"
  /usr/sbin/munged --force -S "$MUNGE_SOCKET" --key-file="$SLURM_SCRATCH/munge/munge.key" \
    --pid-file="$SLURM_SCRATCH/munge/munged.pid" --log-file="$SLURM_SCRATCH/log/munged.log" \
    --seed-file="$SLURM_SCRATCH/munge/seed" || { echo "slurm_local: munged did not start"; return 1; }
  cat > "$SLURM_SCRATCH/slurm.conf" <<CONF
ClusterName=tftest
SlurmctldHost=$host
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket=$MUNGE_SOCKET
CredType=cred/munge
StateSaveLocation=$SLURM_SCRATCH/state
SlurmdSpoolDir=$SLURM_SCRATCH/spool
SlurmctldPidFile=$SLURM_SCRATCH/ctld.pid
SlurmdPidFile=$SLURM_SCRATCH/d.pid
SlurmctldLogFile=$SLURM_SCRATCH/log/ctld.log
SlurmdLogFile=$SLURM_SCRATCH/log/d.log
SlurmctldPort=${SLURM_TEST_PORT:-16817}
SlurmdPort=$(( ${SLURM_TEST_PORT:-16817} + 1 ))
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SchedulerType=sched/builtin
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
MpiDefault=none
JobAcctGatherType=jobacct_gather/none
NodeName=$host CPUs=$cpus RealMemory=$mem State=UNKNOWN
PartitionName=debug Nodes=$host Default=YES MaxTime=INFINITE State=UP
CONF
  export SLURM_CONF=$SLURM_SCRATCH/slurm.conf
  slurmctld -f "$SLURM_CONF" || { echo "slurm_local: slurmctld did not start"; cat "$SLURM_SCRATCH/log/ctld.log"; return 1; }
  slurmd -f "$SLURM_CONF" || { echo "slurm_local: slurmd did not start"; cat "$SLURM_SCRATCH/log/d.log"; return 1; }
  local k
  for k in $(seq 1 60); do
    sinfo -h -o %T 2>/dev/null | grep -qx idle && return 0
    sleep 0.5
  done
  echo "slurm_local: the node did not become idle in 30 s"; sinfo; tail -20 "$SLURM_SCRATCH/log/ctld.log" "$SLURM_SCRATCH/log/d.log"
  return 1
}

slurm_stop() {  # safe under set -e (it runs from EXIT traps)
  [ -n "${SLURM_SCRATCH:-}" ] || return 0
  local f pid
  for f in d.pid ctld.pid munge/munged.pid; do
    pid=$(cat "$SLURM_SCRATCH/$f" 2>/dev/null) || continue
    kill "$pid" 2>/dev/null || continue
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
  done
  # Whatever else still runs from this scratch folder (a daemon whose pid file is gone); the path is unique.
  pkill -9 -f -- "$SLURM_SCRATCH/" 2>/dev/null || true
  return 0
}
