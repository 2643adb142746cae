# The two commands of the README: `make serve` and `make test`. Each sets up what it needs.
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: setup system-deps serve test validate

setup: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	python3 -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

# Debian packages the tests use: Chromium for the browser tests, raptor's rapper as a second parser.
system-deps:
	@if ! command -v chromium >/dev/null || ! command -v rapper >/dev/null; then \
		if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq chromium raptor2-utils; \
		else sudo apt-get update -qq && sudo apt-get install -y -qq chromium raptor2-utils; fi; \
	fi

serve: setup
	$(BIN)/tskg serve --host $(HOST) --port $(PORT)

test: setup system-deps
	$(BIN)/python -m pytest

validate: setup
	$(BIN)/tskg validate
