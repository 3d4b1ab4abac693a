# Two commands matter: `make brief` (briefing notes for the bundled data) and `make test`.
# Every target sets up .venv itself from pyproject.toml + constraints.txt.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   ?= .venv
PY     := $(VENV)/bin/python
AS_OF  ?= 2026-03
STAMP  := $(VENV)/.installed

.DEFAULT_GOAL := help
.PHONY: help setup brief ingest test test-fast bench lint lab notebooks sample constraints clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -c constraints.txt -e ".[test]"
	@touch $(STAMP)

setup: $(STAMP) ## Create .venv with the pinned dependencies

ingest: setup ## Validate data/raw and write data/processed/*.parquet
	$(VENV)/bin/q1brief ingest

brief: setup ## Ingest the bundled data and write the briefing notes to reports/
	$(VENV)/bin/q1brief ingest
	$(VENV)/bin/q1brief backtest
	$(VENV)/bin/q1brief run --all --as-of $(AS_OF)

test: setup ## Run ruff and the whole test suite (slow notebook/browser/cluster tests included)
	$(VENV)/bin/ruff check src tests benchmarks notebooks
	$(PY) -m pytest

test-fast: setup ## The test suite without the slow notebook, browser and Dask tests
	$(PY) -m pytest -m "not slow"

bench: setup ## Run the benchmarks (they print timings; nothing asserts them)
	$(PY) benchmarks/bench_gaps.py
	$(PY) benchmarks/bench_backtest.py
	$(PY) benchmarks/bench_briefing.py
	$(PY) benchmarks/bench_readers.py
	$(PY) benchmarks/bench_word.py

lint: setup ## ruff only
	$(VENV)/bin/ruff check src tests benchmarks notebooks

lab: setup ## Open JupyterLab on notebooks/ (an edit is saved to the notebook's paired .py too)
	$(VENV)/bin/jupyter lab notebooks/

# Sync first (the newer file of each pair wins), then strip outputs, then sync again so the
# .py is not older than its .ipynb (jupytext would otherwise ask which one to trust).
notebooks: setup ## Bring each notebook pair (.py <-> .ipynb) in step and strip the outputs
	$(VENV)/bin/jupytext --sync notebooks/[0-9]*.py
	$(VENV)/bin/jupyter nbconvert --clear-output --inplace --log-level=WARN notebooks/[0-9]*.ipynb
	$(VENV)/bin/jupytext --sync notebooks/[0-9]*.py

sample: setup ## Regenerate the bundled sample data in data/raw (deterministic)
	$(PY) -m analysis.sample --out data/raw

constraints: setup ## Record the installed versions in constraints.txt
	{ echo "# Exact versions the test suite passed with (pip freeze of .venv). 'make' installs with -c constraints.txt."; \
	  echo "# Regenerate: make constraints"; $(PY) -m pip freeze --exclude-editable; } > constraints.txt

clean: ## Remove generated data and reports (keeps .venv)
	rm -rf data/processed/*.parquet data/processed/validation.* reports/
