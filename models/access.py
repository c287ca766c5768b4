"""Users, their roles and API tokens (stored hashed)."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from models.parties import Miner, Pool
from models.timestamps import TimestampedModel
from rules.access import PartnerKind
from rules.enums import Role


class User(TimestampedModel):
    id = fields.IntField(primary_key=True)
    login = fields.CharField(max_length=128, unique=True)
    full_name = fields.CharField(max_length=300)
    role = fields.CharEnumField(Role, max_length=16)
    # An applicant acts for exactly one organisation: a miner or a pool.
    miner: fields.ForeignKeyNullableRelation[Miner] = fields.ForeignKeyField(
        "models.Miner", related_name=False, null=True, on_delete=fields.RESTRICT
    )
    pool: fields.ForeignKeyNullableRelation[Pool] = fields.ForeignKeyField(
        "models.Pool", related_name=False, null=True, on_delete=fields.RESTRICT
    )
    active = fields.BooleanField(default=True)
    # A PARTNER's kind (rules.access.PartnerKind): which event types its account is granted.
    partner_kind = fields.CharEnumField(PartnerKind, max_length=16, null=True)
    # Notifications (rules/notifications.py) are written in this language: kk or ru.
    language = fields.CharField(max_length=2, default="ru")
    # The head of the unit: breached terms are escalated to officers with this flag.
    is_head = fields.BooleanField(default=False)
    # Where the person's own e-mails go (staff: escalations to the head of the unit); applicants'
    # organisations are written to at the miner's registered address instead. Null: in-app only.
    email = fields.CharField(max_length=254, null=True)

    class Meta:
        table = "app_user"


class ApiToken(Model):
    id = fields.IntField(primary_key=True)
    user: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="tokens", on_delete=fields.CASCADE
    )
    # SHA-256 of the secret: a leaked database does not leak usable tokens. Tokens are long
    # random strings, so a plain fast hash is enough (no password stretching needed).
    token_hash = fields.CharField(max_length=64, unique=True)
    label = fields.CharField(max_length=200, default="")
    created_at = fields.DatetimeField(auto_now_add=True)
    last_used_at = fields.DatetimeField(null=True)
    revoked_at = fields.DatetimeField(null=True)
    # After it the token is refused. Null only for tokens issued before tokens expired: they
    # last rules/tokens.LEGACY_LIFETIME from their creation.
    expires_at = fields.DatetimeField(null=True)

    class Meta:
        table = "api_token"
