"""Signed documents in GraphQL (issue 13): the `Document` node, `documents(entity:)` and the
officers' `regenerateDocument`. Visibility is the entity owner's (resolvers/scope.OWNERSHIP);
the PDF itself only through `downloadUrl`, a link that expires in minutes."""

from __future__ import annotations

from datetime import date
from typing import Annotated, ClassVar

import strawberry
from strawberry import relay

from models import documents as dm
from resolvers.documents import issue as uc
from resolvers.documents.contents import CONTENTS
from resolvers.scope import visible
from rules.documents import (
    DOWNLOAD_TTL_SECONDS,
    DocumentKind,
    DocumentState,
    DocumentStatus,
    Language,
)
from schema.enums import expose_enum
from schema.errors import mutation, payload
from schema.ids import pk_of, typed_pk
from schema.relay import RowNode, Timestamped

__all__ = ["Document", "DocumentsMutation", "DocumentsQuery"]

expose_enum(DocumentKind, "DocumentKind", "The kinds of outgoing documents [DOMAIN §6].", {
    DocumentKind.LICENCE: "Licence [001 App.4/5].",
    DocumentKind.APPENDIX: "Licence appendix [001 App.6/7].",
    DocumentKind.REFUSAL: "Motivated refusal [001 App.8; 002 App.6; 004 App.4].",
    DocumentKind.HEARING_NOTICE: "Preliminary refusal and hearing notice [001 §10].",
    DocumentKind.INCLUSION_NOTICE: "Registry inclusion notice [000 App.7].",
    DocumentKind.EXCLUSION_NOTICE: "Registry exclusion notice [002 App.8].",
    DocumentKind.POOL_CERTIFICATE: "Pool accreditation certificate [004 App.3].",
    DocumentKind.INSPECTION_ACT: "Inspection act: the checklist as completed on site, with the representative and "
    "the officials [003].",
})
expose_enum(Language, "DocumentLanguage", "The language of a document.", {
    Language.KK: "Kazakh.", Language.RU: "Russian.",
})
expose_enum(DocumentStatus, "DocumentStatus", "The legal status of a document (also on the public page).", {
    DocumentStatus.ISSUED: "Issued and valid.",
    DocumentStatus.REVOKED: "Revoked with what it records (a revoked licence).",
    DocumentStatus.SUPERSEDED: "Replaced by a regenerated version.",
})
expose_enum(DocumentState, "DocumentState", "Where the document's production stands (decisions never wait).", {
    DocumentState.PENDING: "Recorded; the job has not rendered and signed it yet (or retries).",
    DocumentState.READY: "Rendered, signed and stored.",
    DocumentState.FAILED: "Gave up after repeated failures (`failureReason`); an officer regenerates it.",
})

# The records documents belong to: those of the document kinds (resolvers/documents/contents.py).
_ENTITIES = tuple(dict.fromkeys(entity for entity, _ in CONTENTS.values()))


@strawberry.type(description="A signed outgoing document (PDF, PAdES) of the authority, in one language.")
class Document(RowNode, relay.Node, Timestamped):
    MODEL: ClassVar = dm.Document

    id: relay.NodeID[int]
    kind: DocumentKind = strawberry.field(description="What document it is.")
    language: Language = strawberry.field(description="Kazakh or Russian.")
    version: int = strawberry.field(description="1, then one more per regeneration.")
    number: str = strawberry.field(description="The document's number as printed.")
    issued_on: date = strawberry.field(description="The document's date as printed.")
    status: DocumentStatus = strawberry.field(description="Issued, revoked or superseded.")
    state: DocumentState = strawberry.field(description="Pending, ready or failed.")
    failure_reason: str | None = strawberry.field(description="Why the last attempt failed, if it did.")
    sha256: str | None = strawberry.field(description="SHA-256 (hex) of the signed file, once ready.")
    verification_code: str = strawberry.field(description="The code printed under the QR code.")

    @strawberry.field(description="The public page that verifies it (no login), as in its QR code.")
    def verification_url(self, info: strawberry.Info) -> str:
        return uc.verify_url(info.context.settings, self.verification_code)

    @strawberry.field(description=f"A link to the signed PDF, valid {DOWNLOAD_TTL_SECONDS // 60} minutes; null "
                      "until it is ready.")
    def download_url(self, info: strawberry.Info) -> str | None:
        if self.state != DocumentState.READY:
            return None
        return uc.download_url(info.context.settings, self.id, info.context.now)

    @classmethod
    def from_row(cls, row: dm.Document) -> Document:
        return cls(
            id=row.id, kind=row.kind, language=row.language, version=row.version, number=row.number,
            issued_on=row.issued_on, status=row.status, state=row.state, failure_reason=row.reason or None,
            sha256=row.sha256, verification_code=row.verification_code,
            created_at=row.created_at, updated_at=row.updated_at,
        )


@strawberry.input(description="Produce a document again (a new version; the current one is superseded).")
class RegenerateDocumentInput:
    id: relay.GlobalID = strawberry.field(description="The document.")


@payload(description="The new version (kk and ru), or why not.")
class RegenerateDocumentPayload:
    documents: list[Document] | None = strawberry.field(default=None, description="The new documents, PENDING.")


@strawberry.type
class DocumentsQuery:
    @strawberry.field(description="The documents of a licence, an appendix, an application, a pool certificate or an "
                      "inspection, newest version first; empty for a record the caller may not see.")
    async def documents(
        self, info: strawberry.Info,
        entity: Annotated[relay.GlobalID, strawberry.argument(description="A License, LicenseAppendix, "
                                                              "Application, PoolCertificate or Inspection id.")],
    ) -> list[Document]:
        entity_type, pk = typed_pk(entity, _ENTITIES, "entity")
        rows = await visible(dm.Document.filter(entity_type=entity_type, entity_id=pk), info.context.user) \
            .order_by("-version", "kind", "language").limit(50)
        return [Document.from_row(r) for r in rows]


@strawberry.type
class DocumentsMutation:
    @mutation(description="Officer: produce a document again as a new version; the current one is superseded "
              "(e.g. after a failure or a correction). Audited.")
    async def regenerate_document(self, info: strawberry.Info, input: RegenerateDocumentInput) -> RegenerateDocumentPayload:
        rows = await uc.regenerate_document(info.context.user, pk_of(input.id, "Document", "id"))
        return RegenerateDocumentPayload(documents=[Document.from_row(r) for r in rows])
