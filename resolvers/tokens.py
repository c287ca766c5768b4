"""The lifecycle of API tokens after they are issued (resolvers/auth.py issues them): listing
them (never their secret or hash) and revoking them. A revoked token is refused from the next
request on (`authenticate` selects only unrevoked ones), and open websockets re-check their
token (schema/websocket.py)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.expressions import Q
from tortoise.transactions import in_transaction

from models.access import ApiToken
from resolvers.changes import append_audit, emit, snapshot
from resolvers.listing import Listing, Order
from resolvers.scope import get_visible, visible
from rules.access import Actor
from rules.audit import REDACTED_KEYS, AuditAction
from rules.tokens import TokenPolicy
from settings import Settings

__all__ = ["list_tokens", "record_token_event", "revoke_token", "token_policy"]


def token_snapshot(token: ApiToken) -> dict[str, Any]:
    """The token as the trail and the outbox carry it: never its hash (a credential's fingerprint)."""
    return snapshot(token, exclude=("created_at", "updated_at", "last_used_at", *REDACTED_KEYS))


_ACTIONS = {"issued": AuditAction.TOKEN_ISSUED.value, "revoked": AuditAction.TOKEN_REVOKED.value}


async def record_token_event(
    conn: BaseDBAsyncClient, actor: Actor, what: str, token: ApiToken, before: dict[str, Any] | None
) -> None:
    """Audit a change of a token (`what`: issued, revoked) and publish it on the `security` topic."""
    after = token_snapshot(token)
    await append_audit(conn, actor, _ACTIONS[what], "ApiToken", token.pk, before, after)
    await emit(conn, "security", {"entity": "ApiToken", "id": token.pk, "action": _ACTIONS[what], "after": after})


def list_tokens(actor: Actor, *, user_id: int | None = None, live_only: bool = False,
                order: Order | None = None, now: datetime | None = None) -> Listing[ApiToken]:
    """Tokens the caller may see: an admin's every token, everyone else's own."""
    qs = visible(ApiToken.all(), actor)
    if user_id is not None:
        qs = qs.filter(user_id=user_id)
    if live_only:
        now = now or datetime.now(UTC)
        # A stored expiry in the future, or none stored (issued before tokens expired: `live`
        # on the type judges those by their creation).
        qs = qs.filter(Q(expires_at=None) | Q(expires_at__gt=now), revoked_at=None)
    return Listing(qs, order or Order())


async def revoke_token(actor: Actor, token_id: int, now: datetime | None = None) -> ApiToken:
    """Revoke a token: its owner or an admin; anyone else's is NOT_FOUND. Revoking a revoked
    token changes nothing (and records nothing)."""
    token = await get_visible(ApiToken, actor, token_id, "ApiToken", field="id")
    if token.revoked_at is not None:
        return token
    before = token_snapshot(token)
    async with in_transaction() as conn:
        token.revoked_at = now or datetime.now(UTC)
        # Also if the user revokes the token of this very request: the next one is refused.
        await token.save(using_db=conn, update_fields=["revoked_at"])
        await record_token_event(conn, actor, "revoked", token, before)
    return token


def token_policy(settings: Settings) -> TokenPolicy:
    """The lifetimes the installation's settings give new tokens."""
    return TokenPolicy(ttl_days=settings.token_ttl_days, partner_max_days=settings.partner_token_max_days)
