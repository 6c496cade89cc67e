# The commands the README promises. Each installs what it needs first.
UV_VERSION := 0.13.9
UV := python3 -m uv

.PHONY: install python-deps up test lint asyncapi retention processing-record typecheck unit deploy-check bench bench-flow bench-request bench-webhooks bench-gateway bench-shifts token

install: python-deps ui-assets

# Bytecode compiled once here: where PYTHONDONTWRITEBYTECODE is set (as on CI machines),
# every process would otherwise compile every module it imports at each start (6.6 s of
# CPU for a service's imports instead of 2.6 s), and a test run starts hundreds of them.
python-deps:
	@python3 -m uv --version >/dev/null 2>&1 || python3 -m pip install --quiet "uv==$(UV_VERSION)"
	@$(UV) sync --frozen --compile-bytecode
	@$(UV) run python -m compileall -q -j0 shared/src services/*/src devtools/src tests >/dev/null

up: install
	$(UV) run python deploy/local/run.py

test: install lint typecheck deploy-check unit

lint:
	$(UV) run ruff check .
	$(UV) run ruff format --check .
	$(UV) run python -m teilhabe.events.asyncapi --check
	$(UV) run python -m teilhabe.retention --check
	$(UV) run python -m teilhabe.processing --check

asyncapi:
	$(UV) run python -m teilhabe.events.asyncapi --write

retention:
	$(UV) run python -m teilhabe.retention --write

# The record of processing activities (Art. 30 GDPR), shared/processing-record.md.
processing-record:
	$(UV) run python -m teilhabe.processing --write

typecheck:
	$(UV) run mypy

unit:
	$(UV) run pytest

deploy-check:
	bash deploy/check.sh

bench: install
	$(UV) run python -m tests.benchmarks.backbone

bench-flow: install
	$(UV) run python -m tests.benchmarks.flow

bench-request: install
	$(UV) run python -m tests.benchmarks.request

bench-webhooks: install
	$(UV) run python -m tests.benchmarks.webhooks

bench-gateway: install
	$(UV) run python -m tests.benchmarks.gateway

bench-shifts: install
	$(UV) run python -m tests.benchmarks.shifts

ROLE ?= caseworker
SUBJECT ?= dev-user
token: python-deps
	@$(UV) run teilhabe-dev-oidc token --role $(ROLE) --subject $(SUBJECT) $(if $(TEAM),--team "$(TEAM)")

# Staff tools: KERN stylesheet and fonts (served under /static) and axe-core (browser
# tests), from npm with the committed package-lock.json; nothing is fetched at run time.
UI_DIR := shared/src/teilhabe/ui
.PHONY: ui-assets ui-messages browser-test

ui-assets:
	cd $(UI_DIR) && npm ci --no-audit --no-fund --ignore-scripts
	python3 $(UI_DIR)/assets.py

# Extract the texts of the shared layout and of each tool into their catalogues (then
# translate the new entries of the de catalogues; en falls back to the English ids).
ui-messages: install
	$(UV) run python -m teilhabe.ui.catalogues --update $(dir $(wildcard services/*/src/*/main.py))

browser-test: install ui-assets
	$(UV) run pytest tests/browser -q
