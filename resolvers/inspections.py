"""Inspections (003) use cases: appointment by an officer, opening with the checklist prefilled
from the registry (facts loaded in batch, judged by rules/inspections.py), the inspector's
findings from possibly offline devices, on-site serial reconciliation, completion and the
violations' remedy deadlines tracked by the overdue job.

Visibility is resolvers/scope.visible(): an inspector reaches only the inspections assigned to
them, the subject its own once completed; anything else is NOT_FOUND exactly like a missing one.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.expressions import Q
from tortoise.transactions import in_transaction

from models.access import User
from models.applications import ApplicationDocument
from models.db import in_chunks
from models.inspections import (
    Inspection,
    InspectionDataCenter,
    InspectionInspector,
    InspectionItem,
    InspectionItemEntry,
    InspectionPhoto,
    InspectionReconciliation,
    Violation,
)
from models.licensing import License, PoolMembership
from models.parties import DataCenter, Miner, Pool
from models.pools import PoolApplication
from models.registry import AsicUnit
from resolvers import pools as pool_uc
from resolvers.calendar import load_calendar
from resolvers.changes import connection, emit, record_change, snapshot
from resolvers.listing import Listing
from resolvers.registry.inclusion import MAX_UPLOAD_BYTES, UnitListFile, file_issue, rejected
from resolvers.registry.unit_files import parse_serial_list
from resolvers.scope import get_visible, visible
from resolvers.storage import Storage
from rules.access import Actor, Permission
from rules.calendar import ALMATY, WorkCalendar
from rules.checklists import ChecklistItemCode, SubjectKind, checklist_for
from rules.enums import Role
from rules.errors import DomainError, ErrorCode
from rules.files import MAX_DOCUMENT_BYTES, DocumentContentType, sniff_document
from rules.inspections import (
    DataCenterSnapshot,
    Finding,
    InspectionKind,
    InspectionStatus,
    ItemFinding,
    LicenseFacts,
    MinerFacts,
    Reconciled,
    ReconciliationSummary,
    UnitRow,
    ViolationStatus,
    miner_findings,
    monthly_reports_finding,
    needs_comment,
    pool_findings,
    reconcile,
    remedied_late,
)
from rules.limits import check_text
from rules.photos import MAX_PHOTO_BYTES, PhotoRefused, sniff, strip
from rules.qualification import DataCenterFacts, DocumentKind
from rules.registry import UnitStatus
from rules.unit_list import UnitListError
from rules.unit_list.cells import normalize_serial

__all__ = [
    "MAX_DOCUMENT_BYTES",
    "MAX_PHOTO_BYTES",
    "MAX_UPLOAD_BYTES",
    "Appoint",
    "AttachPhoto",
    "Complete",
    "MarkRemedied",
    "Official",
    "Reconcile",
    "RecordFinding",
    "SetRemedyDeadline",
    "appoint",
    "attach_photo",
    "complete",
    "flag_violations",
    "list_assigned",
    "list_inspections",
    "lookup_units",
    "mark_remedied",
    "open_inspection",
    "photos_of",
    "reconcile_serials",
    "record_finding",
    "set_remedy_deadline",
]

TEXT_MAX, NUMBER_MAX, COMMENT_MAX = 500, 100, 2000
DATA_CENTERS_MAX, INSPECTORS_MAX, OFFICIALS_MAX = 50, 20, 20
SEEN_MAX = 100_000  # serials per reconciliation request
SERIAL_MAX = 255  # asic_unit.serial
REMEDY_DAYS_MAX = 250


def _now() -> datetime:
    return datetime.now(UTC)


def _today() -> date:
    return _now().astimezone(ALMATY).date()


def _forbidden_unless(actor: Actor, permission: Permission) -> None:
    if not actor.can(permission):
        raise DomainError(ErrorCode.FORBIDDEN)


def _observed(observed_at: datetime | None, field: str = "observedAt") -> datetime:
    """The device's time; a naive time or one in the future is refused (clocks drift, not by days)."""
    if observed_at is None:
        return _now()
    if observed_at.tzinfo is None:
        raise DomainError(ErrorCode.VALIDATION, field=field, detail="a time zone is needed")
    if (observed_at - _now()).total_seconds() > 300:
        raise DomainError(ErrorCode.VALIDATION, field=field, detail="in the future")
    return observed_at.astimezone(UTC)


# --- appointment ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Appoint:
    act_number: str
    act_date: date
    kind: InspectionKind
    miner_id: int | None
    pool_id: int | None
    data_center_ids: tuple[int, ...]
    inspector_ids: tuple[int, ...]
    planned_from: date
    planned_to: date


async def _inspectors(ids: Sequence[int]) -> list[User]:
    users = {u.id: u for u in await User.filter(id__in=list(ids))}
    for i, pk in enumerate(ids):
        user = users.get(pk)
        if user is None or user.role != Role.INSPECTOR:
            raise DomainError(ErrorCode.NOT_FOUND, entity="Inspector", field=f"inspectorIds[{i}]")
    return [users[pk] for pk in ids]


async def appoint(actor: Actor, cmd: Appoint) -> Inspection:
    _forbidden_unless(actor, Permission.DECIDE)
    act_number = check_text(cmd.act_number, "actNumber", max_length=NUMBER_MAX)
    if (cmd.miner_id is None) == (cmd.pool_id is None):
        raise DomainError(ErrorCode.VALIDATION, field="minerId", detail="name either a miner or a pool")
    if cmd.planned_to < cmd.planned_from:
        raise DomainError(ErrorCode.VALIDATION, field="plannedTo", detail="before plannedFrom")
    if cmd.planned_from < cmd.act_date:
        raise DomainError(ErrorCode.VALIDATION, field="plannedFrom", detail="before the act's date")
    if not cmd.inspector_ids or len(cmd.inspector_ids) > INSPECTORS_MAX:
        raise DomainError(ErrorCode.VALIDATION, field="inspectorIds", detail=f"1 to {INSPECTORS_MAX} inspectors")
    if len(cmd.data_center_ids) > DATA_CENTERS_MAX or len(set(cmd.data_center_ids)) != len(cmd.data_center_ids):
        raise DomainError(ErrorCode.VALIDATION, field="dataCenterIds", detail="distinct, at most 50")
    subject = SubjectKind.MINER if cmd.miner_id is not None else SubjectKind.POOL
    checklist_for(subject, cmd.act_date)  # NO_RULES_IN_FORCE before the checklist's edition
    if subject is SubjectKind.MINER:
        await get_visible(Miner, actor, cmd.miner_id, field="minerId")  # type: ignore[arg-type]
        if not cmd.data_center_ids:
            raise DomainError(ErrorCode.VALIDATION, field="dataCenterIds", detail="name the data centers to visit")
    else:
        await get_visible(Pool, actor, cmd.pool_id, field="poolId")  # type: ignore[arg-type]
    for i, pk in enumerate(cmd.data_center_ids):
        await get_visible(DataCenter, actor, pk, field=f"dataCenterIds[{i}]")
    inspectors = await _inspectors(list(dict.fromkeys(cmd.inspector_ids)))
    async with in_transaction() as conn:
        inspection = await Inspection.create(
            using_db=conn, act_number=act_number, act_date=cmd.act_date, kind=cmd.kind, subject_kind=subject,
            miner_id=cmd.miner_id, pool_id=cmd.pool_id, planned_from=cmd.planned_from, planned_to=cmd.planned_to,
            appointed_by_id=actor.user_id,
        )
        await InspectionDataCenter.bulk_create(
            [InspectionDataCenter(inspection=inspection, data_center_id=pk) for pk in cmd.data_center_ids], using_db=conn
        )
        await InspectionInspector.bulk_create(
            [InspectionInspector(inspection=inspection, user_id=u.id) for u in inspectors], using_db=conn
        )
        await record_change(conn, actor, "inspection.appointed", inspection, None)
    return inspection


# --- the inspector's own inspection ---------------------------------------------------------------


async def _assigned(actor: Actor, inspection_id: int, conn: BaseDBAsyncClient | None = None) -> Inspection:
    """The inspection, for an inspector assigned to it (others: NOT_FOUND, or FORBIDDEN for a role
    that may read it but does not inspect)."""
    inspection = await get_visible(Inspection, actor, inspection_id, field="inspectionId")
    _forbidden_unless(actor, Permission.INSPECT)
    if conn is not None:  # lock the row against a concurrent submission (PostgreSQL)
        locked = await Inspection.filter(id=inspection.id).using_db(conn).select_for_update().first()
        assert locked is not None
        return locked
    return inspection


def _require_status(inspection: Inspection, *allowed: InspectionStatus) -> None:
    if InspectionStatus(inspection.status) not in allowed:
        raise DomainError(ErrorCode.ILLEGAL_TRANSITION, stage=inspection.status, action="this step",
                          field="inspectionId")


async def _data_center_ids(inspection_ids: Sequence[int]) -> dict[int, list[int]]:
    out: dict[int, list[int]] = {pk: [] for pk in inspection_ids}
    for row in await InspectionDataCenter.filter(inspection_id__in=list(inspection_ids)).order_by("id"):
        out[row.inspection_id].append(row.data_center_id)  # type: ignore[attr-defined]
    return out


async def _miner_facts(inspection: Inspection, on: date, conn: BaseDBAsyncClient) -> MinerFacts:
    miner_id: int = inspection.miner_id  # type: ignore[attr-defined]
    dc_ids = (await _data_center_ids([inspection.id]))[inspection.id]
    licences = await License.filter(holder_id=miner_id).using_db(conn).order_by("id")
    membership = await (PoolMembership.filter(miner_id=miner_id, since__lte=on)
                        .filter(Q(until__isnull=True) | Q(until__gte=on)).using_db(conn).order_by("-since").first())
    pool_id = membership.pool_id if membership else None  # type: ignore[attr-defined]
    accredited = pool_id is not None and pool_id in await pool_uc.accredited_pool_ids([pool_id], on)
    units = await AsicUnit.filter(miner_id=miner_id, data_center_id__in=dc_ids,
                                  status=UnitStatus.IN_REGISTRY).using_db(conn).count()
    dcs = {dc.id: dc for dc in await DataCenter.filter(id__in=dc_ids).using_db(conn)}
    reconciliations = await (InspectionReconciliation.filter(inspection_id=inspection.id).using_db(conn)
                             .order_by("id").only(*_COUNTS))  # not the lists
    askue = await ApplicationDocument.filter(
        kind=DocumentKind.ASKUE_TELECOM.value, application__miner_id=miner_id
    ).using_db(conn).order_by("id")
    return MinerFacts(
        on=on,
        licenses=tuple(LicenseFacts(lic.number, lic.status, lic.issued_on, lic.valid_until) for lic in licences),
        pool_id=pool_id,
        pool_accredited=accredited,
        units_in_registry=units,
        data_centers=tuple(
            DataCenterSnapshot(dc.id, dc.name, dc.miner_id == miner_id, DataCenterFacts(  # type: ignore[attr-defined]
                substation_kv=dc.substation_kv, permitted_mw=dc.permitted_capacity_mw, connected_on=dc.connected_on,
                power_source=dc.power_source, outside_residential=dc.outside_residential_zone))
            for pk in dc_ids if (dc := dcs.get(pk)) is not None
        ),
        reconciliations=tuple(_summary(r) for r in reconciliations),
        askue_documents=tuple({"title": d.title, "number": d.number,
                               "issuedOn": d.issued_on.isoformat() if d.issued_on else None} for d in askue),
    )


_COUNTS = ("id", "inspection_id", "data_center_id", "observed_at", "recorded_at", "seen_count", "matched_count",
           "not_registered_count", "unregistered_count", "not_seen_count")


def _counts(r: InspectionReconciliation) -> dict[str, Any]:
    return {name: getattr(r, name) for name in _COUNTS}


def _summary(r: InspectionReconciliation) -> ReconciliationSummary:
    return ReconciliationSummary(r.data_center_id, r.seen_count, r.matched_count,  # type: ignore[attr-defined]
                                 r.not_registered_count, r.not_seen_count)


async def _reports_finding(pool_id: int, on: date, conn: BaseDBAsyncClient) -> ItemFinding:
    """003 pool item 8 from the income reports: the months owed up to `on` and when each month's
    first version was filed (two statements)."""
    from models.income_reports import IncomeReport
    from rules.income_reports import months_owed

    periods = (await pool_uc.certificate_periods([pool_id])).get(pool_id, [])
    owed = months_owed(periods, on, back=12)
    first: dict[date, date] = {}
    for month, filed_at in await IncomeReport.filter(pool_id=pool_id, month__in=owed).using_db(conn).order_by(
            "filed_at").values_list("month", "filed_at"):
        first.setdefault(month, filed_at.astimezone(ALMATY).date())
    return monthly_reports_finding(owed, first)


async def _pool_findings(inspection: Inspection, on: date, conn: BaseDBAsyncClient) -> list[ItemFinding]:
    details = await (PoolApplication.filter(application__pool_id=inspection.pool_id, reissue_of_id__isnull=True,  # type: ignore[attr-defined]
                                            application__stage="APPROVED")
                     .using_db(conn).order_by("-id").first())
    reports = await _reports_finding(inspection.pool_id, on, conn)  # type: ignore[attr-defined]
    if details is None:
        return pool_findings(None, None, reports)
    return pool_findings(pool_uc.assess(details), details.application_id, reports)  # type: ignore[attr-defined]


async def _findings(inspection: Inspection, on: date, conn: BaseDBAsyncClient) -> list[ItemFinding]:
    if SubjectKind(inspection.subject_kind) is SubjectKind.MINER:
        return miner_findings(await _miner_facts(inspection, on, conn))
    return await _pool_findings(inspection, on, conn)


async def open_inspection(actor: Actor, inspection_id: int, observed_at: datetime | None) -> Inspection:
    """Open the inspection on site: the checklist in force on the act's date, each item with the
    system's finding computed from the registry as it is today."""
    observed = _observed(observed_at)
    async with in_transaction() as conn:
        inspection = await _assigned(actor, inspection_id, conn)
        _require_status(inspection, InspectionStatus.APPOINTED)
        before = snapshot(inspection)
        checklist = checklist_for(inspection.subject_kind, inspection.act_date)
        on = _today()
        found = {f.code: f for f in await _findings(inspection, on, conn)}
        await InspectionItem.bulk_create([
            InspectionItem(inspection=inspection, code=item.code.value, number=item.number,
                           system_finding=found[item.code].finding, system_reason=found[item.code].reason,
                           evidence=dict(found[item.code].evidence))
            for item in checklist.items
        ], using_db=conn)
        inspection.status, inspection.opened_on = InspectionStatus.IN_PROGRESS, on
        await inspection.save(using_db=conn, update_fields=["status", "opened_on", "updated_at"])
        await record_change(conn, actor, "inspection.opened", inspection, {**before, "observedAt": observed})
    return inspection


async def _refresh_units_item(inspection: Inspection, conn: BaseDBAsyncClient) -> None:
    """Item 3 follows the reconciliations: recomputed whenever serials are reconciled."""
    if SubjectKind(inspection.subject_kind) is not SubjectKind.MINER:
        return
    facts = await _miner_facts(inspection, inspection.opened_on or _today(), conn)
    units = next(f for f in miner_findings(facts) if f.code is ChecklistItemCode.M3_UNITS_IN_REGISTRY)
    await InspectionItem.filter(inspection_id=inspection.id, code=units.code.value).using_db(conn).update(
        system_finding=units.finding, system_reason=units.reason, evidence=dict(units.evidence)
    )


# --- findings -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RecordFinding:
    inspection_id: int
    code: str
    finding: Finding
    comment: str
    observed_at: datetime | None


async def record_finding(actor: Actor, cmd: RecordFinding) -> Inspection:
    """One submission on one item, kept in its history; the item shows the one with the latest
    device time (two devices on one item: the later observation wins, both are kept)."""
    comment = check_text(cmd.comment, "comment", max_length=COMMENT_MAX, required=False)
    observed = _observed(cmd.observed_at)
    async with in_transaction() as conn:
        inspection = await _assigned(actor, cmd.inspection_id, conn)
        _require_status(inspection, InspectionStatus.IN_PROGRESS)
        item = await InspectionItem.filter(inspection_id=inspection.id, code=cmd.code).using_db(conn).first()
        if item is None:
            raise DomainError(ErrorCode.VALIDATION, field="code", detail="not an item of this inspection's checklist")
        if Finding(cmd.finding) is Finding.NOT_KNOWN:
            raise DomainError(ErrorCode.VALIDATION, field="finding", detail="COMPLIES, DOES_NOT_COMPLY or NOT_APPLICABLE")
        if needs_comment(item.system_finding, cmd.finding) and not comment:
            raise DomainError(ErrorCode.VALIDATION, field="comment",
                              detail=f"overriding the system's {Finding(item.system_finding).value} needs a comment")
        now = _now()
        await InspectionItemEntry.create(using_db=conn, item=item, finding=cmd.finding, comment=comment,
                                         observed_at=observed, recorded_at=now, user_id=actor.user_id)
        if item.observed_at is None or observed >= item.observed_at:
            before = snapshot(item)
            item.inspector_finding, item.comment = cmd.finding, comment
            item.observed_at, item.recorded_at, item.recorded_by_id = observed, now, actor.user_id  # type: ignore[attr-defined]
            await item.save(using_db=conn)
            await record_change(conn, actor, "inspection.item_recorded", item, before)
    return inspection


# --- on-site serial reconciliation ----------------------------------------------------------------


@dataclass(frozen=True)
class Reconcile:
    """The serials seen: typed or scanned (`serials`), or a CSV/XLSX file (`file`), one of them."""

    inspection_id: int
    data_center_id: int
    serials: tuple[str, ...] | None
    observed_at: datetime | None
    file: UnitListFile | None = None


async def _serials_of(cmd: Reconcile) -> Sequence[str]:
    """The serials as given, or read from the file by the unit list's reader and cell rules: a
    file that cannot be read, or with a bad line, is UNIT_LIST_INVALID with its issues (line,
    column) and nothing is written."""
    if (cmd.file is None) == (cmd.serials is None):
        raise DomainError(ErrorCode.VALIDATION, field="serials", detail="give the serials or a file, not both")
    if cmd.file is None:
        return cmd.serials or ()
    if len(cmd.file.content) > MAX_UPLOAD_BYTES:
        raise rejected([file_issue(UnitListError("FILE_TOO_LARGE", f"The file is larger than {MAX_UPLOAD_BYTES} "
                                                 "bytes"))], "file")
    try:
        parsed = await asyncio.to_thread(parse_serial_list, cmd.file.content, cmd.file.filename,
                                         max_bytes=MAX_UPLOAD_BYTES, max_rows=SEEN_MAX)
    except UnitListError as exc:
        raise rejected([file_issue(exc)], "file") from None
    if not parsed.ok:
        raise rejected(parsed.issues, "file")
    return [serial for _, serial in parsed.serials]


# One statement, two index scans: the rows of the seen keys (`serial_key`), and the miner's units
# registered in the DC whose key was not seen (`data_center_id`, a hash anti-join on the keys). An
# OR of the two conditions makes PostgreSQL read the whole table (measured: 0.70 s against
# 1,000,000 units); without the anti-join every matched unit came twice. Only what `reconcile`
# needs, in UnitRow's order, read as asyncpg records (no dicts): a seen key's row needs no serial.
_LOOKUP_PG = (
    "SELECT serial_key, NULL::text, miner_id, data_center_id, status = $4 FROM asic_unit "
    "WHERE serial_key = ANY($1::text[]) "
    "UNION ALL "
    "SELECT serial_key, serial, miner_id, data_center_id, TRUE FROM asic_unit u "
    "WHERE data_center_id = $3 AND miner_id = $2 AND status = $4 "
    "AND NOT EXISTS (SELECT 1 FROM unnest($1::text[]) AS seen(k) WHERE seen.k = u.serial_key)"
)


async def lookup_units(keys: Sequence[str], miner_id: int, data_center_id: int,
                       conn: BaseDBAsyncClient | None = None) -> list[UnitRow]:
    """Every registry row with one of `keys`, and the miner's units registered in the data center:
    one statement on PostgreSQL (an array parameter), IN-lists of `in_chunks` elsewhere."""
    conn = conn or connection()
    if conn.capabilities.dialect == "postgres":
        _, records = await conn.execute_query(_LOOKUP_PG, [list(keys), miner_id, data_center_id,
                                                           UnitStatus.IN_REGISTRY.value])
        return list(map(UnitRow._make, records))
    fields = ("serial_key", "serial", "miner_id", "data_center_id", "status")
    here = Q(miner_id=miner_id, data_center_id=data_center_id, status=UnitStatus.IN_REGISTRY)
    rows = list(await AsicUnit.filter(here).using_db(conn).values_list(*fields))
    for chunk in in_chunks(list(keys)):
        rows += await AsicUnit.filter(serial_key__in=list(chunk)).using_db(conn).values_list(*fields)
    live = UnitStatus.IN_REGISTRY.value
    return [UnitRow(key, serial, miner, dc, status == live) for key, serial, miner, dc, status in rows]


def _seen(serials: Sequence[str]) -> list[tuple[str, str]]:
    if len(serials) > SEEN_MAX:
        raise DomainError(ErrorCode.VALIDATION, field="serials", detail=f"at most {SEEN_MAX} serials")
    out = []
    for i, raw in enumerate(serials):
        serial = raw.strip()
        if not (serial and len(serial) <= SERIAL_MAX and serial.isascii() and "\x00" not in serial):
            serial = check_text(raw, f"serials[{i}]", max_length=SERIAL_MAX)  # the long way, with the error
        out.append((serial, normalize_serial(serial)))
    return out


async def reconcile_serials(actor: Actor, cmd: Reconcile) -> tuple[Inspection, Reconciled]:
    observed = _observed(cmd.observed_at)
    if cmd.file is not None:
        await _assigned(actor, cmd.inspection_id)  # access first: whatever the file, NOT_FOUND to others
    seen = _seen(await _serials_of(cmd))
    async with in_transaction() as conn:
        inspection = await _assigned(actor, cmd.inspection_id, conn)
        _require_status(inspection, InspectionStatus.IN_PROGRESS)
        if SubjectKind(inspection.subject_kind) is not SubjectKind.MINER:
            raise DomainError(ErrorCode.VALIDATION, field="inspectionId", detail="serials are reconciled for a miner")
        if cmd.data_center_id not in (await _data_center_ids([inspection.id]))[inspection.id]:
            raise DomainError(ErrorCode.NOT_FOUND, entity="DataCenter", field="dataCenterId")
        miner_id: int = inspection.miner_id  # type: ignore[attr-defined]
        rows = await lookup_units([key for _, key in seen], miner_id, cmd.data_center_id, conn)
        result = reconcile(seen, rows, miner_id, cmd.data_center_id)
        row = await InspectionReconciliation.create(
            using_db=conn, inspection=inspection, data_center_id=cmd.data_center_id, observed_at=observed,
            recorded_at=_now(), seen_count=len({key for _, key in seen}), matched=result.matched,
            unregistered=[{"serial": s, "why": why.value} for s, why in result.unregistered], not_seen=result.not_seen,
            matched_count=len(result.matched), not_registered_count=result.not_registered,
            unregistered_count=len(result.unregistered), not_seen_count=len(result.not_seen),
        )
        # The lists (up to 100,000 serials) stay in the row; the audit and the outbox name it with counts.
        await record_change(conn, actor, "inspection.reconciled", row, None, after=_counts(row))
        await _refresh_units_item(inspection, conn)
    return inspection, result


# --- photos as evidence ----------------------------------------------------------------------------


@dataclass(frozen=True)
class AttachPhoto:
    inspection_id: int
    code: str
    content: bytes
    observed_at: datetime | None


async def attach_photo(actor: Actor, cmd: AttachPhoto, storage: Storage) -> Inspection:
    """A photo of an item: JPEG, PNG or HEIC by its content, at most MAX_PHOTO_BYTES, stored without its
    metadata; its GPS position and the time taken are kept as data. Access first: an inspector
    not assigned gets NOT_FOUND whatever the file."""
    observed = _observed(cmd.observed_at)
    inspection = await _assigned(actor, cmd.inspection_id)
    _require_status(inspection, InspectionStatus.IN_PROGRESS)
    if not await InspectionItem.filter(inspection_id=inspection.id, code=cmd.code).exists():
        raise DomainError(ErrorCode.VALIDATION, field="code", detail="not an item of this inspection's checklist")
    try:
        photo = await asyncio.to_thread(strip, cmd.content)
    except PhotoRefused as refused:
        raise DomainError(ErrorCode.VALIDATION, field="file", detail=refused.reason) from None
    stored = await storage.put(photo.data, prefix="inspection-photos")
    async with in_transaction() as conn:
        row = await InspectionPhoto.create(
            using_db=conn, inspection=inspection, item_code=cmd.code, storage_key=stored.key, sha256=stored.sha256,
            size=stored.size, content_type=photo.kind.value, latitude=photo.latitude, longitude=photo.longitude,
            taken_at=None if photo.taken_at is None else photo.taken_at.replace(tzinfo=ALMATY),
            observed_at=observed, recorded_at=_now(), user_id=actor.user_id,
        )
        await record_change(conn, actor, "inspection.photo_attached", row, None)
    return inspection


# --- completion and violations --------------------------------------------------------------------


@dataclass(frozen=True)
class Official:
    position: str
    name: str


@dataclass(frozen=True)
class Complete:
    inspection_id: int
    representative: Official
    officials: tuple[Official, ...]
    observed_at: datetime | None


def _official(o: Official, where: str) -> dict[str, str]:
    return {"position": check_text(o.position, f"{where}.position", max_length=TEXT_MAX),
            "name": check_text(o.name, f"{where}.name", max_length=TEXT_MAX)}


async def complete(actor: Actor, cmd: Complete) -> Inspection:
    """Signed by the officials and the subject's representative [003 forms' foot]; every item needs
    the inspector's word; those that do not comply become violations."""
    representative = _official(cmd.representative, "representative")
    if not cmd.officials or len(cmd.officials) > OFFICIALS_MAX:
        raise DomainError(ErrorCode.VALIDATION, field="officials", detail=f"1 to {OFFICIALS_MAX} officials")
    officials = [_official(o, f"officials[{i}]") for i, o in enumerate(cmd.officials)]
    observed = _observed(cmd.observed_at)
    async with in_transaction() as conn:
        inspection = await _assigned(actor, cmd.inspection_id, conn)
        _require_status(inspection, InspectionStatus.IN_PROGRESS)
        items = await InspectionItem.filter(inspection_id=inspection.id).using_db(conn).order_by("number")
        open_items = [i.code for i in items if i.inspector_finding is None]
        if open_items:
            raise DomainError(ErrorCode.VALIDATION, field="inspectionId",
                              detail=f"no inspector's finding on {', '.join(open_items)}")
        before = snapshot(inspection)
        inspection.status = InspectionStatus.COMPLETED
        inspection.completed_at, inspection.completed_observed_at = _now(), observed
        inspection.representative_position, inspection.representative_name = (representative["position"],
                                                                               representative["name"])
        inspection.officials = officials
        await inspection.save(using_db=conn)
        await Violation.bulk_create([
            Violation(inspection=inspection, item_code=i.code)
            for i in items if Finding(i.inspector_finding) is Finding.DOES_NOT_COMPLY  # type: ignore[arg-type]
        ], using_db=conn)
        await record_change(conn, actor, "inspection.completed", inspection, before)
    return inspection


@dataclass(frozen=True)
class SetRemedyDeadline:
    inspection_id: int
    code: str
    working_days: int


async def set_remedy_deadline(actor: Actor, cmd: SetRemedyDeadline) -> Inspection:
    """The officer sets the remedy term in working days, counted from the completion day on the
    engine's calendar (holidays and decrees included): due at the close of its last working day."""
    _forbidden_unless(actor, Permission.DECIDE)
    if not 1 <= cmd.working_days <= REMEDY_DAYS_MAX:
        raise DomainError(ErrorCode.VALIDATION, field="workingDays", detail=f"1 to {REMEDY_DAYS_MAX}")
    inspection = await get_visible(Inspection, actor, cmd.inspection_id, field="inspectionId")
    violation = await Violation.filter(inspection_id=inspection.id, item_code=cmd.code).first()
    if violation is None:
        raise DomainError(ErrorCode.NOT_FOUND, entity="Violation", field="code")
    completed = inspection.completed_at
    assert completed is not None  # violations exist only once completed
    calendar = await load_calendar()
    async with in_transaction() as conn:
        before = snapshot(violation)
        violation.remedy_working_days = cmd.working_days
        violation.remedy_due_at = calendar.term_due(completed.astimezone(ALMATY).date(), cmd.working_days)
        violation.due_notified = violation.overdue = False
        await violation.save(using_db=conn)
        await record_change(conn, actor, "violation.deadline_set", violation, before)
    return inspection


@dataclass(frozen=True)
class MarkRemedied:
    inspection_id: int
    code: str
    remedied_on: date
    comment: str
    evidence: bytes | None = None  # a photo (JPEG/PNG/HEIC, stripped of its metadata) or a PDF


async def _evidence(data: bytes) -> tuple[bytes, str]:
    """The evidence file as stored and its content type: a photo re-encoded without metadata, a
    PDF as sent; anything else FILE_NOT_ACCEPTED (by content, never by name)."""
    if len(data) > MAX_DOCUMENT_BYTES:
        raise DomainError(ErrorCode.FILE_NOT_ACCEPTED, field="file", detail=f"over {MAX_DOCUMENT_BYTES} bytes")
    if sniff_document(data) is DocumentContentType.PDF:
        return data, DocumentContentType.PDF.value
    if sniff(data) is None:
        raise DomainError(ErrorCode.FILE_NOT_ACCEPTED, field="file", detail="not a PDF, JPEG, PNG or HEIC by its content")
    try:
        photo = await asyncio.to_thread(strip, data)
    except PhotoRefused as refused:
        raise DomainError(ErrorCode.FILE_NOT_ACCEPTED, field="file", detail=refused.reason) from None
    return photo.data, photo.kind.value


async def mark_remedied(actor: Actor, cmd: MarkRemedied, storage: Storage) -> Inspection:
    """Record that a violation was remedied on a day (from the completion day to today), with a
    comment and optionally an evidence file: by an officer, or by an inspector assigned to the
    inspection (who checks it on a follow-up visit). The overdue job stops flagging it; whether
    it was remedied after its deadline's last working day is kept (`remedied_late`)."""
    inspection = await get_visible(Inspection, actor, cmd.inspection_id, field="inspectionId")
    if not (actor.can(Permission.DECIDE) or actor.can(Permission.INSPECT)):
        raise DomainError(ErrorCode.FORBIDDEN)
    comment = check_text(cmd.comment, "comment", max_length=COMMENT_MAX)
    violation = await Violation.filter(inspection_id=inspection.id, item_code=cmd.code).first()
    if violation is None:
        raise DomainError(ErrorCode.NOT_FOUND, entity="Violation", field="code")
    completed = inspection.completed_at
    assert completed is not None  # violations exist only once completed
    if cmd.remedied_on < completed.astimezone(ALMATY).date():
        raise DomainError(ErrorCode.VALIDATION, field="remediedOn", detail="before the inspection was completed")
    if cmd.remedied_on > _today():
        raise DomainError(ErrorCode.VALIDATION, field="remediedOn", detail="in the future")
    evidence = None if cmd.evidence is None else await _evidence(cmd.evidence)
    stored = None if evidence is None else await storage.put(evidence[0], prefix="violation-evidence")
    async with in_transaction() as conn:
        violation = await Violation.filter(id=violation.id).using_db(conn).select_for_update().first()
        assert violation is not None
        if ViolationStatus(violation.status) is not ViolationStatus.OPEN:
            raise DomainError(ErrorCode.ILLEGAL_TRANSITION, stage=violation.status, action="mark remedied",
                              field="code")
        before = snapshot(violation)
        due_on = None if violation.remedy_due_at is None else violation.remedy_due_at.astimezone(ALMATY).date()
        violation.status = ViolationStatus.REMEDIED
        violation.remedied_on, violation.remedied_late = cmd.remedied_on, remedied_late(cmd.remedied_on, due_on)
        violation.remedy_comment, violation.remedied_at = comment, _now()
        violation.remedied_by_id = actor.user_id  # type: ignore[attr-defined]
        if stored is not None and evidence is not None:
            violation.evidence_storage_key, violation.evidence_sha256 = stored.key, stored.sha256
            violation.evidence_size, violation.evidence_content_type = stored.size, evidence[1]
        await violation.save(using_db=conn)
        await record_change(conn, actor, "violation.remedied", violation, before)
    return inspection


async def flag_violations(now: datetime, calendar: WorkCalendar | None = None) -> int:
    """The overdue job's checker: an outbox event on the remedy deadline's last working day
    (`violation.due`) and one once it has passed (`violation.overdue`), each once (dedup keys)."""
    today = now.astimezone(ALMATY).date()
    count = 0
    open_ = Violation.filter(status=ViolationStatus.OPEN, remedy_due_at__isnull=False)
    for v in await open_.filter(overdue=False, remedy_due_at__lt=now):
        count += await _notify(v, "violation.overdue", overdue=True, due_notified=True)
    for v in await open_.filter(due_notified=False, remedy_due_at__gte=now):
        assert v.remedy_due_at is not None
        if v.remedy_due_at.astimezone(ALMATY).date() == today:
            count += await _notify(v, "violation.due", due_notified=True)
    return count


async def _notify(v: Violation, topic: str, **flags: bool) -> int:
    """Set the violation's flags and queue its event in one transaction; the dedup key makes a re-run harmless."""
    async with in_transaction() as conn:
        for name, value in flags.items():
            setattr(v, name, value)
        await v.save(using_db=conn, update_fields=[*flags, "updated_at"])
        await emit(conn, topic, _event(v), dedup_key=f"{topic}:{v.id}")
    return 1


def _event(v: Violation) -> dict[str, Any]:
    return {"violationId": v.id, "inspectionId": v.inspection_id, "itemCode": v.item_code,  # type: ignore[attr-defined]
            "remedyDueAt": v.remedy_due_at}


# --- reads ----------------------------------------------------------------------------------------


def list_assigned(actor: Actor) -> Listing[Inspection]:
    """The inspections assigned to the calling inspector, oldest first (none for other roles)."""
    if actor.role is not Role.INSPECTOR:
        return Listing(Inspection.filter(id__in=[]))
    return Listing(visible(Inspection.all(), actor))



async def _grouped(model: Any, column: str, keys: Sequence[int], order: str = "id") -> list[list[Any]]:
    out: dict[int, list[Any]] = {k: [] for k in keys}
    for row in await model.filter(**{f"{column}__in": list(keys)}).order_by(order):
        out[getattr(row, column)].append(row)
    return [out[k] for k in keys]


async def items_of(inspection_ids: Sequence[int]) -> list[list[InspectionItem]]:
    return await _grouped(InspectionItem, "inspection_id", inspection_ids, "number")


async def entries_of(item_ids: Sequence[int]) -> list[list[InspectionItemEntry]]:
    return await _grouped(InspectionItemEntry, "item_id", item_ids, "observed_at")


async def reconciliations_of(inspection_ids: Sequence[int]) -> list[list[InspectionReconciliation]]:
    return await _grouped(InspectionReconciliation, "inspection_id", inspection_ids)


async def photos_of(inspection_ids: Sequence[int]) -> list[list[InspectionPhoto]]:
    return await _grouped(InspectionPhoto, "inspection_id", inspection_ids)


async def violations_of(inspection_ids: Sequence[int]) -> list[list[Violation]]:
    return await _grouped(Violation, "inspection_id", inspection_ids)


async def data_centers_of(inspection_ids: Sequence[int]) -> list[list[int]]:
    ids = await _data_center_ids(inspection_ids)
    return [ids[k] for k in inspection_ids]


def list_inspections(actor: Actor) -> Listing[Inspection]:
    """Every inspection the caller may read, oldest first (nested under a miner or a pool)."""
    return Listing(visible(Inspection.all(), actor))
