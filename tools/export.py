"""`nbdev_export` from the project's environment (what `make export` and `make test`'s check step run).

    python tools/export.py

The modules are exactly nbdev's output: CI requires that `nbdev_export` and `nbdev_clean` leave the checkout
unchanged. nbdev 2 wraps a module's `__all__` names at 120 columns before putting `__all__ = ` in front, so that
first line can reach 130 columns; `tools/lint.py` names such lines instead of failing on them.
Exit status: nbdev_export's.
"""
import subprocess, sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main():
    sys.exit(subprocess.run([str(Path(sys.executable).parent / 'nbdev_export')], cwd=ROOT).returncode)


if __name__ == '__main__':
    main()
