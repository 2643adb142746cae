# The two commands of the README: `make serve` and `make test`. Each sets up what it needs.
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: setup system-deps assets serve test validate

setup: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	python3 -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

# Debian packages the tests use: Chromium for the browser tests, raptor's rapper as a second parser,
# npm for the front-end packages (node_modules/: axe-core and the check of static/vendor/), Virtuoso Open
# Source as another store (tests/virtuoso.py starts its own instance; its package's debconf questions are
# answered with the defaults, non-interactively).
system-deps:
	@if ! command -v chromium >/dev/null || ! command -v rapper >/dev/null || ! command -v npm >/dev/null \
			|| ! command -v virtuoso-t >/dev/null; then \
		pkgs="chromium raptor2-utils virtuoso-opensource"; command -v npm >/dev/null || pkgs="$$pkgs npm"; \
		sudo=""; [ "$$(id -u)" = 0 ] || sudo="sudo"; \
		$$sudo apt-get update -qq && $$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$pkgs; \
	fi

# The front-end packages exactly as package-lock.json pins them (npm writes node_modules/.package-lock.json).
node_modules/.package-lock.json: package.json package-lock.json
	npm ci --ignore-scripts --no-audit --no-fund

# Copy the files the server serves from node_modules/ into server/web/static/vendor/ (committed), with
# their licences and a manifest; `python -m server.web.assets --check` tells whether they are up to date.
assets: setup
	npm ci --ignore-scripts --no-audit --no-fund
	$(BIN)/python -m server.web.assets

serve: setup
	$(BIN)/tskg serve --host $(HOST) --port $(PORT)

test: setup system-deps node_modules/.package-lock.json
	$(BIN)/python -m pytest

validate: setup
	$(BIN)/tskg validate
