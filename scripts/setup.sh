#!/usr/bin/env bash
# Create .venv (Python 3.11+) and install the project with its test tools, exactly the versions
# (and file hashes) of requirements.lock. Idempotent: reinstalls only when the lock changes.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
stamp=.venv/.installed-$(cat requirements.lock pyproject.toml | sha256sum | cut -c1-16)
if [ ! -f "$stamp" ]; then
  # The pip bundled with Python 3.11 (23.2) rejects a locked package that another one asks for
  # with an extra (weasyprint -> fonttools[woff]) in --require-hashes mode: pin a newer pip.
  .venv/bin/python -m pip install -q --disable-pip-version-check --require-hashes -r /dev/stdin \
    <<<"pip==25.3 --hash=sha256:9655943313a94722b7774661c21049070f6bbb0a1516bf02f7c8d5d9201514cd"
  .venv/bin/python -m pip install -q --disable-pip-version-check --require-hashes -r requirements.lock
  .venv/bin/python -m pip install -q --disable-pip-version-check --no-deps -e .
  rm -f .venv/.installed-* && touch "$stamp"
fi
