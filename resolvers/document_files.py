"""The scanned documents attached to applications, served to those who may see the application
(`GET /application-documents/{id}/file`, bearer token): another organisation's document answers
404 exactly like a missing one."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from tortoise.expressions import Subquery

from models.applications import Application, ApplicationDocument
from resolvers import storage
from resolvers.auth import authenticate, bearer_token
from resolvers.scope import visible
from rules.errors import render
from rules.messages import negotiate_language

__all__ = ["document_file_endpoint"]


async def document_file_endpoint(request: Request) -> Response:
    language = negotiate_language(request.headers.get("accept-language"))
    actor = await authenticate(bearer_token(request.headers.get("authorization")))
    if actor is None:
        return JSONResponse({"code": "UNAUTHENTICATED", "message": render("UNAUTHENTICATED", language)}, 401)
    raw = request.path_params.get("id", "")
    doc = None
    if raw.isascii() and raw.isdigit() and len(raw) <= 18:
        doc = await ApplicationDocument.filter(
            id=int(raw), file_key__isnull=False, application_id__in=Subquery(visible(Application.all(), actor).values("id"))
        ).first()
    if doc is None:
        return JSONResponse({"code": "NOT_FOUND", "message": render("NOT_FOUND", language, {"entity": "Document"})}, 404)
    data = await storage.current().get(doc.file_key)  # type: ignore[arg-type]
    name = f"document-{doc.id}" + {"application/pdf": ".pdf", "image/jpeg": ".jpg", "image/png": ".png"}.get(
        doc.file_type or "", "")
    return Response(data, media_type=doc.file_type or "application/octet-stream", headers={
        "Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store",
        "ETag": f'"{doc.file_sha256}"',
    })
