"""Change notices (002 App.9): the new wording of the named records, due within 10 working
days of the change (002 §15)."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from models.applications import Application
from models.registry import AsicUnit, RegistryApplication
from resolvers import applications as engine
from resolvers.changes import emit
from resolvers.registry.common import (
    REASON_MAX,
    _save_targets,
    _target_units,
    contact_email,
    contact_phone,
    usable_data_center,
)
from rules.access import Actor
from rules.calendar import ALMATY
from rules.enums import Channel
from rules.errors import DomainError, ErrorCode
from rules.limits import check_text
from rules.problems import Problem
from rules.registry import (
    UnitCondition,
    UnitStatus,
    change_notice_due,
    is_change_notice_late,
    validate_changes,
)
from rules.workflow import ProcedureCode

__all__ = ["ApplyForChange", "RecordChanges", "apply_for_change"]


@dataclass(frozen=True)
class RecordChanges:
    """The new wording of the records (App.9); None leaves a field as it is."""

    data_center_id: int | None = None
    model: str | None = None
    tnved_code: str | None = None
    hashrate_ths: Decimal | None = None
    power_kw: Decimal | None = None
    customs_declaration: str | None = None
    ownership_document: str | None = None
    condition: UnitCondition | None = None
    miner_name: str | None = None
    miner_legal_address: str | None = None
    miner_phone: str | None = None
    miner_email: str | None = None


@dataclass(frozen=True)
class ApplyForChange:
    """App.9: which records (ids, serials, or all the miner's live ones), the new wording, the
    date and reason of the change."""

    miner_id: int
    change_date: date
    reason: str
    changes: RecordChanges
    unit_ids: tuple[int, ...] = ()
    serials: tuple[str, ...] = ()
    all_units: bool = False
    contact_phone: str | None = None
    contact_email: str | None = None
    channel: Channel = Channel.PORTAL
    received_at: datetime | None = None


def _stored(value: object) -> object:
    """A changed value as the application keeps it (JSON)."""
    if isinstance(value, Decimal):
        return str(value)
    return getattr(value, "value", value)


async def apply_for_change(actor: Actor, cmd: ApplyForChange) -> Application:
    """Change notice (App.9): the new wording of the named records, the reason and the date
    of the change. Due within 10 WD of that date (002 §15); a late notice is accepted and
    flagged late."""
    miner = await engine.applicant_miner(actor, cmd.miner_id)
    got = await engine.receipt(actor, cmd.channel, cmd.received_at)
    changes = validate_changes(dataclasses.asdict(cmd.changes), field_prefix="changes.")
    if "data_center_id" in changes:
        await usable_data_center(actor, miner, changes["data_center_id"], field="changes.dataCenterId")
    reason = check_text(cmd.reason, "reason", max_length=REASON_MAX)
    phone, email = contact_phone(cmd.contact_phone, miner), contact_email(cmd.contact_email, miner)
    if cmd.change_date > got.received_at.astimezone(ALMATY).date():
        raise DomainError(ErrorCode.VALIDATION, field="changeDate", detail="the change date is in the future")
    if cmd.all_units:
        if cmd.unit_ids or cmd.serials:
            raise DomainError(ErrorCode.VALIDATION, field="allUnits", detail="all units, or the ones named: not both")
        units = await AsicUnit.filter(miner_id=miner.id, status=UnitStatus.IN_REGISTRY).order_by("record_number")
        if not units:
            raise DomainError(ErrorCode.UNIT_NOT_IN_REGISTRY, field="allUnits", serial="",
                              detail="the miner has no units in the registry")
    else:
        units = await _target_units(actor, miner, cmd.unit_ids, cmd.serials)
    calendar = got.calendar
    async with engine.filing(actor, got, ProcedureCode.ASIC_CHANGE, miner_id=miner.id) as (conn, app):
        late = is_change_notice_late(cmd.change_date, app.registered_on, calendar)
        await RegistryApplication.create(
            using_db=conn,
            application=app,
            change_date=cmd.change_date,
            change_notice_due=change_notice_due(cmd.change_date, calendar),
            change_late=late,
            change_reason=reason,
            changes={k: _stored(v) for k, v in changes.items()},
            contact_phone=phone,
            contact_email=email,
            personal_data_consent=True,
            line_count=len(units),
        )
        await _save_targets(conn, app, units)
        if late:
            await emit(conn, "alert.registry_change_late", {"application": app.id, "change_date": cmd.change_date})
    return app


def _change_problems(d: RegistryApplication) -> list[Problem]:
    return []


async def _change_completeness(app: Application) -> list[Problem]:
    return []
