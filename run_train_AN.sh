#!/usr/bin/env bash
# Adversarial OmniPose training: OmniPoseAN from scratch, or OmniPoseAN2 with --pretrained CKPT. Usage:
#   ./run_train_AN.sh CONFIG [--pretrained outputs/omnipose/run/model_best.pth] [--out DIR] [--opts KEY VALUE ...]
# GPUs, several nodes: as run_train.sh (GPUS in the config; NPROC, NNODES, NODE_RANK, MASTER_ADDR, MASTER_PORT), e.g.
#   NPROC=4 ./run_train_AN.sh CONFIG ...
#   NNODES=2 NODE_RANK=0 NPROC=4 MASTER_ADDR=10.0.0.1 ./run_train_AN.sh CONFIG --out /shared/outputs/run_an  (node 0)
# SLURM: MODULE=advomnipose.adversarial tools/slurm_train.sh PARTITION JOB_NAME CONFIG [WORK_DIR] [args]
set -euo pipefail
MODULE=advomnipose.adversarial exec "$(dirname "$0")/run_train.sh" "$@"
