#!/usr/bin/env bash
# Training on a SLURM cluster, one srun task per GPU (mmpose's tools/slurm_train.sh conventions). Usage:
#   [GPUS=8] [GPUS_PER_NODE=8] [CPUS_PER_TASK=5] [SRUN_ARGS="..."] \
#     tools/slurm_train.sh PARTITION JOB_NAME CONFIG [WORK_DIR] [trainer args: --resume, --opts KEY VALUE, ...]
#   GPUS           GPUs in all = tasks (default 8)
#   GPUS_PER_NODE  GPUs = tasks per node (default: GPUS, at most 8)
#   CPUS_PER_TASK  CPU cores per task, for data loading (default 5; WORKERS in the config should fit)
#   SRUN_ARGS      more srun options, split on spaces, e.g. "--time=2-00:00:00 --qos=high"
#   MODULE         advomnipose.train (default) or advomnipose.adversarial (OmniPoseAN; --pretrained CKPT: AN2)
#   PYTHON         the interpreter on the nodes (default python); MASTER_PORT (default 20000 + job id mod 10000)
# WORK_DIR is the output folder (--out; default outputs/<config name>), on a filesystem every node mounts. Each task
# reads its ranks from SLURM (SLURM_PROCID, SLURM_STEP_NUM_TASKS, SLURM_LOCALID) and meets the others on the first
# host of `scontrol show hostnames $SLURM_STEP_NODELIST`. GPUS in the config: one id (task i of a node uses cuda:i,
# or cuda:0 when SLURM binds one GPU per task) or GPUS_PER_NODE ids.
# Example, 2 nodes x 8 GPUs:
#   GPUS=16 tools/slurm_train.sh gpu w48 experiments/coco/omnipose_w48_384x288_train.yaml /shared/outputs/w48
set -euo pipefail
die() { echo "slurm_train.sh: $*" >&2; exit 2; }
whole() { [[ "$2" =~ ^[1-9][0-9]*$ ]] || die "$1=$2: expected a whole number >= 1"; }
[ $# -ge 3 ] || die "usage: tools/slurm_train.sh PARTITION JOB_NAME CONFIG [WORK_DIR] [trainer args]"
PARTITION="$1"; JOB_NAME="$2"; CONFIG="$3"; shift 3
out=()
if [ $# -gt 0 ] && [[ "$1" != -* ]]; then out=(--out "$1"); shift; fi
GPUS="${GPUS:-8}"; whole GPUS "$GPUS"
GPUS_PER_NODE="${GPUS_PER_NODE:-$(( GPUS < 8 ? GPUS : 8 ))}"; whole GPUS_PER_NODE "$GPUS_PER_NODE"
CPUS_PER_TASK="${CPUS_PER_TASK:-5}"; whole CPUS_PER_TASK "$CPUS_PER_TASK"
read -r -a srun_args <<< "${SRUN_ARGS:-}"
root="$(cd "$(dirname "$0")/.." && pwd)"
export PYTHONPATH="$root${PYTHONPATH:+:$PYTHONPATH}"
exec srun --partition="$PARTITION" --job-name="$JOB_NAME" --gres=gpu:"$GPUS_PER_NODE" --ntasks="$GPUS" \
  --ntasks-per-node="$GPUS_PER_NODE" --cpus-per-task="$CPUS_PER_TASK" --kill-on-bad-exit=1 "${srun_args[@]}" \
  "${PYTHON:-python}" -u -m "${MODULE:-advomnipose.train}" --cfg "$CONFIG" "${out[@]}" "$@"
