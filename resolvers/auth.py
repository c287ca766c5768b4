"""Users and API tokens: opaque bearer tokens, stored as SHA-256 hashes."""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime, timedelta

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from models.access import ApiToken, User
from models.parties import Miner, Pool
from resolvers.changes import record_change
from rules.access import SYSTEM, Actor, Permission
from rules.enums import Role
from rules.errors import DomainError, ErrorCode

TOKEN_PREFIX = "kzm_"
# Writing last_used_at on every request would turn each read into a write.
_TOUCH_EVERY = timedelta(minutes=5)


def bearer_token(authorization: str | None) -> str | None:
    """The token of an `Authorization: Bearer ...` header, if that is what was sent."""
    scheme, _, token = (authorization or "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" else None


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def actor_for(user: User) -> Actor:
    return Actor(
        user_id=user.id,
        role=user.role,
        label=f"{user.login} ({user.role.value})",
        miner_id=user.miner_id,  # type: ignore[attr-defined]
        pool_id=user.pool_id,  # type: ignore[attr-defined]
    )


async def authenticate(token: str | None, now: datetime | None = None) -> Actor | None:
    if not token or not token.startswith(TOKEN_PREFIX):
        return None
    row = await ApiToken.get_or_none(token_hash=hash_token(token), revoked_at=None).select_related(
        "user"
    )
    if row is None or not row.user.active:
        return None
    now = now or datetime.now(UTC)
    if row.last_used_at is None or now - row.last_used_at > _TOUCH_EVERY:
        await ApiToken.filter(id=row.id).update(last_used_at=now)
    return actor_for(row.user)


async def create_user(
    actor: Actor,
    *,
    login: str,
    full_name: str,
    role: Role,
    miner_id: int | None = None,
    pool_id: int | None = None,
) -> User:
    if not actor.can(Permission.MANAGE_USERS):
        raise DomainError(ErrorCode.FORBIDDEN)
    if role is Role.APPLICANT and (miner_id is None) == (pool_id is None):
        raise DomainError(
            ErrorCode.VALIDATION, field="organisation", detail="an applicant needs one miner or pool"
        )
    if role is not Role.APPLICANT and (miner_id or pool_id):
        raise DomainError(
            ErrorCode.VALIDATION, field="organisation", detail="only applicants are bound"
        )
    if miner_id is not None and not await Miner.exists(id=miner_id):
        raise DomainError(ErrorCode.NOT_FOUND, entity="Miner")
    if pool_id is not None and not await Pool.exists(id=pool_id):
        raise DomainError(ErrorCode.NOT_FOUND, entity="Pool")
    user = User(login=login, full_name=full_name, role=role, miner_id=miner_id, pool_id=pool_id)
    try:
        async with in_transaction() as conn:
            await user.save(using_db=conn)
            await record_change(conn, actor, "user.created", user, None)
    except IntegrityError as exc:
        raise DomainError(ErrorCode.CONFLICT, what=f"login {login} exists") from exc
    return user


async def issue_token(actor: Actor, user_id: int, label: str = "") -> str:
    """Create a token and return its secret: the only time the secret is ever visible."""
    if not (actor.can(Permission.MANAGE_USERS) or actor.user_id == user_id):
        raise DomainError(ErrorCode.FORBIDDEN)
    user = await User.get_or_none(id=user_id)
    if user is None:
        raise DomainError(ErrorCode.NOT_FOUND, entity="User")
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    async with in_transaction() as conn:
        token = await ApiToken.create(
            using_db=conn, user=user, token_hash=hash_token(secret), label=label
        )
        await record_change(conn, actor, "token.issued", token, None, topic="security")
    return secret


async def bootstrap_admin(login: str, full_name: str) -> tuple[User, str]:
    """First admin of a fresh installation (CLI only: there is nobody yet to authorise it)."""
    user = await create_user(SYSTEM, login=login, full_name=full_name, role=Role.ADMIN)
    return user, await issue_token(SYSTEM, user.id, "bootstrap")
