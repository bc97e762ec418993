# Two commands on a fresh machine:  `make run`  (serve the demo network)  and  `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test fuzz lint format seed bench bench-quick clean-data

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet ".[dev]"
	rm -f $(VENV)/.installed-* && touch $(STAMP)

## Set up, start the embedded PostgreSQL, migrate, seed the demo once, print the login, serve.
run: $(STAMP)
	$(PY) manage.py migrate_schemas --executor=multiprocessing --verbosity 0
	$(PY) manage.py seed_demo --if-empty --port $(PORT)
	@echo "Serving the network admin at http://network.localhost:$(PORT)/"
	$(PY) manage.py runserver $(HOST):$(PORT)

## The whole test suite (real PostgreSQL, localstripe, Chromium), on both cores.
test: $(STAMP)
	$(VENV)/bin/pytest -n 2 --dist loadfile

## Every form fed generated input: 500 examples per form (13,500 in all); `make test` runs 25.
fuzz: $(STAMP)
	$(VENV)/bin/pytest -n 2 tests/fuzz --hypothesis-profile=fuzz

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports

format: $(STAMP)
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

## A bigger demo: make seed CUSTOMERS=100000
CUSTOMERS ?= 100000
seed: $(STAMP)
	$(PY) manage.py migrate_schemas --executor=multiprocessing --verbosity 0
	$(PY) manage.py seed_demo --customers $(CUSTOMERS)

## Benchmarks at scale: 1M customers seeded once into .data/bench (reused after), one table
## printed and written to bench/results/latest.md. `apt-get install -y wrk` for the HTTP load.
BENCH_DATA ?= .data/bench
bench: $(STAMP)
	NETWORK_DATA_DIR=$(BENCH_DATA) DJANGO_DEBUG=0 $(PY) -m bench.run $(BENCH_ARGS)

bench-quick: $(STAMP)
	NETWORK_DATA_DIR=$(BENCH_DATA) DJANGO_DEBUG=0 $(PY) -m bench.run --customers 100000 --quick

clean-data:
	rm -rf .data
