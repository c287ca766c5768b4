"""Exclusion applications (002 App.4): the records named, the reason and its document."""

from __future__ import annotations

from typing import Any

from models.applications import Application
from models.registry import RegistryApplication
from resolvers import applications as engine
from resolvers.registry.common import _details, _save_targets, _target_units
from rules.access import Actor
from rules.qualification import Problem
from rules.registry import ExclusionReason
from rules.workflow import ProcedureCode


async def apply_for_exclusion(actor: Actor, data: dict[str, Any]) -> Application:
    """Exclusion application (App.4) with the reason and its document (App.5 item 8(2))."""
    miner = await engine.applicant_miner(actor, data["miner_id"])
    got = await engine.receipt(actor, data)
    reason = ExclusionReason(data["reason"])
    units = await _target_units(miner, data.get("unit_ids") or [], data.get("serials") or [])
    async with engine.filing(actor, got, ProcedureCode.ASIC_EXCLUSION, miner_id=miner.id) as (conn, app):
        await RegistryApplication.create(
            using_db=conn,
            application=app,
            exclusion_reason=reason,
            reason_document=str(data.get("reason_document") or "").strip()[:500],
            personal_data_consent=bool(data.get("personal_data_consent")),
            contact_phone=str(data.get("contact_phone") or miner.phone)[:32],
            contact_email=str(data.get("contact_email") or miner.email)[:254],
            line_count=len(units),
        )
        await _save_targets(conn, app, units)
    return app



async def _exclusion_completeness(app: Application) -> list[Problem]:
    d = await _details(app)
    problems = []
    if not d.reason_document:
        problems.append(Problem("REASON_DOCUMENT_MISSING", "reasonDocument", "App.5 item 8(2): the document of disposal, end of life, sale or loss"))
    if not d.personal_data_consent:
        problems.append(Problem("PD_CONSENT_MISSING", "personalDataConsent", "App.4: consent to personal data processing"))
    return problems

