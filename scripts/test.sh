#!/usr/bin/env bash
# Set up, then run the whole test suite: ruff, mypy (strict), import-linter, pytest.
# PostgreSQL tests run when MSP_PORTAL_TEST_DSN is set (.ci/run starts a server and sets it).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh test
.venv/bin/ruff check src cli tests benchmarks scripts fuzz
.venv/bin/ruff format --check src cli tests benchmarks scripts fuzz
.venv/bin/mypy
.venv/bin/lint-imports --no-cache --no-logo   # layer contracts: pyproject.toml [tool.importlinter]
.venv/bin/pytest "$@"
