# The commands the README promises. Each installs what it needs first.
UV_VERSION := 0.13.9
UV := python3 -m uv

.PHONY: install up test lint asyncapi typecheck unit deploy-check bench token

install:
	@python3 -m uv --version >/dev/null 2>&1 || python3 -m pip install --quiet "uv==$(UV_VERSION)"
	$(UV) sync --frozen

up: install
	$(UV) run python deploy/local/run.py

test: install lint typecheck deploy-check unit

lint:
	$(UV) run ruff check .
	$(UV) run ruff format --check .
	$(UV) run python -m teilhabe.events.asyncapi --check

asyncapi:
	$(UV) run python -m teilhabe.events.asyncapi --write

typecheck:
	$(UV) run mypy

unit:
	$(UV) run pytest

deploy-check:
	bash deploy/check.sh

bench: install
	$(UV) run python tests/benchmarks/backbone.py

ROLE ?= caseworker
SUBJECT ?= dev-user
token: install
	@$(UV) run teilhabe-dev-oidc token --role $(ROLE) --subject $(SUBJECT)
