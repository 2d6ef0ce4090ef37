"""Style check of the exported modules: one statement per line, lines of at most 120 characters.

    python tools/lint.py

Runs ruff (E702 multiple statements on one line, E703 trailing semicolon, E501 line too long at 120) over
`advomnipose/`, leaving out what nbdev generates: the index `_modidx.py`, line 1 of each module (the docstring
it writes from the notebook's description) and the first line of its `__all__` statement (nbdev 2 wraps the names
at 120 columns and then puts `__all__ = ` in front, so that line can reach 130; rewrapping it would make the
checkout differ from plain `nbdev_export` output). Those generated lines are counted and named, not failed.
Prints each problem and exits 1 if there is any.
"""
import json, subprocess, sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RULES = 'E702,E703,E501'


def problems(lib=ROOT / 'advomnipose'):
    cmd = [sys.executable, '-m', 'ruff', 'check', '--isolated', '--select', RULES, '--line-length', '120',
           '--exclude', '_modidx.py', '--output-format', 'json', str(lib)]
    out = subprocess.run(cmd, capture_output=True, text=True)
    if out.returncode not in (0, 1): sys.exit(f'ruff failed ({out.returncode}): {out.stderr.strip()}')
    found = json.loads(out.stdout or '[]')
    return [p for p in found if not (p['code'] == 'E501' and (p['location']['row'] == 1 or _nbdev_all_line(p)))]


def _nbdev_all_line(p) -> bool:
    "Is this the first line of the `__all__ = [...]` nbdev wrote (at most 130 columns)?"
    line = Path(p['filename']).read_text().splitlines()[p['location']['row'] - 1]
    return line.startswith('__all__ = [') and len(line) <= 130


def generated_long_lines(lib=ROOT / 'advomnipose') -> list[str]:
    "The `__all__` first lines over 120 columns that nbdev wrote (reported, not failed)."
    return [f"{f.relative_to(ROOT)}: {len(l)}" for f in sorted(lib.glob('*.py'))
            for l in f.read_text().splitlines() if l.startswith('__all__ = [') and len(l) > 120]


def main():
    found = problems()
    for p in found:
        rel = Path(p['filename']).relative_to(ROOT)
        print(f"{rel}:{p['location']['row']}:{p['location']['column']}: {p['code']} {p['message']}")
    gen = generated_long_lines()
    if gen: print(f"note: {len(gen)} nbdev-generated __all__ line(s) over 120 columns: {', '.join(gen)}")
    print(f'style: {len(found)} problem(s) ({RULES}, 120 columns) in advomnipose/')
    sys.exit(1 if found else 0)


if __name__ == '__main__':
    main()
