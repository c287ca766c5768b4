"""Users of the API and their tokens as clients see them: typed views built from rows.

Users are readable by admins; every user reads itself (and its own tokens). Other callers get
null for a user they reach through a link (an application's assignee, an audit event's actor).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, ClassVar

import strawberry
from strawberry import relay

from models import access as m
from models import parties as pm
from rules.enums import Role  # the GraphQL enum `UserRole` (exposed in schema/enums.py)
from rules.tokens import expiry_of
from schema.enums import NotificationLanguage
from schema.loaders import load_view
from schema.relay import RowNode, Timestamped
from schema.types.parties import Miner, Pool

__all__ = ["ApiToken", "Organisation", "User", "organisation_of"]

Organisation = Annotated[
    Miner | Pool,
    strawberry.union(
        "Organisation",
        description="The organisation an applicant acts for: a digital miner or a mining pool.",
    ),
]


def organisation_of(info: strawberry.Info, miner_id: int | None, pool_id: int | None) -> Miner | Pool | None:
    """The organisation (miner or pool) by its key, through the caller's visibility."""
    loaders = info.context.loaders
    if miner_id is not None:
        return load_view(Miner, loaders.visible(pm.Miner), miner_id)
    return load_view(Pool, loaders.visible(pm.Pool), pool_id)


@strawberry.type(
    description="A user of the API: a person of the authority, an applicant acting for one "
    "organisation, or a partner system. Readable by admins; every user reads itself."
)
class User(RowNode, relay.Node, Timestamped):
    MODEL: ClassVar = m.User

    id: relay.NodeID[int]
    login: str = strawberry.field(description="Unique login name.")
    full_name: str = strawberry.field(description="Full name of the person (or the partner system's name).")
    role: Role = strawberry.field(description="What the user is; decides what it may see and do.")
    active: bool = strawberry.field(description="False when the user is blocked: its tokens are then refused.")
    notification_language: NotificationLanguage = strawberry.field(
        description="The language of its notifications and e-mails (`setUserPreferences`).")
    is_head: bool = strawberry.field(description="The head of the unit: breached terms escalate to it "
                                     "(`supervisorQueue`).")
    email: str | None = strawberry.field(description="The person's own e-mail address for its alerts "
                                         "(`setUserPreferences`); null: in-app notifications only.")
    _miner_id: strawberry.Private[int | None]
    _pool_id: strawberry.Private[int | None]

    @classmethod
    def from_row(cls, row: m.User) -> User:
        return cls(
            id=row.id, login=row.login, full_name=row.full_name, role=row.role, active=row.active,
            notification_language=NotificationLanguage(row.language), is_head=row.is_head, email=row.email,
            _miner_id=row.miner_id, _pool_id=row.pool_id,  # type: ignore[attr-defined]
            created_at=row.created_at, updated_at=row.updated_at,
        )

    @strawberry.field(
        description="The organisation an applicant acts for (a miner or a pool); null for staff "
        "and partner systems, and when the caller may not see that organisation."
    )
    def organisation(self, info: strawberry.Info) -> Organisation | None:
        if self._miner_id is None and self._pool_id is None:
            return None
        return organisation_of(info, self._miner_id, self._pool_id)


@strawberry.type(
    description="An API token (a bearer secret) of a user. The secret itself is shown once, when "
    "the token is issued; only its SHA-256 hash is stored. Readable by admins and by its user."
)
class ApiToken(RowNode, relay.Node, Timestamped):
    MODEL: ClassVar = m.ApiToken

    id: relay.NodeID[int]
    label: str = strawberry.field(description="What the token is for, as given when it was issued (may be empty).")
    last_used_at: datetime | None = strawberry.field(
        description="When the token was last used (UTC, recorded at most every 5 minutes); null if never."
    )
    revoked_at: datetime | None = strawberry.field(
        description="When the token was revoked (UTC); null unless revoked."
    )
    expires_at: datetime = strawberry.field(
        description="When the token stops being accepted (UTC), whether or not it is used until then."
    )
    _user_id: strawberry.Private[int]

    @classmethod
    def from_row(cls, row: m.ApiToken) -> ApiToken:
        return cls(
            id=row.id, label=row.label, last_used_at=row.last_used_at, revoked_at=row.revoked_at,
            expires_at=expiry_of(row.created_at, row.expires_at),
            _user_id=row.user_id,  # type: ignore[attr-defined]
            # A token changes only when it is revoked (its use is not a change of the record).
            created_at=row.created_at, updated_at=row.revoked_at or row.created_at,
        )

    @strawberry.field(description="True while the token is accepted: neither revoked nor expired.")
    def live(self, info: strawberry.Info) -> bool:
        return self.revoked_at is None and info.context.now < self.expires_at

    @strawberry.field(description="The user the token authenticates; null if the caller may not read that user.")
    def user(self, info: strawberry.Info) -> User | None:
        return load_view(User, info.context.loaders.visible(m.User), self._user_id)
