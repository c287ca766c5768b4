"""Inspections in GraphQL (003): appointment by an officer, the inspector's offline-safe
submissions (every one idempotent by `clientMutationId`, with the device's `observedAt`),
completion and the remedy deadlines. Types: schema/types/inspections.py."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import strawberry
from strawberry import relay
from strawberry.file_uploads import Upload

from resolvers import inspections as uc
from resolvers.registry.inclusion import UnitListFile
from resolvers.storage import storage_for
from rules.checklists import ChecklistItemCode
from rules.errors import DomainError, ErrorCode
from rules.inspections import Finding, InspectionKind
from schema.errors import mutation, payload
from schema.idempotency import client_mutation_id
from schema.ids import pk_of
from schema.registry import ClosesUpload, UnitListRejected
from schema.relay import Connection, Rows, connection
from schema.types.inspections import Inspection
from schema.uploads import read_upload

__all__ = ["InspectionsMutation", "InspectionsQuery"]

_OBSERVED = ("The device's time of the observation, with a time zone (kept beside the server's time; the later "
             "observation of an item wins). Default: now.")


@strawberry.input(description="Appoint an inspection by an act [003 forms' head]: a miner (with the data centers to "
                  "visit) or a pool, and the inspectors assigned.")
class AppointInspectionInput:
    act_number: str = strawberry.field(description="The act of appointment: number (up to 100 characters).")
    act_date: date = strawberry.field(description="Its date: the checklist in force that day applies.")
    kind: InspectionKind = strawberry.field(description="Scheduled or unscheduled.")
    miner_id: relay.GlobalID | None = strawberry.field(default=None, description="The miner inspected (or poolId).")
    pool_id: relay.GlobalID | None = strawberry.field(default=None, description="The pool inspected (or minerId).")
    data_center_ids: list[relay.GlobalID] = strawberry.field(default_factory=list, description="The data centers to "
                                                             "visit (a miner: at least one; at most 50).")
    inspector_ids: list[relay.GlobalID] = strawberry.field(description="The inspectors (users with the INSPECTOR "
                                                           "role), 1 to 20.")
    planned_from: date = strawberry.field(description="Planned first day (not before the act).")
    planned_to: date = strawberry.field(description="Planned last day.")
    client_mutation_id: str | None = client_mutation_id()


@strawberry.input(description="Open an assigned inspection on site: the checklist is prefilled from the registry.")
class OpenInspectionInput:
    inspection_id: relay.GlobalID = strawberry.field(description="The inspection.")
    observed_at: datetime | None = strawberry.field(default=None, description=_OBSERVED)
    client_mutation_id: str | None = client_mutation_id()


@strawberry.input(description="The inspector's finding on one checklist item.")
class RecordChecklistFindingInput:
    inspection_id: relay.GlobalID = strawberry.field(description="The inspection (in progress).")
    code: ChecklistItemCode = strawberry.field(description="The item.")
    finding: Finding = strawberry.field(description="COMPLIES, DOES_NOT_COMPLY or NOT_APPLICABLE.")
    comment: str = strawberry.field(default="", description="Needed when overriding the system's finding (up to "
                                    "2,000 characters).")
    observed_at: datetime | None = strawberry.field(default=None, description=_OBSERVED)
    client_mutation_id: str | None = client_mutation_id()


@strawberry.input(description="The serial numbers seen in one data center: typed or scanned (`serials`), or a CSV/XLSX "
                  "file (`file`), exactly one of them.")
class ReconcileSerialsInput:
    inspection_id: relay.GlobalID = strawberry.field(description="The inspection (in progress, of a miner).")
    data_center_id: relay.GlobalID = strawberry.field(description="One of the inspection's data centers.")
    serials: list[str] | None = strawberry.field(default=None, description="The serials seen, as written on the units "
                                                 "(at most 100,000; normalised like the registry's); or `file`.")
    file: Upload | None = strawberry.field(default=None, description="Or the serials as a CSV or XLSX file (by content; "
                                           "multipart upload, at most 20 MB, 100,000 serials): one column, titled as "
                                           "the unit list's serial column (\"Серийный номер\", \"Сериялық нөмірі\", "
                                           "\"Serial number\", \"S/N\"; other columns ignored) or without a header. "
                                           "A bad file or line: UnitListRejected with the line, nothing written.")
    observed_at: datetime | None = strawberry.field(default=None, description=_OBSERVED)
    client_mutation_id: str | None = client_mutation_id()


@strawberry.input(description="A person who signs: position and name.")
class SignatoryInput:
    position: str = strawberry.field(description="Position (up to 500 characters).")
    name: str = strawberry.field(description="Surname, name, patronymic (up to 500 characters).")


@strawberry.input(description="Complete the inspection: every item has the inspector's finding; those that do not "
                  "comply become violations.")
class CompleteInspectionInput:
    inspection_id: relay.GlobalID = strawberry.field(description="The inspection (in progress).")
    representative: SignatoryInput = strawberry.field(description="The subject's representative who signs.")
    officials: list[SignatoryInput] = strawberry.field(description="The officials who sign (1 to 20).")
    observed_at: datetime | None = strawberry.field(default=None, description=_OBSERVED)
    client_mutation_id: str | None = client_mutation_id()


@strawberry.input(description="An officer sets a violation's remedy term in working days.")
class SetRemedyDeadlineInput:
    inspection_id: relay.GlobalID = strawberry.field(description="The completed inspection.")
    code: ChecklistItemCode = strawberry.field(description="The item that does not comply.")
    working_days: int = strawberry.field(description="The term in working days (1 to 250), counted from the "
                                         "completion day on the engine's calendar.")
    client_mutation_id: str | None = client_mutation_id()


@strawberry.input(description="Record that a violation was remedied: officers, or an inspector assigned to the "
                  "inspection. The overdue job stops flagging it; late or on time is kept.")
class MarkViolationRemediedInput:
    inspection_id: relay.GlobalID = strawberry.field(description="The completed inspection.")
    code: ChecklistItemCode = strawberry.field(description="The item of the violation.")
    remedied_on: date = strawberry.field(description="The day it was remedied (Almaty): from the completion day to "
                                         "today.")
    comment: str = strawberry.field(description="How it was remedied / what was checked (up to 2,000 characters).")
    file: Upload | None = strawberry.field(default=None, description="Optional evidence (multipart upload): a photo "
                                           "(JPEG/PNG/HEIC by content, stored without its metadata) or a PDF, at most "
                                           "10 MB.")
    client_mutation_id: str | None = client_mutation_id()


@strawberry.input(description="A photo of a checklist item as evidence (multipart upload): JPEG, PNG or HEIC by content, "
                  "at most 10 MB; EXIF GPS and time kept as data, all metadata stripped before storage.")
class AttachInspectionPhotoInput:
    inspection_id: relay.GlobalID = strawberry.field(description="The inspection (in progress).")
    code: ChecklistItemCode = strawberry.field(description="The checklist item.")
    file: Upload | None = strawberry.field(default=None, description="The image (multipart upload, GraphQL multipart "
                                           "request spec); required.")
    observed_at: datetime | None = strawberry.field(default=None, description=_OBSERVED)
    client_mutation_id: str | None = client_mutation_id()


async def _read_photo(file: Any) -> bytes:
    read = getattr(file, "read", None)
    if read is None:
        raise DomainError(ErrorCode.VALIDATION, field="file", detail="a file upload is needed")
    return bytes(await read(uc.MAX_PHOTO_BYTES + 1))  # one more: an oversized file is refused, not read


@payload(description="The inspection after the step, or why not.")
class InspectionPayload:
    inspection: Inspection | None = strawberry.field(default=None, description="The inspection; null on errors.")


@payload(UnitListRejected, description="The inspection with the reconciliation recorded, or why not (a bad serials "
         "file: UnitListRejected with its lines).")
class ReconcileSerialsPayload:
    inspection: Inspection | None = strawberry.field(default=None, description="The inspection; null on errors.")


def _upload_mutation(description: str) -> Any:
    """Idempotent, and the upload closed on every path (schema/registry.ClosesUpload)."""
    field = mutation(description=description, idempotent=True)
    field.extensions.append(ClosesUpload())
    return field


_photo_mutation = _upload_mutation("Attach a photo to a checklist item [003 evidence].")


def _inspection_pk(value: relay.GlobalID) -> int:
    return pk_of(value, "Inspection", "inspectionId")


@strawberry.type
class InspectionsQuery:
    @connection(description="The inspections assigned to the calling inspector, oldest first (none for other roles).")
    def my_inspections(self, info: strawberry.Info) -> Connection[Inspection]:
        actor = info.context.user
        return Rows(lambda: uc.list_assigned(actor), Inspection.from_row)  # type: ignore[return-value]


@strawberry.type
class InspectionsMutation:
    @mutation(description="Appoint an inspection [003]: officers.", idempotent=True)
    async def appoint_inspection(self, info: strawberry.Info, input: AppointInspectionInput) -> InspectionPayload:
        cmd = uc.Appoint(
            act_number=input.act_number, act_date=input.act_date, kind=input.kind,
            miner_id=None if input.miner_id is None else pk_of(input.miner_id, "Miner", "minerId"),
            pool_id=None if input.pool_id is None else pk_of(input.pool_id, "Pool", "poolId"),
            data_center_ids=tuple(pk_of(d, "DataCenter", f"dataCenterIds[{i}]")
                                  for i, d in enumerate(input.data_center_ids)),
            inspector_ids=tuple(pk_of(u, "User", f"inspectorIds[{i}]") for i, u in enumerate(input.inspector_ids)),
            planned_from=input.planned_from, planned_to=input.planned_to,
        )
        return InspectionPayload(inspection=Inspection.from_row(await uc.appoint(info.context.user, cmd)))

    @mutation(description="Open an assigned inspection: the checklist prefilled from the registry.", idempotent=True)
    async def open_inspection(self, info: strawberry.Info, input: OpenInspectionInput) -> InspectionPayload:
        row = await uc.open_inspection(info.context.user, _inspection_pk(input.inspection_id), input.observed_at)
        return InspectionPayload(inspection=Inspection.from_row(row))

    @mutation(description="Record the inspector's finding on a checklist item (kept in its history).", idempotent=True)
    async def record_checklist_finding(self, info: strawberry.Info, input: RecordChecklistFindingInput) -> InspectionPayload:
        cmd = uc.RecordFinding(inspection_id=_inspection_pk(input.inspection_id), code=input.code.value,
                               finding=input.finding, comment=input.comment, observed_at=input.observed_at)
        return InspectionPayload(inspection=Inspection.from_row(await uc.record_finding(info.context.user, cmd)))

    @_upload_mutation("Reconcile the serials seen in a data center with the registry (item 3 follows).")
    async def reconcile_serials(self, info: strawberry.Info, input: ReconcileSerialsInput) -> ReconcileSerialsPayload:
        file = None
        if input.file is not None:
            data, filename = await read_upload(input.file, limit=uc.MAX_UPLOAD_BYTES, field="file")
            file = UnitListFile(content=data, filename=filename)
        cmd = uc.Reconcile(inspection_id=_inspection_pk(input.inspection_id),
                           data_center_id=pk_of(input.data_center_id, "DataCenter", "dataCenterId"),
                           serials=None if input.serials is None else tuple(input.serials),
                           observed_at=input.observed_at, file=file)
        row, _ = await uc.reconcile_serials(info.context.user, cmd)
        return ReconcileSerialsPayload(inspection=Inspection.from_row(row))

    @_photo_mutation
    async def attach_inspection_photo(self, info: strawberry.Info, input: AttachInspectionPhotoInput) -> InspectionPayload:
        actor = info.context.user  # authenticated before the upload is read
        cmd = uc.AttachPhoto(inspection_id=_inspection_pk(input.inspection_id), code=input.code.value,
                             content=await _read_photo(input.file), observed_at=input.observed_at)
        row = await uc.attach_photo(actor, cmd, storage_for(info.context.settings))
        return InspectionPayload(inspection=Inspection.from_row(row))

    @_upload_mutation("Record that a violation was remedied (officers, or an assigned inspector).")
    async def mark_violation_remedied(self, info: strawberry.Info, input: MarkViolationRemediedInput) -> InspectionPayload:
        actor = info.context.user  # authenticated before the upload is read
        evidence = None
        if input.file is not None:
            evidence, _ = await read_upload(input.file, limit=uc.MAX_DOCUMENT_BYTES, field="file")
        cmd = uc.MarkRemedied(inspection_id=_inspection_pk(input.inspection_id), code=input.code.value,
                              remedied_on=input.remedied_on, comment=input.comment, evidence=evidence)
        row = await uc.mark_remedied(actor, cmd, storage_for(info.context.settings))
        return InspectionPayload(inspection=Inspection.from_row(row))

    @mutation(description="Complete the inspection with the signatures recorded [003].", idempotent=True)
    async def complete_inspection(self, info: strawberry.Info, input: CompleteInspectionInput) -> InspectionPayload:
        cmd = uc.Complete(
            inspection_id=_inspection_pk(input.inspection_id),
            representative=uc.Official(input.representative.position, input.representative.name),
            officials=tuple(uc.Official(o.position, o.name) for o in input.officials),
            observed_at=input.observed_at,
        )
        return InspectionPayload(inspection=Inspection.from_row(await uc.complete(info.context.user, cmd)))

    @mutation(description="Set a violation's remedy deadline in working days: officers.", idempotent=True)
    async def set_remedy_deadline(self, info: strawberry.Info, input: SetRemedyDeadlineInput) -> InspectionPayload:
        cmd = uc.SetRemedyDeadline(inspection_id=_inspection_pk(input.inspection_id), code=input.code.value,
                                   working_days=input.working_days)
        return InspectionPayload(inspection=Inspection.from_row(await uc.set_remedy_deadline(info.context.user, cmd)))
