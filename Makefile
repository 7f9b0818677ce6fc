# durable-compile: every set-up step lives here, so a fresh machine needs only `make demo` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip
DC := $(VENV)/bin/durable-compile
STAMP := $(VENV)/.installed
TEST_STAMP := $(VENV)/.test-installed
WHEELHOUSE := $(VENV)/wheelhouse
SAMPLE ?= samples/order_saga.py

.PHONY: venv demo test check goldens bench conformance system-deps bench-deps node-deps clean

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install -q --upgrade pip
	$(PIP) install -q -e '.[test,dev]'
	mkdir -p $(@D) && touch $@

venv: $(STAMP)

# Debian packages the tests and renderers use (graphviz for `dot`).
system-deps:
	@command -v dot >/dev/null 2>&1 || { \
	  echo "installing graphviz (Debian)"; \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq graphviz) >/dev/null; }

# npm packages the tests use (Mermaid parser, asl-validator), pinned in package-lock.json.
node-deps: node_modules/.installed
node_modules/.installed: package.json
	npm ci --no-audit --no-fund --silent || npm install --no-audit --no-fund --silent
	mkdir -p $(@D) && touch $@

$(TEST_STAMP): $(STAMP) requirements-test.txt requirements-conformance.txt
	$(PIP) install -q -r requirements-test.txt
	$(PIP) install -q -e '.[local-asl]'
	$(PIP) install -q --ignore-requires-python -r requirements-conformance.txt
	mkdir -p $(@D) && touch $@

demo: $(STAMP) system-deps
	@echo "== durable-compile graph $(SAMPLE)"
	$(DC) graph $(SAMPLE)
	@echo "== durable-compile lint samples/"
	$(DC) lint samples/ --exit-zero

# Wheels of the package's own dependencies: the pre-commit test installs the hook from them, offline.
$(WHEELHOUSE)/.done: pyproject.toml $(STAMP)
	$(PIP) download -q -d $(WHEELHOUSE) "setuptools>=68" wheel \
	  $$($(PY) -c "import tomllib; print(' '.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))")
	touch $@

test: $(TEST_STAMP) system-deps node-deps $(WHEELHOUSE)/.done
	$(PY) -m pytest -n 2 tests

check: $(STAMP)
	$(VENV)/bin/ruff check compiler runtime tests bench
	$(VENV)/bin/mypy compiler runtime

goldens: $(TEST_STAMP)
	$(PY) -m pytest tests/golden --update-goldens -p no:xdist -q

# Debian packages only the benchmarks use (valgrind: bench_guard counts instructions under callgrind).
bench-deps:
	@command -v valgrind >/dev/null 2>&1 || { \
	  echo "installing valgrind (Debian)"; \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq valgrind) >/dev/null; }

bench: $(TEST_STAMP) system-deps bench-deps
	$(PY) bench/run_all.py

# AWS's conformance requirements on our runtime; the last line is the summary.
conformance: $(TEST_STAMP)
	$(PY) tests/conformance/run_conformance.py --runner ours

clean:
	rm -rf $(VENV) node_modules .pytest_cache .mypy_cache .ruff_cache
