#!/usr/bin/env bash
# Set up and run the service on the embedded default: SQLite under ./data, jobs in-process.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
.venv/bin/python manage.py migrate
.venv/bin/python manage.py load-demo
exec .venv/bin/python manage.py serve "$@"
