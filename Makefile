# Two commands on a fresh machine:  `make run`  (serve the demo network)  and  `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test messages fuzz lint format seed bench bench-quick clean-data citus citus-stop test-citus \
	bench-scale

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet ".[dev]"
	rm -f $(VENV)/.installed-* && touch $(STAMP)

## The translations: .mo files compiled from locale/*/LC_MESSAGES/django.po (never
## committed); compilemessages skips those already newer than their .po.
messages: $(STAMP)
	$(PY) manage.py compilemessages --ignore=$(VENV) --verbosity 0

## Set up, start the embedded PostgreSQL, migrate, seed the demo once, print the login, serve.
run: $(STAMP) messages
	$(PY) manage.py migrate_network --executor=multiprocessing --verbosity 0
	$(PY) manage.py seed_demo --if-empty --port $(PORT)
	@echo "Serving the network admin at http://network.localhost:$(PORT)/ (emails print below)"
	@# One worker for the job queue beside the web server (emails, bulk actions and big
	@# deletions, the periodic jobs; two at once, so a long run never holds up an email);
	@# it stops with it.
	EMAIL_LINK_PORT=$(PORT) $(PY) manage.py procrastinate worker --concurrency 2 & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	EMAIL_LINK_PORT=$(PORT) $(PY) manage.py runserver $(HOST):$(PORT)

## The whole test suite (real PostgreSQL, localstripe, Chromium), on both cores.
test: $(STAMP) messages
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
	$(PY) manage.py migrate_network --executor=multiprocessing --verbosity 0
	$(PY) manage.py seed_demo --customers $(CUSTOMERS)

## Benchmarks at scale: 1M customers seeded once into .data/bench (reused after), one table
## printed and written to bench/results/latest.md. `apt-get install -y wrk` for the HTTP load.
BENCH_DATA ?= .data/bench
bench: $(STAMP)
	NETWORK_DATA_DIR=$(BENCH_DATA) DJANGO_DEBUG=0 $(PY) -m bench.run $(BENCH_ARGS)

bench-quick: $(STAMP)
	NETWORK_DATA_DIR=$(BENCH_DATA) DJANGO_DEBUG=0 $(PY) -m bench.run --customers 100000 --quick

## A Citus cluster on loopback (README, "Scaling out"): Citus built once into the venv's
## embedded PostgreSQL, a coordinator and two workers under .data/citus/ on ports 5701-5703.
CITUS_VERSION := 14.0.1
CITUS_TARBALL := ../shared/vendor/citus-$(CITUS_VERSION).tar.gz
CITUS_STAMP := $(VENV)/.citus-$(CITUS_VERSION)
CITUS_URL := postgres://postgres@127.0.0.1:5701
CITUS_TESTS := tests/network/test_tenancy.py tests/network/test_provisioning.py \
	tests/network/test_migrate_network.py tests/sites/test_sites_add_many.py \
	tests/network/test_sessions.py tests/switch tests/deletion

$(CITUS_STAMP): $(STAMP) $(CITUS_TARBALL)
	$(PY) -m bench.citus build --tarball $(CITUS_TARBALL) --jobs 2
	touch $@

citus: $(CITUS_STAMP)
	$(PY) -m bench.citus start

citus-stop:
	$(PY) -m bench.citus stop

## The tenancy, provisioning (one site and many), migrate_network, session, Switch to and Delete tests on the cluster, in a
## database made afresh on every node (the test runner keeps it: --reuse-db).
test-citus: $(CITUS_STAMP)
	$(PY) -m bench.citus start
	$(PY) -m bench.citus database --fresh test_citus
	DATABASE_URL=$(CITUS_URL)/network TEST_DATABASE_NAME=test_citus \
		$(VENV)/bin/pytest --reuse-db $(CITUS_TESTS)

## Figures at 10,000 sites (README, "Scaling out"): the same section on one node (.data/scale)
## and on the cluster (database bench_scale); the sites stay, so a later run only tops them up.
## No-op migrate_schemas over 10,000 sites takes 14 (one node) to 33 min (cluster): --migrate-seconds
## stops it. Growing to 10,000 sites: about 3 min on one node, 20 on the cluster.
SCALE_ARGS ?= --customers 10000 --sites 10000 --provision 30 --migrate-seconds 600
bench-scale: $(CITUS_STAMP)
	NETWORK_DATA_DIR=.data/scale DJANGO_DEBUG=0 $(PY) -m bench.run --only scale $(SCALE_ARGS) \
		--output bench/results/scale/node.md --profile bench/results/scale/profile.txt
	$(PY) -m bench.citus start
	$(PY) -m bench.citus database bench_scale
	DATABASE_URL=$(CITUS_URL)/bench_scale DJANGO_DEBUG=0 $(PY) -m bench.run --only scale \
		$(SCALE_ARGS) --output bench/results/scale/citus.md --profile bench/results/scale/profile.txt

clean-data:
	rm -rf .data
