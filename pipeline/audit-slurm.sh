#!/usr/bin/env bash
# audit-slurm.sh — a Slurm array job proving one audit window on a cluster: task I of N proves
# every N-th entry (audit-prove.sh --part I/N; each task has its own joblog and resumes on requeue).
#   sbatch --array=0-15 --export=ALL,LOGDIR=/shared/audit,SINCE=T,UNTIL=T pipeline/audit-slurm.sh
# then, once the array is done: audit-prove.sh LOGDIR --since T --until T (writes the complete
# window record) and audit-report.sh / audit-anchor.sh as usual. LOGDIR must be on a shared filesystem.
#SBATCH --job-name=zkm31-audit
#SBATCH --cpus-per-task=2
#SBATCH --requeue
here=${SLURM_SUBMIT_DIR:-$(dirname "${BASH_SOURCE[0]}")}/pipeline
[ -x "$here/audit-prove.sh" ] || here=$(dirname "${BASH_SOURCE[0]}")
exec "$here/audit-prove.sh" "${LOGDIR:?set LOGDIR}" --since "${SINCE:-0}" --until "${UNTIL:-99999999999999}" \
  --part "${SLURM_ARRAY_TASK_ID:?run with sbatch --array}/${SLURM_ARRAY_TASK_COUNT:?run with sbatch --array}" -j "${SLURM_CPUS_PER_TASK:-1}"
