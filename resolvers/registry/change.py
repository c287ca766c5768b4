"""Change notices (002 App.9): the new wording of the named records, due within 10 working
days of the change (002 §15)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from models.applications import Application
from models.registry import AsicUnit, RegistryApplication
from resolvers import applications as engine
from resolvers.changes import emit
from resolvers.registry.common import _save_targets, _target_units, usable_data_center
from rules.access import Actor
from rules.calendar import ALMATY
from rules.errors import DomainError, ErrorCode
from rules.qualification import Problem
from rules.registry import UnitStatus, change_notice_due, is_change_notice_late, validate_changes
from rules.workflow import ProcedureCode


async def apply_for_change(actor: Actor, data: dict[str, Any]) -> Application:
    """Change notice (App.9): the new wording of the named records, the reason and the date
    of the change. Due within 10 WD of that date (002 §15); a late notice is accepted and
    flagged late."""
    miner = await engine.applicant_miner(actor, data["miner_id"])
    got = await engine.receipt(actor, data)
    changes = validate_changes(data.get("changes") or {})
    if "data_center_id" in changes:
        await usable_data_center(miner, changes["data_center_id"])
    reason = str(data.get("reason") or "").strip()
    if not reason:
        raise DomainError(ErrorCode.VALIDATION, field="reason", detail="App.9: the reason for the change")
    change_date: date = data["change_date"]
    if data.get("all_units"):
        units = await AsicUnit.filter(miner_id=miner.id, status=UnitStatus.IN_REGISTRY).order_by("record_number")
        if not units:
            raise DomainError(ErrorCode.UNIT_NOT_IN_REGISTRY, field="allUnits", detail="the miner has no units in the registry")
    else:
        units = await _target_units(miner, data.get("unit_ids") or [], data.get("serials") or [])
    calendar = got.calendar
    if change_date > got.received_at.astimezone(ALMATY).date():
        raise DomainError(ErrorCode.VALIDATION, field="changeDate", detail="the change date is in the future")
    async with engine.filing(actor, got, ProcedureCode.ASIC_CHANGE, miner_id=miner.id) as (conn, app):
        late = is_change_notice_late(change_date, app.registered_on, calendar)
        await RegistryApplication.create(
            using_db=conn,
            application=app,
            change_date=change_date,
            change_notice_due=change_notice_due(change_date, calendar),
            change_late=late,
            change_reason=reason,
            changes={k: (str(v) if isinstance(v, Decimal) else getattr(v, "value", v)) for k, v in changes.items()},
            contact_phone=str(data.get("contact_phone") or miner.phone)[:32],
            contact_email=str(data.get("contact_email") or miner.email)[:254],
            personal_data_consent=True,
            line_count=len(units),
        )
        await _save_targets(conn, app, units)
        if late:
            await emit(conn, "alert.registry_change_late", {"application": app.id, "change_date": change_date})
    return app



async def _change_completeness(app: Application) -> list[Problem]:
    return []

