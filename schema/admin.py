"""Administration: users, tokens and the audit trail."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import strawberry
from strawberry.scalars import JSON
from strawberry.types import Info

from models.audit import AuditEvent as AuditEventModel
from resolvers import audit as audit_uc
from resolvers import auth as auth_uc
from rules.enums import Role
from schema.context import Context
from schema.ids import pk_of, to_global_id
from schema.relay import Connection, Node, page_args

Ctx = Info[Context, None]


@strawberry.type
class User:
    login: str
    full_name: str
    role: Role
    active: bool

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(to_global_id("User", self.pk))  # type: ignore[attr-defined]


@strawberry.type(description="One entry of the hash-chained audit trail.")
class AuditEvent(Node):
    at: datetime
    actor_label: str
    action: str
    entity_type: str
    entity_id: str
    before: JSON | None
    after: JSON | None
    prev_hash: str
    hash: str

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(to_global_id("AuditEvent", self.pk))  # type: ignore[attr-defined]

    @classmethod
    def is_type_of(cls, obj: Any, _info: Any) -> bool:
        return isinstance(obj, AuditEventModel)


@strawberry.type
class AuditChainReport:
    ok: bool
    checked: int
    first_broken_id: strawberry.ID | None
    reason: str | None


@strawberry.type
class IssuedToken:
    token: str = strawberry.field(description="Shown once: only its hash is stored.")


@strawberry.input
class CreateUserInput:
    login: str
    full_name: str
    role: Role
    miner_id: strawberry.ID | None = None
    pool_id: strawberry.ID | None = None


@strawberry.type
class AdminQuery:
    @strawberry.field
    async def audit_events(
        self,
        info: Ctx,
        entity_type: str | None = None,
        entity_id: str | None = None,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[AuditEvent]:
        page = await audit_uc.list_audit_events(
            info.context.user,
            entity_type=entity_type,
            entity_id=entity_id,
            **page_args(first, after, last, before),
        )
        return Connection.from_page(page)

    @strawberry.field(description="Recompute the audit hash chain; names the first broken link.")
    async def verify_audit_chain(self, info: Ctx) -> AuditChainReport:
        report = await audit_uc.verify_audit_chain(info.context.user)
        broken = report.first_broken_id
        return AuditChainReport(
            ok=report.ok,
            checked=report.checked,
            first_broken_id=strawberry.ID(to_global_id("AuditEvent", broken)) if broken else None,
            reason=report.reason,
        )


@strawberry.type
class AdminMutation:
    @strawberry.mutation
    async def create_user(self, info: Ctx, input: CreateUserInput) -> User:
        user = await auth_uc.create_user(
            info.context.user,
            login=input.login,
            full_name=input.full_name,
            role=input.role,
            miner_id=pk_of(input.miner_id, "Miner") if input.miner_id else None,
            pool_id=pk_of(input.pool_id, "Pool") if input.pool_id else None,
        )
        return user  # type: ignore[return-value]

    @strawberry.mutation
    async def issue_token(self, info: Ctx, user_id: strawberry.ID, label: str = "") -> IssuedToken:
        secret = await auth_uc.issue_token(info.context.user, pk_of(user_id, "User"), label)
        return IssuedToken(token=secret)
