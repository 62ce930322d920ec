# Every target builds what it needs: a virtualenv with pinned dependencies and, for the ASL
# conformance tests, the pinned npm packages.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
NODE_STAMP := node_modules/.installed-stamp
EXAMPLE_JOURNEY ?= examples/journeys/enterprise-onboarding.yaml
EXAMPLE_DATA    ?= examples/data/demo.yaml

.PHONY: demo test lint typecheck unit bench venv node clean generate

$(STAMP): pyproject.toml requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip==26.3
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c requirements.lock -e '.[dev]'
	touch $@

$(NODE_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

venv: $(STAMP)
node: $(NODE_STAMP)

## The main job: an example journey, end to end, on the embedded runtime.
demo: $(STAMP)
	$(BIN)/journeys run $(EXAMPLE_JOURNEY) --data $(EXAMPLE_DATA) --out out/demo

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy

## The whole test suite: lint, types, unit, integration, conformance.
test: $(STAMP) $(NODE_STAMP) lint typecheck
	$(BIN)/python -m pytest -n 2 -q

bench: $(STAMP)
	$(BIN)/python -m bench

generate: $(STAMP)
	$(BIN)/python -m journeys.tools.generate

clean:
	rm -rf $(VENV) node_modules out .pytest_cache .mypy_cache .ruff_cache
