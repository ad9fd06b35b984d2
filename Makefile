# oots-portal — the two commands of the README, and their building blocks.
#   make demo   run the portal with its worker, beat and simulators on embedded defaults
#   make test   run every test (lint, types, unit, integration, browser)

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

demo: export DEBUG ?= 1
demo: migrate
	$(PY) manage.py load_demo
	$(PY) scripts/demo.py

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports

types: $(STAMP)
	$(VENV)/bin/mypy

unit: translations
	$(VENV)/bin/pytest $(PYTEST_ARGS)

test: lint types unit

clean:
	rm -rf $(VENV) var .mypy_cache .ruff_cache .pytest_cache
