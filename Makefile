# kinerja: `make demo` runs the ceremony on the bundled example, `make test` runs the tests.
# Each installs what is missing: the Debian packages (as root), a venv and the Python packages.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
DEMO   ?= demo

.PHONY: demo serve test quick lint bench system clean

system:
	@tools/ensure-system.sh

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
		{ echo "kinerja needs Python 3.11 or newer"; exit 1; }
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@echo "installing Python packages into $(VENV) (once; a minute or two)"
	@$(BIN)/python -m pip install -q --upgrade pip >$(VENV)/pip.log 2>&1 || \
		{ cat $(VENV)/pip.log; exit 1; }
	@$(BIN)/python -m pip install -q -e '.[test]' >>$(VENV)/pip.log 2>&1 || \
		{ cat $(VENV)/pip.log; exit 1; }
	@touch $@

demo: system $(STAMP)
	$(BIN)/kinerja demo -o $(DEMO)

# the demo's archive on http://127.0.0.1:8000/ (after make demo)
serve: $(STAMP)
	$(BIN)/kinerja serve $(DEMO)

# one test process per core; a module's tests stay together (they share its fixtures)
test: system $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/pytest -q -n auto --dist loadfile --no-loadscope-reorder

# the quick loop while working: no LibreOffice conversions, no demo, no fuzzing
quick: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/pytest -q -m "not slow"

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

bench: system $(STAMP)
	@$(BIN)/python -m pip install -q -e '.[test,bench]' >>$(VENV)/pip.log 2>&1 || \
		{ cat $(VENV)/pip.log; exit 1; }
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) $(DEMO) build *.egg-info .pytest_cache .ruff_cache .mypy_cache
