# The commands the README promises. Each installs what it needs first.
UV_VERSION := 0.13.9
UV := python3 -m uv

.PHONY: install up test lint typecheck unit deploy-check bench

install:
	@python3 -m uv --version >/dev/null 2>&1 || python3 -m pip install --quiet "uv==$(UV_VERSION)"
	$(UV) sync --frozen

up: install
	$(UV) run python deploy/local/run.py

test: install lint typecheck unit deploy-check

lint:
	$(UV) run ruff check .
	$(UV) run ruff format --check .

typecheck:
	$(UV) run mypy

unit:
	$(UV) run pytest

deploy-check:
	bash deploy/check.sh

bench: install
	$(UV) run python tests/benchmarks/backbone.py
