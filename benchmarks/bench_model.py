"""OmniPose speed: inference and training images/s of the fp32 NCHW eager baseline against the fast path,
peak memory, and a correctness guard, all measured in the same run.

    python benchmarks/bench_model.py --quick          # CPU: batch 2, W32 + W48 at 256x192, a few minutes
    python benchmarks/bench_model.py --gpu            # CUDA: batch 32, W32/W48 at 256x192 and 384x288
    python benchmarks/bench_model.py --gpu --amp fp16 --compile-mode max-autotune
    python benchmarks/bench_model.py --gpu --ckpt CKPT --cfg YAML     # + |dAP| <= 0.001 on the validation set

Variants (each a fresh copy of the same initial weights, same input batch):
  baseline      fp32, NCHW, eager, computing every output of the last stage-4 module as the original
                does (`last_module_all_outputs=True`) -- the "straightforward eager implementation";
  fp32 eager    the model as shipped at inference: fp32, NCHW, eager, unused last-module outputs skipped
                (its ratio to the baseline is the CPU target "no slower than the straightforward model");
  fp32 + CL     the same in channels_last (CPU);
  <amp> + CL    autocast (bf16 by default, fp16 with --amp fp16) + channels_last, eager (GPU);
  fast          autocast + channels_last + torch.compile (+ unused outputs skipped; fused Adam on CUDA).
Training runs baseline (fp32 NCHW eager, train mode: all outputs, as the original) against the fast path:
forward + joints-MSE loss + backward + Adam step (fp16 with a GradScaler).

Timing: warm-up calls, then `--iters` rounds in which every variant runs once (interleaved, order rotated, so load
changes on a shared machine hit all variants alike), `torch.cuda.synchronize()` around each call; medians (speed-up: median
over rounds of baseline time / variant time). On the CPU with one torch thread (--quick) the clock is the thread's CPU
time (time.thread_time), which other users' jobs on a shared machine inflate less than wall time; wall clock otherwise
(--clock). Every
speed-up is a ratio against the baseline of the same run. Peak memory: CUDA `max_memory_allocated` above
what was allocated before the call; CPU: peak-RSS increase during the call (VmHWM after resetting it through
/proc/self/clear_refs), approximate, "n/a" where the kernel refuses.

Correctness guard (stated tolerances, checked in the same run; a failure is printed and exits with status 1):
  heatmaps   max |fast - baseline| / (max - min of the baseline heatmaps) <= 1e-4 (fp32 variants),
             1e-2 (fp16), 5e-2 (bf16);
  keypoints  with random weights the raw heatmaps have no peaks to decode, so the fast path's error, divided by
             the range of the baseline heatmaps (the output's scale, as for the heatmap error), is added to clean
             sigma-2 Gaussians of height 1 (what a trained model outputs) and both are decoded with
             `decode_heatmaps` (DARK): max displacement <=
             0.01 heatmap px (fp32), 0.25 heatmap px = 1 input px (fp16/bf16). The raw maps' decoded
             agreement is reported too (informative with random weights; a real check with --ckpt);
  training   first step from identical weights: |loss - baseline| / baseline <= 1e-4 (fp32), 2e-2 (amp);
             cosine of the output layer's gradient with the baseline's >= 0.9999 (fp32), 0.99 (amp); cosine of
             the whole model's gradient >= 0.999 (fp32 variants). Under autocast the whole-model cosine is
             reported, not checked: at random initialisation, backpropagation through ~100 train-mode
             BatchNorms turns bf16 rounding into gradient noise in the early layers (measured: whole-model
             cosine 0.34 for W32 256x192 batch 2 on CPU while the head's last conv agrees to 0.9998);
  AP         with --ckpt and --cfg: COCO AP of both paths on the validation set, |dAP| <= 0.001.
"""
import argparse, contextlib, copy, datetime, json, os, platform, statistics, sys, time
from dataclasses import dataclass, asdict
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from advomnipose.core import atomic_write_json, outputs_dir   # noqa: E402
from advomnipose.decode import decode_heatmaps   # noqa: E402
from reference import gaussian_maps   # noqa: E402
from advomnipose.hrnet import trainable_parameters   # noqa: E402
from advomnipose.omnipose import OmniPose, model_summary   # noqa: E402

TOL = {  # stated before measuring; see the module docstring
    'heatmap_rel': {None: 1e-4, 'fp16': 1e-2, 'bf16': 5e-2},
    'keypoint_px': {None: 0.01, 'fp16': 0.25, 'bf16': 0.25},
    'loss_rel': {None: 1e-4, 'fp16': 2e-2, 'bf16': 2e-2},
    'out_grad_cos': {None: 0.9999, 'fp16': 0.99, 'bf16': 0.99},
    'grad_cos': {None: 0.999, 'fp16': None, 'bf16': None},     # whole model: informative only under autocast (see above)
    'ap_abs': 0.001,
}


@dataclass
class Variant:
    name: str
    amp: str | None = None            # None (fp32) | 'bf16' | 'fp16'
    channels_last: bool = False
    compile: bool = False
    all_outputs: bool | None = None   # HRNetBackbone.last_module_all_outputs
    fused_adam: bool = False


# ----------------------------------------------------------------------------------------------- machine
def cpu_model() -> str:
    try:
        for line in Path('/proc/cpuinfo').read_text().splitlines():
            if line.startswith('model name'): return line.split(':', 1)[1].strip()
    except OSError: pass
    return platform.processor() or platform.machine()


def machine_info(device) -> dict:
    info = dict(cpu=cpu_model(), cores=os.cpu_count(), torch_threads=torch.get_num_threads(), python=platform.python_version(),
                torch=torch.__version__, cuda=torch.version.cuda, cudnn=torch.backends.cudnn.version() if torch.cuda.is_available() else None,
                gpu=torch.cuda.get_device_name(device) if device.type == 'cuda' else None)
    return info


# ----------------------------------------------------------------------------------------------- helpers
def sync(device):
    if device.type == 'cuda': torch.cuda.synchronize(device)


def autocast(device, amp):
    if amp is None: return contextlib.nullcontext()
    return torch.autocast(device.type, dtype=torch.bfloat16 if amp == 'bf16' else torch.float16)


def _proc_kb(field):
    for line in Path('/proc/self/status').read_text().splitlines():
        if line.startswith(field + ':'): return int(line.split()[1])
    raise KeyError(field)


def peak_memory(fn, device):
    "Run `fn` once; the peak memory it added in MiB (CUDA: max_memory_allocated; CPU: peak RSS), or None."
    if device.type == 'cuda':
        sync(device); torch.cuda.reset_peak_memory_stats(device); m0 = torch.cuda.memory_allocated(device)
        fn(); sync(device)
        return (torch.cuda.max_memory_allocated(device) - m0) / 2 ** 20
    try:
        Path('/proc/self/clear_refs').write_text('5')           # resets VmHWM to the current RSS
        r0 = _proc_kb('VmRSS')
    except (OSError, KeyError):
        fn(); return None
    fn()
    return (_proc_kb('VmHWM') - r0) / 1024


def interleaved_times(fns: dict, warmup: int, iters: int, device, clock=time.perf_counter) -> dict:
    "Seconds per call of each function, one list per function: `warmup` calls each, then `iters` rounds of one call each (order rotated)."
    for f in fns.values():
        for _ in range(warmup): f()
    sync(device)
    ts, names = {k: [] for k in fns}, list(fns)
    for i in range(iters):
        for k in names[i % len(names):] + names[:i % len(names)]:       # rotate the order: no variant always runs first
            sync(device); t = clock(); fns[k](); sync(device); ts[k].append(clock() - t)
    return ts


def speed(ts: dict, name: str, base: str, n: int, best: bool = False) -> dict:
    """images/s and speed-up over the baseline. Wall clock: median time, and the median over rounds of (baseline time /
    this time). `best` (CPU time on a shared machine, where interference only ever adds time): the fastest round of each.
    Quartiles of the per-round ratios either way."""
    r = sorted(b / t for b, t in zip(ts[base], ts[name]))
    q = statistics.quantiles(r, n=4, method='inclusive') if len(r) > 1 else [r[0]] * 3
    t = min(ts[name]) if best else statistics.median(ts[name])
    sp = min(ts[base]) / min(ts[name]) if best else statistics.median(r)
    return dict(images_per_s=n / t, ms=t * 1e3, speedup=sp, speedup_q1=q[0], speedup_q3=q[2], rounds=len(r),
                round_ms=[round(x * 1e3, 2) for x in ts[name]])


def set_all_outputs(model, value):
    model.last_module_all_outputs = value     # OmniPose is an HRNetBackbone
    return model


def prepare(model, v: Variant, device, train: bool, args):
    m = set_all_outputs(copy.deepcopy(model).to(device).train(train), v.all_outputs)
    if v.channels_last: m = m.to(memory_format=torch.channels_last)
    fwd = m
    if v.compile:
        fwd = (torch.compile(m, mode=args.compile_mode) if args.compile_backend == 'inductor'
               else torch.compile(m, backend=args.compile_backend))      # 'eager' / 'aot_eager': plumbing checks without codegen
    return m, fwd


def joints_mse():
    "The training loss: advomnipose.train.JointsMSELoss if present, else 0.5 * mean((w * (pred - target))^2) (spec §8)."
    try:
        from advomnipose.train import JointsMSELoss
        crit = JointsMSELoss(use_target_weight=True)
        return (lambda out, tgt, w: crit(out, tgt, w)), 'advomnipose.train.JointsMSELoss'
    except (ImportError, TypeError):
        return (lambda out, tgt, w: 0.5 * ((w[..., None] * (out - tgt)) ** 2).mean()), 'local 0.5*mean((w*(p-t))^2)'


# ----------------------------------------------------------------------------------------------- guard
def keypoint_guard(base: torch.Tensor, out: torch.Tensor, seed=0) -> dict:
    """Keypoint displacement caused by the fast path's heatmap error on clean peaks (see the docstring), and
    the agreement of the keypoints decoded from the raw maps (heatmap px)."""
    base, out = base.detach().float().cpu(), out.detach().float().cpu()
    N, J, H, W = base.shape
    rng = float(base.max() - base.min()) or 1.0            # the output's scale (a trained model: peaks of height ~1)
    g = torch.Generator().manual_seed(seed)
    lo = torch.tensor([4.0, 4.0], dtype=torch.float64); span = torch.tensor([W - 9.0, H - 9.0], dtype=torch.float64)
    mu = lo + torch.rand(N, J, 2, generator=g, dtype=torch.float64) * span
    clean = gaussian_maps(mu, (W, H), 2.0)
    p0, _ = decode_heatmaps(clean)
    p1, _ = decode_heatmaps(clean + (out - base) / rng)
    r0, _ = decode_heatmaps(base); r1, _ = decode_heatmaps(out)
    raw = (r1 - r0).norm(dim=-1)
    return dict(kp_max_err_px=float((p1 - p0).norm(dim=-1).max()),
                raw_kp_median_err_px=float(raw.median()), raw_kp_within_1px=float((raw <= 1).float().mean()))


def heatmap_errors(base, out) -> dict:
    base, out = base.detach().float().cpu(), out.detach().float().cpu()
    d = float((out - base).abs().max())
    return dict(hm_max_abs_err=d, hm_rel_err=d / max(float(base.max() - base.min()), 1e-30))


def output_layer(model):
    "Parameters of the conv that outputs the heatmaps (the layer next to the loss)."
    last = [mod for mod in model.modules() if isinstance(mod, torch.nn.Conv2d) and mod.out_channels == model.num_joints][-1]
    return list(last.parameters())


def flat_grad(params):
    return torch.cat([(p.grad if p.grad is not None else torch.zeros_like(p)).detach().float().reshape(-1) for p in params])


# ----------------------------------------------------------------------------------------------- runs
def bench_inference(model, variants, x, args, device):
    fns, outs, mem, rows = {}, {}, {}, []
    for v in variants:
        m, fwd = prepare(model, v, device, False, args)
        xi = x.contiguous(memory_format=torch.channels_last) if v.channels_last else x
        def call(fwd=fwd, xi=xi, amp=v.amp):
            with torch.no_grad(), autocast(device, amp): return fwd(xi)
        t = time.perf_counter(); outs[v.name] = call().float(); sync(device); first = time.perf_counter() - t   # compiles if needed
        mem[v.name] = peak_memory(call, device)
        fns[v.name] = call
        rows.append(dict(variant=v.name, config=asdict(v), first_call_s=first))
    times = interleaved_times(fns, max(args.warmup - 1, 0), args.iters, device, args.clock_fn)
    base = variants[0].name
    for r in rows:
        n = r['variant']; v = Variant(**r['config'])
        sp = speed(times, n, base, x.shape[0]); sp['ms_per_batch'] = sp.pop('ms')
        r.update(sp, peak_mem_mib=mem[n])
        if n != base:
            r.update(heatmap_errors(outs[base], outs[n])); r.update(keypoint_guard(outs[base], outs[n]))
            r['tolerance'] = dict(hm_rel_err=TOL['heatmap_rel'][v.amp], kp_max_err_px=TOL['keypoint_px'][v.amp])
            r['guard_ok'] = r['hm_rel_err'] <= r['tolerance']['hm_rel_err'] and r['kp_max_err_px'] <= r['tolerance']['kp_max_err_px']
    return rows


def bench_training(model, variants, x, args, device, loss_fn):
    N = x.shape[0]; J = model.num_joints; H, W = x.shape[-2] // 4, x.shape[-1] // 4
    g = torch.Generator().manual_seed(1)
    mu = torch.rand(N, J, 2, generator=g, dtype=torch.float64) * torch.tensor([W - 1.0, H - 1.0], dtype=torch.float64)
    target = gaussian_maps(mu, (W, H), 2.0).to(device)
    weight = (torch.rand(N, J, 1, generator=g) > 0.1).float().to(device)
    fns, mem, rows, guard = {}, {}, [], {}
    for v in variants:
        m, fwd = prepare(model, v, device, True, args)
        xi = x.contiguous(memory_format=torch.channels_last) if v.channels_last else x
        params = trainable_parameters(m)
        opt = torch.optim.Adam(params, lr=1e-4, fused=v.fused_adam or None)
        scaler = torch.amp.GradScaler(device.type) if v.amp == 'fp16' else None
        # guard step: from the shared initial weights, same batch; fp16 grads with a fixed scale, unscaled; then an Adam step
        t = time.perf_counter()
        opt.zero_grad(set_to_none=True)
        with autocast(device, v.amp): out = fwd(xi)
        loss = loss_fn(out.float(), target, weight)
        S = 1024.0 if v.amp == 'fp16' else 1.0
        (loss * S).backward()
        if S != 1:
            for p in params:
                if p.grad is not None: p.grad.div_(S)
        guard[v.name] = (float(loss.detach()), flat_grad(params).cpu(), flat_grad(output_layer(m)).cpu())
        opt.step(); sync(device)
        first = time.perf_counter() - t

        def step(fwd=fwd, xi=xi, opt=opt, scaler=scaler, amp=v.amp):
            opt.zero_grad(set_to_none=True)
            with autocast(device, amp): out = fwd(xi)
            loss = loss_fn(out.float(), target, weight)
            if scaler is None: loss.backward(); opt.step()
            else: scaler.scale(loss).backward(); scaler.step(opt); scaler.update()
        for _ in range(max(args.train_warmup - 1, 0)): step()
        mem[v.name] = peak_memory(step, device)
        fns[v.name] = step
        rows.append(dict(variant=v.name, config=asdict(v), first_step_s=first))
    times = interleaved_times(fns, 0, args.train_iters, device, args.clock_fn)
    base = variants[0].name
    lb, gb, hb = guard[base]
    for r in rows:
        n = r['variant']; v = Variant(**r['config'])
        sp = speed(times, n, base, N); sp['ms_per_step'] = sp.pop('ms')
        r.update(sp, peak_mem_mib=mem[n])
        if n != base:
            lf, gf, hf = guard[n]
            cos = lambda a, b: float(torch.nn.functional.cosine_similarity(a.double(), b.double(), dim=0))
            r.update(first_loss=lf, baseline_first_loss=lb, loss_rel_err=abs(lf - lb) / abs(lb), out_grad_cos=cos(hf, hb), grad_cos=cos(gf, gb))
            r['tolerance'] = dict(loss_rel_err=TOL['loss_rel'][v.amp], out_grad_cos=TOL['out_grad_cos'][v.amp], grad_cos=TOL['grad_cos'][v.amp])
            r['guard_ok'] = (r['loss_rel_err'] <= r['tolerance']['loss_rel_err'] and r['out_grad_cos'] >= r['tolerance']['out_grad_cos']
                             and (r['tolerance']['grad_cos'] is None or r['grad_cos'] >= r['tolerance']['grad_cos']))
    return rows


# ----------------------------------------------------------------------------------------------- AP guard
def _val_api():
    "The kit's validation path: datasets.build_dataset/build_loader and predict.predict_dataset/evaluate_predictions."
    try:
        from advomnipose.datasets import build_dataset, build_loader
        from advomnipose.predict import predict_dataset, evaluate_predictions
    except ImportError as e:
        raise SystemExit(f"--cfg: the |dAP| check runs the kit's validation (advomnipose.datasets.build_dataset, "
                         f"advomnipose.predict.predict_dataset/evaluate_predictions), which this checkout does not provide ({e}). "
                         f"Run without --cfg for the speed and heatmap/keypoint guards.")
    return build_dataset, build_loader, predict_dataset, evaluate_predictions


def ap_guard(args, model, fast: Variant, device) -> dict:
    """COCO AP (MPII: mean PCKh) of the baseline and of the fast path on the validation set of `--cfg`, through the kit's
    own validation (`predict_dataset`: flip test and DARK as `cfg.TEST` says; `evaluate_predictions`: rescoring, OKS-NMS,
    COCOeval). The variant's autocast dtype and channels_last go in through `cfg.TRAIN.AMP` / `cfg.TRAIN.CHANNELS_LAST`."""
    build_dataset, build_loader, predict_dataset, evaluate_predictions = _val_api()
    from advomnipose.config import load_config
    cfg = load_config(args.cfg)
    ds = build_dataset(cfg, 'val')
    loader = build_loader(ds, cfg.TEST.BATCH_SIZE_PER_GPU, shuffle=False, workers=cfg.WORKERS)
    key = 'Mean' if cfg.DATASET.DATASET == 'mpii' else 'AP'
    stats = {}
    for v in (Variant('baseline', all_outputs=True), fast):
        c = copy.deepcopy(cfg)
        c.TRAIN.AMP, c.TRAIN.CHANNELS_LAST = v.amp or 'none', v.channels_last
        m, fwd = prepare(model, v, device, False, args)
        preds = predict_dataset(fwd, loader, c, device=device, progress=False, desc=v.name)
        stats[v.name] = evaluate_predictions(ds, preds, c)
    b, f = float(stats['baseline'][key]), float(stats[fast.name][key])
    tol = TOL['ap_abs'] * (100 if key == 'Mean' else 1)          # PCKh is in percent
    return dict(cfg=args.cfg, ckpt=args.ckpt, metric=key, samples=len(ds), baseline_AP=b, fast_AP=f, abs_dAP=abs(f - b), tolerance=tol,
                guard_ok=abs(f - b) <= tol, baseline_stats=stats['baseline'], fast_stats=stats[fast.name])


# ----------------------------------------------------------------------------------------------- main
def parse_args(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    mode = ap.add_mutually_exclusive_group()
    mode.add_argument('--quick', action='store_true', help='CPU small settings: batch 2, W32+W48 at 256x192, few iterations, no compile')
    mode.add_argument('--gpu', action='store_true', help='full settings on CUDA: batch 32, both widths and sizes, 10 warm-up + 30 timed')
    ap.add_argument('--device', default=None, help='cpu | cuda | cuda:N (default: cuda with --gpu, else cpu)')
    ap.add_argument('--widths', type=int, nargs='+', default=None)
    ap.add_argument('--sizes', nargs='+', default=None, help='input H x W, e.g. 256x192 384x288')
    ap.add_argument('--batch', type=int, default=None)
    ap.add_argument('--warmup', type=int, default=None, help='inference warm-up calls per variant (after the first, compiling call)')
    ap.add_argument('--iters', type=int, default=None, help='timed inference rounds')
    ap.add_argument('--train_warmup', type=int, default=None, help='training warm-up steps (after the guard step)')
    ap.add_argument('--train_iters', type=int, default=None)
    ap.add_argument('--no_train', action='store_true', help='inference only')
    ap.add_argument('--amp', choices=['bf16', 'fp16', 'none'], default=None, help='fast-path autocast dtype (default: bf16 on CUDA, none on CPU)')
    ap.add_argument('--no_channels_last', action='store_true')
    cg = ap.add_mutually_exclusive_group()
    cg.add_argument('--compile', dest='compile', action='store_const', const=True, default=None, help='use torch.compile in the fast path (default on CUDA)')
    cg.add_argument('--no_compile', dest='compile', action='store_const', const=False)
    ap.add_argument('--compile_mode', default='default', help="torch.compile mode: default | reduce-overhead | max-autotune | max-autotune-no-cudagraphs")
    ap.add_argument('--compile_backend', default='inductor', help="torch.compile backend (inductor; 'aot_eager' checks the plumbing quickly)")
    ap.add_argument('--train_skip_unused', action='store_true',
                    help="fast training path also skips the last module's unused outputs (changes nothing but those layers' BN running stats)")
    ap.add_argument('--tf32', action='store_true', help='allow TF32 matmuls/convs on CUDA (default off: the baseline is true fp32)')
    ap.add_argument('--clock', choices=['wall', 'thread'], default=None,
                    help="'thread': CPU time of the calling thread (time.thread_time; only meaningful with 1 torch thread), robust to other "
                         "jobs on a shared box; default thread with --quick on CPU, wall otherwise")
    ap.add_argument('--threads', type=int, default=None,
                    help='torch CPU threads (default: 1 with --quick -- on a small shared box a thread team mostly waits for busy cores; else torch default)')
    ap.add_argument('--ckpt', default=None, help='OmniPose checkpoint: benchmark its architecture and weights')
    ap.add_argument('--cfg', default=None, help='experiment YAML: input size from MODEL.IMAGE_SIZE; with --ckpt also the |dAP| check')
    ap.add_argument('--out', default=None, help='JSON path (default outputs/benchmarks/model.json)')
    ap.add_argument('--seed', type=int, default=0)
    ap.add_argument('--print_json', default=None, metavar='JSON',
                    help='print the tables of a saved result (also a partial one, cut short by a time limit) and exit')
    a = ap.parse_args(argv)
    if a.print_json: return a
    gpu = a.gpu or (a.device or '').startswith('cuda')
    a.device = torch.device(a.device or ('cuda' if gpu else 'cpu'))
    if a.device.type == 'cuda' and not torch.cuda.is_available(): ap.error('CUDA requested but torch.cuda.is_available() is False')
    full = a.gpu or (a.device.type == 'cuda' and not a.quick)
    a.quick = not full
    dflt = dict(widths=[32, 48], sizes=['256x192', '384x288'] if full else ['256x192'], batch=32 if full else 2,
                warmup=10 if full else 1, iters=30 if full else 9, train_warmup=5 if full else 1, train_iters=20 if full else 5)
    for k, v in dflt.items():
        if getattr(a, k) is None: setattr(a, k, v)
    a.sizes = [tuple(int(t) for t in s.lower().split('x')) for s in a.sizes]
    if a.threads is None and a.quick: a.threads = 1
    if a.clock is None: a.clock = 'thread' if a.device.type == 'cpu' and a.threads == 1 else 'wall'
    if a.clock == 'thread' and a.device.type == 'cuda': ap.error('--clock thread measures CPU time: use wall on CUDA')
    a.clock_fn = time.thread_time if a.clock == 'thread' else time.perf_counter
    if a.amp is None: a.amp = 'bf16' if a.device.type == 'cuda' else 'none'
    a.amp = None if a.amp == 'none' else a.amp
    a.compile_note = None
    if a.compile is None:
        a.compile = a.device.type == 'cuda'
        if not a.compile: a.compile_note = 'torch.compile skipped on CPU (it takes minutes on a small CPU box); --compile forces it'
    if a.ckpt and a.widths != dflt['widths']: ap.error('--ckpt fixes the architecture: drop --widths')
    if a.cfg and not a.ckpt: ap.error('--cfg needs --ckpt (the |dAP| check compares a trained model on real data)')
    return a


def variants_for(a):
    cl = not a.no_channels_last
    tag = '+'.join([a.amp or 'fp32'] + (['CL'] if cl else []))
    fused = a.device.type == 'cuda'
    inf = [Variant('baseline', all_outputs=True), Variant('fp32 eager')]
    if a.compile and (cl or a.amp): inf.append(Variant(f'{tag} eager', a.amp, cl))
    if cl or a.amp or a.compile: inf.append(Variant(f'fast ({tag}{"+compile" if a.compile else ""})', a.amp, cl, a.compile))
    skip = False if a.train_skip_unused else None
    train = [Variant('baseline')]
    if a.compile and (cl or a.amp):
        train.append(Variant(f'{tag} eager{"+fused Adam" if fused else ""}{"+skip unused" if skip is False else ""}', a.amp, cl, False, skip, fused))
    train.append(Variant(f'fast ({tag}{"+compile" if a.compile else ""}{"+fused Adam" if fused else ""}{"+skip unused" if skip is False else ""})',
                         a.amp, cl, a.compile, skip, fused))
    return inf, train


def fmt(x, spec):
    return 'n/a' if x is None else format(x, spec)


def print_tables(res):
    print(f"\nmodel benchmark on {res['device']} ({res['machine']['gpu'] or res['machine']['cpu']}), batch {res['args']['batch']}, "
          f"torch {res['machine']['torch']}, threads {res['machine']['torch_threads']}; medians of {res['args']['iters']} interleaved rounds "
          f"(training {res['args']['train_iters']}); timing: {res['clock']}; memory: {res['memory_kind']}")
    if res['compile_note']: print('NOTE:', res['compile_note'])
    print('\n| model | input | variant | images/s | x baseline | ms/batch | peak mem MiB | heatmap rel err (tol) | kp err px (tol) | raw kp within 1 px | guard |')
    print('|---|---|---|---|---|---|---|---|---|---|---|')
    for c in res['configs']:
        if c.get('error'): print(f"| W{c['width']} | {c['input']} | {c['error']} |")
        for r in c.get('inference') or []:
            tol = r.get('tolerance', {})
            print(f"| W{c['width']} | {c['input']} | {r['variant']} | {r['images_per_s']:.2f} | {r['speedup']:.3f} | {r['ms_per_batch']:.1f} | "
                  f"{fmt(r['peak_mem_mib'], '.0f')} | {fmt(r.get('hm_rel_err'), '.1e')} ({fmt(tol.get('hm_rel_err'), '.0e')}) | "
                  f"{fmt(r.get('kp_max_err_px'), '.1e')} ({fmt(tol.get('kp_max_err_px'), 'g')}) | {fmt(r.get('raw_kp_within_1px'), '.3f')} | "
                  f"{'-' if 'guard_ok' not in r else ('ok' if r['guard_ok'] else 'FAIL')} |")
    print("\n(heatmap rel err: max |fast - baseline| / baseline range; kp err: keypoint displacement the fast path's error (scaled by "
          "the baseline range) causes on clean sigma-2 peaks of height 1 (heatmap px, DARK); raw kp: share of joints whose keypoints decoded from the raw maps agree "
          "within 1 px -- ill-conditioned with random weights)")
    if any(c.get('training') for c in res['configs']):
        print(f"\ntraining ({res['loss']}, Adam):\n")
        print('| model | input | variant | images/s | x baseline | ms/step | peak mem MiB | loss rel err (tol) | out-layer grad cos (tol) | grad cos (tol) | guard |')
        print('|---|---|---|---|---|---|---|---|---|---|---|')
        for c in res['configs']:
            for r in c.get('training') or []:
                tol = r.get('tolerance', {})
                print(f"| W{c['width']} | {c['input']} | {r['variant']} | {r['images_per_s']:.2f} | {r['speedup']:.3f} | {r['ms_per_step']:.1f} | "
                      f"{fmt(r['peak_mem_mib'], '.0f')} | {fmt(r.get('loss_rel_err'), '.1e')} ({fmt(tol.get('loss_rel_err'), '.0e')}) | "
                      f"{fmt(r.get('out_grad_cos'), '.6f')} ({fmt(tol.get('out_grad_cos'), 'g')}) | "
                      f"{fmt(r.get('grad_cos'), '.4f')} ({fmt(tol.get('grad_cos'), 'g')}) | "
                      f"{'-' if 'guard_ok' not in r else ('ok' if r['guard_ok'] else 'FAIL')} |")
    print('\ninference of the fp32 model as shipped (unused last-module outputs skipped) vs the straightforward eager model '
          '(everything the original computes):')
    for c in res['configs']:
        if 'cpu_target' not in c: continue
        t = c['cpu_target']
        print(f"  W{c['width']} {c['input']}: {t['ratio']:.3f}x (quartiles of the per-round ratios {t['ratio_q1']:.3f}-{t['ratio_q3']:.3f}: "
              f"{t['verdict']}; MACs {t['gmacs_ours']:.2f} vs {t['gmacs_all_outputs']:.2f} G/image)")
    if res.get('ap_guard'):
        g = res['ap_guard']
        print(f"\naccuracy guard on {g['samples']} validation samples ({g['cfg']}): baseline {g['metric']} {g['baseline_AP']:.4f}, "
              f"fast {g['fast_AP']:.4f}, |d| {g['abs_dAP']:.4f} (tol {g['tolerance']}) {'ok' if g['guard_ok'] else 'FAIL'}")


def main(argv=None):
    a = parse_args(argv)
    if a.print_json:
        res = json.loads(Path(a.print_json).read_text())
        if not res.get('complete', True): print(f"NOTE: {a.print_json} is partial (the run stopped early): {len(res['configs'])} configuration(s) started")
        print_tables(res); return
    if a.threads: torch.set_num_threads(a.threads)
    dev = a.device
    if dev.type == 'cuda':
        torch.backends.cudnn.benchmark = True
        torch.backends.cuda.matmul.allow_tf32 = torch.backends.cudnn.allow_tf32 = a.tf32
    inf_vars, train_vars = variants_for(a)
    loss_fn, loss_name = joints_mse()
    configs, base_model = [], None
    if a.ckpt:
        from advomnipose.omnipose import load_omnipose
        base_model = load_omnipose(a.ckpt)
        a.widths = [base_model.width]
    if a.cfg:
        from advomnipose.config import load_config
        _val_api()                                          # fail now, not after the speed runs
        W, H = load_config(a.cfg).MODEL.IMAGE_SIZE
        a.sizes = [(H, W)]
    res = dict(command='python benchmarks/bench_model.py ' + ' '.join(argv if argv is not None else sys.argv[1:]),
               date=datetime.datetime.now().isoformat(timespec='seconds'), device=str(dev), machine=machine_info(dev),
               args={k: (str(v) if isinstance(v, torch.device) else v) for k, v in vars(a).items() if k != 'clock_fn'},
               clock=('CPU time of the benchmarking thread (time.thread_time, torch on 1 thread)' if a.clock == 'thread'
                      else 'wall clock (time.perf_counter, CUDA synchronised)'),
               memory_kind=('torch.cuda.max_memory_allocated above the allocation before the call' if dev.type == 'cuda'
                            else 'peak RSS increase during one call (VmHWM), approximate'),
               compile_note=a.compile_note, loss=loss_name, tolerances={k: {str(kk): vv for kk, vv in v.items()} if isinstance(v, dict) else v
                                                                        for k, v in TOL.items()},
               configs=configs, complete=False)
    out = Path(a.out) if a.out else outputs_dir('benchmarks') / 'model.json'
    save = lambda: atomic_write_json(res, out)
    for w in a.widths:
        torch.manual_seed(a.seed)
        model = base_model if base_model is not None else OmniPose(17, w)
        for (H, W) in a.sizes:
            print(f'W{w} {H}x{W} ...', flush=True)
            x = torch.randn(a.batch, 3, H, W, generator=torch.Generator().manual_seed(a.seed)).to(dev)
            c = dict(width=w, input=f'{H}x{W}', batch=a.batch)
            configs.append(c)
            try: c['inference'] = bench_inference(model, inf_vars, x, a, dev)
            except torch.cuda.OutOfMemoryError as e:
                print(f'  out of memory, skipped: {str(e)[:200]}'); c['error'] = f'inference: CUDA out of memory'
                save(); torch.cuda.empty_cache(); continue
            ours = next(r for r in c['inference'] if r['variant'] == 'fp32 eager')
            verdict = ('faster' if min(ours['speedup'], ours['speedup_q1']) > 1 else 'no slower' if ours['speedup'] >= 1
                       else 'equal within noise' if ours['speedup_q3'] >= 1 else 'SLOWER')
            c['cpu_target'] = dict(ratio=ours['speedup'], ratio_q1=ours['speedup_q1'], ratio_q3=ours['speedup_q3'], verdict=verdict,
                                   ok=verdict != 'SLOWER',
                                   gmacs_ours=model_summary(model, (H, W), include_unused=False)['gmacs'],
                                   gmacs_all_outputs=model_summary(model, (H, W))['gmacs'])
            save()                                          # partial results survive a time limit
            if not a.no_train:
                try: c['training'] = bench_training(model, train_vars, x, a, dev, loss_fn)
                except torch.cuda.OutOfMemoryError as e:
                    print(f'  training out of memory, skipped: {str(e)[:200]}'); c['error'] = 'training: CUDA out of memory'
                    torch.cuda.empty_cache()
            save()
            if dev.type == 'cuda': torch.cuda.empty_cache()
    if a.cfg:
        fast = next(v for v in reversed(inf_vars))
        res['ap_guard'] = ap_guard(a, base_model, fast, dev)
    res['complete'] = True
    save()
    print_tables(res)
    print(f'\nwritten {out}')
    bad = [f"W{c['width']} {c['input']} {m} {r['variant']}" for c in configs for m in ('inference', 'training')
           for r in c.get(m) or [] if r.get('guard_ok') is False]
    if res.get('ap_guard') and not res['ap_guard']['guard_ok']: bad.append('AP guard')
    if bad:
        print('CORRECTNESS GUARD FAILED:', '; '.join(bad)); sys.exit(1)


if __name__ == '__main__':
    main()
