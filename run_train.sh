#!/usr/bin/env bash
# Supervised OmniPose training (the original's script name). Usage:
#   ./run_train.sh experiments/coco/omnipose_w48_384x288_train.yaml [--out DIR] [--opts KEY VALUE ...]
# Several GPUs: NPROC=4 ./run_train.sh CONFIG ...   (torchrun, DistributedDataParallel)
set -euo pipefail
cd "$(dirname "$0")"
PY="${VENV:-.venv}/bin/python"; [ -x "$PY" ] || PY=python
cfg="$1"; shift
if [ "${NPROC:-1}" -gt 1 ]; then
  exec "$PY" -m torch.distributed.run --standalone --nproc_per_node "$NPROC" -m "${MODULE:-advomnipose.train}" --cfg "$cfg" "$@"
fi
exec "$PY" -m "${MODULE:-advomnipose.train}" --cfg "$cfg" "$@"
