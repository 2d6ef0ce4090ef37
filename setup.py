"""Packaging for advomnipose: everything is declared once in settings.ini (nbdev 2 layout)."""
from configparser import ConfigParser
import setuptools

cfg = ConfigParser(delimiters=['='])
cfg.read('settings.ini', encoding='utf-8')
cfg = cfg['DEFAULT']

requirements = cfg.get('requirements', '').split()
dev_requirements = cfg.get('dev_requirements', '').split()
notebooks_requirements = cfg.get('notebooks_requirements', '').split()
export_requirements = cfg.get('export_requirements', '').split()
browser_requirements = cfg.get('browser_requirements', '').split()
timm_requirements = cfg.get('timm_requirements', '').split()
tb_requirements = cfg.get('tb_requirements', '').split()
console_scripts = cfg.get('console_scripts', '').split()

setuptools.setup(
    name=cfg['lib_name'],
    version=cfg['version'],
    description=cfg['description'],
    long_description=open('README.md', encoding='utf-8').read(),
    long_description_content_type='text/markdown',
    author=cfg['author'],
    author_email=cfg['author_email'],
    license=cfg['license'],
    keywords=cfg['keywords'].split(),
    url=cfg['git_url'],
    python_requires='>=' + cfg['min_python'],
    packages=setuptools.find_packages(include=[cfg['lib_path'], cfg['lib_path'] + '.*']),
    include_package_data=True,
    install_requires=requirements,
    # the library and its command line need only `requirements`; the experiment notebooks (papermill), the explorer
    # (ipywidgets) and JupyterLab come with [notebooks]; ONNX export and the ONNX Runtime backend with [export];
    # Playwright for the explorer's browser test with [browser] (Chromium itself: Debian's chromium package);
    # timm's ImageNet HRNets (MODEL.PRETRAINED timm:hrnet_w48) with [timm]; TensorBoard logging (TENSORBOARD,
    # --tensorboard) with [tb];
    # nbdev, the test tools (timm and tensorboard among them) and ruff with [dev], which brings the others so that
    # `make test` runs everything
    extras_require={'notebooks': notebooks_requirements, 'export': export_requirements,
                    'browser': browser_requirements, 'timm': timm_requirements, 'tb': tb_requirements,
                    'dev': dev_requirements + notebooks_requirements + export_requirements + browser_requirements},
    entry_points={'console_scripts': console_scripts, 'nbdev': [f"{cfg['lib_path']}={cfg['lib_path']}._modidx:d"]},
    classifiers=['Programming Language :: Python :: 3', 'License :: OSI Approved :: Apache Software License',
                 'Intended Audience :: Science/Research', 'Topic :: Scientific/Engineering :: Image Recognition'],
    project_urls={'Source': cfg['git_url']},
    zip_safe=False,
)
