"""W48 256x192 inference on this CPU: torch eager fp32 against the same network exported to ONNX and run by ONNX
Runtime, in the same run with the same number of threads; the parity of their heatmaps is checked as well.

    python benchmarks/bench_onnx.py               # batch 2, 5 rounds, all cores; rewrites its BENCHMARKS.md row
    python benchmarks/bench_onnx.py --threads 1 --rounds 3 --batch 1 --no-write

The network is the kit's OmniPose W48 (the default layout, 1-4-3 modules, 4 blocks, WASPv2 head) with random
weights, in eval mode as `Predictor` runs it (unused last-module outputs skipped). The ONNX model is
`advomnipose.export.onnx_bytes` (TorchScript exporter, opset 17, dynamic batch); ONNX Runtime runs it with
`intra_op_num_threads` = torch's thread count (`export.OnnxModel`). Timing: one warm-up call each, then `--rounds`
rounds in which both run once on the same batch (interleaved, order alternating); wall clock (ONNX Runtime's threads
are not the Python thread, so CPU time of the thread would not count them); medians; images/s = batch / median
seconds. Speed-up: median over rounds of torch time / ONNX Runtime time. Parity: max |ORT - torch| / (max - min of
torch's heatmaps) <= 1e-4, else exit status 1. Raw numbers in outputs/benchmarks/onnx.json.
"""
import argparse, datetime, os, re, statistics, sys, time
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from advomnipose.core import atomic_write_json, atomic_write_text, outputs_dir   # noqa: E402
from advomnipose.omnipose import OmniPose   # noqa: E402
from advomnipose.export import onnx_bytes, OnnxModel, ONNX_OPSET   # noqa: E402
from bench_model import cpu_model, interleaved_times   # noqa: E402  (the timing loop of all CPU/GPU benchmarks)

MD = ROOT / 'BENCHMARKS.md'
TOL = 1e-4


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--width', type=int, default=48)
    ap.add_argument('--size', type=int, nargs=2, default=(192, 256), metavar=('W', 'H'))
    ap.add_argument('--batch', type=int, default=2)
    ap.add_argument('--rounds', type=int, default=5)
    ap.add_argument('--threads', type=int, default=0, help='torch and ONNX Runtime threads (default: all cores)')
    ap.add_argument('--no-write', action='store_true', help='do not rewrite the section of BENCHMARKS.md')
    a = ap.parse_args(argv)
    import onnxruntime
    threads = a.threads or os.cpu_count() or 1
    torch.set_num_threads(threads)
    W, H = a.size
    torch.manual_seed(0)
    model = OmniPose(17, width=a.width).eval()
    x = torch.randn(a.batch, 3, H, W)
    load0 = os.getloadavg()[0]
    t0 = time.perf_counter()
    onnx_model = onnx_bytes(model, (W, H))
    t_export = time.perf_counter() - t0
    ort = OnnxModel(onnx_model, threads=threads)
    print(f"W{a.width} {H}x{W}, batch {a.batch}, {threads} threads; export {t_export:.1f} s "
          f"({len(onnx_model) / 2 ** 20:.1f} MiB)", flush=True)
    with torch.inference_mode():
        ref = model(x)
        got = ort(x)
        rel = float((got - ref).abs().max() / (ref.max() - ref.min()))
        # the two calls above were the warm-up; then rounds of one call each, the order alternating
        times = interleaved_times({'torch': lambda: model(x), 'onnxruntime': lambda: ort(x)}, 0, a.rounds,
                                  torch.device('cpu'))
        for r, (t, o) in enumerate(zip(times['torch'], times['onnxruntime'])):
            print(f"round {r}: torch {t:.2f} s, onnxruntime {o:.2f} s")
    load = (load0 + os.getloadavg()[0]) / 2             # other jobs on this machine, start and end of the run
    med = {k: statistics.median(v) for k, v in times.items()}
    ips = {k: a.batch / v for k, v in med.items()}
    ratios = sorted(t / o for t, o in zip(times['torch'], times['onnxruntime']))
    speedup = statistics.median(ratios)
    ok = rel <= TOL
    res = dict(model=f'W{a.width}', input=f'{H}x{W}', batch=a.batch, rounds=a.rounds, threads=threads,
               cpu=cpu_model(), torch=torch.__version__, onnxruntime=onnxruntime.__version__, opset=ONNX_OPSET,
               export_s=t_export, seconds=times, images_per_s=ips, speedup=speedup,
               speedup_range=[ratios[0], ratios[-1]], heatmap_rel_err=rel, tol=TOL, parity_ok=ok, load=load,
               date=datetime.datetime.now().isoformat(timespec='seconds'))
    atomic_write_json(res, outputs_dir('benchmarks') / 'onnx.json')
    line = (f"| W{a.width} | {H}x{W} | {a.batch} | {threads} | {ips['torch']:.2f} | {ips['onnxruntime']:.2f} | "
            f"**{speedup:.2f}x** ({ratios[0]:.2f}-{ratios[-1]:.2f}) | {rel:.1e} ({'ok' if ok else 'ABOVE'} {TOL:g}) | "
            f"{load:.1f} |")
    print(line)
    if not a.no_write:
        args = ' '.join(argv if argv is not None else sys.argv[1:])
        cmd = 'python benchmarks/bench_onnx.py' + (' ' + args if args else '')
        body = (f"## ONNX Runtime (CPU)\n\nLast run: `{cmd}`; {res['date']}; {res['cpu']}; the same number of "
                f"threads for both (column threads); torch {torch.__version__} eager fp32, "
                f"onnxruntime {onnxruntime.__version__} (CPUExecutionProvider, opset {ONNX_OPSET}, exported by "
                f"`advomnipose export` / `export.onnx_bytes`). Random weights, the network alone (no crop, flip "
                f"test or decoding: those stay in Python for both backends). {a.rounds} interleaved rounds, wall "
                f"clock, medians; speed-up = median of per-round torch / ONNX Runtime times (min-max in brackets); "
                f"parity: max |ORT - torch| / torch heatmap range. The machine is shared with other jobs: the "
                f"interleaved rounds give both backends the same load, the absolute rates vary from run to run "
                f"(load: the 1-minute load average during the run, {os.cpu_count()} cores).\n\n"
                "| model | input | batch | threads | torch eager fp32 images/s | ONNX Runtime images/s | speed-up | "
                "heatmap parity | load |\n|---|---|---|---|---|---|---|---|---|\n" + line)
        text = MD.read_text()
        old = re.search(r'<!-- BEGIN onnx -->.*?<!-- END onnx -->', text, re.S)
        key = line.split('|')[1:5]                            # model, input, batch, threads: one row each
        kept = [r for r in (old.group(0).splitlines() if old else [])
                if r.startswith('| W') and r.split('|')[1:5] != key]
        body = body.rsplit('\n', 1)[0] + '\n' + '\n'.join(sorted(kept + [line], key=lambda r: r.split('|')[1:5]))
        block = f'<!-- BEGIN onnx -->\n{body}\n<!-- END onnx -->'
        if '<!-- BEGIN onnx -->' in text:
            text = re.sub(r'<!-- BEGIN onnx -->.*?<!-- END onnx -->', lambda m: block, text, flags=re.S)
        else: text = text.replace('<!-- BEGIN gpu -->', block + '\n\n<!-- BEGIN gpu -->', 1)
        atomic_write_text(text, MD)
        print(f"rewrote the onnx section of {MD}")
    if not ok:
        print(f"PARITY FAILED: {rel:.2e} > {TOL}")
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main())
