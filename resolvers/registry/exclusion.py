"""Exclusion applications (002 App.4): the records named, the reason and its document."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from models.applications import Application
from models.registry import RegistryApplication
from resolvers import applications as engine
from resolvers.registry.common import (
    _details,
    _save_targets,
    _target_units,
    contact_email,
    contact_phone,
    document_text,
)
from rules.access import Actor
from rules.enums import Channel
from rules.problems import Problem
from rules.registry import ExclusionReason
from rules.workflow import ProcedureCode

__all__ = ["ApplyForExclusion", "apply_for_exclusion"]


@dataclass(frozen=True)
class ApplyForExclusion:
    """App.4: the records (by id or serial number), the reason and its document (App.5 item 8(2))."""

    miner_id: int
    reason: ExclusionReason
    reason_document: str = ""
    unit_ids: tuple[int, ...] = ()
    serials: tuple[str, ...] = ()
    personal_data_consent: bool = False
    contact_phone: str | None = None
    contact_email: str | None = None
    channel: Channel = Channel.PORTAL
    received_at: datetime | None = None


async def apply_for_exclusion(actor: Actor, cmd: ApplyForExclusion) -> Application:
    """Exclusion application (App.4) with the reason and its document (App.5 item 8(2))."""
    miner = await engine.applicant_miner(actor, cmd.miner_id)
    got = await engine.receipt(actor, cmd.channel, cmd.received_at)
    reason = ExclusionReason(cmd.reason)
    document = document_text(cmd.reason_document, "reasonDocument")
    phone, email = contact_phone(cmd.contact_phone, miner), contact_email(cmd.contact_email, miner)
    units = await _target_units(actor, miner, cmd.unit_ids, cmd.serials)
    async with engine.filing(actor, got, ProcedureCode.ASIC_EXCLUSION, miner_id=miner.id) as (conn, app):
        await RegistryApplication.create(
            using_db=conn,
            application=app,
            exclusion_reason=reason,
            reason_document=document,
            personal_data_consent=cmd.personal_data_consent,
            contact_phone=phone,
            contact_email=email,
            line_count=len(units),
        )
        await _save_targets(conn, app, units)
    return app


def _exclusion_problems(d: RegistryApplication) -> list[Problem]:
    problems = []
    if not d.reason_document:
        problems.append(Problem("REASON_DOCUMENT_MISSING", "reasonDocument", "App.5 item 8(2): the document of disposal, end of life, sale or loss"))
    if not d.personal_data_consent:
        problems.append(Problem("PD_CONSENT_MISSING", "personalDataConsent", "App.4: consent to personal data processing"))
    return problems


async def _exclusion_completeness(app: Application) -> list[Problem]:
    return _exclusion_problems(await _details(app))
