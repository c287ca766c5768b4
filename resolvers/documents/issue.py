"""Issuing documents: `request_documents` records them PENDING (kk and ru; idempotent by
rules.documents.unique_key), `produce` renders, signs and stores one and marks it READY, and
`produce_pending` is the job's sweep. A run killed half-way leaves the row PENDING (retried) and at
most an unreferenced file (content-addressed, so a retry never duplicates anything)."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import logging
from datetime import UTC, datetime
from typing import Any

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from models.documents import Document
from resolvers.audit_key import key_of
from resolvers.changes import record_change, snapshot
from resolvers.documents.contents import CONTENTS
from resolvers.documents.render import qr_data_uri, render_pdf
from resolvers.documents.signing import signer_for
from resolvers.scope import get_visible
from resolvers.storage import storage_for
from rules.access import Actor, Permission
from rules.audit import AuditAction
from rules.documents import (
    DOCUMENT_LINK,
    DocumentKind,
    DocumentState,
    DocumentStatus,
    Language,
    download_token,
    new_verification_code,
    unique_key,
)
from rules.errors import DomainError, ErrorCode
from settings import Settings

__all__ = [
    "MAX_ATTEMPTS", "download_url", "produce", "produce_pending", "regenerate", "regenerate_document",
    "request_documents", "verify_url",
]

log = logging.getLogger("registry.documents")
MAX_ATTEMPTS = 5
STORAGE_PREFIX = "documents"


def verify_url(settings: Settings, code: str) -> str:
    return f"{settings.public_base_url.rstrip('/')}/verify/{code}"


def download_key(settings: Settings) -> bytes:
    """The download links' HMAC key, derived from the service's secret (AUDIT_HMAC_KEY)."""
    return hmac.new(key_of(settings), b"document-download-links", hashlib.sha256).digest()


def download_url(settings: Settings, document_id: int, now: datetime | None = None, *,
                 purpose: str = DOCUMENT_LINK, path: str = "documents") -> str:
    """The short-lived link to a stored file: a signed document by default, or another record's
    file (`purpose` names it in the token's MAC, `path` is its route)."""
    moment = int((now or datetime.now(UTC)).timestamp())
    token = download_token(document_id, moment, download_key(settings), purpose=purpose)
    return f"{settings.public_base_url.rstrip('/')}/{path}/{token}"


async def request_documents(kind: DocumentKind, entity_id: int, version: int = 1) -> list[Document]:
    """The kk and ru documents of `kind` for the entity, PENDING unless they exist already."""
    entity_type, read = CONTENTS[kind]
    contents = await read(entity_id)
    documents = []
    for language in Language:
        key = unique_key(entity_type, entity_id, kind, language, version)
        doc = await Document.get_or_none(unique_key=key)
        if doc is None:
            try:
                doc = await Document.create(
                    unique_key=key, kind=kind, language=language, version=version, entity_type=entity_type,
                    entity_id=entity_id, number=contents.number, issued_on=contents.issued_on,
                    holder=contents.holder[:500], verification_code=new_verification_code(),
                    owner_miner_id=contents.owner_miner_id, owner_pool_id=contents.owner_pool_id,
                )
            except IntegrityError:  # a concurrent delivery of the same event won the race
                doc = await Document.get(unique_key=key)
        documents.append(doc)
    return documents


async def produce(doc: Document, settings: Settings) -> Document:
    """Render, sign and store one document; READY, or its failure recorded (FAILED after
    MAX_ATTEMPTS). A READY document is left alone."""
    if doc.state == DocumentState.READY:
        return doc
    doc.attempts += 1
    try:
        _, read = CONTENTS[doc.kind]
        contents = await read(doc.entity_id)
        url = verify_url(settings, doc.verification_code)
        context: dict[str, Any] = {
            **contents.fields, "number": doc.number, "date": doc.issued_on.isoformat(),
            "verification_code": doc.verification_code, "verify_url": url, "qr_data_uri": qr_data_uri(url),
        }
        signer = signer_for(settings)
        pdf = await asyncio.to_thread(lambda: signer.sign(render_pdf(doc.kind, doc.language, context)))
        stored = await storage_for(settings).put(pdf, prefix=STORAGE_PREFIX)
    except Exception as exc:  # recorded on the row, retried by the next sweep
        log.warning("document %s failed: %r", doc.id, exc)
        doc.reason = repr(exc)[:2000]
        doc.state = DocumentState.FAILED if doc.attempts >= MAX_ATTEMPTS else DocumentState.PENDING
        await doc.save(update_fields=["attempts", "reason", "state", "updated_at"])
        return doc
    doc.sha256, doc.storage_key, doc.signer = stored.sha256, stored.key, signer.name[:500]
    doc.state, doc.reason = DocumentState.READY, ""
    await doc.save(update_fields=["attempts", "reason", "state", "sha256", "storage_key", "signer", "updated_at"])
    return doc


async def regenerate_document(actor: Actor, document_id: int) -> list[Document]:
    """Officers: the document produced again as a new version (kk and ru), the old SUPERSEDED;
    audited."""
    if not actor.can(Permission.DECIDE):
        raise DomainError(ErrorCode.FORBIDDEN)
    doc = await get_visible(Document, actor, document_id, "Document", field="id")
    async with in_transaction() as conn:
        before = snapshot(doc)
        documents = await regenerate(doc)
        await doc.refresh_from_db(using_db=conn)
        await record_change(conn, actor, AuditAction.DOCUMENT_REGENERATED.value, doc, before)
    return documents


async def _claim_next(after: int) -> Document | None:
    """The next PENDING document after id `after`, locked for this worker (PostgreSQL)."""
    async with in_transaction() as conn:
        query = Document.filter(state=DocumentState.PENDING, id__gt=after).order_by("id")
        if conn.capabilities.dialect == "postgres":
            query = query.select_for_update(skip_locked=True)
        return await query.using_db(conn).first()


async def produce_pending(settings: Settings, limit: int = 50) -> int:
    """Produce up to `limit` PENDING documents in id order; how many became READY."""
    ready, after = 0, 0
    for _ in range(limit):
        doc = await _claim_next(after)
        if doc is None:
            break
        after = doc.id
        ready += (await produce(doc, settings)).state == DocumentState.READY
    return ready


async def regenerate(doc: Document) -> list[Document]:
    """A new version of the document's kind for its entity (kk and ru); the current ones
    SUPERSEDED (the caller's transaction, or its own)."""
    async with in_transaction():
        latest = await Document.filter(entity_type=doc.entity_type, entity_id=doc.entity_id, kind=doc.kind) \
            .order_by("-version").first()
        version = (latest.version if latest else doc.version) + 1
        await Document.filter(entity_type=doc.entity_type, entity_id=doc.entity_id, kind=doc.kind,
                              status=DocumentStatus.ISSUED).update(status=DocumentStatus.SUPERSEDED)
        return await request_documents(doc.kind, doc.entity_id, version)
