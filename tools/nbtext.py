"""Round-trip notebooks through a plain-text "percent" form, for editing in a terminal.

    python tools/nbtext.py to-py nbs/10_hrnet.ipynb  > /tmp/10_hrnet.py
    python tools/nbtext.py to-nb /tmp/10_hrnet.py nbs/10_hrnet.ipynb

Cells are separated by lines `# %%` (code) or `# %% [markdown]` (markdown, every line
prefixed with `# `). Tags: `# %% tags=["parameters"]`. The notebook stays the source of
truth; the text form is a scratch copy. Outputs are not kept (nbdev_clean drops them anyway).
"""
import json, re, sys
from pathlib import Path

KERNEL = {"kernelspec": {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"},
          "language_info": {"name": "python"}}
HDR = re.compile(r'^# %%(?P<md> \[markdown\])?(?: tags=(?P<tags>\[.*\]))?\s*$')


def to_py(nb_path):
    nb = json.loads(Path(nb_path).read_text())
    out = []
    for c in nb['cells']:
        src = ''.join(c['source'])
        tags = c.get('metadata', {}).get('tags')
        t = f' tags={json.dumps(tags)}' if tags else ''
        if c['cell_type'] == 'markdown':
            out.append(f'# %% [markdown]{t}')
            out.extend(('# ' + l) if l else '#' for l in src.split('\n'))
        else:
            out.append(f'# %%{t}')
            out.append(src)
        out.append('')
    return '\n'.join(out)


def to_nb(py_text, old=None):
    cells, cur = [], None
    for line in py_text.split('\n'):
        m = HDR.match(line)
        if m:
            if cur: cells.append(cur)
            cur = {'md': bool(m['md']), 'tags': json.loads(m['tags']) if m['tags'] else None, 'lines': []}
        elif cur is not None:
            cur['lines'].append(line)
    if cur: cells.append(cur)
    nb_cells = []
    for c in cells:
        lines = c['lines']
        while lines and not lines[-1].strip(): lines.pop()
        if c['md']: lines = [l[2:] if l.startswith('# ') else l[1:] if l.startswith('#') else l for l in lines]
        src = '\n'.join(lines)
        md = {'tags': c['tags']} if c['tags'] else {}
        srcl = [l + '\n' for l in src.split('\n')]
        if srcl: srcl[-1] = srcl[-1][:-1]
        cell = {'cell_type': 'markdown' if c['md'] else 'code', 'metadata': md, 'source': srcl}
        if not c['md']: cell.update(execution_count=None, outputs=[])
        nb_cells.append(cell)
    if old:   # keep the cell ids of the notebook being replaced (position by position), so diffs stay small
        for c, o in zip(nb_cells, old.get('cells', [])):
            if 'id' in o and o['cell_type'] == c['cell_type']: c['id'] = o['id']
        for c in nb_cells: c.setdefault('id', __import__('uuid').uuid4().hex[:8])
    return {'cells': nb_cells, 'metadata': KERNEL, 'nbformat': 4, 'nbformat_minor': 5}


if __name__ == '__main__':
    cmd = sys.argv[1]
    if cmd == 'to-py': sys.stdout.write(to_py(sys.argv[2]))
    elif cmd == 'to-nb':
        dest = Path(sys.argv[3])
        nb = to_nb(Path(sys.argv[2]).read_text(), json.loads(dest.read_text()) if dest.exists() else None)
        Path(sys.argv[3]).write_text(json.dumps(nb, indent=1, ensure_ascii=False) + '\n')
    else: sys.exit(__doc__)
