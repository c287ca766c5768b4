"""Users and API tokens: creating users (admins), issuing, listing and revoking tokens (admins
for anyone, a user for itself). The types are in schema/types/users.py; the caller itself is
`viewer` (schema/viewer.py)."""

from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry import relay

from resolvers import auth as uc
from resolvers import tokens as tokens_uc
from rules.enums import Role
from schema.enums import NotificationLanguage, PartnerKind
from schema.errors import mutation, payload
from schema.idempotency import client_mutation_id
from schema.ids import pk_of
from schema.relay import Connection, Rows, connection
from schema.types.users import ApiToken, User

__all__ = ["UsersMutation", "UsersQuery"]


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
        default=None, description="APPLICANT: the pool it acts for (give this or `minerId`, not both); PARTNER of "
        "kind POOL: the pool whose system it is."
    )
    partner_kind: PartnerKind | None = strawberry.field(
        default=None, description="PARTNER only: what the partner system is, which decides the event types its "
        "account reads (`events`)."
    )
    client_mutation_id: str | None = client_mutation_id()


@strawberry.input(description="A new API token for a user.")
class IssueTokenInput:
    user_id: relay.GlobalID = strawberry.field(description="The user the token authenticates: any user for "
                                               "an admin, oneself for everyone else.")
    label: str = strawberry.field(default="", description="What the token is for (a device, a partner "
                                  "system), up to 200 characters.")
    expires_in_days: int | None = strawberry.field(
        default=None, description="Lifetime in days; by default the installation's token lifetime (90 days "
        "unless configured). At most that default, except that an admin may give a PARTNER system's token "
        "up to the configured partner maximum (730 days unless configured).")


@strawberry.input(description="The token to revoke.")
class RevokeTokenInput:
    id: relay.GlobalID = strawberry.field(description="The token (`ApiToken`): one's own, or any for an admin.")
    client_mutation_id: str | None = client_mutation_id()


@strawberry.input(description="A user's notification preferences.")
class SetUserPreferencesInput:
    user_id: relay.GlobalID = strawberry.field(description="The user: oneself (an admin: anyone).")
    language: NotificationLanguage | None = strawberry.field(
        default=None, description="The language of its notifications and e-mails; none: unchanged.")
    is_head: bool | None = strawberry.field(
        default=None, description="Admins only: the head of the unit (officers and admins), to whom breached terms "
        "escalate and who works the supervisors' queue; none: unchanged.")
    email: str | None = strawberry.field(
        default=None, description="The person's own e-mail address, for its alerts by e-mail (heads of the unit: "
        "escalations) when the service sends e-mail; an empty string removes it; none: unchanged.")


@payload(description="The user with its preferences, or why not.")
class SetUserPreferencesPayload:
    user: User | None = strawberry.field(default=None, description="The user.")


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


@payload(description="The revoked token, or why not.")
class RevokeTokenPayload:
    token: ApiToken | None = strawberry.field(default=None, description="The token, now revoked.")


@strawberry.type
class UsersQuery:
    @connection(description="API tokens, newest last, without their secrets: every user lists its own, admins "
                "anyone's (`user` narrows the list).")
    async def tokens(
        self,
        info: strawberry.Info,
        user: Annotated[relay.GlobalID | None, strawberry.argument(description="Only this user's tokens.")] = None,
        live: Annotated[bool, strawberry.argument(
            description="Only tokens neither revoked nor past their stored expiry.")] = False,
    ) -> Connection[ApiToken]:
        listing = tokens_uc.list_tokens(
            info.context.user, user_id=pk_of(user, "User", "user") if user is not None else None,
            live_only=live, now=info.context.now,
        )
        return Rows(listing, ApiToken.from_row)  # type: ignore[return-value]


@strawberry.type
class UsersMutation:
    @mutation(description="Admin: create a user. An applicant is bound to exactly one miner or pool; other "
              "roles to none.", idempotent=True)
    async def create_user(self, info: strawberry.Info, input: CreateUserInput) -> CreateUserPayload:
        cmd = uc.CreateUser(
            login=input.login, full_name=input.full_name, role=input.role,
            miner_id=pk_of(input.miner_id, "Miner", "minerId") if input.miner_id is not None else None,
            pool_id=pk_of(input.pool_id, "Pool", "poolId") if input.pool_id is not None else None,
            partner_kind=input.partner_kind,
        )
        return CreateUserPayload(user=User.from_row(await uc.create_user(info.context.user, cmd)))

    @mutation(description="Set a user's notification language and e-mail address (the user itself or an admin) and "
              "head-of-unit flag "
              "(admins only). Another user is NOT_FOUND (or FORBIDDEN where the caller reads users).")
    async def set_user_preferences(
        self, info: strawberry.Info, input: SetUserPreferencesInput
    ) -> SetUserPreferencesPayload:
        cmd = uc.SetUserPreferences(user_id=pk_of(input.user_id, "User", "userId"), language=input.language,
                                    is_head=input.is_head, email=input.email)
        return SetUserPreferencesPayload(user=User.from_row(await uc.set_user_preferences(info.context.user, cmd)))

    @mutation(description="Issue an API token: admins for any user, every user for itself (another user "
              "is NOT_FOUND). Not idempotent: the secret cannot be shown twice, so each call makes a token.")
    async def issue_token(self, info: strawberry.Info, input: IssueTokenInput) -> IssueTokenPayload:
        cmd = uc.IssueToken(user_id=pk_of(input.user_id, "User", "userId"), label=input.label,
                            expires_in_days=input.expires_in_days)
        issued = await uc.issue_token(info.context.user, cmd, tokens_uc.token_policy(info.context.settings))
        return IssueTokenPayload(token=ApiToken.from_row(issued.token), secret=issued.secret)

    @mutation(description="Revoke an API token: its user or an admin (another user's token is NOT_FOUND). "
              "It is refused from the next request on, and an open websocket using it is closed. Revoking "
              "a revoked token changes nothing.")
    async def revoke_token(self, info: strawberry.Info, input: RevokeTokenInput) -> RevokeTokenPayload:
        token = await tokens_uc.revoke_token(info.context.user, pk_of(input.id, "ApiToken", "id"))
        return RevokeTokenPayload(token=ApiToken.from_row(token))
