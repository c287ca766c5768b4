"""Inspections in GraphQL (003): the Inspection node with its checklist (the system's finding,
the inspector's word and every submission), the on-site reconciliation and the violations.
Children come batched through the request's loaders."""

from __future__ import annotations

import base64
from datetime import date, datetime
from typing import Annotated, Any, ClassVar

import strawberry
from strawberry import relay
from strawberry.scalars import JSON

from models import inspections as im
from models import parties as pm
from resolvers import inspections as uc
from rules.checklists import CHECKLISTS, ChecklistItemCode, SubjectKind, checklist_for
from rules.documents import DOWNLOAD_TTL_SECONDS, INSPECTION_PHOTO_LINK
from rules.errors import LANGUAGES, DomainError, ErrorCode
from rules.inspections import (
    EvidenceKind,
    Finding,
    InspectionKind,
    InspectionStatus,
    Unregistered,
    ViolationStatus,
)
from rules.photos import ImageKind
from schema.enums import expose_enum
from schema.loaders import load_view, load_views, pending, ready
from schema.relay import RowNode, Timestamped
from schema.types.parties import DataCenter, Miner, Pool

__all__ = ["Inspection"]

expose_enum(InspectionKind, "InspectionKind", "How an inspection was appointed.", {
    InspectionKind.SCHEDULED: "A scheduled inspection.",
    InspectionKind.UNSCHEDULED: "An unscheduled inspection.",
})
expose_enum(InspectionStatus, "InspectionStatus", "Where an inspection stands.", {
    InspectionStatus.APPOINTED: "Appointed by the act; not opened yet.",
    InspectionStatus.IN_PROGRESS: "Opened on site: the checklist is prefilled and being filled.",
    InspectionStatus.COMPLETED: "Signed by the officials and the subject's representative; the subject reads it.",
})
expose_enum(SubjectKind, "InspectionSubjectKind", "Whom an inspection is about: the two checklists of 003.", {
    SubjectKind.MINER: "A digital miner (the miner checklist, 8 requirements).",
    SubjectKind.POOL: "A digital mining pool (the pool checklist, 8 requirements).",
})
expose_enum(Finding, "ChecklistFinding", "A finding on a checklist requirement [003: complies / does not comply].", {
    Finding.COMPLIES: "Complies with the requirement.",
    Finding.DOES_NOT_COMPLY: "Does not comply: a violation once the inspection is completed.",
    Finding.NOT_APPLICABLE: "The requirement does not apply to this subject.",
    Finding.NOT_KNOWN: "The system's own finding only: the registry cannot tell (see the reason).",
})
expose_enum(Unregistered, "UnregisteredReason", "Why a serial seen on site is not a registered unit of the "
            "subject in that data center.", {
                Unregistered.NOT_IN_REGISTRY: "No such serial in the registry.",
                Unregistered.ANOTHER_MINER: "Registered to another miner.",
                Unregistered.EXCLUDED: "Excluded from the registry.",
                Unregistered.ANOTHER_DATA_CENTER: "The subject's unit, registered in another data center.",
            })
expose_enum(ChecklistItemCode, "ChecklistItemCode", "A requirement of a 003 checklist: M miner, P pool, then its "
            "number.", {i.code: i.text_en for c in CHECKLISTS for i in c.items})
expose_enum(ImageKind, "PhotoContentType", "An evidence photo's kind, by its content.", {
    ImageKind.JPEG: "image/jpeg", ImageKind.PNG: "image/png", ImageKind.HEIC: "image/heic (HEIF), stored as HEIC "
    "without its metadata."})
expose_enum(EvidenceKind, "RemedyEvidenceContentType", "A remedied violation's evidence file, by its content.", {
    EvidenceKind.PDF: "application/pdf", EvidenceKind.JPEG: "image/jpeg", EvidenceKind.PNG: "image/png",
    EvidenceKind.HEIC: "image/heic"})
expose_enum(ViolationStatus, "ViolationStatus", "Where a violation stands.", {
    ViolationStatus.OPEN: "To be remedied.",
    ViolationStatus.REMEDIED: "Remedied.",
})


@strawberry.type(description="A person who signs the checklist: position and name [003 forms' foot].")
class Signatory:
    position: str = strawberry.field(description="Position.")
    name: str = strawberry.field(description="Surname, name, patronymic (if any).")


@strawberry.type(description="One submission on a checklist item, from any device, as sent.")
class ChecklistSubmission:
    finding: Finding = strawberry.field(description="The inspector's finding.")
    comment: str = strawberry.field(description="The comment.")
    observed_at: datetime = strawberry.field(description="The device's time of the observation (UTC).")
    recorded_at: datetime = strawberry.field(description="When the server received it (UTC).")

    @classmethod
    def from_row(cls, row: im.InspectionItemEntry) -> ChecklistSubmission:
        return cls(finding=row.finding, comment=row.comment, observed_at=row.observed_at, recorded_at=row.recorded_at)


@strawberry.type(description="A photo attached to a checklist item: stored without its metadata; its position and "
                 "time taken kept as data. Read only by those who may read the inspection.")
class InspectionPhoto:
    id: strawberry.Private[int]
    storage_key: strawberry.Private[str]
    sha256: str = strawberry.field(description="SHA-256 of the stored bytes (hex).")
    size: int = strawberry.field(description="Bytes stored.")
    content_type: ImageKind = strawberry.field(description="image/jpeg, image/png or image/heic, by content.")
    latitude: float | None = strawberry.field(description="EXIF GPS latitude (degrees), if the photo had one.")
    longitude: float | None = strawberry.field(description="EXIF GPS longitude (degrees).")
    taken_at: datetime | None = strawberry.field(description="EXIF time taken, read as Almaty time.")
    observed_at: datetime = strawberry.field(description="The device's time of the submission.")

    @classmethod
    def from_row(cls, row: im.InspectionPhoto) -> InspectionPhoto:
        return cls(id=row.id, storage_key=row.storage_key, sha256=row.sha256, size=row.size, content_type=ImageKind(row.content_type),
                   latitude=row.latitude, longitude=row.longitude, taken_at=row.taken_at, observed_at=row.observed_at)

    @strawberry.field(description=f"A link to the stored image (GET, no token needed), valid "
                      f"{DOWNLOAD_TTL_SECONDS // 60} minutes; given only to those who may see the inspection.")
    def download_url(self, info: strawberry.Info) -> str:
        from resolvers.documents.issue import download_url

        return download_url(info.context.settings, self.id, info.context.now, purpose=INSPECTION_PHOTO_LINK,
                            path="inspection-photos")

    @strawberry.field(description="The image itself, base64-encoded (the whole file in the JSON answer).",
                      deprecation_reason="Use downloadUrl: a short-lived link, without a third more bytes in the "
                      "answer.")
    async def content_base64(self, info: strawberry.Info) -> str:
        from resolvers.storage import storage_for

        return base64.b64encode(await storage_for(info.context.settings).get(self.storage_key)).decode("ascii")


@strawberry.type(description="A requirement of the checklist with the system's finding and the inspector's word.")
class ChecklistItem:
    id: strawberry.Private[int]
    inspection_id: strawberry.Private[int]
    act_date: strawberry.Private[date]
    subject_kind: strawberry.Private[SubjectKind]
    code: ChecklistItemCode = strawberry.field(description="The requirement's code (M miner, P pool).")
    number: int = strawberry.field(description="Its number in the checklist [003].")
    system_finding: Finding = strawberry.field(description="The system's finding from the registry on the opening day.")
    system_reason: str = strawberry.field(description="Why, in English.")
    evidence: JSON = strawberry.field(description="The registry facts behind the system's finding.")
    inspector_finding: Finding | None = strawberry.field(description="The inspector's current finding (the latest "
                                                         "observation); null until given.")
    comment: str = strawberry.field(description="The inspector's comment (needed to override the system).")
    observed_at: datetime | None = strawberry.field(description="The device's time of the current finding.")
    recorded_at: datetime | None = strawberry.field(description="When the server received it.")

    @classmethod
    def from_row(cls, row: im.InspectionItem, inspection: im.Inspection) -> ChecklistItem:
        return cls(id=row.id, inspection_id=inspection.id, act_date=inspection.act_date, subject_kind=SubjectKind(inspection.subject_kind),
                   code=ChecklistItemCode(row.code), number=row.number, system_finding=row.system_finding, system_reason=row.system_reason,
                   evidence=row.evidence, inspector_finding=row.inspector_finding, comment=row.comment,
                   observed_at=row.observed_at, recorded_at=row.recorded_at)

    @strawberry.field(description="The requirement's text: kk verbatim from 003; ru our translation (003 has no "
                      "Russian text); en. Default: the request's language.")
    def text(self, info: strawberry.Info,
             lang: Annotated[str | None, strawberry.argument(description="kk, ru or en.")] = None) -> str:
        language = lang or info.context.language
        if language not in LANGUAGES:
            raise DomainError(ErrorCode.VALIDATION, field="lang", detail="kk, ru or en")
        return self._item.text(language)

    @strawberry.field(description="Where the requirement is in the regulations.")
    def legal_basis(self) -> str:
        return checklist_for(self.subject_kind, self.act_date).legal_basis(self._item)

    @property
    def _item(self) -> Any:
        return checklist_for(self.subject_kind, self.act_date).item(self.code)

    @strawberry.field(description="The photos attached to the item, in submission order.")
    async def photos(self, info: strawberry.Info) -> list[InspectionPhoto]:
        rows = await info.context.loaders.custom("inspection-photos", uc.photos_of).load(self.inspection_id)
        return [InspectionPhoto.from_row(r) for r in rows if r.item_code == self.code]

    @strawberry.field(description="Every submission on the item, by device time.")
    def history(self, info: strawberry.Info) -> list[ChecklistSubmission]:
        return load_views(ChecklistSubmission, info.context.loaders.custom("inspection-entries", uc.entries_of),  # type: ignore[no-any-return]
                          self.id)


@strawberry.type(description="The checklist of an inspection: the edition in force on the act's date.")
class Checklist:
    edition: str = strawberry.field(description="The order whose edition it is, e.g. `373/НҚ`.")
    items: list[ChecklistItem] = strawberry.field(description="The 8 requirements, in order; empty until opened.")


@strawberry.type(description="A serial seen on site that is not a registered unit of the subject in that data center.")
class UnregisteredSerial:
    serial: str = strawberry.field(description="As seen.")
    reason: Unregistered = strawberry.field(description="Why.")


@strawberry.type(description="The serial numbers seen in one data center against the registry.")
class DataCenterReconciliation:
    data_center_id: strawberry.Private[int]
    seen_count: int = strawberry.field(description="Distinct serials seen.")
    matched: list[str] = strawberry.field(description="Registered to the subject in this data center and seen.")
    unregistered: list[UnregisteredSerial] = strawberry.field(description="Seen but not registered, another "
                                                              "miner's, excluded, or in another data center.")
    not_seen: list[str] = strawberry.field(description="Registered to the subject in this data center, not seen.")
    observed_at: datetime = strawberry.field(description="The device's time.")
    recorded_at: datetime = strawberry.field(description="The server's time.")

    @classmethod
    def from_row(cls, row: im.InspectionReconciliation) -> DataCenterReconciliation:
        return cls(data_center_id=row.data_center_id, seen_count=row.seen_count, matched=list(row.matched),  # type: ignore[attr-defined]
                   unregistered=[UnregisteredSerial(serial=u["serial"], reason=Unregistered(u["why"]))
                                 for u in row.unregistered],
                   not_seen=list(row.not_seen), observed_at=row.observed_at, recorded_at=row.recorded_at)

    @strawberry.field(description="The data center.")
    def data_center(self, info: strawberry.Info) -> DataCenter | None:
        return load_view(DataCenter, info.context.loaders.visible(pm.DataCenter), self.data_center_id)  # type: ignore[no-any-return]


@strawberry.type(description="The evidence file recorded with a remedied violation (stored; its metadata stripped "
                 "if a photo).")
class RemedyEvidence:
    sha256: str = strawberry.field(description="SHA-256 of the stored bytes (hex).")
    size: int = strawberry.field(description="Bytes stored.")
    content_type: EvidenceKind = strawberry.field(description="PDF, or a photo (JPEG, PNG, HEIC), by content.")


@strawberry.type(description="A requirement found not complied with, and its remedy deadline.")
class Violation:
    item_code: ChecklistItemCode = strawberry.field(description="The checklist item.")
    remedy_working_days: int | None = strawberry.field(description="The remedy term in working days, set by an "
                                                       "officer; null until set.")
    remedy_due_at: datetime | None = strawberry.field(description="When the term ends: the close of its last "
                                                      "working day (engine calendar).")
    status: ViolationStatus = strawberry.field(description="Open or remedied.")
    overdue: bool = strawberry.field(description="Its deadline passed while open.")
    remedied_on: date | None = strawberry.field(description="The day it was remedied (Almaty); null while open.")
    remedied_late: bool | None = strawberry.field(description="Remedied after its deadline's last working day; null "
                                                  "while open or when no deadline was set.")
    remedy_comment: str = strawberry.field(description="How it was remedied, as recorded.")
    remedy_evidence: RemedyEvidence | None = strawberry.field(description="The evidence file recorded with it, if any.")

    @classmethod
    def from_row(cls, row: im.Violation) -> Violation:
        evidence = (RemedyEvidence(sha256=row.evidence_sha256, size=row.evidence_size or 0,
                                   content_type=EvidenceKind(row.evidence_content_type))
                    if row.evidence_sha256 else None)
        return cls(item_code=ChecklistItemCode(row.item_code), remedy_working_days=row.remedy_working_days,
                   remedy_due_at=row.remedy_due_at, status=row.status, overdue=row.overdue,
                   remedied_on=row.remedied_on, remedied_late=row.remedied_late, remedy_comment=row.remedy_comment,
                   remedy_evidence=evidence)


@strawberry.type(description="An inspection [003]: appointed by an act against a miner or a pool. An inspector sees "
                 "only those assigned to them; the subject its own once completed; others: as missing.")
class Inspection(RowNode, relay.Node, Timestamped):
    MODEL: ClassVar = im.Inspection

    id: relay.NodeID[int]
    act_number: str = strawberry.field(description="The act of appointment: number.")
    act_date: date = strawberry.field(description="Its date: the checklist in force that day applies.")
    kind: InspectionKind = strawberry.field(description="Scheduled or unscheduled.")
    subject_kind: SubjectKind = strawberry.field(description="A miner or a pool.")
    status: InspectionStatus = strawberry.field(description="Appointed, in progress or completed.")
    planned_from: date = strawberry.field(description="Planned first day.")
    planned_to: date = strawberry.field(description="Planned last day.")
    opened_on: date | None = strawberry.field(description="The day it was opened (the registry facts of that day).")
    completed_at: datetime | None = strawberry.field(description="When it was completed (server time).")
    representative: Signatory | None = strawberry.field(description="The subject's representative who signed.")
    officials: list[Signatory] = strawberry.field(description="The officials who signed.")
    _row: strawberry.Private[im.Inspection]

    @classmethod
    def from_row(cls, row: im.Inspection) -> Inspection:
        rep = (Signatory(position=row.representative_position, name=row.representative_name)
               if row.representative_name else None)
        return cls(id=row.id, act_number=row.act_number, act_date=row.act_date, kind=row.kind,
                   subject_kind=row.subject_kind, status=row.status, planned_from=row.planned_from,
                   planned_to=row.planned_to, opened_on=row.opened_on, completed_at=row.completed_at,
                   representative=rep, officials=[Signatory(**o) for o in row.officials or []],
                   created_at=row.created_at, updated_at=row.updated_at, _row=row)

    @strawberry.field(description="The miner inspected (null for a pool, or when the caller may not read it).")
    def miner(self, info: strawberry.Info) -> Miner | None:
        return load_view(Miner, info.context.loaders.visible(pm.Miner), self._row.miner_id)  # type: ignore[attr-defined, no-any-return]

    @strawberry.field(description="The pool inspected (null for a miner).")
    def pool(self, info: strawberry.Info) -> Pool | None:
        return load_view(Pool, info.context.loaders.visible(pm.Pool), self._row.pool_id)  # type: ignore[attr-defined, no-any-return]

    @strawberry.field(description="The data centers to visit.")
    async def data_centers(self, info: strawberry.Info) -> list[DataCenter]:
        ids = await info.context.loaders.custom("inspection-dcs", uc.data_centers_of).load(self.id)
        rows = await info.context.loaders.visible(pm.DataCenter).load_many(ids)
        return [DataCenter.from_row(r) for r in rows if r is not None]

    @strawberry.field(description="The checklist in force on the act's date, prefilled when opened.")
    def checklist(self, info: strawberry.Info) -> Checklist:
        edition = checklist_for(self.subject_kind, self.act_date).edition
        loaded = ready(info.context.loaders.custom("inspection-items", uc.items_of), self.id)

        def view(rows: list[im.InspectionItem]) -> Checklist:
            return Checklist(edition=edition, items=[ChecklistItem.from_row(r, self._row) for r in rows])

        if pending(loaded):
            async def later() -> Checklist:
                return view(await loaded)

            return later()
        return view(loaded)

    @strawberry.field(description="The on-site serial reconciliations, per data center, in submission order.")
    def reconciliation(self, info: strawberry.Info) -> list[DataCenterReconciliation]:
        return load_views(DataCenterReconciliation,  # type: ignore[no-any-return]
                          info.context.loaders.custom("inspection-reconciliations", uc.reconciliations_of), self.id)

    @strawberry.field(description="The violations found (items that do not comply), once completed.")
    def violations(self, info: strawberry.Info) -> list[Violation]:
        return load_views(Violation, info.context.loaders.custom("inspection-violations", uc.violations_of),  # type: ignore[no-any-return]
                          self.id)
