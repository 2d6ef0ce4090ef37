#!/usr/bin/env bash
# Run an OmniPose checkpoint over a folder or zip of images, or a video (the original's demo script name).
# Every argument is passed to `python -m advomnipose.inference`; see `./run_demo.sh --help`.
#   ./run_demo.sh --ckpt outputs/run/model_best.pth --images PHOTOS --out OUT      # persons from a detector
#   ./run_demo.sh --ckpt outputs/run/model_best.pth --images IMAGES --gt person_keypoints_val2017.json --out OUT
#   ./run_demo.sh --ckpt outputs/run/model_best.pth --video clip.mp4 --out OUT
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
PY="${VENV:-$ROOT/.venv}/bin/python"
[ -x "$PY" ] || PY=python
export PYTHONPATH="$ROOT${PYTHONPATH:+:$PYTHONPATH}"
exec "$PY" -m advomnipose.inference "$@"
