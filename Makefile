# payrun: make demo | make test | make bench | make lint
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.install-stamp

.PHONY: install demo test test-postgres bench lint clean

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@$(PY) -m pip install --quiet --upgrade pip
	@$(PY) -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	@$(VENV)/bin/payrun demo

test: $(STAMP)
	@$(PY) -m pytest -q $(PYTEST_ARGS)

test-postgres: $(STAMP)
	@PAYRUN_TEST_POSTGRES_URL=$${PAYRUN_TEST_POSTGRES_URL:-postgresql+psycopg://postgres@127.0.0.1:5432/test} \
	  $(PY) -m pytest -q -m postgres $(PYTEST_ARGS)

bench: $(STAMP)
	@$(PY) -m benchmarks.run

lint: $(STAMP)
	@$(VENV)/bin/ruff check src tests benchmarks
	@$(VENV)/bin/ruff format --check src tests benchmarks
	@$(VENV)/bin/mypy
	@$(VENV)/bin/lint-imports --no-cache

clean:
	rm -rf $(VENV) .payrun
