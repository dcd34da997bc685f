# conflict-etl — `make data` builds the dataset, `make test` runs every test. `make` lists targets.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
RAW := data/raw
OUT := data/processed
# Real file dependencies: an unchanged tree rebuilds nothing.
RAW_FILES := $(shell find $(RAW) -type f ! -name '.*' 2>/dev/null)
CODE_FILES := $(shell find etl -type f \( -name '*.py' -o -path '*/resources/*' \) ! -path '*/__pycache__/*' 2>/dev/null)

.DEFAULT_GOAL := help
.PHONY: help data test lint bench bench-temporal bench-events bench-timeline clean

help: ## List the targets
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z_-]+:.*## / {printf "  %-16s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

$(VENV)/.installed: setup.cfg pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed
	$(PY) -m pip install --quiet -e '.[test,lint]'
	touch $@

data: $(OUT)/.built ## Build data/processed/*.parquet from data/raw (creates .venv first)

$(OUT)/.built: $(VENV)/.installed $(RAW_FILES) $(CODE_FILES)
	$(PY) -m etl build $(RAW) $(OUT)
	touch $@

test: $(VENV)/.installed-dev ## Run the whole test suite (installs test extras into .venv)
	$(PY) -m pytest -q

lint: $(VENV)/.installed-dev ## ruff and mypy (strict)
	$(VENV)/bin/ruff check etl tests bench
	$(VENV)/bin/mypy

clean: ## Remove build output (keeps data/raw and .venv)
	rm -rf $(OUT)/*.parquet $(OUT)/.built
