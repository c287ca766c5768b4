"""Licences and appendices as objects: lookups by organisation, and their life (001 §18-1):
suspension, resumption and revocation of a whole licence or of one appendix.

Visibility: a licence belongs to its holder (`holder_id`); an appendix to its licence's holder
(`visible()` follows the relation).
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import TypeVar

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.transactions import in_transaction

from models.licensing import (
    License,
    LicenseAppendix,
    LicenseStatus,
    LicenseStatusAction,
    LicenseStatusEvent,
)
from resolvers.changes import append_audit, emit, snapshot
from resolvers.pagination import Page, paginate
from resolvers.scope import get_visible, visible
from rules.access import Actor, Permission
from rules.calendar import ALMATY
from rules.errors import DomainError, ErrorCode
from rules.license_life import check_suspension, next_status
from rules.workflow import LicenseSubtype

__all__ = [
    "change_status",
    "get_appendix",
    "get_license",
    "license_by_number",
    "list_licenses",
]


M = TypeVar("M", License, LicenseAppendix)

_FINAL = (LicenseStatus.REVOKED, LicenseStatus.REPLACED)

_TOPICS = {
    LicenseStatusAction.SUSPEND: "license.suspended",
    LicenseStatusAction.RESUME: "license.resumed",
    LicenseStatusAction.REVOKE: "license.revoked",
}


def _now() -> datetime:
    return datetime.now(UTC)


async def get_license(actor: Actor, pk: int) -> License:
    row = await visible(License.filter(pk=pk), actor).first()
    if row is None:
        raise DomainError(ErrorCode.NOT_FOUND, entity="License")
    return row


async def get_appendix(actor: Actor, pk: int) -> LicenseAppendix:
    return await get_visible(LicenseAppendix, actor, pk, "LicenseAppendix")


async def license_by_number(actor: Actor, number: str) -> License:
    row = await visible(License.filter(number=number.strip()), actor).first()
    if row is None:
        raise DomainError(ErrorCode.NOT_FOUND, entity="License")
    return row


async def list_licenses(
    actor: Actor,
    *,
    holder_id: int | None = None,
    status: LicenseStatus | None = None,
    subtype: LicenseSubtype | None = None,
    **page: int | None,
) -> Page[License]:
    qs = visible(License.all(), actor)
    if holder_id is not None:
        qs = qs.filter(holder_id=holder_id)
    if status is not None:
        qs = qs.filter(status=status)
    if subtype is not None:
        qs = qs.filter(subtype=subtype)
    return await paginate(qs, **page)


async def appendices_of(license_id: int) -> list[LicenseAppendix]:
    return list(await LicenseAppendix.filter(license_id=license_id).order_by("id"))


async def status_history(license_id: int, appendix_id: int | None = None) -> list[LicenseStatusEvent]:
    """A licence's events (all of them), or an appendix's: its own plus its licence's."""
    qs = LicenseStatusEvent.filter(license_id=license_id)
    if appendix_id is not None:
        events = await qs.order_by("id")
        return [e for e in events if e.appendix_id in (None, appendix_id)]  # type: ignore[attr-defined]
    return list(await qs.order_by("id"))


# --- life of a licence --------------------------------------------------------------------


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


async def change_status(
    actor: Actor,
    action: LicenseStatusAction,
    *,
    license_id: int | None = None,
    appendix_id: int | None = None,
    ground: str,
    effective_on: date | None = None,
    until: date | None = None,
) -> tuple[License, LicenseAppendix | None, LicenseStatusEvent]:
    """Suspend, resume or revoke a whole licence or one appendix (officers only).

    Revoking a licence revokes its appendices that are not revoked yet. Suspending or resuming a
    licence leaves the appendices' own statuses alone: while the licence is suspended they are
    suspended with it (see rules.license_life.effective_appendix_status).
    """
    if not actor.can(Permission.DECIDE):
        raise DomainError(ErrorCode.FORBIDDEN)
    if (license_id is None) == (appendix_id is None):
        raise DomainError(ErrorCode.VALIDATION, field="id", detail="a licence or an appendix id")
    appendix = await get_appendix(actor, appendix_id) if appendix_id is not None else None
    lic = await get_license(actor, appendix.license_id if appendix else license_id)  # type: ignore[attr-defined,arg-type]
    if not ground.strip():
        raise DomainError(ErrorCode.VALIDATION, field="ground", detail="state the legal ground")
    effective_on = effective_on or _now().astimezone(ALMATY).date()
    target = appendix or lic
    if effective_on < target.issued_on:
        raise DomainError(ErrorCode.VALIDATION, field="effectiveOn", detail="before the issue date")
    if action is LicenseStatusAction.SUSPEND:
        check_suspension(effective_on, until)
    elif until is not None:
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
            ground=ground.strip(),
            effective_on=effective_on,
            until=until,
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
                "until": until,
                "event_id": event.pk,
            },
        )
    return lic, appendix, event
