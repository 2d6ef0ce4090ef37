"""`nbdev_export`, then each module's generated `__all__` list re-wrapped to fit 120 columns.

    python tools/export.py        (what `make export` and `make test`'s check step run)

nbdev 2 wraps the names of `__all__` at 120 columns and only then puts `__all__ = ` in front, so the first line can
reach 130. This rewraps that one statement with the prefix counted (same names, same order); the rest of every module
is nbdev's output untouched. Exit status: nbdev_export's.
"""
import re, subprocess, sys, textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ALL = re.compile(r"^__all__ = (\[[^\]]*\])", re.M)


def rewrap_all(text: str) -> str:
    "The module source with its `__all__ = [...]` statement wrapped to 120 columns."
    m = ALL.search(text)
    if m is None: return text
    names = ' '.join(m.group(1).split())
    lines = textwrap.wrap(names, width=120, initial_indent='__all__ = ', subsequent_indent=' ' * 11,
                          break_long_words=False, break_on_hyphens=False)
    return text[:m.start()] + '\n'.join(lines) + text[m.end():]


def main():
    r = subprocess.run([str(Path(sys.executable).parent / 'nbdev_export')], cwd=ROOT)
    if r.returncode: sys.exit(r.returncode)
    for p in sorted((ROOT / 'advomnipose').glob('*.py')):
        text = p.read_text()
        new = rewrap_all(text)
        if new != text: p.write_text(new)


if __name__ == '__main__':
    main()
