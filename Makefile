# Splice — every check is one target; CI (.ci/run) calls `make test`, exactly as README says.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
WORKSPACE ?= tests/fixtures/example
export LITELLM_LOCAL_MODEL_COST_MAP := True

.PHONY: help install install-python install-node install-system run test lint typecheck unit e2e client nvim-e2e faults e2e-vscode \
        bench bench-index bench-extract bench-retrieval bench-explain bench-edits bench-llm bench-generate bench-cli bench-stubs bench-mcp bench-migrate bench-fuzz clean

help:
	@echo "make run   — install, then index WORKSPACE (default: $(WORKSPACE)) and print a summary"
	@echo "make test  — install, then run every check and test (what CI runs)"
	@echo "make lint | typecheck | unit | e2e | faults | client | nvim-e2e | bench (bench-index, -extract, -retrieval, -edits, -llm, -generate, -cli)"

# ---- installation (idempotent; stamps make re-runs cheap) ----------------------------------------------------

$(VENV)/.installed: pyproject.toml
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Python ≥ 3.11 is required"'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

install-python: $(VENV)/.installed

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@

install-node: node_modules/.installed

# Debian packages used by tests and benchmarks: redis-server (cache tests), bubblewrap (verify sandbox),
# universal-ctags (index benchmark baseline). Installed only when missing.
SYSTEM_TOOLS := redis-server:redis-server bwrap:bubblewrap ctags:universal-ctags
install-system:
	@missing=""; for pair in $(SYSTEM_TOOLS); do cmd=$${pair%%:*}; pkg=$${pair##*:}; \
	  command -v $$cmd >/dev/null 2>&1 || missing="$$missing $$pkg"; done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	  else echo "missing Debian packages:$$missing — run: sudo apt-get install$$missing"; fi; \
	fi

install: install-python install-node install-system

# ---- the main job ----------------------------------------------------------------------------------------------

EXAMPLE := tests/fixtures/example

# The main job: index the workspace; for the bundled example also run its app, which fails, and explain that
# real failure with the configured model (or, with none, show what would be sent and what it would cost).
run: install-python
	$(BIN)/splice index "$(WORKSPACE)"
	@if [ "$(WORKSPACE)" = "$(EXAMPLE)" ]; then \
	  echo "--- running the example app (it fails on purpose) ---"; \
	  (cd $(EXAMPLE) && ../../../$(BIN)/python -m inventory.app platinum) 2> $(EXAMPLE)/.splice-trace.txt || true; \
	  cat $(EXAMPLE)/.splice-trace.txt; \
	  echo "--- splice explain ---"; \
	  $(BIN)/splice explain --workspace $(EXAMPLE) --traceback $(EXAMPLE)/.splice-trace.txt --fix; \
	fi

# ---- checks ----------------------------------------------------------------------------------------------------

lint: install-python
	$(BIN)/ruff check server tests bench
	$(BIN)/ruff format --check server tests bench

typecheck: install-python
	$(BIN)/mypy

unit: install-python install-system
	$(BIN)/pytest -q tests/unit tests/cli tests/hostile

e2e: install-python install-system
	$(BIN)/pytest -q tests/e2e

client: install-node install-python
	npm run check
	npm run build
	npm test
	npm run package

nvim-e2e: install-python
	$(BIN)/pytest -q tests/editors

# The fault suite: hostile protocol bytes, kills mid-write, failing models — against the real server and CLI.
faults: install-python
	$(BIN)/pytest -q tests/faults

test: install lint typecheck unit e2e client nvim-e2e faults

# ---- benchmarks (never part of `make test`) --------------------------------------------------------------------

bench: bench-index bench-extract bench-retrieval bench-explain bench-edits bench-llm bench-generate bench-cli bench-stubs

bench-index: install-python install-system
	$(BIN)/python bench/index_bench.py

bench-retrieval: install-python
	$(BIN)/python bench/retrieval.py

bench-explain: install-python
	$(BIN)/python bench/explain.py

bench-edits: install-python
	$(BIN)/python bench/edit_apply.py
	$(BIN)/python bench/edit_campaign.py

bench-llm: install-python
	$(BIN)/python bench/llm_gateway.py

bench-extract: install-python
	$(BIN)/python bench/extract_speed.py

bench-generate: install-python
	$(BIN)/python bench/generate.py

# Issue 15's campaign at full size: 10,000 fuzzed LSP messages, 20 kill -9 trials each of cold and warm indexing and
# of 40-file applies, a dead model through the CLI (~30-40 minutes on 2 cores).
bench-fuzz: install-python
	$(BIN)/python bench/faults.py

# splice mcp: the context tool at 2k tokens vs grep-and-read on the retrieval tasks, and each tool's latency
bench-mcp: install-python
	$(BIN)/python bench/mcp_bench.py

bench-stubs: install-python
	$(BIN)/python bench/stub_offers.py

# Real migrations with before and after from PyPI (isodate 0.6.1→0.7.0 unittest→pytest, patsy 0.5.6→1.0.0 six
# removal): sites recall/precision, rules vs model, residue, tokens and dollars with a model replaying the real
# after-state, plan time on SQLAlchemy against its index time, resume equality after kill -9 at random moments.
bench-migrate: install-python
	$(BIN)/python bench/migrate.py

# Process wall time of CLI commands (symbols, refs, context, generate on a cache hit) against `python -c pass`.
bench-cli: install-python
	$(BIN)/python bench/cli_speed.py

# A real VS Code (code-server 4.139.1 under Node 24 from PyPI) driven by playwright-core in Debian's chromium:
# generate a stub body, reject one hunk and accept the other in the inline diff, check the file. Not part of
# `make test`: the first run builds code-server into .tools/ (3-6 minutes); it prints its screenshot folder.
e2e-vscode: install-python
	@command -v chromium >/dev/null 2>&1 && dpkg -s libkrb5-dev >/dev/null 2>&1 || \
	  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium libkrb5-dev; }
	tests/vscode/run.sh

clean:
	rm -rf $(VENV) node_modules dist .mypy_cache .ruff_cache .pytest_cache
