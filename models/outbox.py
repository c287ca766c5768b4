"""The outbox: events written in the same transaction as the change that caused them.

A dispatcher (arq job, or the in-process runner without Redis) delivers them afterwards, so a
state change and the work it triggers are never separated by a Redis outage.
"""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model


class OutboxEvent(Model):
    id = fields.BigIntField(primary_key=True)
    topic = fields.CharField(max_length=100, db_index=True)
    payload = fields.JSONField()
    # Same key, same event: producers may retry without creating duplicates.
    dedup_key = fields.CharField(max_length=200, unique=True, null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    dispatched_at = fields.DatetimeField(null=True, db_index=True)
    attempts = fields.IntField(default=0)
    last_error = fields.TextField(null=True)

    class Meta:
        table = "outbox_event"
