"""Reads of personal data in bulk are audited: one event per request (never one per row), about
the reader (entity `User`), appended to the chain like every change. Written for callers who
read other organisations' contacts (rules/access.reads_others_contacts); an applicant reading
its own is not a disclosure."""

from __future__ import annotations

from typing import Any

from tortoise.transactions import in_transaction

from resolvers.changes import append_audit
from rules.access import Actor, reads_others_contacts
from rules.audit import AuditAction

__all__ = ["record_personal_data_read"]

_ACTIONS = {"listed": AuditAction.PERSONAL_DATA_LISTED.value, "exported": AuditAction.PERSONAL_DATA_EXPORTED.value}


async def record_personal_data_read(actor: Actor, how: str, details: dict[str, Any]) -> bool:
    """Audit one bulk read (`how`: listed, exported); False when there is nothing to audit."""
    if actor.user_id is None or not reads_others_contacts(actor):
        return False
    async with in_transaction() as conn:
        await append_audit(conn, actor, _ACTIONS[how], "User", actor.user_id, None, details)
    return True
