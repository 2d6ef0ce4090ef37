"""Run every notebook under nbs/ as a test (what `nbdev_test` does), one result per notebook.

Prints `PASS`/`FAIL` per notebook with its time, the tracebacks of failures, and a closing line
`N passed, N failed` (counted per notebook). Exit status 1 on any failure.

    python tools/run_tests.py [--flags slow] [--n_workers 2] [--file_glob '1*'] [--skip_file_re RE]
"""
import argparse, configparser, fnmatch, multiprocessing as mp, os, re, sys, time
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def notebooks(nbs, file_glob=None, skip_file_re=None):
    out = []
    for p in sorted(nbs.rglob('*.ipynb')):
        rel = p.relative_to(nbs)
        if any(part.startswith(('_', '.')) for part in rel.parts): continue
        if any((nbs / Path(*rel.parts[:i]) / '.notest').exists() for i in range(len(rel.parts))): continue
        if file_glob and not fnmatch.fnmatch(p.name, file_glob): continue
        if skip_file_re and re.search(skip_file_re, p.name): continue
        out.append(p)
    return out


def _run_one(fn, skip_flags, force_flags, threads):
    os.environ['OMP_NUM_THREADS'] = str(threads)
    os.environ.setdefault('MPLBACKEND', 'Agg')
    import io, contextlib
    from nbdev.test import test_nb
    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        ok, secs = test_nb(Path(fn), skip_flags=skip_flags, force_flags=force_flags, basepath=str(ROOT))
    return str(fn), ok, secs, err.getvalue()


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--flags', nargs='*', default=[], help='test flags to enable (e.g. slow)')
    ap.add_argument('--n_workers', type=int, default=min(2, os.cpu_count() or 1))
    ap.add_argument('--file_glob', default=None)
    ap.add_argument('--skip_file_re', default=None)
    a = ap.parse_args()
    cfg = configparser.ConfigParser(delimiters=['=']); cfg.read(ROOT / 'settings.ini')
    tst_flags = cfg['DEFAULT'].get('tst_flags', '').split()
    skip = [f for f in tst_flags if f not in a.flags]
    fns = notebooks(ROOT / cfg['DEFAULT'].get('nbs_path', 'nbs'), a.file_glob, a.skip_file_re)
    if not fns: sys.exit('no notebooks found')
    threads = max(1, (os.cpu_count() or 1) // max(1, a.n_workers))
    print(f'testing {len(fns)} notebooks with {a.n_workers} workers (skipping cells flagged {skip})', flush=True)
    t0, results = time.time(), []
    # a fresh process per notebook: IPython replaces __main__ inside a worker, and tests stay isolated
    with ProcessPoolExecutor(a.n_workers, mp_context=mp.get_context('spawn'), max_tasks_per_child=1) as ex:
        futs = [ex.submit(_run_one, fn, skip, a.flags, threads) for fn in fns]
        for f in as_completed(futs):
            fn, ok, secs, err = f.result()
            rel = Path(fn).relative_to(ROOT)
            print(f"{'PASS' if ok else 'FAIL'}  {rel}  ({secs:.1f}s)", flush=True)
            if not ok: print(err, flush=True)
            results.append((rel, ok))
    failed = [r for r, ok in results if not ok]
    if failed: print('failed notebooks:', *failed, sep='\n  ')
    print(f'total {time.time() - t0:.0f}s')
    print(f'{len(results) - len(failed)} passed, {len(failed)} failed')
    sys.exit(1 if failed else 0)


if __name__ == '__main__':
    main()
