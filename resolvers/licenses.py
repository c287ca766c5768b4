"""Licences and appendices as objects: lists and lookups through the caller's visibility, and
their life (001 §18-1): suspension, resumption and revocation of a whole licence or of one
appendix.

Visibility: a licence belongs to its holder (`holder_id`); an appendix to its licence's holder
(`visible()` follows the relation).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import TypeVar

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.queryset import QuerySet
from tortoise.transactions import in_transaction

from models.licensing import (
    License,
    LicenseAppendix,
    LicenseStatus,
    LicenseStatusAction,
    LicenseStatusEvent,
)
from models.parties import DataCenter
from resolvers.changes import append_audit, emit, snapshot
from resolvers.listing import Listing, Order
from resolvers.scope import get_visible, visible
from rules.access import Actor, Permission
from rules.calendar import ALMATY
from rules.errors import DomainError, ErrorCode
from rules.license_life import check_suspension, next_status
from rules.limits import check_text
from rules.workflow import LicenseSubtype

__all__ = [
    "GROUND_MAX",
    "NUMBER_MAX",
    "ChangeLicenseStatus",
    "StatusChange",
    "change_status",
    "data_center_addresses",
    "find_license_by_number",
    "list_licenses",
]


M = TypeVar("M", License, LicenseAppendix)

NUMBER_MAX = 32  # license.number varchar(32)
GROUND_MAX = 2000  # the legal ground as the officer states it

_FINAL = (LicenseStatus.REVOKED, LicenseStatus.REPLACED)

_TOPICS = {
    LicenseStatusAction.SUSPEND: "license.suspended",
    LicenseStatusAction.RESUME: "license.resumed",
    LicenseStatusAction.REVOKE: "license.revoked",
}


def _now() -> datetime:
    return datetime.now(UTC)


# --- reading ----------------------------------------------------------------------------------


def list_licenses(
    actor: Actor,
    *,
    holder_id: int | None = None,
    status: LicenseStatus | None = None,
    subtype: LicenseSubtype | None = None,
    valid_until_before: date | None = None,
    order: Order | None = None,
) -> Listing[License]:
    """Licences the caller may see; `valid_until_before`: last valid day before that date."""
    qs: QuerySet[License] = visible(License.all(), actor)
    if holder_id is not None:
        qs = qs.filter(holder_id=holder_id)
    if status is not None:
        qs = qs.filter(status=status)
    if subtype is not None:
        qs = qs.filter(subtype=subtype)
    if valid_until_before is not None:
        qs = qs.filter(valid_until__lt=valid_until_before)
    return Listing(qs, order or Order())


async def find_license_by_number(actor: Actor, number: str) -> License | None:
    """The licence with this number, or None when missing or not the caller's to see."""
    number = check_text(number, "number", max_length=NUMBER_MAX)
    return await visible(License.filter(number=number), actor).first()


async def data_center_addresses(data_center_ids: list[int]) -> list[str | None]:
    """The locations of data centers named on appendices, whoever holds them: App.7 prints the
    host data center's location on a subtype-II appendix, so its holder reads it even when the
    host's record itself is not the holder's to see."""
    rows = await DataCenter.filter(id__in=data_center_ids).values("id", "address")
    found = {row["id"]: row["address"] for row in rows}
    return [found.get(pk) for pk in data_center_ids]


# --- life of a licence --------------------------------------------------------------------


@dataclass(frozen=True)
class ChangeLicenseStatus:
    """Suspend, resume or revoke a licence (`license_id`) or one appendix (`appendix_id`)."""

    action: LicenseStatusAction
    ground: str
    license_id: int | None = None
    appendix_id: int | None = None
    effective_on: date | None = None  # default: today (Almaty)
    until: date | None = None  # a suspension's last day


@dataclass(frozen=True)
class StatusChange:
    license: License
    appendix: LicenseAppendix | None
    event: LicenseStatusEvent


async def _locked(conn: BaseDBAsyncClient, model: type[M], pk: int) -> M:
    """Re-read a row inside the transaction, locked on PostgreSQL (SQLite has one writer)."""
    qs = model.filter(pk=pk).using_db(conn)
    if conn.capabilities.dialect == "postgres":
        qs = qs.select_for_update()
    return await qs.get()


async def _transition(
    conn: BaseDBAsyncClient, actor: Actor, row: License | LicenseAppendix, action: LicenseStatusAction
) -> None:
    """Move one row to its next status (or raise) and audit the change."""
    before = snapshot(row)
    row.status = next_status(row.status, action)
    await row.save(using_db=conn, update_fields=["status", "updated_at"])
    await append_audit(conn, actor, _TOPICS[action], type(row).__name__, row.pk, before, snapshot(row))


async def change_status(actor: Actor, cmd: ChangeLicenseStatus) -> StatusChange:
    """Suspend, resume or revoke a whole licence or one appendix (officers only).

    Revoking a licence revokes its appendices that are not revoked yet. Suspending or resuming a
    licence leaves the appendices' own statuses alone: while the licence is suspended they are
    suspended with it (see rules.license_life.effective_appendix_status).
    """
    if not actor.can(Permission.DECIDE):
        raise DomainError(ErrorCode.FORBIDDEN)
    if (cmd.license_id is None) == (cmd.appendix_id is None):
        raise DomainError(ErrorCode.VALIDATION, field="id", detail="a licence or an appendix id")
    action = LicenseStatusAction(cmd.action)
    appendix = (
        await get_visible(LicenseAppendix, actor, cmd.appendix_id, "LicenseAppendix", field="id")
        if cmd.appendix_id is not None
        else None
    )
    license_id = appendix.license_id if appendix else cmd.license_id  # type: ignore[attr-defined]
    lic = await get_visible(License, actor, license_id, "License", field="id")  # type: ignore[arg-type]
    ground = check_text(cmd.ground, "ground", max_length=GROUND_MAX)
    effective_on = cmd.effective_on or _now().astimezone(ALMATY).date()
    target = appendix or lic
    if effective_on < target.issued_on:
        raise DomainError(ErrorCode.VALIDATION, field="effectiveOn", detail="before the issue date")
    if action is LicenseStatusAction.SUSPEND:
        check_suspension(effective_on, cmd.until)
    elif cmd.until is not None:
        raise DomainError(ErrorCode.VALIDATION, field="until", detail="only a suspension has an end")
    if appendix is not None and lic.status in _FINAL:
        # An appendix lives and dies with its licence: LICENSE_REVOKED / ILLEGAL_TRANSITION.
        next_status(lic.status, action)
    async with in_transaction() as conn:
        # Two officers acting on one licence at once: the second one sees the first's result.
        lic = await _locked(conn, License, lic.pk)
        if appendix is not None:
            appendix = await _locked(conn, LicenseAppendix, appendix.pk)
            if lic.status in _FINAL:
                next_status(lic.status, action)
        target = appendix or lic
        await _transition(conn, actor, target, action)
        if appendix is None and action is LicenseStatusAction.REVOKE:
            for child in await LicenseAppendix.filter(license_id=lic.pk).using_db(conn).order_by("id"):
                if child.status not in _FINAL:
                    await _transition(conn, actor, child, action)
        event = await LicenseStatusEvent.create(
            using_db=conn,
            license_id=lic.pk,
            appendix_id=appendix.pk if appendix else None,
            action=action,
            ground=ground,
            effective_on=effective_on,
            until=cmd.until,
            actor_label=actor.label,
        )
        await emit(
            conn,
            _TOPICS[action],
            {
                "license": lic.number,
                "license_id": lic.pk,
                "appendix": appendix.number if appendix else None,
                "holder_id": lic.holder_id,  # type: ignore[attr-defined]
                "action": action.value,
                "status": target.status.value,
                "ground": event.ground,
                "effective_on": effective_on,
                "until": cmd.until,
                "event_id": event.pk,
            },
        )
    return StatusChange(license=lic, appendix=appendix, event=event)
