"""Notifications to people, in-app (read/unread) and by e-mail (resolvers/notifications.py)."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from models.access import User
from rules.notifications import BreachKind, NotificationKind


class Notification(Model):
    id = fields.BigIntField(primary_key=True)
    recipient: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="notifications", on_delete=fields.CASCADE
    )
    kind = fields.CharEnumField(NotificationKind, max_length=32)
    # One notification per event and recipient: `<kind>:<what>:<recipient>`.
    dedup_key = fields.CharField(max_length=200, unique=True)
    language = fields.CharField(max_length=2)
    subject = fields.CharField(max_length=300)
    body = fields.TextField()
    entity_type = fields.CharField(max_length=64)
    entity_id = fields.BigIntField()
    created_at = fields.DatetimeField(auto_now_add=True)
    read_at = fields.DatetimeField(null=True)
    emailed_at = fields.DatetimeField(null=True)

    class Meta:
        table = "notification"
        table_description = "An alert to one person: in-app, and by e-mail when SMTP is configured."


class Escalation(Model):
    """A breached term escalated to the heads of the unit: one per breach (`dedup_key`, the same
    key as its ESCALATION notifications), in the supervisors' queue until resolved."""

    id = fields.BigIntField(primary_key=True)
    kind = fields.CharEnumField(BreachKind, max_length=16)
    dedup_key = fields.CharField(max_length=200, unique=True)
    what = fields.TextField()
    entity_type = fields.CharField(max_length=64)
    entity_id = fields.BigIntField()
    due_at = fields.DatetimeField(null=True)
    raised_at = fields.DatetimeField(auto_now_add=True)
    acknowledged_at = fields.DatetimeField(null=True)
    acknowledged_by: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "models.User", related_name=False, null=True, on_delete=fields.SET_NULL
    )
    resolved_at = fields.DatetimeField(null=True, db_index=True)
    resolved_by: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "models.User", related_name=False, null=True, on_delete=fields.SET_NULL
    )

    class Meta:
        table = "escalation"
        table_description = "A breached term (application, complaint, obligation) in the heads' supervisors' queue."
