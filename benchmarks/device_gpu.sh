#!/usr/bin/env bash
# The GPU benchmark as one prepared command for a lent GPU machine (the `device` tool of this workplace): nothing can
# be fetched there, its python3 already holds torch, numpy, OpenCV, PyYAML, tqdm and matplotlib, and a session has
# about 15 minutes of device time in all, so the steps run in order of importance against one deadline.
#
#   here, once per checkout:  make device-prep
#                             (.whl/: the pycocotools wheel for the device's Python; .device_carry/: the COCO excerpt)
#   there, one call:          run(command="bash benchmarks/device_gpu.sh", carry=[".whl", ".device_carry"], timeout_s=570)
#   here, afterwards:         python benchmarks/run_all.py --gpu --import <the call's files_at folder>
#                             (rewrites the GPU section and the input-bound section of BENCHMARKS.md)
#
# Steps (each writes its JSON into $OUT as it goes; a step cut short by the deadline keeps what it measured):
#   env      versions and the GPU (env.json, nvidia-smi in log.txt)
#   decode   the decoder on the GPU vs the per-joint loop (bench_decode_eval.py --device cuda)           ~1 min
#   model48  W48 384x288 batch 32: fp32 NCHW eager baseline vs bf16 autocast + channels_last (eager, and
#            + torch.compile), inference then training, correctness guard (bench_model.py --gpu)     most of the time
#   data     one data-loader worker's samples/s on this machine's CPU, 384x288, and the whole training
#            DataLoader with 16 workers (bench_data.py --loader_workers 16)                          ~1-2 min
#   model32  W32 256x192 batch 32, the same variants, with whatever time is left
#
# Environment: BUDGET (seconds for all steps, default 500), OUT (default outputs/benchmarks/device),
# PYTHON (default python3), DRY=1 (tiny CPU settings: checks the plumbing on a machine without a GPU).
set -u -o pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
OUT=${OUT:-outputs/benchmarks/device}
BUDGET=${BUDGET:-500}
DRY=${DRY:-0}
mkdir -p "$OUT"
LOG="$OUT/log.txt"; : > "$LOG"; : > "$OUT/steps.tsv"
START=$(date +%s); DEADLINE=$((START + BUDGET))
export PYTHONUNBUFFERED=1

say() { echo "$*" | tee -a "$LOG"; }
left() { echo $((DEADLINE - $(date +%s))); }

if compgen -G ".whl/*.whl" > /dev/null; then               # packages the device lacks, carried as wheels
    "$PY" -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target /tmp/advomnipose-site .whl/*.whl \
        >> "$LOG" 2>&1 || { say "wheel install failed"; exit 1; }
    export PYTHONPATH=/tmp/advomnipose-site${PYTHONPATH:+:$PYTHONPATH}
fi
export PYTHONPATH=$PWD${PYTHONPATH:+:$PYTHONPATH}
[ -d .device_carry/shared/data ] && export ADVOMNIPOSE_SHARED=$PWD/.device_carry/shared

# step NAME MIN_SECONDS MAX_SECONDS COMMAND...: run with a time limit of min(MAX, time left); skip if under MIN is left
step() {
    local name=$1 min=$2 max=$3; shift 3
    local t=$(left); [ "$t" -gt "$max" ] && t=$max
    if [ "$t" -lt "$min" ]; then say "=== $name: skipped ($t s left, needs $min)"; printf '%s\tskipped\t0\t%s\n' "$name" "$*" >> "$OUT/steps.tsv"; return; fi
    say "=== $name (limit $t s): $*"
    local t0=$(date +%s)
    timeout --signal=TERM --kill-after=15 "$t" "$@" 2>&1 | tee -a "$LOG"
    local rc=$?
    say "=== $name: exit $rc after $(( $(date +%s) - t0 )) s"
    printf '%s\t%s\t%s\t%s\n' "$name" "$rc" "$(( $(date +%s) - t0 ))" "$*" >> "$OUT/steps.tsv"
}

if [ "$DRY" = 1 ]; then
    DEC=(--device cpu --batch 8 --repeats 2 --ref_repeats 2 --no_coco)
    TINY=(--device cpu --sizes 64x64 --batch 2 --iters 2 --warmup 1 --train_iters 2 --train_warmup 1 --amp bf16 --compile --compile_backend aot_eager)
    M48=(--widths 48 "${TINY[@]}")
    M32=(--widths 32 "${TINY[@]}")
    DATA=(--sizes 384x288 --rounds 1 --windows 64 --loader_workers 2 --loader_seconds 5)
else
    DEC=(--device cuda --no_coco)
    M48=(--gpu --widths 48 --sizes 384x288)
    M32=(--gpu --widths 32 --sizes 256x192)
    DATA=(--sizes 384x288 --rounds 2 --windows 64 --loader_workers 16 --loader_seconds 20)
fi

step env 5 60 "$PY" benchmarks/run_all.py --env_json "$OUT/env.json"
step decode 30 150 "$PY" benchmarks/bench_decode_eval.py "${DEC[@]}" --out "$OUT/decode.json"
step model48 120 $(( $(left) - 120 )) "$PY" benchmarks/bench_model.py "${M48[@]}" --out "$OUT/model_w48.json"
if [ -n "${ADVOMNIPOSE_SHARED:-}" ]; then
    step data 30 120 "$PY" benchmarks/bench_data.py "${DATA[@]}" --out "$OUT/data.json"
else
    say "=== data: skipped (no .device_carry/shared/data: run make device-prep here and carry .device_carry)"
fi
step model32 90 100000 "$PY" benchmarks/bench_model.py "${M32[@]}" --out "$OUT/model_w32.json"
say "=== all steps done in $(( $(date +%s) - START )) s; files in $OUT: $(ls "$OUT" | tr '\n' ' ')"
