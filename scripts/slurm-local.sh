#!/usr/bin/env bash
# A one-node Slurm cluster on this machine, for the Slurm executor's integration test and for
# trying `sweep --executor slurm` without a cluster: writes a slurm.conf for this host (2 CPUs,
# select/cons_tres, proctrack/linuxproc, no cgroup, no accounting database), creates a munge key
# if there is none, starts munged, slurmctld and slurmd as root and waits until sinfo shows the
# node idle. Needs Debian's slurm-wlm and munge (`.ci/run` installs them) and root.
#
#   scripts/slurm-local.sh start   # prints the state folder; exits non-zero naming what failed
#   scripts/slurm-local.sh stop    # stops the daemons this script started
#   scripts/slurm-local.sh status
#
# The configuration goes to /etc/slurm/slurm.conf (where sbatch, squeue and scancel look) unless
# a slurm.conf not written by this script is there: then it refuses rather than overwrite it.
set -euo pipefail
STATE=${GAN_SLURM_STATE:-/tmp/gan-workbench-slurm}
CONF=/etc/slurm/slurm.conf
MARK='# written by gan-workbench scripts/slurm-local.sh'
CPUS=${GAN_SLURM_CPUS:-2}

die() { echo "slurm-local: $*" >&2; exit 1; }

pid_alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

stop() {
  # Jobs first (their processes end with them), then the daemons.
  if pid_alive "$STATE/slurmctld.pid"; then
    scancel --user="$(id -un)" >/dev/null 2>&1 || true
    for _ in $(seq 50); do [ -z "$(squeue -h -u "$(id -un)" 2>/dev/null)" ] && break; sleep 0.2; done
  fi
  for d in slurmd slurmctld; do
    if pid_alive "$STATE/$d.pid"; then kill "$(cat "$STATE/$d.pid")" 2>/dev/null || true; fi
  done
  for d in slurmd slurmctld; do
    for _ in $(seq 50); do pid_alive "$STATE/$d.pid" || break; sleep 0.1; done
    rm -f "$STATE/$d.pid"
  done
  if [ -f "$STATE/munged.started" ] && pid_alive "$STATE/munged.pid"; then kill "$(cat "$STATE/munged.pid")" 2>/dev/null || true; fi
  rm -f "$STATE/munged.started"
  echo "slurm-local: stopped"
}

status() {
  for d in munged slurmctld slurmd; do
    if pid_alive "$STATE/$d.pid"; then echo "$d running (pid $(cat "$STATE/$d.pid"))"; else echo "$d not running"; fi
  done
  sinfo -h -o '%N %t' 2>/dev/null || true
}

start() {
  [ "$(id -u)" = 0 ] || die "needs root (slurmd starts jobs as their users)"
  for b in munged slurmctld slurmd sinfo sbatch; do
    command -v "$b" >/dev/null 2>&1 || [ -x "/usr/sbin/$b" ] || die "$b is not installed (apt-get install slurm-wlm munge)"
  done
  if [ -f "$CONF" ] && ! grep -qF "$MARK" "$CONF"; then die "$CONF exists and was not written by this script; not overwriting it"; fi
  local host
  host=$(hostname -s)
  mkdir -p "$STATE/ctld" "$STATE/spool" /etc/slurm /run/munge /var/log/munge /var/lib/munge
  cat > "$CONF" <<CONF
$MARK
ClusterName=ganlocal
SlurmctldHost=$host
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
StateSaveLocation=$STATE/ctld
SlurmdSpoolDir=$STATE/spool
SlurmctldPidFile=$STATE/slurmctld.pid
SlurmdPidFile=$STATE/slurmd.pid
SlurmctldLogFile=$STATE/slurmctld.log
SlurmdLogFile=$STATE/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
SchedulerType=sched/builtin
MpiDefault=none
ReturnToService=2
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
JobCompType=jobcomp/none
MinJobAge=3600
SlurmctldTimeout=30
SlurmdTimeout=30
NodeName=$host CPUs=$CPUS State=UNKNOWN
PartitionName=debug Nodes=$host Default=YES MaxTime=INFINITE State=UP
CONF
  # munge: a key if there is none, then the daemon (unless one already answers).
  if [ ! -s /etc/munge/munge.key ]; then
    dd if=/dev/urandom bs=1 count=1024 of=/etc/munge/munge.key 2>/dev/null
  fi
  chown -R munge:munge /etc/munge /run/munge /var/log/munge /var/lib/munge 2>/dev/null || true
  chmod 400 /etc/munge/munge.key
  if ! munge -n >/dev/null 2>&1; then
    runuser -u munge -- /usr/sbin/munged --force >/dev/null 2>&1 || /usr/sbin/munged --force || die "munged did not start"
    for _ in $(seq 50); do munge -n >/dev/null 2>&1 && break; sleep 0.1; done
    munge -n >/dev/null 2>&1 || die "munged started but does not answer (see /var/log/munge/munged.log)"
    cp /run/munge/munged.pid "$STATE/munged.pid" 2>/dev/null || pgrep -o -x munged > "$STATE/munged.pid" || true
    touch "$STATE/munged.started"
  fi
  # -c: a fresh start, without jobs an earlier session left queued.
  pid_alive "$STATE/slurmctld.pid" || /usr/sbin/slurmctld -c || die "slurmctld did not start (see $STATE/slurmctld.log)"
  pid_alive "$STATE/slurmd.pid" || /usr/sbin/slurmd || die "slurmd did not start (see $STATE/slurmd.log)"
  local state=''
  for _ in $(seq 300); do
    state=$(sinfo -h -n "$host" -o '%t' 2>/dev/null | head -1 || true)
    # Up: idle, or busy with jobs already (mix, alloc, completing).
    case "$state" in idle|mix|alloc|comp) break ;; esac
    # A node left down or drained by an earlier run comes back.
    case "$state" in down*|drain*) scontrol update NodeName="$host" State=RESUME >/dev/null 2>&1 || true ;; esac
    sleep 0.2
  done
  case "$state" in idle|mix|alloc|comp) ;; *) die "the node $host is '${state:-unknown}', not idle, after 60 s (see $STATE/slurmctld.log and $STATE/slurmd.log)" ;; esac
  echo "$STATE"
}

case "${1:-start}" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  *) die "usage: $0 start|stop|status" ;;
esac
