# taolun — set up, run and test. `make run` and `make test` are all a newcomer needs.
#
# Stamp files make `make install` fast when nothing changed: the Python packages are
# reinstalled only when pyproject.toml changes, the npm packages only when
# package-lock.json changes, the vendored copies only when node_modules changes.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
# The demo is the seed's campaign of 2019; `make run TODAY=` uses the real date.
TODAY ?= 2019-05-20
# Extra arguments for pytest, e.g. `make test PYTEST_ARGS="-k login -x"` (then one run).
PYTEST_ARGS ?=
# Processes for the tests that need no browser (pytest-xdist); the browser tests share a
# live server and the demo's snapshot, so they run in one process after them.
TEST_WORKERS ?= 2

# Never let playwright fetch a browser of its own: tests drive Debian's /usr/bin/chromium.
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD := 1
export PIP_DISABLE_PIP_VERSION_CHECK := 1

PY_STAMP := $(VENV)/.stamp-install
PY_TEST_STAMP := $(VENV)/.stamp-install-test
NPM_STAMP := node_modules/.stamp-install
VENDOR := taolun/static/vendor
VENDOR_STAMP := $(VENDOR)/.stamp

# The front-end files the templates use, copied from node_modules (never a CDN).
# source (under node_modules/)                 -> destination (under $(VENDOR)/)
VENDOR_FILES := \
	bootstrap/dist/css/bootstrap.min.css:bootstrap/bootstrap.min.css \
	bootstrap/dist/css/bootstrap.min.css.map:bootstrap/bootstrap.min.css.map \
	bootstrap/dist/js/bootstrap.bundle.min.js:bootstrap/bootstrap.bundle.min.js \
	bootstrap/dist/js/bootstrap.bundle.min.js.map:bootstrap/bootstrap.bundle.min.js.map \
	htmx.org/dist/htmx.min.js:htmx/htmx.min.js \
	echarts/dist/echarts.min.js:echarts/echarts.min.js \
	axe-core/axe.min.js:axe/axe.min.js

PO_FILES := $(wildcard taolun/locale/*/LC_MESSAGES/*.po)
MO_FILES := $(PO_FILES:.po=.mo)

DEMO_ENV := DEBUG=1 TAOLUN_DEMO=1 TAOLUN_TODAY=$(TODAY)

.PHONY: help install install-test run test lint format messages test-postgres clean bench-ledger \
	bench-scale bench-text bench-search bench-load

help:
	@echo "make run            set up, create the demo database under var/ and serve on http://$(HOST):$(PORT)"
	@echo "make test           install what the tests need (Chromium included) and run the whole suite"
	@echo "make install        set up only: .venv, Python and npm packages, vendored static files"
	@echo "make lint           ruff check + ruff format --check"
	@echo "make test-postgres  run the whole suite on a local PostgreSQL 15 cluster (PYTEST_ARGS= narrows)"
	@echo "make messages       update and compile the zh_Hans translations"
	@echo "make bench-ledger   benchmark the ledger's Excel import and export (BENCH_ARGS=\"--rows 10000\")"
	@echo "make bench-scale    dashboards on a generated 100,000-unit province on PostgreSQL (BENCH_ARGS=\"--units 20000\")"
	@echo "make bench-text     near-copy detection on 100,000 generated reflections (BENCH_ARGS=\"--n 10000\")"
	@echo "make bench-search   search over 200,000 generated reflections on SQLite, or DATABASE_URL (BENCH_ARGS=\"--n 20000\")"
	@echo "make bench-load     50 users on the main pages and the API for 60 s, gunicorn on loopback (BENCH_ARGS=\"--users 20\")"
	@echo "make clean          remove .venv, node_modules, vendored files and var/"

install: $(PY_STAMP) $(VENDOR_STAMP) $(MO_FILES)

# Debian's own python3 needs python3-venv for this; the image's Python has it.
$(BIN)/python:
	$(PYTHON) -m venv $(VENV) || { bash scripts/apt-install.sh python3-venv && $(PYTHON) -m venv --clear $(VENV); }

$(PY_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python scripts/requirements.py > $(VENV)/requirements.txt
	$(BIN)/python -m pip install --quiet -r $(VENV)/requirements.txt
	touch $@

install-test: $(PY_TEST_STAMP) install
	@bash scripts/ensure-chromium.sh

$(PY_TEST_STAMP): pyproject.toml $(PY_STAMP)
	$(BIN)/python scripts/requirements.py test > $(VENV)/requirements-test.txt
	$(BIN)/python -m pip install --quiet -r $(VENV)/requirements-test.txt
	touch $@

$(NPM_STAMP): package-lock.json package.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

$(VENDOR_STAMP): $(NPM_STAMP) Makefile
	rm -rf $(VENDOR)
	@set -e; for pair in $(VENDOR_FILES); do \
		src="node_modules/$${pair%%:*}"; dst="$(VENDOR)/$${pair##*:}"; \
		mkdir -p "$$(dirname "$$dst")"; cp "$$src" "$$dst"; \
	done
	@echo "vendored $(words $(VENDOR_FILES)) files into $(VENDOR)/"
	touch $@

# Compiled translations: rebuilt when a .po file changes (gettext is a Debian package).
%.mo: %.po
	@command -v msgfmt >/dev/null || bash scripts/apt-install.sh gettext
	msgfmt --check-format -o $@ $<

run: install
	$(DEMO_ENV) $(BIN)/python manage.py migrate --noinput --verbosity 0
	$(DEMO_ENV) $(BIN)/python manage.py load_demo
	@echo "taolun: http://$(HOST):$(PORT)/  (today is $(if $(TODAY),$(TODAY),the real date))"
	$(DEMO_ENV) $(BIN)/python manage.py runserver $(HOST):$(PORT)

# pytest's exit status passes through: 5 (no test collected) fails like any other failure.
# The browser tests run alongside the others (they wait on Chromium more than they compute);
# their report follows the others' and stays in var/browser-tests.log.
test: install-test
ifeq ($(strip $(PYTEST_ARGS)),)
	@mkdir -p var; status=0; \
	$(BIN)/pytest -m browser > var/browser-tests.log 2>&1 & browser=$$!; \
	$(BIN)/pytest -m "not browser" -n $(TEST_WORKERS) --dist loadscope || status=$$?; \
	wait $$browser; browser_status=$$?; \
	echo "--- browser tests (run alongside; output in var/browser-tests.log) ---"; \
	cat var/browser-tests.log; \
	if [ $$status -eq 0 ]; then status=$$browser_status; fi; \
	exit $$status
else
	$(BIN)/pytest $(PYTEST_ARGS)
endif

lint: $(PY_TEST_STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(PY_TEST_STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# The whole suite on PostgreSQL, in the same two phases as `make test`; PYTEST_ARGS narrows it.
test-postgres: install-test
	PYTEST_ARGS="$(PYTEST_ARGS)" TEST_WORKERS=$(TEST_WORKERS) bash scripts/pg-test.sh

messages: install
	@command -v xgettext >/dev/null || bash scripts/apt-install.sh gettext
	mkdir -p taolun/locale
	DEBUG=1 $(BIN)/python manage.py makemessages -l zh_Hans --no-obsolete \
		--ignore=node_modules --ignore=var --ignore=bench --ignore=tests --ignore=docs
	DEBUG=1 $(BIN)/python manage.py compilemessages -l zh_Hans \
		--ignore=.venv --ignore=node_modules --ignore=var

# Not a test: times our import/export of a generated 100,000-row ledger against openpyxl alone.
bench-ledger: $(PY_STAMP)
	$(BIN)/python bench/ledger_io.py $(BENCH_ARGS)

# Not a test: a generated province (100,000 units, 1,000,000 status rows, 200,000 problems)
# in the database taolun_bench of the loopback PostgreSQL cluster; generated once, reused.
bench-scale: $(PY_STAMP)
	eval "$$(DB_NAME=taolun_bench bash scripts/pg-start.sh)" && \
		DEBUG=1 $(BIN)/python bench/scale.py $(BENCH_ARGS)

# Not a test: near-copy detection on 100,000 generated reflections with planted copies
# (recall and precision against exact Jaccard on a 5,000-text sample, scan times at 10k/100k).
bench-text: $(PY_STAMP)
	$(BIN)/python bench/text_copies.py $(BENCH_ARGS)

# Not a test: search() timed for 50 queries over 200,000 generated reflections, as the office
# at the root; the texts are built once under var/bench/ (or in DATABASE_URL) and reused.
bench-search: $(PY_STAMP)
	DEBUG=1 $(BIN)/python bench/text_search.py $(BENCH_ARGS)

# Not a test: 50 people of a generated 3,000-unit province log in and use the main pages and
# the API for 60 s against gunicorn on 127.0.0.1 (database taolun_load of the loopback
# PostgreSQL cluster). locust has a virtualenv of its own under var/bench/: it brings a pytest
# plugin that would otherwise load into every run of the suite.
LOCUST_VENV := var/bench/locust
LOCUST_STAMP := $(LOCUST_VENV)/.stamp-install

$(LOCUST_STAMP):
	$(PYTHON) -m venv $(LOCUST_VENV)
	$(LOCUST_VENV)/bin/python -m pip install --quiet "locust>=2.31,<3"
	touch $@

bench-load: $(PY_STAMP) $(LOCUST_STAMP)
	eval "$$(DB_NAME=taolun_load bash scripts/pg-start.sh)" && \
		$(BIN)/python bench/load.py --locust $(LOCUST_VENV)/bin/locust $(BENCH_ARGS)

clean:
	rm -rf $(VENV) node_modules $(VENDOR) var test-results
	find . -name __pycache__ -type d -prune -not -path "./.git/*" -exec rm -rf {} +
