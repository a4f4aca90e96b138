# The two commands: `make run` and `make test`. Both create .venv and install on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint typecheck screenshots bench clean messages

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

# the one catalogue: extract the messages of live/, run.py, templates/ and static/*.js into
# live/translations/messages.pot and update every language's .po (docs/translations.md); the .po
# files are compiled when the app starts, so there is no compile step
messages: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg -k N_ -k N_plural:1,2 -k lazy_gettext -k lazy_ngettext:1,2 \
		--project live --copyright-holder "the live authors" -o live/translations/messages.pot .
	$(BIN)/pybabel update --no-fuzzy-matching --ignore-obsolete -i live/translations/messages.pot -d live/translations

typecheck: $(STAMP)
	$(BIN)/mypy

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .mypy_cache
