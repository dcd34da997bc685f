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
.PHONY: help data test lint bench bench-corpus bench-geo bench-geo-articles bench-temporal bench-events bench-timeline bench-timeline-scale clean

help: ## List the targets
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z_-]+:.*## / {printf "  %-20s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

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

N ?= 10000
bench-corpus: $(VENV)/.installed-dev ## Generate N benchmark articles into bench/out/corpus-N (N=10000)
	$(PY) -m bench.corpus $(N) bench/out/corpus-$(N)

bench: $(VENV)/.installed-dev ## Whole-pipeline benchmark: 10k and 100k articles, RSS, incremental, baseline
	$(PY) -m bench.pipeline

bench-temporal: $(VENV)/.installed-dev ## Date-expression accuracy and speed vs dateparser.search_dates
	$(PY) -m bench.temporal

bench-geo: $(VENV)/.installed-dev ## Geocoding of UCDP GED headlines vs the largest-population baseline
	$(PY) -m bench.geo

bench-events: $(VENV)/.installed-dev ## Geocoding, fatalities and actors against UCDP GED Ukraine
	$(PY) -m bench.events

bench-timeline: $(VENV)/.installed-dev ## Cross-article merge precision/recall against UCDP GED rows
	$(PY) -m bench.timeline

bench-timeline-scale: $(VENV)/.installed-dev ## Timeline merge at 211k and 2.1M events: full, incremental, RSS
	$(PY) -m bench.timeline_scale

bench-geo-articles: $(VENV)/.installed-dev ## Geocoding cost per article in the events stage's pattern of questions
	$(PY) -m bench.geo articles

clean: ## Remove build output (keeps data/raw and .venv)
	rm -rf $(OUT)/*.parquet $(OUT)/.built $(OUT)/.cache
