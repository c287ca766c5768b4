"""Outbox handlers (resolvers/wiring.OUTBOX_HANDLERS): the events that issue a document record it
PENDING; the documents job renders and signs it. A redelivered event finds its rows (unique key)."""

from __future__ import annotations

from typing import Any

from models.documents import Document
from models.licensing import LicenseAppendix
from rules.documents import DocumentKind, DocumentStatus
from rules.workflow import Stage

__all__ = ["DOCUMENT_HANDLERS"]


async def _licence(payload: dict[str, Any], ctx: dict[str, Any]) -> None:
    """The licence and each of its appendices (001 App.4-7)."""
    await _request(DocumentKind.LICENCE, payload["id"])
    for appendix_id in await LicenseAppendix.filter(license_id=payload["id"]).order_by("id").values_list("id", flat=True):
        await _request(DocumentKind.APPENDIX, appendix_id)


async def _licence_revoked(payload: dict[str, Any], ctx: dict[str, Any]) -> None:
    """A revoked licence (or one appendix): its documents say so on the public page."""
    if payload.get("appendix") is None:
        await Document.filter(entity_type="License", entity_id=payload["license_id"], status=DocumentStatus.ISSUED) \
            .update(status=DocumentStatus.REVOKED)
    appendices = LicenseAppendix.filter(license_id=payload["license_id"])
    if payload.get("appendix") is not None:
        appendices = appendices.filter(number=payload["appendix"])
    ids = await appendices.values_list("id", flat=True)
    await Document.filter(entity_type="LicenseAppendix", entity_id__in=list(ids), status=DocumentStatus.ISSUED) \
        .update(status=DocumentStatus.REVOKED)


async def _stage(payload: dict[str, Any], ctx: dict[str, Any]) -> None:
    if payload.get("to") == Stage.REFUSED.value:
        await _request(DocumentKind.REFUSAL, payload["application"])


async def _hearing(payload: dict[str, Any], ctx: dict[str, Any]) -> None:
    await _request(DocumentKind.HEARING_NOTICE, payload["application"])


async def _pool_certificate(payload: dict[str, Any], ctx: dict[str, Any]) -> None:
    await _request(DocumentKind.POOL_CERTIFICATE, payload["id"])


async def _included(payload: dict[str, Any], ctx: dict[str, Any]) -> None:
    await _request(DocumentKind.INCLUSION_NOTICE, payload["application"])


async def _excluded(payload: dict[str, Any], ctx: dict[str, Any]) -> None:
    await _request(DocumentKind.EXCLUSION_NOTICE, payload["application"])


async def _inspection_completed(payload: dict[str, Any], ctx: dict[str, Any]) -> None:
    await _request(DocumentKind.INSPECTION_ACT, payload["id"])


async def _request(kind: DocumentKind, entity_id: int) -> None:
    from resolvers.documents.issue import request_documents  # rendering libraries load with the job

    await request_documents(kind, entity_id)


DOCUMENT_HANDLERS = {
    "license.issued": _licence,
    "license.reissued": _licence,
    "license.revoked": _licence_revoked,
    "application.stage": _stage,
    "notice.hearing": _hearing,
    "pool_certificate.issued": _pool_certificate,
    "pool_certificate.reissued": _pool_certificate,
    "registry.units_included": _included,
    "registry.units_excluded": _excluded,
    "inspection.completed": _inspection_completed,
}
