"""Signed documents (issue 13): a one-page notice rendered and signed, warm, against WeasyPrint
alone on the same HTML. Prints the median per document, documents per minute on one worker and
the signing overhead as a ratio, and (when SoftHSM2 is installed) the same signature made by the
same key on a PKCS#11 token, one session for the run.

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
from resolvers.documents.signing import Pkcs11Signer, development_signer
from rules.documents import DocumentKind, Language
from tests.documents import softhsm
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
    if (why := softhsm.missing()) is not None:
        print(f"PKCS#11 (SoftHSM2): skipped, {why}")
        return
    token = softhsm.make_token(Path(tempfile.mkdtemp(prefix="bench-softhsm-")))
    opening = _median(lambda: Pkcs11Signer(token.module, softhsm.TOKEN, softhsm.PIN, softhsm.KEY).close(), 10)
    hsm = Pkcs11Signer(token.module, softhsm.TOKEN, softhsm.PIN, softhsm.KEY)
    try:
        hsm.sign(pdf)
        sign_hsm = _median(lambda: hsm.sign(pdf), n)
        sign_p12 = _median(lambda: signer.sign(pdf), n)  # again, next to it, for the ratio
    finally:
        hsm.close()
    print(f"PAdES signature, PKCS#12 key  median {sign_p12 * 1000:7.1f} ms")
    print(f"PAdES signature, PKCS#11 (SoftHSM2 token, one session) median {sign_hsm * 1000:7.1f} ms")
    print(f"ratio (PKCS#11 / PKCS#12 signature): {sign_hsm / sign_p12:.2f}")
    print(f"PKCS#11 session open + login + key/certificates found, median of 10: {opening * 1000:.1f} ms")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 40)
