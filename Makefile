# Every target builds what it needs: a virtualenv with pinned dependencies and, for the ASL
# conformance tests, the pinned npm packages.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
NODE_STAMP := node_modules/.installed-stamp
EXAMPLE_JOURNEY ?= examples/journeys/enterprise-onboarding.yaml
DEMO_ACCOUNTS   ?= 500
DEMO_PEOPLE     ?= 20

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

## The main job: an example journey over 500 accounts and 10,000 people, end to end, on the
## embedded runtime (a click event is injected so the listen node has something to hear).
demo: $(STAMP)
	$(BIN)/journeys demo-data --accounts $(DEMO_ACCOUNTS) --people $(DEMO_PEOPLE) -o out/demo-data.json
	$(BIN)/journeys run $(EXAMPLE_JOURNEY) --data out/demo-data.json --events examples/events/demo-clicks.yaml \
		--explain acct-00002 --out out/demo

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
