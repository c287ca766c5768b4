#!/usr/bin/env bash
# Set up and run the whole test suite. SQLite by default; set TEST_DATABASE_URL=postgres://...
# and TEST_REDIS_URL=redis://... to run it against PostgreSQL and Redis (as .ci/run does).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
.venv/bin/ruff check .
exec .venv/bin/python -m pytest "$@"
