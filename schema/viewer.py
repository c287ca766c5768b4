"""`viewer`: who the caller is (its user, roles and organisation), so a client needs no user id
to start from."""

from __future__ import annotations

import strawberry

from models import access as m
from rules.access import Actor
from rules.enums import Role
from schema.loaders import load_view
from schema.types.users import Organisation, User, organisation_of

__all__ = ["Viewer", "ViewerQuery"]


@strawberry.type(description="The caller of the API, as its token identifies it.")
class Viewer:
    roles: list[Role] = strawberry.field(description="The caller's roles (one today); they decide what it may "
                                         "see and do.")
    _user_id: strawberry.Private[int | None]
    _miner_id: strawberry.Private[int | None]
    _pool_id: strawberry.Private[int | None]

    @classmethod
    def of(cls, actor: Actor) -> Viewer:
        return cls(roles=[actor.role], _user_id=actor.user_id, _miner_id=actor.miner_id, _pool_id=actor.pool_id)

    @strawberry.field(description="The caller's own user (every user reads itself).")
    def user(self, info: strawberry.Info) -> User:
        return load_view(User, info.context.loaders.visible(m.User), self._user_id)

    @strawberry.field(description="The organisation an applicant acts for (its miner or pool); null for staff "
                      "and partner systems.")
    def organisation(self, info: strawberry.Info) -> Organisation | None:
        if self._miner_id is None and self._pool_id is None:
            return None
        return organisation_of(info, self._miner_id, self._pool_id)


@strawberry.type
class ViewerQuery:
    @strawberry.field(description="The caller: its user, roles and organisation. UNAUTHENTICATED without a valid token.")
    def viewer(self, info: strawberry.Info) -> Viewer:
        return Viewer.of(info.context.user)
