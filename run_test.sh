#!/usr/bin/env bash
# Evaluate a checkpoint on its config's validation set (HRNet's tools/test.py). Usage:
#   ./run_test.sh experiments/coco/omnipose_w48_384x288_train.yaml [--ckpt PATH] [--out DIR] [--overwrite] [--opts KEY VALUE ...]
# The checkpoint: --ckpt, else the config's TEST.MODEL_FILE, else model_best.pth of the config's run folder
# (outputs/<config name>); results and metrics.json go to --out (default: that run folder's test/).
set -euo pipefail
cd "$(dirname "$0")"
PY="${VENV:-.venv}/bin/python"; [ -x "$PY" ] || PY=python
if [ $# -lt 1 ]; then sed -n '2,5p' "$0" >&2; exit 2; fi
cfg="$1"; shift
exec "$PY" -m advomnipose.cli test --cfg "$cfg" "$@"
