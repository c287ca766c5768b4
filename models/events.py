"""The partner event log: the public events (rules/events.py), written by `resolvers.changes.emit`
in the same transaction as the change and its outbox event.

A table of its own rather than the outbox itself: the outbox is the workers' queue (attempts,
errors, internal topics, payloads with more than partners may read); the log is the public
contract (a whitelisted payload, a version, an owner to filter on). Its `id` is the cursor: rows are
inserted under the transaction-scoped lock that also serialises the audit chain
(resolvers.changes.lock_audit_chain), so ids are assigned in commit order on PostgreSQL and a
reader that has seen id N never later finds a committed id below N.
"""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model


class PartnerEvent(Model):
    id = fields.BigIntField(primary_key=True)  # the sequence: strictly increasing in commit order
    type = fields.CharField(max_length=64, db_index=True)
    schema_version = fields.SmallIntField()
    occurred_at = fields.DatetimeField(db_index=True)
    entity_type = fields.CharField(max_length=64)
    entity_id = fields.BigIntField()
    miner_id = fields.IntField(null=True)
    pool_id = fields.IntField(null=True, db_index=True)
    data = fields.JSONField()
    outbox_id = fields.BigIntField(unique=True)

    class Meta:
        table = "partner_event"
        table_description = "The public event log partners read (rules/events.py), one row per public event."
