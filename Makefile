# Quick start: `make demo` and `make test`. Both create .venv and install into it.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip --disable-pip-version-check -q
OUT ?= runs/demo

.PHONY: demo test lint bench clean figures

# compileall: an editable install leaves our modules to be compiled by every process that imports
# them where bytecode is not written (PYTHONDONTWRITEBYTECODE); pip compiles a regular install.
$(VENV)/.installed: pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install -e .
	$(PY) -m compileall -q hedgeclone backtest strategies data examples benchmarks
	touch $@

$(VENV)/.test-installed: pyproject.toml $(VENV)/.installed
	$(PIP) install -e '.[test]'
	touch $@

demo: $(VENV)/.installed
	$(VENV)/bin/hedgeclone demo --out $(OUT)

test: $(VENV)/.test-installed
	$(PY) -m ruff check .
	$(PY) -m pytest -n 2 --dist loadfile

bench: $(VENV)/.test-installed
	$(PY) -m benchmarks engine --json benchmarks/results/engine.json

clean:
	rm -rf $(VENV) runs .pytest_cache

# Rewrites the README's figures from fresh runs (the real-data block needs ../shared/data).
figures: $(VENV)/.installed
	$(PY) -m examples.figures
