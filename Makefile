# Two commands: `make run` serves the app with demo data; `make test` runs the whole suite.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PORT ?= 5000
HOST ?= 127.0.0.1
export FLASK_APP := wsgi:app

.PHONY: run test test-sqlite test-postgresql setup browser office corpus lint format bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(STAMP): requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $(STAMP)

setup: $(STAMP)

# Real PDF, DOCX and PPTX files from the pinned sdists of pypdf, python-docx and python-pptx,
# fetched once into .cache/corpus (tests/corpus.py); ../shared/corpus adds files when present.
corpus: setup
	@$(BIN)/python tests/corpus.py

run: setup
	$(BIN)/flask db upgrade
	$(BIN)/flask demo seed
	@echo "Lockstep on http://$(HOST):$(PORT)"
	# glibc keeps 1 MiB request-body buffers instead of returning them to the kernel per chunk:
	# uploads received ~2x faster (docs/BENCHMARKS.md, Uploads).
	MALLOC_MMAP_THRESHOLD_=4194304 MALLOC_TRIM_THRESHOLD_=67108864 \
	  $(BIN)/gunicorn --workers 2 --threads 4 --timeout 300 --bind $(HOST):$(PORT) wsgi:app

# Debian's Chromium for the browser tests (never a downloaded browser build).
browser:
	@command -v chromium >/dev/null || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq chromium >/dev/null; \
	  else echo "Install Debian's chromium (apt-get install chromium) for the browser tests" >&2; exit 1; fi; }

# Debian's LibreOffice for real Word and PowerPoint previews (optional when running the app).
office:
	@command -v soffice >/dev/null || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq --no-install-recommends \
	    libreoffice-writer libreoffice-impress >/dev/null; \
	  else echo "Install Debian's LibreOffice (apt-get install libreoffice-writer libreoffice-impress) for the preview tests" >&2; exit 1; fi; }

test: setup browser office
	$(MAKE) --no-print-directory test-sqlite
	$(MAKE) --no-print-directory test-postgresql

test-sqlite: setup corpus
	LOCKSTEP_TEST_DB=sqlite $(BIN)/python -m pytest -p no:cacheprovider $(PYTEST_ARGS)

# PostgreSQL is required, never skipped: the suite fails if the server cannot be reached.
test-postgresql: setup corpus
	LOCKSTEP_TEST_DB=postgresql $(BIN)/python -m pytest -p no:cacheprovider $(PYTEST_ARGS)

lint: setup
	$(BIN)/ruff check .

format: setup
	$(BIN)/ruff check --fix .

bench: setup
	$(BIN)/python bench/upload.py

clean:
	rm -rf $(VENV) instance/tmp
