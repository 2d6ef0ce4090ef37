#!/usr/bin/env bash
# Supervised OmniPose training (the original's script name). Usage:
#   ./run_train.sh experiments/coco/omnipose_w48_384x288_train.yaml [--out DIR] [--resume|--overwrite] [--opts KEY VALUE ...]
# GPUs: a config with GPUS '(0,1,2,3)' starts one process per listed GPU by itself (torchrun, DistributedDataParallel).
# Environment (all optional):
#   NPROC        processes per node (torchrun --nproc_per_node; default 1). GPUS in the config: one id (local rank i
#                uses cuda:i) or NPROC ids (local rank i uses GPUS[i])
#   NNODES       number of nodes (default 1); more than 1: start this script once on every node, with
#   NODE_RANK    this node's index, 0 .. NNODES-1 (required when NNODES > 1)
#   MASTER_ADDR  the address of the node with NODE_RANK 0, reachable from every node (required when NNODES > 1)
#   MASTER_PORT  a free TCP port on that node (default 29500)
#   PYTHON       the interpreter (default: .venv/bin/python of this folder, else python); MODULE: the trainer module
# Two nodes with 4 GPUs each (the output folder on a filesystem both nodes mount: rank 0 writes the run there and
# every rank reads its checkpoint on --resume):
#   node 0: NNODES=2 NODE_RANK=0 NPROC=4 MASTER_ADDR=10.0.0.1 ./run_train.sh CONFIG --out /shared/outputs/run
#   node 1: NNODES=2 NODE_RANK=1 NPROC=4 MASTER_ADDR=10.0.0.1 ./run_train.sh CONFIG --out /shared/outputs/run
# SLURM: tools/slurm_train.sh.
set -euo pipefail
cd "$(dirname "$0")"
if [ -n "${PYTHON:-}" ]; then PY="$PYTHON"; else PY="${VENV:-.venv}/bin/python"; [ -x "$PY" ] || PY=python; fi
die() { echo "run_train.sh: $*" >&2; exit 2; }
whole() { [[ "$2" =~ ^[0-9]+$ ]] || die "$1=$2: expected a whole number"; }
[ $# -ge 1 ] || die "usage: run_train.sh CONFIG [--out DIR] [--opts KEY VALUE ...]"
cfg="$1"; shift
NPROC="${NPROC:-1}"; NNODES="${NNODES:-1}"
whole NPROC "$NPROC"; whole NNODES "$NNODES"
[ "$NPROC" -ge 1 ] && [ "$NNODES" -ge 1 ] || die "NPROC=$NPROC, NNODES=$NNODES: expected at least 1"
train=(-m "${MODULE:-advomnipose.train}" --cfg "$cfg" "$@")
if [ "$NNODES" -gt 1 ]; then
  [ -n "${NODE_RANK:-}" ] || die "NNODES=$NNODES: set NODE_RANK (0..$((NNODES - 1))), a different one on every node"
  whole NODE_RANK "$NODE_RANK"
  [ "$NODE_RANK" -lt "$NNODES" ] || die "NODE_RANK=$NODE_RANK: expected 0..$((NNODES - 1))"
  [ -n "${MASTER_ADDR:-}" ] || die "NNODES=$NNODES: set MASTER_ADDR to the address of the node with NODE_RANK 0"
  MASTER_PORT="${MASTER_PORT:-29500}"; whole MASTER_PORT "$MASTER_PORT"
  exec "$PY" -m torch.distributed.run --nnodes "$NNODES" --node_rank "$NODE_RANK" --master_addr "$MASTER_ADDR" \
    --master_port "$MASTER_PORT" --nproc_per_node "$NPROC" "${train[@]}"
fi
[ "${NODE_RANK:-0}" = 0 ] || die "NODE_RANK=$NODE_RANK but NNODES=1: set NNODES to the number of nodes"
if [ "$NPROC" -gt 1 ]; then
  exec "$PY" -m torch.distributed.run --standalone --nproc_per_node "$NPROC" "${train[@]}"
fi
exec "$PY" "${train[@]}"
