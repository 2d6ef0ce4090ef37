#!/usr/bin/env bash
# Adversarial OmniPose training: OmniPoseAN from scratch, or OmniPoseAN2 with --pretrained CKPT. Usage:
#   ./run_train_AN.sh CONFIG [--pretrained outputs/omnipose/run/model_best.pth] [--out DIR] [--opts KEY VALUE ...]
# Several GPUs: NPROC=4 ./run_train_AN.sh CONFIG ...
set -euo pipefail
MODULE=advomnipose.adversarial exec "$(dirname "$0")/run_train.sh" "$@"
