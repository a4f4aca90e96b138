# The two commands: `make run` and `make test`. Both create .venv and install on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint typecheck screenshots bench clean

$(STAMP): pyproject.toml
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/python run.py $(ARGS)

test: $(STAMP)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check live tests bench run.py
	$(BIN)/ruff format --check live tests bench run.py

# the whole benchmark, S1-S7 (about 27 minutes), then its tables and plot; see docs/BENCHMARKS.md
bench: $(STAMP)
	$(BIN)/pip install --quiet -e '.[dev,bench]'
	$(BIN)/python -m bench suite --out bench/results/suite.json
	$(BIN)/python -m bench report bench/results/suite.json --plot docs/benchmarks.png

# PNGs of the three views in docs/screenshots/ (needs /usr/bin/chromium)
screenshots: $(STAMP)
	$(BIN)/python -m tests.screenshots docs/screenshots

typecheck: $(STAMP)
	$(BIN)/mypy

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .mypy_cache
