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
# The signed-document tests read PDFs with poppler-utils (pdffonts, pdftotext, pdftoppm), decode
# the QR code with zbar-tools (zbarimg) and sign through an HSM token with softhsm2 (PKCS#11):
# installed here when missing and apt-get is at hand as root; otherwise those tests skip, naming
# the package to install.
if ! command -v pdffonts >/dev/null 2>&1 || ! command -v zbarimg >/dev/null 2>&1 \
    || ! command -v softhsm2-util >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    # A fresh machine has no package lists yet: update once when the install cannot find them.
    apt-get install -y -q poppler-utils zbar-tools softhsm2 >/dev/null 2>&1 \
      || { apt-get update -q >/dev/null 2>&1 && apt-get install -y -q poppler-utils zbar-tools softhsm2 >/dev/null; } \
      || echo "apt-get could not install poppler-utils zbar-tools softhsm2: the document tests that need them will skip"
  else
    echo "poppler-utils / zbar-tools / softhsm2 missing (not root): the document tests that need them will skip"
  fi
fi
