"""Signed documents (issue 13): a one-page notice rendered and signed, warm, against WeasyPrint
alone on the same HTML. Prints the median per document, documents per minute on one worker and
the signing overhead as a ratio.

    .venv/bin/python bench/documents.py [documents=40]

No database: the bench times the CPU path (Jinja2 + WeasyPrint + pyHanko PAdES with the key
loaded once); the development chain is generated in a temporary directory.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from resolvers.documents.render import html_of, pdf_of_html
from resolvers.documents.signing import development_signer
from rules.documents import DocumentKind, Language
from tests.documents.demo import context_of


def _median(fn, n: int) -> float:
    times = []
    for _ in range(n):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main(n: int) -> None:
    signer = development_signer(tempfile.mkdtemp(prefix="bench-signing-"))
    context = context_of(DocumentKind.HEARING_NOTICE)
    html = html_of(DocumentKind.HEARING_NOTICE, Language.KK, context)
    pdf = pdf_of_html(html)  # warm: fonts, template cache, key
    signer.sign(pdf)
    weasy = _median(lambda: pdf_of_html(html), n)
    sign_only = _median(lambda: signer.sign(pdf), n)
    full = _median(lambda: signer.sign(pdf_of_html(html_of(DocumentKind.HEARING_NOTICE, Language.KK, context))), n)
    print(f"documents: {n} (one-page hearing notice, kk, QR code)")
    print(f"WeasyPrint alone      median {weasy * 1000:7.1f} ms  {60 / weasy:7.0f} docs/min")
    print(f"PAdES signature alone median {sign_only * 1000:7.1f} ms")
    print(f"render + sign         median {full * 1000:7.1f} ms  {60 / full:7.0f} docs/min")
    print(f"ratio (render+sign / WeasyPrint alone): {full / weasy:.2f}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 40)
