# Two commands on a fresh machine: `make run` (set up, load the demo, serve) and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app kispub
STAMP := $(VENV)/.installed

.PHONY: run serve worker install test fuzz lint format bench bench-community bench-notifications bench-dossier bench-ingest bench-pages messages clean

$(STAMP): pyproject.toml setup.py
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test,postgres,redis]'
	touch $(STAMP)

install: $(STAMP)

# The web server and the job worker (mail delivery, periodic jobs) together; Ctrl-C stops both.
run: install
	$(FLASK) init-db
	$(FLASK) demo
	$(BIN)/python scripts/run_dev.py

serve: install
	$(FLASK) run --host 127.0.0.1 --port 5000

worker: install
	$(FLASK) worker

# The suite runs on SQLite, then again on PostgreSQL when KISPUB_TEST_DATABASE_URL is set
# (each xdist worker in a schema of its own).
test: lint
	$(BIN)/pytest -n 2
	@if [ -n "$$KISPUB_TEST_DATABASE_URL" ]; then \
		echo "== PostgreSQL run: $$KISPUB_TEST_DATABASE_URL"; \
		KISPUB_TEST_DATABASE=postgresql $(BIN)/pytest -n 2 -m "not browser and not dialect_free"; \
	else \
		echo "== PostgreSQL run skipped: set KISPUB_TEST_DATABASE_URL to run the suite on PostgreSQL too"; \
	fi

# mypy checks kispub/ as pyproject.toml's [tool.mypy] says.
# The property test over every public route at full strength: 2,000 requests per route, each
# carrying a generated value for every path argument, header, query value and form field
# (about 20 minutes per database; `make test` runs 120 per route).
fuzz: install
	KISPUB_PROPERTY_EXAMPLES=2000 $(BIN)/pytest -n 2 tests/test_routes_property.py

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

bench: install
	$(BIN)/python bench/run.py

# The community's thread and theme pages, logged in, on SQLite and PostgreSQL (see the script).
bench-community: install
	$(BIN)/python bench/community.py

# A reply's POST to a thread 1,000 members follow against one nobody follows (the fan-out
# of notifications runs in the worker); SQLite, and PostgreSQL when reachable.
bench-notifications: install
	$(BIN)/python bench/notifications.py

# The dossier page with 500 items, whole and filtered, as a ratio to /healthz (goal ≥ 0.5).
bench-dossier: install
	$(BIN)/python bench/dossier.py

# Ingest of a 1,000,000-line access log in nginx's format: lines/s and peak memory growth
# (flat: a tenth of the log and all of it rise about as far); SQLite, and PostgreSQL when reachable.
bench-ingest: install
	$(BIN)/python bench/ingest.py

# Home, series, episode, ateliers list, atelier and theme pages, logged out, as a ratio to
# /healthz with the queries each costs (goal ≥ 0.5); SQLite, and PostgreSQL when reachable.
bench-pages: install
	$(BIN)/python bench/pages.py

# Dutch is the source language; this collects every marked string (Python and templates,
# plurals included) into the template and brings the Dutch catalogue up to date with it.
# tests/test_i18n.py fails when the catalogue misses a marked string: run this after marking.
MESSAGES := kispub/translations
messages: install
	mkdir -p $(MESSAGES)
	$(BIN)/pybabel extract -F babel.cfg -k _l -k N_ -k lazy_gettext -k lazy_ngettext:1,2 \
		--ignore-dirs ".* __pycache__" --sort-by-file --project kispub --msgid-bugs-address "" -o $(MESSAGES)/messages.pot .
	if [ -f $(MESSAGES)/nl/LC_MESSAGES/messages.po ]; then \
		$(BIN)/pybabel update -i $(MESSAGES)/messages.pot -d $(MESSAGES) -l nl --no-fuzzy-matching --ignore-obsolete; \
	else \
		$(BIN)/pybabel init -i $(MESSAGES)/messages.pot -d $(MESSAGES) -l nl; \
	fi

clean:
	rm -rf $(VENV) *.egg-info
