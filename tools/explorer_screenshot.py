"""The explorer in a real browser: JupyterLab on localhost, a notebook that opens `explorer()`, headless Chromium
(driven by Playwright) runs it and takes a screenshot. The slow test of nbs/85_explorer.ipynb and the README picture.

    python tools/explorer_screenshot.py OUT.png [--ckpt CKPT] [--data-root ROOT] [--image-id 196141] [--timeout 240]

Needs Debian's chromium (`apt-get install chromium`: /usr/bin/chromium, or --chromium PATH) and the Python package
playwright (`pip install '.[browser]'`; its own browser download is not used). Without a checkpoint (--ckpt) a tiny
random-weight OmniPose is saved the way the kit saves (96x128 input), so the skeletons are noise; the page, the
widgets and the figure are what is checked: the screenshot is written only when the explorer's figure is on the page.
Exit status 0 on success; any failure says what was missing. Only loopback addresses are used.
"""
import argparse, json, os, secrets, shutil, socket, subprocess, sys, tempfile, time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
                 '--disable-background-networking', '--disable-component-update', '--disable-sync']


def free_port() -> int:
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def tiny_checkpoint(folder: Path) -> Path:
    sys.path.insert(0, str(ROOT))
    import torch
    from advomnipose.config import get_default_config, apply_opts, layout_opts
    from advomnipose.keypoints import COCO17
    from advomnipose.omnipose import OmniPose
    from advomnipose.runs import RunFolder, inference_info
    torch.manual_seed(0)
    m = OmniPose(17, width=8, num_modules=(1, 1, 1), num_blocks=1)
    cfg = apply_opts(get_default_config(), {**layout_opts(8, (1, 1, 1), 1), 'MODEL.IMAGE_SIZE': [96, 128],
                                            'MODEL.HEATMAP_SIZE': [24, 32]})
    return RunFolder(folder / 'tiny').save_weights(m.state_dict(), inference_info(cfg, COCO17, m), 'best')


def notebook(outputs: Path, data_root: Path, image_id: int) -> dict:
    src = (f"from advomnipose.explorer import explorer\n"
           f"box = explorer({str(outputs)!r}, {str(data_root)!r})\n"
           f"box.controls['image'].value = {image_id}\n"
           f"box.controls['heatmaps'].value = 'all'\n"
           f"box")
    return {'cells': [{'cell_type': 'code', 'metadata': {}, 'source': src, 'execution_count': None, 'outputs': []}],
            'metadata': {'kernelspec': {'display_name': 'Python 3 (ipykernel)', 'language': 'python',
                                        'name': 'python3'}}, 'nbformat': 4, 'nbformat_minor': 5}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('out', type=Path)
    ap.add_argument('--ckpt', type=Path, default=None)
    ap.add_argument('--data-root', type=Path, default=None, help='COCO-format root (default: the shared excerpt)')
    ap.add_argument('--image-id', type=int, default=196141)
    ap.add_argument('--chromium', default=shutil.which('chromium') or '/usr/bin/chromium')
    ap.add_argument('--timeout', type=float, default=240)
    a = ap.parse_args(argv)
    if not Path(a.chromium).is_file():
        sys.exit(f"no Chromium at {a.chromium}: apt-get install chromium (Debian), or pass --chromium PATH")
    try: from playwright.sync_api import sync_playwright
    except ImportError: sys.exit("the package playwright is missing: pip install '.[browser]' or playwright")
    sys.path.insert(0, str(ROOT))
    from advomnipose.core import shared_data_dir
    data_root = a.data_root or shared_data_dir() / 'coco'
    work = Path(tempfile.mkdtemp(prefix='explorer_shot_'))
    server = None
    try:
        outputs = work / 'outputs'
        if a.ckpt is None: tiny_checkpoint(outputs)
        else:
            (outputs / a.ckpt.parent.name).mkdir(parents=True)
            shutil.copy(a.ckpt, outputs / a.ckpt.parent.name / a.ckpt.name)
        (work / 'explorer.ipynb').write_text(json.dumps(notebook(outputs, data_root, a.image_id)))
        news = work / 'lab_settings/@jupyterlab/apputils-extension/notification.jupyterlab-settings'
        news.parent.mkdir(parents=True)
        news.write_text(json.dumps({'fetchNews': 'false', 'checkForUpdates': False}))   # no news pop-up
        port, token = free_port(), secrets.token_hex(16)
        env = {**os.environ, 'PYTHONPATH': str(ROOT) + os.pathsep + os.environ.get('PYTHONPATH', ''),
               'JUPYTER_CONFIG_DIR': str(work / 'jupyter_config'),
               'JUPYTERLAB_SETTINGS_DIR': str(work / 'lab_settings')}
        jupyter = Path(sys.executable).parent / 'jupyter'
        server = subprocess.Popen([str(jupyter), 'lab', '--no-browser', '--ip=127.0.0.1', f'--port={port}',
                                   f'--IdentityProvider.token={token}', f'--ServerApp.root_dir={work}',
                                   '--LabApp.expose_app_in_browser=True', '--ServerApp.allow_root=True',
                                   '--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate'],
                                  env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        t0 = time.time()
        while True:
            try:
                with socket.create_connection(('127.0.0.1', port), timeout=1): break
            except OSError:
                if server.poll() is not None: sys.exit(f"JupyterLab exited: {server.stdout.read()[-2000:]}")
                if time.time() - t0 > 60: sys.exit('JupyterLab did not start within 60 s')
                time.sleep(0.5)
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=a.chromium, args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={'width': 1400, 'height': 1000})
            page.set_default_timeout(a.timeout * 1000)
            page.goto(f'http://127.0.0.1:{port}/lab/tree/explorer.ipynb?token={token}&reset')
            page.wait_for_function('window.jupyterapp && document.querySelector(".jp-Notebook")')
            page.wait_for_function('document.querySelector(".jp-Notebook-ExecutionIndicator, .jp-Toolbar")')
            page.wait_for_timeout(3000)                       # the kernel starts
            page.evaluate("window.jupyterapp.commands.execute('notebook:run-all-cells')")
            page.wait_for_selector('.jp-OutputArea-output .widget-vbox', state='visible')
            try: page.wait_for_selector('.jp-OutputArea-output .widget-vbox img', state='visible')
            except Exception:
                page.screenshot(path=str(a.out.with_suffix('.failed.png')))
                raise
            page.evaluate("window.jupyterapp.commands.execute('application:toggle-left-area')")   # the file browser
            page.wait_for_timeout(1500)
            text = page.inner_text('.jp-OutputArea-output')
            for want in ('image', 'heatmaps', 'images in'):
                if want not in text: sys.exit(f"the explorer's page lacks {want!r}: {text[:500]}")
            a.out.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(a.out), full_page=False)
            browser.close()
        print(f"wrote {a.out} ({a.out.stat().st_size // 1024} KiB) in {time.time() - t0:.0f} s")
        return 0
    finally:
        if server is not None:
            server.terminate()
            try: server.wait(20)
            except subprocess.TimeoutExpired: server.kill()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == '__main__':
    sys.exit(main())
