"""Documents over HTTP: the short-lived download link (`GET /documents/{token}`, the GraphQL
`downloadUrl`) and the public verification page, `GET /verify/{code}` (no login): what the document with this
code prints (kind, number, date, holder), its status and the SHA-256 of the signed file; and
`POST` with a PDF (multipart field `file`) answers whether it is exactly the issued document.
Nothing beyond what the document itself shows; the code is unguessable (rules/documents.py)."""

from __future__ import annotations

import hashlib
import time

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from models.documents import Document
from resolvers.documents.issue import download_key
from resolvers.documents.render import page_html
from resolvers.storage import storage_for
from rules.documents import (
    INSPECTION_PHOTO_LINK,
    DocumentState,
    document_of_token,
    is_verification_code,
)

__all__ = ["MAX_PDF_BYTES", "download_endpoint", "inspection_photo_endpoint", "verify_endpoint"]

MAX_PDF_BYTES = 20 * 1024 * 1024
# The page loads nothing and posts its one form to itself (the API's CSP forbids forms).
VERIFY_CSP = "default-src 'none'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"


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
                        headers={"Cache-Control": "no-store", "X-Robots-Tag": "noindex",
                                 "Content-Security-Policy": VERIFY_CSP})


async def download_endpoint(request: Request) -> Response:
    """The signed PDF behind a download token (404 for a forged, expired or unknown one, alike)."""
    settings = request.app.state.settings
    document_id = document_of_token(request.path_params["token"], int(time.time()), download_key(settings))
    doc = await Document.get_or_none(id=document_id) if document_id is not None else None
    if doc is None or doc.state != DocumentState.READY or not doc.storage_key:
        return Response("not found", status_code=404, media_type="text/plain")
    pdf = await storage_for(settings).get(doc.storage_key)
    name = f"{doc.kind.value.lower()}-{doc.number}-{doc.language.value}.pdf".replace("/", "-")
    return Response(pdf, media_type="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "private, no-store"})


async def inspection_photo_endpoint(request: Request) -> Response:
    """An inspection's evidence photo behind the token of its GraphQL `downloadUrl` (issued only to
    those who may see the inspection); 404 for a forged, expired, other-purpose or unknown one."""
    from models.inspections import InspectionPhoto

    settings = request.app.state.settings
    photo_id = document_of_token(request.path_params["token"], int(time.time()), download_key(settings),
                                 INSPECTION_PHOTO_LINK)
    photo = await InspectionPhoto.get_or_none(id=photo_id) if photo_id is not None else None
    if photo is None:
        return Response("not found", status_code=404, media_type="text/plain")
    data = await storage_for(settings).get(photo.storage_key)
    extension = {"image/jpeg": "jpg", "image/png": "png", "image/heic": "heic"}.get(photo.content_type, "bin")
    return Response(data, media_type=photo.content_type, headers={
        "Content-Disposition": f'attachment; filename="inspection-photo-{photo.id}.{extension}"',
        "Cache-Control": "private, no-store", "X-Content-Type-Options": "nosniff"})
