"""The public verification page, `GET /verify/{code}` (no login): what the document with this
code prints (kind, number, date, holder), its status and the SHA-256 of the signed file; and
`POST` with a PDF (multipart field `file`) answers whether it is exactly the issued document.
Nothing beyond what the document itself shows; the code is unguessable (rules/documents.py)."""

from __future__ import annotations

import hashlib

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from models.documents import Document
from resolvers.documents.render import page_html
from rules.documents import DocumentState, is_verification_code

__all__ = ["MAX_PDF_BYTES", "verify_endpoint"]

MAX_PDF_BYTES = 20 * 1024 * 1024


async def verify_endpoint(request: Request) -> Response:
    code = request.path_params["code"]
    lang = request.query_params.get("lang", "kk")
    lang = lang if lang in ("kk", "ru") else "kk"
    doc = await Document.get_or_none(verification_code=code) if is_verification_code(code) else None
    if doc is not None and doc.state != DocumentState.READY:
        doc = None  # not issued yet: nothing to verify
    match = None
    if doc is not None and request.method == "POST":
        async with request.form(max_files=1, max_fields=2) as form:
            upload = form.get("file")
            data = await upload.read(MAX_PDF_BYTES + 1) if upload is not None and hasattr(upload, "read") else b""
        match = len(data) <= MAX_PDF_BYTES and hashlib.sha256(data).hexdigest() == doc.sha256
    html = page_html("_verify_page.html", lang=lang, doc=doc, match=match)
    return HTMLResponse(html, status_code=200 if doc is not None else 404,
                        headers={"Cache-Control": "no-store", "X-Robots-Tag": "noindex"})
