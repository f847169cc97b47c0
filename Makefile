# The two commands: `make run` (set up, start the embedded stack, trigger the
# demo) and `make test` (set up, lint, run every test).
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
# This machine's pip configuration names local index folders that do not exist.
PIP_NOISE := sed -u '/is ignored: it is neither a file nor a directory/d'
PYTHON ?= python3
VENV := .venv
STAMP := $(VENV)/.installed-requirements

.PHONY: setup run test test-distributed lint pytest sandbox demo bench bench-robot bench-dags lock clean settings services

setup: $(STAMP) chromium .airflow/.migrated settings

$(STAMP): requirements.txt
	@test -x $(VENV)/bin/python || $(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install -q --disable-pip-version-check --no-deps -r requirements.txt 2>&1 | $(PIP_NOISE)
	$(VENV)/bin/pip check --disable-pip-version-check 2>&1 | $(PIP_NOISE) | sed '/^No broken requirements found/d'
	@touch $@

chromium:
	@scripts/ensure_chromium.sh

# PostgreSQL and Redis for the Celery profile of the tests (started if they do not answer).
services:
	@scripts/ensure_services.sh

.airflow/.migrated: $(STAMP)
	bin/airflow db migrate >/dev/null
	@touch $@

# Connections and Pools of the embedded stack, from config/airflow_settings.yaml.
settings: $(STAMP) .airflow/.migrated
	@bin/python scripts/load_settings.py

# The stand-in target apps in the foreground (HR portal on 8081); Ctrl-C stops them.
# `make sandbox ARGS=--reset` empties their databases first.
sandbox: $(STAMP)
	bin/python -m sandbox $(ARGS)

run: $(STAMP) chromium  # the script migrates AIRFLOW_HOME and loads the settings itself
	@bin/python scripts/embedded_stack.py

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports --no-cache

pytest: setup services
	bin/python -m pytest

test: setup lint pytest

# Only the Celery profile (PostgreSQL, Redis, separate Airflow processes, two workers); part of `make test`.
test-distributed: setup services
	bin/python -m pytest -m distributed

demo: $(STAMP)
	bin/python -m include.processes.election_staff.demo --help

# The benchmarks (not part of `make test`): each writes benchmarks/results/<name>-latest.json and
# renders its table in README.md's "Performance" section. Validation: DAG parse, intake + validation.
bench: setup
	bin/python benchmarks/bench_validation.py $(ARGS)

# The HR-portal robot's record loop against its baselines (about 5 min);
# `make bench-robot ARGS="--workers 200 --sample 100"` for a run of about 3 minutes.
bench-robot: setup
	bin/python benchmarks/bench_record_loop.py $(ARGS)

# The DAGs end to end under the scheduler, then the onboarding on the Celery profile (about 40 min);
# `make bench-dags ARGS="--skip-payment --brexit-files 0"` for the two onboardings only.
bench-dags: setup services
	bin/python benchmarks/bench_dags.py $(ARGS)

# Regenerate requirements.txt from requirements.in in a throwaway virtualenv.
lock:
	rm -rf .lock-venv && $(PYTHON) -m venv .lock-venv
	.lock-venv/bin/pip install -q --disable-pip-version-check -r requirements.in 2>&1 | $(PIP_NOISE)
	{ echo "# Fully pinned set, generated from requirements.in with \`make lock\` (pip freeze"; \
	  echo "# of a fresh virtualenv). Install from this file only."; \
	  .lock-venv/bin/pip freeze --disable-pip-version-check | grep -v '^pip=='; } > requirements.txt
	rm -rf .lock-venv

clean:
	rm -rf $(VENV) .airflow
