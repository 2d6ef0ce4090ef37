#!/usr/bin/env bash
# Adversarial OmniPose training: OmniPoseAN from scratch, or OmniPoseAN2 with --pretrained CKPT. Usage:
#   ./run_train_AN.sh CONFIG [--pretrained outputs/omnipose/run/model_best.pth] [--out DIR] [--opts KEY VALUE ...]
# Several GPUs: NPROC=4 ./run_train_AN.sh CONFIG ...
set -euo pipefail
cd "$(dirname "$0")"
PY="${VENV:-.venv}/bin/python"; [ -x "$PY" ] || PY=python
cfg="$1"; shift
if [ "${NPROC:-1}" -gt 1 ]; then
  exec "$PY" -m torch.distributed.run --standalone --nproc_per_node "$NPROC" -m advomnipose.adversarial --cfg "$cfg" "$@"
fi
exec "$PY" -m advomnipose.adversarial --cfg "$cfg" "$@"
