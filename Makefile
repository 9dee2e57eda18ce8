# motcua — the two commands of the README: `make demo` and `make test`.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.12 || echo python3)
VENV := .venv
BIN := $(VENV)/bin

.PHONY: demo test install system-packages lint typecheck pytest test-python clean

demo: install ## set up from a fresh clone and run the demo on http://127.0.0.1:8000/
	$(BIN)/motcua demo

install: system-packages $(VENV)/.installed node_modules/.installed

system-packages: ## the Debian packages of the PDF forms (scripts/system-packages)
	@scripts/system-packages

$(VENV)/.installed: pyproject.toml constraints.txt
	@$(PYTHON) -c 'import sys; assert sys.version_info[:2] == (3, 12), "motcua needs Python 3.12 (see .python-version)"'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip==25.3
	$(BIN)/pip install --quiet -c constraints.txt -e '.[dev]'
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

lint: install
	$(BIN)/ruff check src tests conftest.py bench
	$(BIN)/ruff format --check src tests conftest.py bench
	$(BIN)/lint-imports --no-cache

typecheck: install
	$(BIN)/mypy

pytest: install
	$(BIN)/pytest -q

test: lint typecheck pytest ## everything: ruff, mypy, unit, integration and browser tests

# The PostgreSQL pass of CI: the same suite without the browser tests.
test-python: install
	MOTCUA_SKIP_BROWSER=1 $(BIN)/pytest -q

clean:
	rm -rf $(VENV) node_modules var
