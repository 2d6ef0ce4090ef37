"""Decode and COCO-evaluation speed: the vectorised decoder against the per-joint reference loop, and
`evaluate_coco` against a plain pycocotools run (and the faster_coco_eval backend), same inputs, same run.

    python benchmarks/bench_decode_eval.py [--batch 64] [--repeats 20] [--threads N]
    python benchmarks/bench_decode_eval.py --device cuda [--no_coco]     # the decoder on the GPU (torch path)

Prints a table and writes outputs/benchmarks/decode_eval.json. Results are asserted identical
(decoder: max |difference| < 1e-6 px against the reference; COCO: the ten numbers equal).

The ceiling column is the reference loop's time over the argmax pass alone (one read of every map, which any
decoder needs): no CPU decoder that reads the maps once can beat that ratio on this machine.
With --device cuda the heatmaps (and the crop centres/scales) are on the GPU, as a model leaves them; a decode
call is timed to `torch.cuda.synchronize()` with its results copied back to the host, against the same
per-joint loop on the CPU (the loop has no GPU form).
"""
import argparse, contextlib, copy, io, json, platform, statistics, sys, time
from pathlib import Path

import cv2
import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from advomnipose.core import atomic_write_json, outputs_dir, shared_data_dir   # noqa: E402
from advomnipose.decode import decode_heatmaps, get_max_preds   # noqa: E402
from reference import decode_reference, gaussian_maps   # noqa: E402
from advomnipose.evaluation import STATS_NAMES, evaluate_coco   # noqa: E402


def network_like_heatmaps(n, j, h, w, sigma, seed=0):
    "Gaussian peaks of random height inside the crop, a tenth of the joints absent (noise only), noise everywhere."
    g = torch.Generator().manual_seed(seed)
    lo = torch.tensor([0.1 * (w - 1), 0.1 * (h - 1)], dtype=torch.float64)
    mu = lo + torch.rand(n, j, 2, generator=g, dtype=torch.float64) * (torch.tensor([w - 1.0, h - 1.0], dtype=torch.float64) - 2 * lo)
    amp = (0.2 + 0.8 * torch.rand(n, j, 1, 1, generator=g)) * (torch.rand(n, j, 1, 1, generator=g) > 0.1)
    return gaussian_maps(mu, (w, h), sigma) * amp + 0.01 * torch.randn(n, j, h, w, generator=g)


def timeit(fn, repeats, clock=time.perf_counter):
    fn()                                                   # warm-up
    ts = []
    for _ in range(repeats):
        t = clock(); fn(); ts.append(clock() - t)
    return statistics.median(ts)


def paired_timing(fast, slow, rounds, inner, clock=time.perf_counter):
    """Interleaved rounds (one `slow` call, then the median of `inner` `fast` calls) so that load changes on a
    shared machine hit both sides alike; medians of the times and of the per-round speed-ups."""
    fast(); slow()
    tf, ts, ratio = [], [], []
    for _ in range(rounds):
        t = clock(); slow(); ts.append(clock() - t)
        tf.append(timeit(fast, inner, clock)); ratio.append(ts[-1] / tf[-1])
    return statistics.median(tf), statistics.median(ts), statistics.median(ratio)


@contextlib.contextmanager
def single_threaded():
    "torch and OpenCV on one thread (restored after): the reference loop's best setting on a shared machine."
    n, m = torch.get_num_threads(), cv2.getNumThreads()
    torch.set_num_threads(1); cv2.setNumThreads(1)
    try: yield
    finally: torch.set_num_threads(n); cv2.setNumThreads(m)


def bench_decode(batch, repeats, ref_repeats, device=torch.device('cpu')):
    """The decoder against the per-joint loop (CPU), both decoders, two heatmap sizes. On the CPU also single-threaded
    CPU times and the argmax pass alone (the ceiling); on CUDA the maps are on the GPU and a call is timed until its
    results are on the host."""
    cuda = device.type == 'cuda'
    rows = []
    for (h, w, sigma) in ((64, 48, 2.0), (96, 72, 3.0)):
        hm = network_like_heatmaps(batch, 17, h, w, sigma)
        g = torch.Generator().manual_seed(1)
        center, scale = torch.rand(batch, 2, generator=g) * 600, 0.5 + 2 * torch.rand(batch, 2, generator=g)
        hd, cd, sd = hm.to(device), center.to(device), scale.to(device)
        for dark in (True, False):
            def fast():
                xy, mv = decode_heatmaps(hd, cd, sd, dark=dark)
                if cuda: torch.cuda.synchronize(); xy, mv = xy.cpu(), mv.cpu()
                return xy, mv
            loop = lambda: decode_reference(hm, center.numpy(), scale.numpy(), dark=dark)
            diff = float(np.abs(fast()[0].numpy() - loop()[0]).max())
            assert diff < 1e-6, f'{device.type} and reference decoders differ by {diff} px'
            t_vec, t_ref, speedup = paired_timing(fast, loop, ref_repeats, repeats)
            row = dict(heatmap=f'{h}x{w}', dark=dark, batch=batch, joints=17, vectorised_ms=t_vec * 1e3, reference_ms=t_ref * 1e3,
                       vectorised_heatmaps_per_s=batch * 17 / t_vec, reference_heatmaps_per_s=batch * 17 / t_ref,
                       speedup=speedup, max_abs_diff_px=diff)
            if cuda: row.update(device=str(device), gpu=torch.cuda.get_device_name(device))
            else:
                with single_threaded():   # both sides on one thread: CPU time of this thread, so other users' jobs do not count
                    t_argmax = timeit(lambda: get_max_preds(hm), repeats, time.thread_time)   # the one pass over every map that any decoder needs
                    t_vec1, t_ref1, speedup1 = paired_timing(fast, loop, ref_repeats, repeats, time.thread_time)
                row.update(reference_1thread_ms=t_ref1 * 1e3, argmax_pass_ms=t_argmax * 1e3, vectorised_ms_when_ref_1thread=t_vec1 * 1e3,
                           speedup_vs_1thread_reference=speedup1, ceiling_speedup=t_ref1 / t_argmax)
            rows.append(row)
    return rows


def perturbed_results(gt, seed=0):
    rng = np.random.default_rng(seed)
    out = []
    for a in gt['annotations']:
        if a['iscrowd'] or a['num_keypoints'] == 0: continue
        k = np.array(a['keypoints'], float).reshape(17, 3)
        k[:, :2] += rng.normal(0, 2, (17, 2)); k[:, 2] = rng.uniform(0, 1, 17)
        k[rng.uniform(size=17) < 0.1] = 0
        out.append(dict(image_id=a['image_id'], category_id=1, keypoints=k.ravel().tolist(), score=float(rng.uniform(0.05, 1))))
        for _ in range(3):                                 # extra, worse detections, as a detector-box run would give
            k2 = k.copy(); k2[:, :2] += rng.normal(0, 25, (17, 2))
            out.append(dict(image_id=a['image_id'], category_id=1, keypoints=k2.ravel().tolist(), score=float(rng.uniform(0, 1))))
    return out


def bench_coco(repeats):
    from pycocotools.coco import COCO
    from pycocotools.cocoeval import COCOeval
    gt_path = shared_data_dir() / 'coco/annotations/person_keypoints_val2017.json'
    res = perturbed_results(json.loads(gt_path.read_text()))

    def plain():
        with contextlib.redirect_stdout(io.StringIO()):
            G = COCO(str(gt_path)); D = G.loadRes(copy.deepcopy(res))
            E = COCOeval(G, D, 'keypoints'); E.params.useSegm = None
            E.evaluate(); E.accumulate(); E.summarize()
        return dict(zip(STATS_NAMES, E.stats.tolist()))

    ref = plain()
    rows = []
    for name, fn in (('plain pycocotools', plain), ('evaluate_coco (pycocotools)', lambda: evaluate_coco(gt_path, res)),
                     ('evaluate_coco (faster_coco_eval)', lambda: evaluate_coco(gt_path, res, backend='faster_coco_eval'))):
        stats = fn()
        assert stats == ref, f'{name} differs from pycocotools: {stats} vs {ref}'
        rows.append(dict(evaluator=name, ms=timeit(fn, repeats) * 1e3, AP=stats['AP']))
    return dict(gt=str(gt_path), n_results=len(res), n_images=len({r['image_id'] for r in res}), rows=rows)


def print_cpu_decode(dec, a):
    print(f'decode, batch {a.batch} x 17 joints, CPU, torch threads {torch.get_num_threads()} ({a.ref_repeats} interleaved rounds: 1 loop call + median of {a.repeats} vectorised calls; medians)')
    print('(decode_heatmaps always runs single-threaded on the CPU. The reference loop is timed twice: with the default torch/OpenCV '
          'threads (wall clock), and single-threaded, its best setting on a busy machine -- those columns and the argmax pass are '
          'CPU time of the thread (time.thread_time), so other users\' jobs on a shared machine do not enter them. Ceiling: the '
          '1-thread loop over the argmax pass alone, the most any CPU decoder that reads every map once could gain here)\n')
    print('| heatmap | DARK | vectorised ms | reference loop ms | vectorised heatmaps/s | loop heatmaps/s | speed-up (median of rounds) | loop ms, 1 thread | speed-up vs 1-thread loop | argmax pass alone ms | ceiling | max diff px |')
    print('|---|---|---|---|---|---|---|---|---|---|---|---|')
    for r in dec:
        print(f"| {r['heatmap']} | {r['dark']} | {r['vectorised_ms']:.2f} | {r['reference_ms']:.1f} | {r['vectorised_heatmaps_per_s']:,.0f} | "
              f"{r['reference_heatmaps_per_s']:,.0f} | {r['speedup']:.1f}x | {r['reference_1thread_ms']:.1f} | {r['speedup_vs_1thread_reference']:.1f}x | {r['argmax_pass_ms']:.2f} | "
              f"{r['ceiling_speedup']:.0f}x | {r['max_abs_diff_px']:.1e} |")


def print_cuda_decode(dec, a):
    print(f"decode, batch {a.batch} x 17 joints, on {dec[0]['gpu']} (heatmaps on the GPU, results copied to the host) vs the per-joint loop "
          f"on the CPU ({a.ref_repeats} interleaved rounds: 1 loop call + median of {a.repeats} GPU calls; wall clock, medians)\n")
    print('| heatmap | DARK | GPU ms | reference loop ms | GPU heatmaps/s | loop heatmaps/s | speed-up (median of rounds) | max diff px |')
    print('|---|---|---|---|---|---|---|---|')
    for r in dec:
        print(f"| {r['heatmap']} | {r['dark']} | {r['vectorised_ms']:.2f} | {r['reference_ms']:.1f} | {r['vectorised_heatmaps_per_s']:,.0f} | "
              f"{r['reference_heatmaps_per_s']:,.0f} | {r['speedup']:.1f}x | {r['max_abs_diff_px']:.1e} |")


def print_saved(r, a):
    (print_cuda_decode if str(r.get('device', 'cpu')).startswith('cuda') else print_cpu_decode)(r['decode'], a)
    coco = r.get('coco')
    if coco:
        print(f"\nCOCO keypoint eval, {coco['n_results']} results on {coco['n_images']} images (median of {a.coco_repeats}; identical stats asserted)\n")
        print('| evaluator | ms | AP |'); print('|---|---|---|')
        for row in coco['rows']: print(f"| {row['evaluator']} | {row['ms']:.1f} | {row['AP']:.4f} |")


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--batch', type=int, default=64)
    ap.add_argument('--repeats', type=int, default=10, help='vectorised calls per round')
    ap.add_argument('--ref_repeats', type=int, default=7, help='rounds (one reference-loop call each)')
    ap.add_argument('--coco_repeats', type=int, default=3)
    ap.add_argument('--no_coco', action='store_true', help='decoding only (the COCO evaluation reads the shared excerpt)')
    ap.add_argument('--device', default='cpu', help="cpu (the numpy path) or cuda / cuda:N (the torch path on the GPU)")
    ap.add_argument('--threads', type=int, default=None, help='torch and OpenCV threads (default: their defaults; decode_heatmaps itself runs single-threaded on CPU)')
    ap.add_argument('--out', default=None, help='JSON path (default outputs/benchmarks/decode_eval.json)')
    ap.add_argument('--print_json', default=None, metavar='JSON', help='print the tables of a saved result and exit')
    a = ap.parse_args(argv)
    if a.print_json:
        r = json.loads(Path(a.print_json).read_text())
        for k, v in r.get('settings', {}).items(): setattr(a, k, v)             # the saved run's settings, for the headings
        return print_saved(r, a)
    device = torch.device(a.device)
    if device.type == 'cuda' and not torch.cuda.is_available(): ap.error('--device cuda: torch.cuda.is_available() is False')
    if device.type not in ('cpu', 'cuda'): ap.error(f'--device must be cpu or cuda[:N], got {a.device!r}')
    if a.threads: torch.set_num_threads(a.threads); cv2.setNumThreads(a.threads)
    dec = bench_decode(a.batch, a.repeats, a.ref_repeats, device)
    coco = None if a.no_coco else bench_coco(a.coco_repeats)
    print_saved(dict(device=str(device), decode=dec, coco=coco), a)
    out = Path(a.out) if a.out else outputs_dir('benchmarks') / 'decode_eval.json'
    atomic_write_json(dict(command='python benchmarks/bench_decode_eval.py ' + ' '.join(argv if argv is not None else sys.argv[1:]),
                           machine=dict(python=platform.python_version(), torch=torch.__version__, threads=torch.get_num_threads(),
                                        cpu=platform.processor() or platform.machine(),
                                        gpu=torch.cuda.get_device_name(device) if device.type == 'cuda' else None),
                           device=str(device), settings={k: getattr(a, k) for k in ('batch', 'repeats', 'ref_repeats', 'coco_repeats')},
                           decode=dec, coco=coco), out)
    print(f'\nwritten {out}')


if __name__ == '__main__':
    main()
