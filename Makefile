# oots-portal — the two commands of the README, and their building blocks.
#   make demo   run the portal with its worker, beat and simulators on embedded defaults
#   make test   run every test (lint, types, unit, integration, browser); installs axe-core from the lock file

VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
STAMP := $(VENV)/.installed
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: demo test lint types unit venv translations migrate clean

$(VENV)/bin/python:
	@PYTHON=$$(scripts/find-python) && echo "Creating $(VENV) with $$PYTHON" && "$$PYTHON" -m venv $(VENV)

# lxml and xmlsec must come as wheels: a source build of one against the system libxml2 breaks the
# other ("lxml & xmlsec libxml2 library version mismatch").
$(STAMP): pyproject.toml | $(VENV)/bin/python
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet --only-binary lxml,xmlsec -e '.[dev]'
	@touch $(STAMP)

venv: $(STAMP)

translations: $(STAMP)
	@$(PY) scripts/compile_translations.py

migrate: translations
	$(PY) manage.py migrate --no-input
	$(PY) manage.py sync_translation_fields --noinput

demo: export DEBUG ?= 1
demo: migrate
	$(PY) manage.py load_demo
	$(PY) manage.py prepare_receipt_font
	$(PY) scripts/demo.py

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports

types: $(STAMP)
	$(VENV)/bin/mypy

# axe-core for the browser tests' accessibility checks, pinned in package-lock.json: installed by `npm ci`
# when node_modules is missing or older than the lock file (npm writes node_modules/.package-lock.json).
AXE := node_modules/.package-lock.json
$(AXE): package-lock.json
	@command -v npm >/dev/null || { echo "npm is needed for the browser tests (Debian: apt-get install npm)"; exit 1; }
	npm ci --no-audit --no-fund --loglevel=error
	@touch $(AXE)

unit: translations $(AXE)
	$(VENV)/bin/pytest $(PYTEST_ARGS)

test: lint types unit

clean:
	rm -rf $(VENV) var .mypy_cache .ruff_cache .pytest_cache
