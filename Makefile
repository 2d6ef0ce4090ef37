# The two commands of the README: `make run` and `make test`.  Everything else is a helper.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
PY     := $(BIN)/python
DATA   ?= synthetic
RUN    ?= main
ARGS   ?=
STAMP  := $(VENV)/.advomnipose-installed
RUN_STAMP := $(VENV)/.advomnipose-run-installed

.PHONY: run base test install export clean-nbs check-tree nb-test slow-test bench device-prep curve lab help

help:
	@echo "make run   [DATA=synthetic|coco|mpii] [RUN=name] [ARGS='...']  set up and run the main job"
	@echo "make test                                                     export/clean check + notebook tests"
	@echo "make base  [ARGS=--install]                                   retrain the shipped base model (~1 h on 2 cores)"

$(PY):
	$(PYTHON) -m venv $(VENV)

# make run needs the library and the experiment notebooks' tools ([notebooks]); make test and the rest add [dev]
$(RUN_STAMP): settings.ini setup.py | $(PY)
	$(PY) -m pip install --upgrade --quiet pip
	$(PY) -m pip install --quiet -e '.[notebooks]'
	$(PY) -m ipykernel install --sys-prefix --name python3 --display-name "Python 3 (ipykernel)" >/dev/null
	@touch $(RUN_STAMP)

$(STAMP): $(RUN_STAMP)
	$(PY) -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP)

run: $(RUN_STAMP)
	$(BIN)/advomnipose run --data $(DATA) --run $(RUN) $(ARGS)

# the base OmniPose that make run's fine-tunes start from (shipped in experiments/synthetic/base/): its train set,
# its training (2 threads) and a tensor-by-tensor comparison with the shipped weights; ARGS='--install' replaces them
base: $(RUN_STAMP)
	$(BIN)/advomnipose base $(ARGS)

export: $(STAMP)
	$(PY) tools/export.py

clean-nbs: $(STAMP)
	$(BIN)/nbdev_clean

# the export (nbdev_export via tools/export.py) and nbdev_clean must leave a clean checkout unchanged
check-tree: $(STAMP)
	@before="$$(git status --porcelain)"; \
	$(PY) tools/export.py && $(BIN)/nbdev_clean; \
	after="$$(git status --porcelain)"; \
	if [ "$$before" != "$$after" ]; then echo "nbdev_export/nbdev_clean changed the tree:"; git status --porcelain; exit 1; fi; \
	echo "export/clean: tree unchanged"
	$(PY) tools/lint.py

nb-test: $(STAMP)
	$(PY) tools/run_tests.py $(ARGS)

test: check-tree
	$(PY) tools/run_tests.py $(ARGS)

slow-test: $(STAMP)
	$(PY) tools/run_tests.py --flags slow $(ARGS)

bench: $(STAMP)
	$(PY) benchmarks/run_all.py $(ARGS)

# what benchmarks/device_gpu.sh carries to a lent GPU machine, which cannot fetch anything: the pycocotools wheel for
# its Python 3.12 (.whl/) and the shared COCO excerpt for the data benchmark (.device_carry/); both are git-ignored
device-prep: $(STAMP)
	rm -rf .whl .device_carry
	$(PY) -m pip download --quiet --no-deps --only-binary=:all: --python-version 3.12 --implementation cp \
		--platform manylinux_2_28_x86_64 --platform manylinux_2_17_x86_64 --platform manylinux2014_x86_64 \
		-d .whl pycocotools==$$($(PY) -c "import importlib.metadata as m; print(m.version('pycocotools'))")
	mkdir -p .device_carry/shared/data
	cp -r "$$($(PY) -c 'from advomnipose.core import shared_data_dir; print(shared_data_dir())')/coco" .device_carry/shared/data/
	@du -sh .whl .device_carry

# the learning curve of one small OmniPose on the synthetic data: 40 epochs of 50 x 16 crops, LR drop at 34
curve: $(STAMP)
	$(BIN)/advomnipose generate-data
	$(PY) -c "from advomnipose.experiments import run_experiment as r; print('curve:', r('omnipose', 'outputs/omnipose/curve', progress=True, epochs=40, max_iters=50, workers=0, opts={'TRAIN.LR_STEP': [34], 'TEST.MAX_IMAGES': 120, 'TEST.FLIP_TEST': False}) / 'ap_per_epoch.png')"

lab: $(STAMP)
	$(BIN)/jupyter lab nbs/
