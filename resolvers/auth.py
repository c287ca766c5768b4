"""Users and API tokens: opaque bearer tokens, stored as SHA-256 hashes.

`authenticate` and `bearer_token` are what the app (main.py) calls on every request; the use
cases take frozen commands (`CreateUser`, `IssueToken`) and check the caller's rights.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from models.access import ApiToken, User
from models.parties import Miner, Pool
from resolvers.changes import connection, record_change, snapshot
from resolvers.scope import get_visible
from resolvers.tokens import record_token_event
from rules.access import HEAD_ROLES, SYSTEM, Actor, PartnerKind, Permission
from rules.audit import AuditAction
from rules.contacts import is_email
from rules.enums import Role
from rules.errors import DomainError, ErrorCode
from rules.limits import check_text
from rules.notifications import NotificationLanguage
from rules.tokens import DEFAULT_POLICY, TokenPolicy, is_live
from web.auth_failures import auth_failed

__all__ = [
    "TOKEN_PREFIX",
    "CreateUser",
    "IssueToken",
    "IssuedToken",
    "actor_for",
    "authenticate",
    "bearer_token",
    "bootstrap_admin",
    "create_user",
    "hash_token",
    "issue_token",
]

TOKEN_PREFIX = "kzm_"
TOKEN_MAX = 200  # ours are 47 characters; anything much longer is not a token of ours
# Writing last_used_at on every request would turn each read into a write.
_TOUCH_EVERY = timedelta(minutes=5)
# Column sizes (models/access.py).
LOGIN_MAX, FULL_NAME_MAX, LABEL_MAX = 128, 300, 200


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
        partner_kind=user.partner_kind,
        is_head=user.is_head,
    )


# Every request runs this: one hand-written statement (the ORM's query building cost three
# times the round trip here, bench/read_path.py), the token and its user together.
_AUTH_SQL = (
    "SELECT t.id AS token_id, t.last_used_at, t.created_at, t.expires_at,"
    " u.id, u.login, u.role, u.miner_id, u.pool_id, u.partner_kind, u.is_head"
    " FROM api_token t JOIN app_user u ON u.id = t.user_id"
    " WHERE t.token_hash = {p} AND t.revoked_at IS NULL AND u.active"
)


def _timestamp(value: datetime | str | None) -> datetime | None:
    if isinstance(value, str):  # SQLite hands timestamps back as text
        value = datetime.fromisoformat(value)
    if value is not None and value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value


async def authenticate(token: str | None, now: datetime | None = None) -> Actor | None:
    """The caller of a live token (not revoked, not expired, its user active); None otherwise.
    Every token refused is counted per IP (the lockout, web/rate_limit.py)."""
    if not token:
        return None
    if not token.startswith(TOKEN_PREFIX) or len(token) > TOKEN_MAX:
        await auth_failed()
        return None
    db = connection()
    placeholder = "$1" if db.capabilities.dialect == "postgres" else "?"
    rows = await db.execute_query_dict(_AUTH_SQL.format(p=placeholder), [hash_token(token)])
    if not rows:
        await auth_failed()
        return None
    row = rows[0]
    now = now or datetime.now(UTC)
    if not is_live(now, _timestamp(row["created_at"]), _timestamp(row["expires_at"]), None):
        await auth_failed()
        return None  # expired (revoked ones are not selected)
    last_used = _timestamp(row["last_used_at"])
    if last_used is None or now - last_used > _TOUCH_EVERY:
        await ApiToken.filter(id=row["token_id"]).update(last_used_at=now)
    role = Role(row["role"])
    return Actor(
        user_id=row["id"], role=role, label=f"{row['login']} ({role.value})",
        miner_id=row["miner_id"], pool_id=row["pool_id"], partner_kind=row["partner_kind"],
        is_head=bool(row["is_head"]),
    )


# --- commands -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class CreateUser:
    login: str
    full_name: str
    role: Role
    miner_id: int | None = None  # an applicant acts for exactly one organisation:
    pool_id: int | None = None  # a miner or a pool
    partner_kind: PartnerKind | None = None  # PARTNER only: its event grants; a POOL's system names its pool


@dataclass(frozen=True)
class IssueToken:
    user_id: int
    label: str = ""
    expires_in_days: int | None = None  # None: the policy's default (rules/tokens.py)


@dataclass(frozen=True)
class IssuedToken:
    """A new token and its secret: the only time the secret is ever available."""

    token: ApiToken
    secret: str


# --- use cases ----------------------------------------------------------------------------------


def _check_binding(cmd: CreateUser) -> None:
    """An applicant is bound to exactly one organisation, a pool's partner system to its pool;
    nobody else to any. Only partners have a partner kind."""
    if cmd.partner_kind is not None and cmd.role is not Role.PARTNER:
        raise DomainError(ErrorCode.VALIDATION, field="partnerKind", detail="only partner systems have a kind")
    if cmd.partner_kind is PartnerKind.POOL:
        if cmd.pool_id is None or cmd.miner_id is not None:
            raise DomainError(ErrorCode.VALIDATION, field="poolId", detail="a pool's system names its pool")
    elif cmd.role is Role.APPLICANT:
        if cmd.miner_id is None and cmd.pool_id is None:
            raise DomainError(ErrorCode.VALIDATION, field="minerId", detail="an applicant needs one miner or pool")
        if cmd.miner_id is not None and cmd.pool_id is not None:
            raise DomainError(ErrorCode.VALIDATION, field="poolId", detail="one organisation: a miner or a pool")
    elif cmd.miner_id is not None or cmd.pool_id is not None:
        field = "minerId" if cmd.miner_id is not None else "poolId"
        raise DomainError(ErrorCode.VALIDATION, field=field, detail="only applicants are bound to an organisation")


async def create_user(actor: Actor, cmd: CreateUser) -> User:
    """A new user (admins). Its organisation is loaded through the admin's visibility."""
    if not actor.can(Permission.MANAGE_USERS):
        raise DomainError(ErrorCode.FORBIDDEN)
    login = check_text(cmd.login, "login", max_length=LOGIN_MAX)
    full_name = check_text(cmd.full_name, "fullName", max_length=FULL_NAME_MAX)
    role = Role(cmd.role)
    _check_binding(cmd)
    if cmd.miner_id is not None:
        await get_visible(Miner, actor, cmd.miner_id, "Miner", field="minerId")
    if cmd.pool_id is not None:
        await get_visible(Pool, actor, cmd.pool_id, "Pool", field="poolId")
    user = User(login=login, full_name=full_name, role=role, miner_id=cmd.miner_id, pool_id=cmd.pool_id,
                partner_kind=cmd.partner_kind)
    try:
        async with in_transaction() as conn:
            await user.save(using_db=conn)
            await record_change(conn, actor, AuditAction.USER_CREATED.value, user, None)
    except IntegrityError as exc:
        raise DomainError(ErrorCode.CONFLICT, field="login", what=f"login {login} exists", detail=str(exc)) from exc
    return user


async def issue_token(actor: Actor, cmd: IssueToken, policy: TokenPolicy = DEFAULT_POLICY) -> IssuedToken:
    """A new token for a user: an admin's for anyone, anyone's for itself. Another user is
    NOT_FOUND for non-admins (users are readable by admins and by themselves). It expires
    after the policy's lifetime (rules/tokens.py)."""
    label = check_text(cmd.label, "label", max_length=LABEL_MAX, required=False)
    user = await get_visible(User, actor, cmd.user_id, "User", field="userId")
    by_admin = actor.can(Permission.MANAGE_USERS)
    if not (by_admin or actor.user_id == user.id):
        raise DomainError(ErrorCode.FORBIDDEN, field="userId")
    expires_at = datetime.now(UTC) + policy.lifetime(cmd.expires_in_days, holder=user.role, by_admin=by_admin)
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    async with in_transaction() as conn:
        token = await ApiToken.create(using_db=conn, user=user, token_hash=hash_token(secret), label=label,
                                      expires_at=expires_at)
        # The hash is a credential's fingerprint: neither the trail nor the outbox carries it.
        await record_token_event(conn, actor, "issued", token, None)
    return IssuedToken(token=token, secret=secret)


@dataclass(frozen=True)
class SetUserPreferences:
    user_id: int
    language: NotificationLanguage | None = None  # None: unchanged
    is_head: bool | None = None  # None: unchanged
    email: str | None = None  # None: unchanged; "": none (in-app only)


async def set_user_preferences(actor: Actor, cmd: SetUserPreferences) -> User:
    """A user's notification language and e-mail address (itself or an admin) and head-of-unit
    flag (an admin; staff only: the flag escalates breached terms to it). Another user is NOT_FOUND or FORBIDDEN for
    non-admins, as for tokens."""
    user = await get_visible(User, actor, cmd.user_id, "User", field="userId")
    by_admin = actor.can(Permission.MANAGE_USERS)
    if not (by_admin or actor.user_id == user.id):
        raise DomainError(ErrorCode.FORBIDDEN, field="userId")
    if cmd.is_head is not None and not by_admin:
        raise DomainError(ErrorCode.FORBIDDEN, field="isHead")
    if cmd.is_head and user.role not in HEAD_ROLES:
        raise DomainError(ErrorCode.VALIDATION, field="isHead", detail="only officers and admins head the unit")
    email = None if cmd.email is None else cmd.email.strip()
    if email and not is_email(email):
        raise DomainError(ErrorCode.VALIDATION, field="email", detail="not an e-mail address")
    before = snapshot(user)
    if email is not None:
        user.email = email or None
    if cmd.language is not None:
        user.language = NotificationLanguage(cmd.language).value
    if cmd.is_head is not None:
        user.is_head = cmd.is_head
    if snapshot(user) != before:
        async with in_transaction() as conn:
            await user.save(using_db=conn, update_fields=["language", "is_head", "email", "updated_at"])
            await record_change(conn, actor, AuditAction.USER_PREFERENCES_SET.value, user, before)
    return user


async def bootstrap_admin(login: str, full_name: str) -> tuple[User, str]:
    """First admin of a fresh installation (CLI only: there is nobody yet to authorise it)."""
    user = await create_user(SYSTEM, CreateUser(login=login, full_name=full_name, role=Role.ADMIN))
    return user, (await issue_token(SYSTEM, IssueToken(user.id, "bootstrap"))).secret
