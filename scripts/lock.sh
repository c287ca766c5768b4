#!/usr/bin/env bash
# Regenerate requirements.lock (every dependency, transitive ones included, pinned with hashes)
# from pyproject.toml. Run after changing a dependency; scripts/setup.sh installs from the lock.
set -euo pipefail
cd "$(dirname "$0")/.."
tools=${PIP_TOOLS_VENV:-.venv-lock}
if [ ! -x "$tools/bin/pip-compile" ]; then
  python3 -m venv "$tools"
  "$tools/bin/python" -m pip install -q --disable-pip-version-check pip-tools==7.6.2
fi
"$tools/bin/pip-compile" --quiet --generate-hashes --strip-extras --extra test --allow-unsafe \
  --no-emit-index-url --no-emit-find-links --output-file requirements.lock pyproject.toml
