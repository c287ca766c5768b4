"""Users and API tokens: creating users (admins) and issuing tokens (admins for anyone, a user
for itself). The types are in schema/types/users.py; the caller itself is `viewer`
(schema/viewer.py)."""

from __future__ import annotations

import strawberry
from strawberry import relay

from resolvers import auth as uc
from rules.enums import Role
from schema.errors import mutation, payload
from schema.idempotency import client_mutation_id
from schema.ids import pk_of
from schema.types.users import ApiToken, User

__all__ = ["UsersMutation"]


@strawberry.input(description="A new user of the API (admins).")
class CreateUserInput:
    login: str = strawberry.field(description="Unique login name, up to 128 characters.")
    full_name: str = strawberry.field(description="Full name of the person (or the partner system's name), "
                                      "up to 300 characters.")
    role: Role = strawberry.field(description="What the user is; decides what it may see and do.")
    miner_id: relay.GlobalID | None = strawberry.field(
        default=None, description="APPLICANT only: the miner it acts for (give this or `poolId`, not both)."
    )
    pool_id: relay.GlobalID | None = strawberry.field(
        default=None, description="APPLICANT only: the pool it acts for (give this or `minerId`, not both)."
    )
    client_mutation_id: str | None = client_mutation_id()


@strawberry.input(description="A new API token for a user.")
class IssueTokenInput:
    user_id: relay.GlobalID = strawberry.field(description="The user the token authenticates: any user for "
                                               "an admin, oneself for everyone else.")
    label: str = strawberry.field(default="", description="What the token is for (a device, a partner "
                                  "system), up to 200 characters.")


@payload(description="The new user, or why not.")
class CreateUserPayload:
    user: User | None = strawberry.field(default=None, description="The user created.")


@payload(description="The new token with its secret, or why not.")
class IssueTokenPayload:
    token: ApiToken | None = strawberry.field(default=None, description="The token issued (without its secret).")
    secret: str | None = strawberry.field(
        default=None,
        description="The bearer secret (`kzm_...`), sent as `Authorization: Bearer <secret>`. Shown only "
        "here, once: only its SHA-256 hash is stored, so a lost secret means a new token.",
    )


@strawberry.type
class UsersMutation:
    @mutation(description="Admin: create a user. An applicant is bound to exactly one miner or pool; other "
              "roles to none.", idempotent=True)
    async def create_user(self, info: strawberry.Info, input: CreateUserInput) -> CreateUserPayload:
        cmd = uc.CreateUser(
            login=input.login, full_name=input.full_name, role=input.role,
            miner_id=pk_of(input.miner_id, "Miner", "minerId") if input.miner_id is not None else None,
            pool_id=pk_of(input.pool_id, "Pool", "poolId") if input.pool_id is not None else None,
        )
        return CreateUserPayload(user=User.from_row(await uc.create_user(info.context.user, cmd)))

    @mutation(description="Issue an API token: admins for any user, every user for itself (another user "
              "is NOT_FOUND). Not idempotent: the secret cannot be shown twice, so each call makes a token.")
    async def issue_token(self, info: strawberry.Info, input: IssueTokenInput) -> IssueTokenPayload:
        cmd = uc.IssueToken(user_id=pk_of(input.user_id, "User", "userId"), label=input.label)
        issued = await uc.issue_token(info.context.user, cmd)
        return IssueTokenPayload(token=ApiToken.from_row(issued.token), secret=issued.secret)
