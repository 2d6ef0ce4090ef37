"""Data pipeline throughput: advomnipose's top-down COCO pipeline vs a reference written the way the original code does it.

    python benchmarks/bench_data.py [--rounds 5] [--sizes 256x192 384x288] [--windows 64 16] [--out outputs/benchmarks/data.json]
    python benchmarks/bench_data.py --sizes 384x288 --loader_workers 16     # + the whole DataLoader with 16 workers

Single process, no DataLoader, OpenCV and torch on one thread: samples/s per core. Real COCO train2017
images of the shared excerpt, augmentation on (the experiment yamls' recipe), one fixed set of random
draws per sample used by all pipelines. Pipelines are timed side by side in interleaved rounds; the rate is
the median over rounds of this thread's CPU time (robust on a machine shared with other jobs; the best
wall-clock round is reported too).

Sample orders: the reference and the "shuffled" rows take a per-sample shuffle (every sample decodes its
own image unless the LRU happens to hold it); "in order" is validation order (persons of an image in a row);
the "kit sampler" rows are shuffled training as `build_loader(..., shuffle_window=W)` runs it:
`ImageWindowBatchSampler` (batch 32, one stream = one DataLoader worker's view) with an image cache of W,
so each image is decoded once per epoch. The excerpt has 53 images, so W = 64 is one window (a full
shuffle of its images); W = 16 shows the rate does not depend on W (on full COCO every window holds W images).

Before timing, every sample is checked: with the same affine matrix the two pipelines give bit-identical
input crops and heatmaps within float tolerance; the reference's own matrix (cv2.getAffineTransform on
float32 points, as the original) agrees with ours to float32 precision.
"""
import argparse, copy, json, math, os, sys, time
from pathlib import Path

import cv2
import numpy as np
import torch
import torchvision.transforms as T

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from advomnipose.config import load_config                      # noqa: E402
from advomnipose.core import shared_data_dir, atomic_write_json  # noqa: E402
from advomnipose.datasets import COCOKeypoints, ImageWindowBatchSampler, build_loader, sample_image_keys  # noqa: E402
from advomnipose.transforms import get_affine_transform, IMAGENET_MEAN, IMAGENET_STD  # noqa: E402


# ---------------------------------------------------------------------------------------------
# Reference: one sample the way the original code produces it (full-size imread, colour conversion
# of the whole image, numpy-view flip, three-point cv2.getAffineTransform, torchvision ToTensor +
# Normalize, per-joint affine and per-joint Gaussian loop).
# ---------------------------------------------------------------------------------------------
def ref_affine(center, scale, rot, output_size):
    src_w = scale[0] * 200.0
    w, h = output_size
    r = np.pi * rot / 180
    sn, cs = np.sin(r), np.cos(r)
    src_dir = np.array([0 * cs - (-(src_w - 1) * 0.5) * sn, 0 * sn + (-(src_w - 1) * 0.5) * cs])
    dst_dir = np.array([0, -(w - 1) * 0.5])
    src = np.zeros((3, 2), np.float32); dst = np.zeros((3, 2), np.float32)
    src[0] = center; src[1] = center + src_dir
    dst[0] = [(w - 1) * 0.5, (h - 1) * 0.5]; dst[1] = dst[0] + dst_dir
    for p in (src, dst):
        d = p[0] - p[1]; p[2] = p[1] + np.array([-d[1], d[0]], np.float32)
    return cv2.getAffineTransform(src, dst)


def ref_point(pt, t):
    return np.dot(t, np.array([pt[0], pt[1], 1.0]))[:2]


def ref_target(joints, joints_vis, hm_size, sigma):
    J = len(joints)
    target_weight = np.ones((J, 1), np.float32); target_weight[:, 0] = joints_vis[:, 0]
    target = np.zeros((J, hm_size[1], hm_size[0]), np.float32)
    tmp = sigma * 3
    for j in range(J):
        mu_x, mu_y = joints[j][0], joints[j][1]
        ul = [int(mu_x - tmp), int(mu_y - tmp)]; br = [int(mu_x + tmp + 1), int(mu_y + tmp + 1)]
        if ul[0] >= hm_size[0] or ul[1] >= hm_size[1] or br[0] < 0 or br[1] < 0:
            target_weight[j] = 0
        if target_weight[j] == 0: continue
        x = np.arange(0, hm_size[0], 1, np.float32); y = np.arange(0, hm_size[1], 1, np.float32)[:, None]
        if target_weight[j] > 0.5:
            target[j] = np.exp(-((x - mu_x) ** 2 + (y - mu_y) ** 2) / (2 * sigma ** 2))
    return target, target_weight


class Reference:
    def __init__(self, ds, flip_pairs):
        self.ds, self.flip_pairs = ds, flip_pairs
        t = ds.transform
        self.image_size, self.hm_size, self.sigma = t.image_size, t.heatmap_size, t.sigma
        self.to_tensor = T.Compose([T.ToTensor(), T.Normalize(IMAGENET_MEAN, IMAGENET_STD)])

    def __call__(self, idx, params, trans_override=None):
        rec = copy.deepcopy(self.ds.records[idx])
        path = str(self.ds.image_source / rec['image'])
        data = cv2.imread(path, cv2.IMREAD_COLOR | cv2.IMREAD_IGNORE_ORIENTATION)
        if data is None: raise ValueError(f'fail to read {path}')
        data = cv2.cvtColor(data, cv2.COLOR_BGR2RGB)
        joints = np.zeros((len(rec['joints']), 3)); joints[:, :2] = rec['joints'][:, :2]
        vis = np.zeros_like(joints); vis[:, 0] = vis[:, 1] = rec['joints'][:, 2]
        c, s, r = params['center'].copy(), params['scale'].copy(), params['rotation']
        if params['flip']:
            data = data[:, ::-1, :]
            joints[:, 0] = data.shape[1] - joints[:, 0] - 1
            for a, b in self.flip_pairs:
                joints[[a, b]] = joints[[b, a]]; vis[[a, b]] = vis[[b, a]]
            joints = joints * vis
            c[0] = data.shape[1] - c[0] - 1
        trans = ref_affine(c, s, r, self.image_size) if trans_override is None else trans_override[0]
        inp = cv2.warpAffine(data, trans, self.image_size, flags=cv2.INTER_LINEAR)
        inp = self.to_tensor(inp)
        trans_hm = ref_affine(c, s, r, self.hm_size) if trans_override is None else trans_override[1]
        for j in range(len(joints)):
            if vis[j, 0] > 0.0: joints[j, :2] = ref_point(joints[j, :2], trans_hm)
        target, weight = ref_target(joints, vis, self.hm_size, self.sigma)
        meta = dict(image=path, joints=joints, joints_vis=vis, center=c, scale=s, rotation=r, score=rec['score'])
        return inp, torch.from_numpy(target), torch.from_numpy(weight), meta, trans, trans_hm


# ---------------------------------------------------------------------------------------------
def check_equal(ds, ref, order, draws):
    "Same draws -> same samples. Returns the worst differences seen."
    worst = dict(affine_vs_cv2_float32=0.0, crop_same_affine=0.0, target_same_affine=0.0,
                 crop_pixels_differing_with_ref_affine=0.0, target_with_ref_affine=0.0)
    for i in order:
        x, tgt, w, meta = ds.load(i, draws[i])
        c = meta['center']
        M_in = get_affine_transform(c, meta['scale'], meta['rotation'], ds.transform.image_size)
        M_hm = get_affine_transform(c, meta['scale'], meta['rotation'], ds.transform.heatmap_size)
        rx, rt, rw, rmeta, Mr_in, Mr_hm = ref(i, draws[i])                       # the original's own matrices
        sx, st, sw, _, _, _ = ref(i, draws[i], trans_override=(M_in, M_hm))      # the same affine as ours
        scale_in = np.abs(M_in).max()
        worst['affine_vs_cv2_float32'] = max(worst['affine_vs_cv2_float32'], float(np.abs(Mr_in - M_in).max() / scale_in))
        worst['crop_same_affine'] = max(worst['crop_same_affine'], float((x - sx).abs().max()))
        worst['target_same_affine'] = max(worst['target_same_affine'], float((tgt - st).abs().max()))
        worst['crop_pixels_differing_with_ref_affine'] = max(worst['crop_pixels_differing_with_ref_affine'],
                                                             float(((x - rx).abs() > 1e-5).float().mean()))
        worst['target_with_ref_affine'] = max(worst['target_with_ref_affine'], float((tgt - rt).abs().max()))
        assert torch.equal(w, sw) and torch.equal(w, rw), f'sample {i}: target weights differ'
        assert np.allclose(meta['center'], rmeta['center']) and np.allclose(meta['joints'][:, 2], rmeta['joints_vis'][:, 0])
    assert worst['affine_vs_cv2_float32'] < 1e-5, worst
    assert worst['crop_same_affine'] < 1e-5, worst           # identical pixels (float normalisation rounding only)
    assert worst['target_same_affine'] < 1e-5, worst
    assert worst['target_with_ref_affine'] < 1e-3, worst
    return worst


def timed(fn, order, draws):
    "(thread CPU seconds, wall seconds) for running `fn` over `order`."
    t0, c0 = time.perf_counter(), time.thread_time()
    for i in order: fn(i, draws[i])
    return time.thread_time() - c0, time.perf_counter() - t0


def bench_size(cfg_file, rounds, passes, data_root, seed=0, windows=(64, 16), batch_size=32):
    cfg = load_config(ROOT / cfg_file)
    cfg.DATASET.ROOT = str(data_root)
    mk = lambda cache: COCOKeypoints(data_root, cfg.DATASET.TRAIN_SET, cfg, is_train=True, cache_images=cache)
    ds_nocache, ds_cache = mk(0), mk(4)
    ds_win = {W: mk(W) for W in windows}
    ref = Reference(ds_nocache, ds_nocache.spec.flip_pairs)
    n = len(ds_nocache)
    rng = np.random.default_rng(seed)
    draws = []
    for rec in ds_nocache.records:
        draws.append(ds_nocache.transform.draw(rng, rec['joints'][:, :2], rec['joints'][:, 2], rec['center'], rec['scale']))
    shuffled = np.concatenate([np.random.default_rng(seed + 1 + p).permutation(n) for p in range(passes)])
    sequential = np.tile(np.arange(n), passes)
    keys = sample_image_keys(ds_nocache)
    kit_orders = {W: np.concatenate([np.concatenate(ImageWindowBatchSampler(keys, batch_size, W, seed=seed).plan(p)['batches'])
                                     for p in range(passes)]) for W in windows}
    for o in kit_orders.values(): assert np.array_equal(np.sort(o), np.sort(shuffled))   # every sample once per pass
    worst = check_equal(ds_nocache, ref, range(n), draws)

    runs = {  # name -> (fn, order, dataset or None)
        'reference (original style)': (lambda i, p: ref(i, p), shuffled, None),
        'advomnipose, no image cache': (lambda i, p: ds_nocache.load(i, p), shuffled, ds_nocache),
        'advomnipose, LRU 4, shuffled': (lambda i, p: ds_cache.load(i, p), shuffled, ds_cache),
        'advomnipose, LRU 4, in order': (lambda i, p: ds_cache.load(i, p), sequential, ds_cache),
    }
    for W in windows:
        runs[f'kit sampler, shuffled training (window {W})'] = (lambda i, p, d=ds_win[W]: d.load(i, p), kit_orders[W], ds_win[W])
    cpu = {k: [] for k in runs}; wall = {k: [] for k in runs}; hits = {}
    for _ in range(rounds):
        for name, (fn, order, ds) in runs.items():
            if ds is not None: ds.reader._cache.clear(); ds.reader.hits = ds.reader.misses = 0
            c, w = timed(fn, order, draws); cpu[name].append(c); wall[name].append(w)
            if ds is not None and ds.reader.cache_size:
                hits[name] = ds.reader.hits / max(1, ds.reader.hits + ds.reader.misses); hits[name + ' decodes'] = ds.reader.misses
    med = {k: float(np.median(v)) for k, v in cpu.items()}
    ref_rate = len(shuffled) / med['reference (original style)']
    rows = []
    for name, (fn, order, ds) in runs.items():
        rate = len(order) / med[name]
        rows.append(dict(pipeline=name, samples_per_s=rate, ms_per_sample=1e3 / rate, speedup_vs_reference=rate / ref_rate,
                         samples_per_s_best_wall=len(order) / min(wall[name]), cpu_s_per_round=cpu[name],
                         cache_hit_rate=hits.get(name), decodes_per_round=hits.get(name + ' decodes')))
    return dict(config=cfg_file, image_size=list(cfg.MODEL.IMAGE_SIZE), heatmap_size=list(cfg.MODEL.HEATMAP_SIZE),
                sigma=cfg.MODEL.SIGMA, samples=n, images=len({r['image_id'] for r in ds_nocache.records}),
                samples_per_round=len(shuffled), rounds=rounds, timing='median thread CPU time over rounds',
                equality=worst, results=rows)


def bench_loader(cfg_file, data_root, workers, seconds, batch_size=32, seed=0):
    """Samples/s out of the kit's training DataLoader with `workers` processes, in steady state: the conservative
    setting -- per-sample shuffle, no image cache (every sample decodes its image) -- over the excerpt repeated so
    that an epoch gives each worker at least 8 batches; the first 2 batches per worker (start-up) are not timed."""
    cfg = load_config(ROOT / cfg_file)
    cfg.DATASET.ROOT = str(data_root)
    ds = COCOKeypoints(data_root, cfg.DATASET.TRAIN_SET, cfg, is_train=True, cache_images=0)
    reps = max(1, math.ceil(max(workers, 1) * batch_size * 8 / len(ds)))
    sub = torch.utils.data.Subset(ds, np.tile(np.arange(len(ds)), reps))
    loader = build_loader(sub, batch_size, shuffle=True, workers=workers, seed=seed, shuffle_window=0, drop_last=True)
    it, skip = iter(loader), 2 * max(workers, 1)
    for _ in range(skip): next(it)
    n, t0 = 0, time.perf_counter()
    while time.perf_counter() - t0 < seconds:
        try: b = next(it)
        except StopIteration: it = iter(loader); continue
        n += b[0].shape[0]
    dt = time.perf_counter() - t0
    del it, loader
    return dict(config=cfg_file, workers=workers, batch_size=batch_size, samples=n, seconds=dt, samples_per_s=n / dt,
                cores=os.cpu_count(), order='per-sample shuffle, no image cache (every sample decodes its image)',
                epoch_samples=len(sub), timing='wall clock, after 2 batches per worker')


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--rounds', type=int, default=5)
    ap.add_argument('--passes', type=int, default=1, help='passes over the 143 training samples per round')
    ap.add_argument('--sizes', nargs='*', default=['256x192', '384x288'])
    ap.add_argument('--windows', nargs='*', type=int, default=[64, 16], help='kit sampler rows: DATASET.SHUFFLE_WINDOW values')
    ap.add_argument('--out', default=str(ROOT / 'outputs/benchmarks/data.json'))
    ap.add_argument('--loader_workers', type=int, default=0, help='also time the whole training DataLoader with this many workers (0: no)')
    ap.add_argument('--loader_seconds', type=float, default=20.0, help='timed seconds of the DataLoader run')
    a = ap.parse_args()
    cv2.setNumThreads(1); torch.set_num_threads(1)
    data_root = shared_data_dir() / 'coco'
    cfgs = {'256x192': 'experiments/coco/omnipose_w48_256x192_train.yaml', '384x288': 'experiments/coco/omnipose_w48_384x288_train.yaml'}
    out = dict(command='python ' + ' '.join(['benchmarks/bench_data.py'] + sys.argv[1:]), cv2=cv2.__version__,
               torch=torch.__version__, threads=dict(cv2=cv2.getNumThreads(), torch=torch.get_num_threads()), sizes={})
    for size in a.sizes:
        res = bench_size(cfgs[size], a.rounds, a.passes, data_root, windows=a.windows)
        out['sizes'][size] = res
        print(f"\n{size} (input {res['image_size'][1]}x{res['image_size'][0]}, sigma {res['sigma']}): "
              f"{res['samples']} samples in {res['images']} images, median thread CPU time of {a.rounds} rounds")
        print(f"  {'pipeline':44s} {'samples/s':>10s} {'ms/sample':>10s} {'speedup':>8s} {'cache hits':>10s} {'decodes':>8s} {'wall best/s':>11s}")
        for r in res['results']:
            h = '' if r['cache_hit_rate'] is None else f"{100 * r['cache_hit_rate']:.0f}%"
            d = '' if r['decodes_per_round'] is None else str(r['decodes_per_round'])
            print(f"  {r['pipeline']:44s} {r['samples_per_s']:10.1f} {r['ms_per_sample']:10.2f} {r['speedup_vs_reference']:7.2f}x "
                  f"{h:>10s} {d:>8s} {r['samples_per_s_best_wall']:11.1f}")
        e = res['equality']
        print(f"  equality: same affine -> crop max diff {e['crop_same_affine']:.1e}, target max diff {e['target_same_affine']:.1e}; "
              f"original's float32 affine: rel. diff {e['affine_vs_cv2_float32']:.1e}, target diff {e['target_with_ref_affine']:.1e}, "
              f"crop values differing {100 * e['crop_pixels_differing_with_ref_affine']:.2f}% (worst sample)")
        if a.loader_workers:
            lr = bench_loader(cfgs[size], data_root, a.loader_workers, a.loader_seconds)
            res['loader'] = lr
            print(f"  DataLoader, {lr['workers']} workers on {lr['cores']} cores, batch {lr['batch_size']} ({lr['order']}): "
                  f"{lr['samples_per_s']:.1f} samples/s ({lr['samples']} samples in {lr['seconds']:.1f} s wall)")
    atomic_write_json(out, a.out)
    print(f"\nwrote {a.out}")


if __name__ == '__main__':
    main()
