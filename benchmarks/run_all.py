"""Run the benchmark suite; collect the JSON of every benchmark into outputs/benchmarks/all.json and write the
tables to BENCHMARKS.md (repo root) with the machine, versions, command and date.

    python benchmarks/run_all.py            # CPU, small settings (--quick): a few minutes
    python benchmarks/run_all.py --gpu      # CUDA, full settings (on an H100: `make bench ARGS=--gpu`)

Benchmarks run, each in its own process: bench_model.py (--quick / --gpu), bench_decode_eval.py and, when the
file exists, bench_data.py. BENCHMARKS.md keeps one section per mode (CPU quick / GPU full): a run rewrites its
own section and leaves the other as it was, then rewrites the closing section (input-bound estimate) from the
numbers available. Exit status 1 if a benchmark failed (its correctness guard included).
"""
import argparse, datetime, json, os, platform, re, shlex, subprocess, sys, time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from advomnipose.core import atomic_write_json, atomic_write_text, outputs_dir   # noqa: E402

MD = ROOT / 'BENCHMARKS.md'
GPU_CMD = 'make bench ARGS=--gpu'
WORKERS = 16
TARGET_CFG = ('W48', '384x288')       # the training configuration of the input-bound question
SECTIONS = ('cpu', 'onnx', 'gpu', 'input')   # onnx: written by benchmarks/bench_onnx.py, kept here


def machine(gpu: bool) -> dict:
    import torch
    cpu = platform.processor() or platform.machine()
    try:
        cpu = next(l.split(':', 1)[1].strip() for l in Path('/proc/cpuinfo').read_text().splitlines() if l.startswith('model name'))
    except (OSError, StopIteration): pass
    return dict(cpu=cpu, cores=os.cpu_count(), python=platform.python_version(), torch=torch.__version__, cuda=torch.version.cuda,
                gpu=torch.cuda.get_device_name(0) if gpu and torch.cuda.is_available() else None, platform=platform.platform())


def run_step(name, argv, log_dir, fallback_argv=None) -> dict:
    "Run one benchmark script, echoing its output; keep stdout for the report."
    t = time.perf_counter()
    print(f'\n=== {name}: {shlex.join(argv)}', flush=True)
    p = subprocess.run(argv, cwd=ROOT, capture_output=True, text=True)
    if p.returncode == 2 and fallback_argv and 'unrecognized arguments' in p.stderr:   # a script without --quick
        print(f'(retrying without the unsupported arguments: {shlex.join(fallback_argv)})')
        argv = fallback_argv; p = subprocess.run(argv, cwd=ROOT, capture_output=True, text=True)
    print(p.stdout, end=''); print(p.stderr[-4000:], end='', file=sys.stderr)
    (log_dir / f'{name}.log').write_text(p.stdout + '\n--- stderr ---\n' + p.stderr)
    return dict(command=shlex.join(['python'] + argv[1:]), rc=p.returncode, seconds=round(time.perf_counter() - t, 1), stdout=p.stdout,
                stderr_tail=p.stderr[-2000:])


def table_text(stdout: str, start: str) -> str:
    "The printed tables of a benchmark: from the line starting with `start` to the 'written ...' line."
    lines = stdout.splitlines()
    i = next((k for k, l in enumerate(lines) if l.startswith(start)), 0)
    out = [l for l in lines[i:] if not l.startswith('written ')]
    return '\n'.join(out).strip()


def load_json(p: Path):
    try: return json.loads(p.read_text())
    except (OSError, ValueError): return None


def find_values(obj, key, path=()):
    "(path, value) of every numeric `key` in a nested JSON object."
    if isinstance(obj, dict):
        for k, v in obj.items():
            if k == key and isinstance(v, (int, float)): yield '/'.join(map(str, path + (k,))), float(v)
            else: yield from find_values(v, key, path + (k,))
    elif isinstance(obj, list):
        for i, v in enumerate(obj): yield from find_values(v, key, path + (i,))


# ------------------------------------------------------------------------------------------ summaries
def model_summary(m: dict) -> list:
    if not m: return ['- model benchmark: no results (see its log)']
    out = [] if m.get('complete', True) else ['- NOTE: partial model results: a run was cut short by its time limit (what it finished is below)']
    for c in m['configs']:
        if c.get('error'): out.append(f"- W{c['width']} {c['input']}: {c['error']}")
        if 'cpu_target' not in c: continue
        t = c['cpu_target']
        out.append(f"- W{c['width']} {c['input']}: fp32 model as shipped vs the straightforward eager model (all last-module outputs): "
                   f"**{t['ratio']:.3f}x** (per-round quartiles {t['ratio_q1']:.3f}-{t['ratio_q3']:.3f}; {t['verdict']}; "
                   f"{t['gmacs_ours']:.2f} vs {t['gmacs_all_outputs']:.2f} GMACs/image)")
        for mode in ('inference', 'training'):
            rows = c.get(mode) or []
            if len(rows) > 1:
                f = rows[-1]
                out.append(f"  - {mode}: {f['variant']} {f['images_per_s']:.2f} images/s = **{f['speedup']:.2f}x** the fp32 NCHW eager baseline "
                           f"({rows[0]['images_per_s']:.2f} images/s); guard {'ok' if f.get('guard_ok') else 'FAILED'}")
    bad = [f"W{c['width']} {c['input']} {mode} {r['variant']}" for c in m['configs'] for mode in ('inference', 'training')
           for r in c.get(mode) or [] if r.get('guard_ok') is False]
    out.append(f"- correctness guard: {'all variants within the stated tolerances' if not bad else 'FAILED: ' + '; '.join(bad)}")
    if m.get('compile_note'): out.append(f"- {m['compile_note']}")
    return out


def decode_summary(d: dict) -> list:
    if not d: return ['- decode benchmark: no results (see its log)']
    out = []
    for r in d['decode']:
        kind = 'DARK' if r['dark'] else 'quarter-offset (non-DARK)'
        one = r.get('speedup_vs_1thread_reference')
        met = r['speedup'] >= 50 and (one is None or one >= 50)
        ceil = r.get('ceiling_speedup')
        where = f"on {r['gpu']}" if r.get('gpu') else 'CPU'
        out.append(f"- {kind} decode {r['heatmap']}, batch {r['batch']}x17, {where}: {r['vectorised_ms']:.2f} ms"
                   + (f" (of which the argmax pass alone {r['argmax_pass_ms']:.2f} ms)" if 'argmax_pass_ms' in r else '')
                   + f"; **{r['speedup']:.1f}x** the per-joint loop"
                   + (f" (**{one:.1f}x** the loop run single-threaded)" if one is not None else '')
                   + (f"; ceiling for a CPU decoder that reads every map once: {ceil:.0f}x" if ceil else '')
                   + f" -- target >= 50x: {'met' if met else 'NOT met'}"
                   + (' (above the ceiling: cannot be met on this CPU)' if ceil and ceil < 50 and not met else ''))
    return out


def data_rate(data: dict):
    """Samples/s of one worker for the training input size, from bench_data's JSON: its per-size rows of the kit's
    pipeline in shuffled order (single process = one worker; the slowest such row, to be conservative)."""
    if not data: return None
    size = (data.get('sizes') or {}).get(TARGET_CFG[1])
    if size:
        rows = [r for r in size.get('results', []) if str(r.get('pipeline', '')).startswith('advomnipose') and 'in order' not in r['pipeline']]
        if rows:
            r = min(rows, key=lambda r: r['samples_per_s'])
            return f"sizes/{TARGET_CFG[1]}: {r['pipeline']}", float(r['samples_per_s'])
    vals = list(find_values(data, 'samples_per_s_per_worker'))
    return min(vals, key=lambda pv: pv[1]) if vals else None


def gpu_train_rate(m: dict):
    "Fast-path training images/s of W48 384x288 from a model benchmark run on CUDA."
    if not m or not str(m.get('device', '')).startswith('cuda'): return None
    for c in m['configs']:
        if f"W{c['width']}" == TARGET_CFG[0] and c['input'] == TARGET_CFG[1] and c.get('training'):
            r = c['training'][-1]
            return dict(images_per_s=r['images_per_s'], variant=r['variant'], batch=c['batch'], gpu=m['machine'].get('gpu'))
    return None


def data_table(data: dict) -> str:
    "A markdown table of bench_data's per-size results."
    lines = ['| input | pipeline | samples/s (one worker) | ms/sample | x reference |', '|---|---|---|---|---|']
    for size, res in (data.get('sizes') or {}).items():
        for r in res.get('results', []):
            lines.append(f"| {size} | {r['pipeline']} | {r['samples_per_s']:.1f} | {r['ms_per_sample']:.2f} | {r['speedup_vs_reference']:.2f}x |")
        L = res.get('loader')
        if L: lines.append(f"| {size} | whole DataLoader, {L['workers']} workers on {L['cores']} cores ({L['order']}; wall clock) | "
                           f"{L['samples_per_s']:.1f} (all workers) | {1e3 * L['workers'] / L['samples_per_s']:.2f} per worker | - |")
    return '\n'.join(lines) if len(lines) > 2 else json.dumps(data)[:2000]


# ------------------------------------------------------------------------------------------ markdown
def section(name: str, body: str) -> str:
    return f'<!-- BEGIN {name} -->\n{body.strip()}\n<!-- END {name} -->'


def read_sections(text: str) -> dict:
    return {m.group(1): m.group(0) for m in re.finditer(r'<!-- BEGIN (\w+) -->.*?<!-- END \1 -->', text, re.S)}


def pending_gpu() -> str:
    return section('gpu', f"""## GPU (full settings)

**Pending: no GPU was lent to this task, so there are no GPU figures yet.** On a GPU machine with the kit installed, from
the repo root:

    {GPU_CMD}

It runs `bench_model.py --gpu` (batch 32; W32 and W48 at 256x192 and 384x288; fp32 NCHW eager baseline vs bf16 autocast +
channels_last + `torch.compile` with the unused last-module outputs skipped, training with fused Adam; TF32 off so the
baseline is true fp32; correctness guard in the same run), the decode/eval benchmark and the data benchmark (per-worker
samples/s on that machine, and the whole DataLoader with up to 16 workers), with the decoder on the GPU, and rewrites this
section and the next. Options of the model benchmark (fp16, compile mode, a
trained checkpoint with the |dAP| check): `python benchmarks/bench_model.py --help`. Expect tens of minutes (torch.compile
builds eight models).

On the GPU machine this workplace lends (the `device` tool: about 15 minutes of device time, nothing to install there),
the same measurements in priority order within one ~9-minute call: `make device-prep` here, then
`run(command="bash benchmarks/device_gpu.sh", carry=[".whl", ".device_carry"], timeout_s=570)`, then
`python benchmarks/run_all.py --gpu --import <files_at>` here (`benchmarks/device_gpu.sh` documents the steps: the decoder
on the GPU, W48 384x288 inference + training, one worker's data rate on that CPU, then W32 256x192 with the time left;
checked end to end with `DRY=1` on a CPU machine).""")


def run_section(mode: str, info: dict, steps: dict, res: dict, cmd: str, date: str) -> str:
    m = info
    title = 'CPU (quick settings)' if mode == 'cpu' else f"GPU (full settings): {m['gpu']}"
    parts = [f"## {title}", '',
             f"- machine: {m['cpu']}, {m['cores']} cores" + (f", GPU {m['gpu']}" if m['gpu'] else ', no GPU'),
             f"- versions: Python {m['python']}, torch {m['torch']}, CUDA {m['cuda'] or 'n/a'} ({m['platform']})",
             f"- command: `{cmd}`; date: {date}",
             f"- each benchmark's own command: " + '; '.join(f"`{s['command']}` ({s['seconds']} s, exit {s['rc']})" for s in steps.values()),
             '', '### Summary', '', *model_summary(res.get('model')), *decode_summary(res.get('decode_eval'))]
    if mode == 'gpu':
        g = gpu_train_rate(res.get('model'))
        if g: parts.append(f"<!-- gpu-summary {json.dumps(g)} -->")
    parts += ['', '### Model (`bench_model.py`)', '', table_text(steps['model']['stdout'], 'model benchmark on') or '(no output)',
              '', '### Decoding and COCO evaluation (`bench_decode_eval.py`)', '', table_text(steps['decode_eval']['stdout'], 'decode, batch') or '(no output)',
              '', '### Data pipeline (`bench_data.py`)', '']
    if res.get('data'):
        parts += ['One process, OpenCV and torch on one thread: samples/s of one data-loader worker on this machine\'s CPU.', '',
                  data_table(res['data'])]
    else:
        parts.append(table_text(steps['data']['stdout'], '') if 'data' in steps else '(not run: `benchmarks/bench_data.py` is not on this branch yet)')
    return section(mode, '\n'.join(parts))


H100_BF16_TFLOPS = 989.0      # H100 SXM dense bf16 tensor-core peak (NVIDIA datasheet)


def train_gflop_per_image() -> float:
    "3 x forward FLOPs (2 per MAC) of OmniPose-W48 at the target size, all last-module outputs (as training computes)."
    from advomnipose.omnipose import OmniPose, model_summary
    H, W = map(int, TARGET_CFG[1].split('x'))
    return 3 * 2 * model_summary(OmniPose(17, int(TARGET_CFG[0][1:]), init=None), (H, W))['macs'] / 1e9


def loader_rate(data: dict):
    "bench_data's whole-DataLoader measurement at the training input size (`--loader_workers`), or None."
    return ((data or {}).get('sizes') or {}).get(TARGET_CFG[1], {}).get('loader')


def input_section(gpu_rate, data, loader=None) -> str:
    head = f"## Is a GPU training step of {TARGET_CFG[0]} {TARGET_CFG[1]}, batch 32, input-bound with {WORKERS} workers?\n\n"
    if gpu_rate and loader:
        r, g = loader['samples_per_s'], gpu_rate['images_per_s']
        body = (f"Measured on one machine: the kit's training DataLoader with {loader['workers']} workers on {loader['cores']} cores "
                f"({loader['order']}, the conservative setting; batch {loader['batch_size']}, {loader['seconds']:.0f} s steady state) "
                f"delivers **{r:.0f} samples/s**; GPU training ({gpu_rate['gpu']}, {gpu_rate['variant']}, batch {gpu_rate['batch']}) "
                f"consumes **{g:.0f} images/s**. So the step is **{'input-bound' if r < g else 'not input-bound'}** "
                f"({r / g:.2f}x the GPU's rate)" + (f"; per-worker rate x {WORKERS} from the single-process benchmark: {data[1] * WORKERS:.0f} samples/s." if data else '.'))
    elif gpu_rate and data:
        cap = data[1] * WORKERS
        verdict = 'input-bound' if cap < gpu_rate['images_per_s'] else 'not input-bound'
        body = (f"Data pipeline: {data[1]:.1f} samples/s per worker (`{data[0]}` in data.json) x {WORKERS} workers = **{cap:.0f} samples/s**. "
                f"GPU training ({gpu_rate['gpu']}, {gpu_rate['variant']}, batch {gpu_rate['batch']}): **{gpu_rate['images_per_s']:.0f} images/s**. "
                f"So the step is **{verdict}** ({cap / gpu_rate['images_per_s']:.2f}x the GPU's rate; per-worker rates measured with one "
                f"worker may drop when {WORKERS} share the machine).")
    elif data:
        cap = data[1] * WORKERS
        gflop = train_gflop_per_image()
        body = (f"Data pipeline: {data[1]:.1f} samples/s per worker (`{data[0]}`, measured on the CPU named in the section above) x "
                f"{WORKERS} workers = **{cap:.0f} samples/s** (if workers scale linearly; no DataLoader overhead counted). Training is input-bound if the GPU trains "
                f"{TARGET_CFG[0]} {TARGET_CFG[1]} faster than that.\n\n"
                f"Estimate, not a measurement: a training step costs about 3 x the forward pass = 3 x 2 x {gflop / 6:.1f} GMAC = "
                f"{gflop:.0f} GFLOP per image (convolutions, all last-module outputs computed), so {cap:.0f} images/s would need "
                f"{cap * gflop / 1e3:.0f} TFLOP/s, {100 * cap * gflop / 1e3 / H100_BF16_TFLOPS:.0f}% of an H100 SXM's dense bf16 peak "
                f"({H100_BF16_TFLOPS:.0f} TFLOP/s) -- "
                + ("more than the peak, so the step **cannot** be input-bound"
                   if cap * gflop / 1e3 > H100_BF16_TFLOPS else
                   "a high utilisation for a network of many small convolutions on low-resolution branches, so the step is "
                   "probably **not** input-bound")
                + f" with {WORKERS} workers (the slowest shuffled row is used; the kit's image-window sampler is faster still); "
                f"the measured GPU rate decides.\n\n"
                f"Pending: the measured GPU training images/s (no GPU lent). `{GPU_CMD}` on a GPU machine, or `benchmarks/device_gpu.sh` "
                f"on a lent one (see the GPU section), measures it together with the whole DataLoader with {WORKERS} workers on that "
                f"machine and rewrites this section with the answer.")
    else:
        body = ("Pending: needs both numbers -- samples/s per worker from `benchmarks/bench_data.py` and the GPU "
                f"training images/s of {TARGET_CFG[0]} {TARGET_CFG[1]} batch 32 (pending, no GPU lent). Input-bound if "
                f"samples/s per worker x {WORKERS} < GPU training images/s; `{GPU_CMD}` on an H100 measures both.")
    return section('input', head + body)


def write_md(mode, info, steps, res, cmd, date, md=MD):
    old = read_sections(md.read_text()) if md.exists() else {}
    secs = dict(old)
    secs[mode] = run_section(mode, info, steps, res, cmd, date)
    if 'gpu' not in secs or 'Pending: no GPU' in secs['gpu']: secs['gpu'] = pending_gpu()   # keep the instructions current
    if 'cpu' not in secs: secs['cpu'] = section('cpu', '## CPU (quick settings)\n\nNot run yet: `make bench`.')
    if 'onnx' not in secs:
        secs['onnx'] = section('onnx', '## ONNX Runtime (CPU)\n\nNot run yet: `python benchmarks/bench_onnx.py`.')
    g = gpu_train_rate(res.get('model')) if mode == 'gpu' else None
    if g is None:
        mm = re.search(r'<!-- gpu-summary (\{.*?\}) -->', secs['gpu'])
        g = json.loads(mm.group(1)) if mm else None
    secs['input'] = input_section(g, data_rate(res.get('data')), loader_rate(res.get('data')) if mode == 'gpu' else None)
    head = ("# Benchmarks\n\nWritten by `make bench` (`python benchmarks/run_all.py [--gpu]`). Every speed-up is a ratio against a "
            "baseline measured in the same run (interleaved rounds, medians; on the CPU, single-threaded CPU time of the thread). Scripts: `benchmarks/bench_model.py`, "
            "`benchmarks/bench_decode_eval.py`, `benchmarks/bench_data.py`; raw numbers in `outputs/benchmarks/*.json`. "
            "A run rewrites the section of its mode and the last section.\n")
    atomic_write_text(head + '\n' + '\n\n'.join(secs[s] for s in SECTIONS) + '\n', md)


def write_env(path: Path):
    "The machine description of a device run (benchmarks/device_gpu.sh): `machine()` plus library versions and nvidia-smi."
    import cv2, numpy, torch
    m = machine(torch.cuda.is_available())
    m.update(numpy=numpy.__version__, opencv=cv2.__version__, date=datetime.datetime.now().isoformat(timespec='seconds'))
    try:
        import importlib.metadata as md
        m['pycocotools'] = md.version('pycocotools')
    except Exception: m['pycocotools'] = None
    if torch.cuda.is_available():
        p = subprocess.run(['nvidia-smi'], capture_output=True, text=True)
        m['nvidia_smi'] = p.stdout; print(p.stdout)
    atomic_write_json(m, path)
    print(json.dumps({k: v for k, v in m.items() if k != 'nvidia_smi'}))


def _captured(argv) -> str:
    p = subprocess.run(argv, cwd=ROOT, capture_output=True, text=True)
    if p.returncode: raise SystemExit(f"{shlex.join(argv)} failed:\n{p.stderr[-2000:]}")
    return p.stdout


def import_device_run(d: Path):
    """(machine, steps, results, date) of a `benchmarks/device_gpu.sh` run from the folder its files came back to:
    env.json, steps.tsv, decode.json, model_w48.json / model_w32.json (partial ones too), data.json."""
    env = load_json(d / 'env.json')
    if env is None: raise SystemExit(f"--import: {d / 'env.json'} is missing or unreadable; expected the files of benchmarks/device_gpu.sh")
    tsv = {}
    if (d / 'steps.tsv').exists():
        for line in (d / 'steps.tsv').read_text().splitlines():
            if line.count('\t') < 3: continue
            name, rc, sec, cmd = line.split('\t', 3)
            tsv[name] = dict(rc=int(rc) if rc.lstrip('-').isdigit() else rc, seconds=int(sec), command=cmd.replace('python3 ', 'python ', 1))
    out = outputs_dir('benchmarks', 'device'); py = sys.executable      # the imported results, beside (not over) this machine's
    steps, res = {}, {}
    models = [m for m in (load_json(d / f) for f in ('model_w48.json', 'model_w32.json')) if m]
    if models:
        merged = dict(models[0], configs=[c for m in models for c in m['configs']], complete=all(m.get('complete') for m in models),
                      command='; '.join(m['command'] for m in models))
        atomic_write_json(merged, out / 'model.json'); res['model'] = merged
        ran = [tsv[k] for k in ('model48', 'model32') if k in tsv and tsv[k]['rc'] != 'skipped']
        steps['model'] = dict(command='; '.join(r['command'] for r in ran) or merged['command'], seconds=sum(r['seconds'] for r in ran),
                              rc=next((r['rc'] for r in ran if r['rc'] != 0), 0),      # the first failure, if any
                              stdout=_captured([py, 'benchmarks/bench_model.py', '--print_json', str(out / 'model.json')]))
    for name, key, script in (('decode', 'decode_eval', 'bench_decode_eval.py'), ('data', 'data', None)):
        r = load_json(d / f'{name}.json')
        if r is None: continue
        atomic_write_json(r, out / f'{key}.json'); res[key] = r
        t = tsv.get(name, dict(command=r.get('command', '?'), seconds=0, rc=0))
        steps[key] = dict(t, stdout=_captured([py, f'benchmarks/{script}', '--print_json', str(out / f'{key}.json')]) if script else data_table(r))
    return env, steps, res, env.get('date') or datetime.datetime.now().isoformat(timespec='seconds')


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    g = ap.add_mutually_exclusive_group()
    g.add_argument('--quick', action='store_true', help='CPU small settings (the default)')
    g.add_argument('--gpu', action='store_true', help='CUDA full settings')
    ap.add_argument('--skip', nargs='*', default=[], choices=['model', 'decode_eval', 'data'], help='benchmarks to leave out')
    ap.add_argument('--no_md', action='store_true', help='do not rewrite BENCHMARKS.md')
    ap.add_argument('--data_json', default=None, help="use this bench_data.py result (JSON) instead of running the data benchmark")
    ap.add_argument('--import', dest='import_dir', default=None, metavar='DIR',
                    help='write the GPU section from the files of a benchmarks/device_gpu.sh run (the device tool\'s files_at folder) instead of running')
    ap.add_argument('--md', default=str(MD), help='the markdown file to rewrite (default BENCHMARKS.md)')
    ap.add_argument('--env_json', default=None, metavar='JSON', help='write this machine\'s description (versions, CPU, GPU, nvidia-smi) to JSON and exit')
    a = ap.parse_args(argv)
    if a.env_json: return write_env(Path(a.env_json))
    md = Path(a.md)
    if a.import_dir:
        d = Path(a.import_dir)
        if not d.is_dir(): raise SystemExit(f'--import: {d} is not a folder')
        info, steps, res, date = import_device_run(d)
        cmd = 'bash benchmarks/device_gpu.sh (on the lent GPU machine; imported with python benchmarks/run_all.py --gpu --import)'
        if not res.get('model'): raise SystemExit(f'--import: no model benchmark results (model_w48.json / model_w32.json) in {d}')
        steps.setdefault('decode_eval', dict(command='(not run)', seconds=0, rc='-', stdout=''))
        write_md('gpu' if info.get('gpu') else 'cpu', info, steps, res, cmd, date, md)
        print(f'written {md} from {d}'); return
    mode = 'gpu' if a.gpu else 'cpu'
    if a.gpu:
        import torch
        if not torch.cuda.is_available(): raise SystemExit('--gpu: torch.cuda.is_available() is False on this machine (no GPU or a CPU-only torch)')
    flag = '--gpu' if a.gpu else '--quick'
    out = outputs_dir('benchmarks'); logs = outputs_dir('benchmarks', 'logs')
    py, b = sys.executable, 'benchmarks'                   # paths relative to the repo root (the working directory)
    plan = {'model': ([py, f'{b}/bench_model.py', flag], None, out / 'model.json'),
            'decode_eval': ([py, f'{b}/bench_decode_eval.py'] + (['--device', 'cuda'] if a.gpu else []), None, out / 'decode_eval.json')}
    if a.data_json:
        print(f'data benchmark: using the existing result {a.data_json}')
    elif (ROOT / b / 'bench_data.py').exists():
        plan['data'] = ([py, f'{b}/bench_data.py'] + (['--rounds', '2'] if mode == 'cpu' else
                                                      ['--loader_workers', str(min(WORKERS, os.cpu_count() or 1))]),
                        [py, f'{b}/bench_data.py'], out / 'data.json')
    else:
        print('benchmarks/bench_data.py not found: the data benchmark is skipped')
    steps, res = {}, {}
    for name, (argv_, fallback, js) in plan.items():
        if name in a.skip: continue
        if js.exists(): js.unlink()                       # never report a stale file
        steps[name] = run_step(name, argv_, logs, fallback)
        res[name] = load_json(js)
    if a.data_json:
        res['data'] = load_json(Path(a.data_json))
        if res['data'] is None: raise SystemExit(f'--data_json: cannot read {a.data_json}')
        steps['data'] = dict(command=res['data'].get('command', '?') + f' (earlier result: {a.data_json})', rc=0, seconds=0,
                             stdout=data_table(res['data']), stderr_tail='')
    info = machine(a.gpu)
    cmd = ' '.join(['python benchmarks/run_all.py'] + list(argv if argv is not None else sys.argv[1:]))
    date = datetime.datetime.now().isoformat(timespec='seconds')
    atomic_write_json(dict(mode=mode, command=cmd, date=date, machine=info,
                           steps={k: {kk: vv for kk, vv in v.items() if kk != 'stdout'} for k, v in steps.items()}, results=res),
                      out / 'all.json')
    if not a.no_md and {'model', 'decode_eval'} <= set(steps) and res.get('model'): write_md(mode, info, steps, res, cmd, date, md)
    elif not a.no_md: print('BENCHMARKS.md left as it was (the model benchmark was skipped or gave no results)')
    print(f"\nwritten {out / 'all.json'}" + ('' if a.no_md else f' and {md}'))
    failed = [k for k, s in steps.items() if s['rc'] != 0]
    if failed: print('FAILED:', ', '.join(failed)); sys.exit(1)


if __name__ == '__main__':
    main()
