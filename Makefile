# payrun: make demo | make test | make bench | make lint
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.install-stamp

.PHONY: install demo test test-postgres bench lint clean browser

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@$(PY) -m pip install --quiet --upgrade pip
	@$(PY) -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	@$(VENV)/bin/payrun demo

test: $(STAMP) browser
	@$(PY) -m pytest -q $(PYTEST_ARGS)

# The console's browser tests drive Debian's chromium (never a downloaded browser): installed
# here when missing and we are root; otherwise those tests skip and say why.
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    (DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends chromium >/dev/null 2>&1 || \
	     (apt-get update -q >/dev/null 2>&1 && \
	      DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends chromium >/dev/null 2>&1)) || \
	    echo "chromium could not be installed: the browser tests will be skipped"; \
	  else echo "no chromium and not root: the browser tests will be skipped"; fi; }

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
