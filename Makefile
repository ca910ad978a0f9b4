# The two commands: `make demo` and `make test`. Everything else they need, they install.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
PYTEST_ARGS ?= -n 2

.PHONY: demo test install install-test messages bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed

install-test: $(VENV)/.installed-test

demo: install
	$(BIN)/frontoffice demo --host $(HOST) --port $(PORT)

test: install-test
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# Re-extract and compile translations (extraction needs GNU gettext; compiling does not).
messages: install
	$(BIN)/python -m frontoffice.i18n extract
	$(BIN)/python -m frontoffice.i18n compile

bench: install-test
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) build *.egg-info
