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

from models.access import User
from models.timestamps import TimestampedModel
from rules.webhooks import Circuit, DeliveryStatus


class PartnerEvent(Model):
    id = fields.BigIntField(primary_key=True)  # the sequence: strictly increasing in commit order
    type = fields.CharField(max_length=64, db_index=True)
    schema_version = fields.SmallIntField()
    occurred_at = fields.DatetimeField(db_index=True)
    entity_type = fields.CharField(max_length=64)
    entity_id = fields.BigIntField()
    miner_id = fields.IntField(null=True)
    pool_id = fields.IntField(null=True, db_index=True)
    # The regions of the data centers the event concerns, `|ABAI|PAVLODAR|` (rules.events.regions_key):
    # the partners' region filter; empty for a pool's own events.
    regions = fields.CharField(max_length=400, default="", db_default="")
    data = fields.JSONField()
    outbox_id = fields.BigIntField(unique=True)

    class Meta:
        table = "partner_event"
        table_description = "The public event log partners read (rules/events.py), one row per public event."


class WebhookEndpoint(TimestampedModel):
    """A partner's URL for signed event deliveries (rules/webhooks.py). The secret signs every
    delivery; it is shown once, when the endpoint is registered, and never returned again."""

    id = fields.IntField(primary_key=True)
    owner: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="webhook_endpoints", on_delete=fields.CASCADE
    )
    url = fields.CharField(max_length=2000)
    event_types = fields.JSONField(default=list)  # empty: every type the owner is granted
    secret = fields.CharField(max_length=100)
    active = fields.BooleanField(default=True)
    # The newest event already turned into a delivery for this endpoint.
    cursor = fields.BigIntField(default=0)
    # The circuit breaker (rules/webhooks.Circuit): failed attempts in a row, and while it is
    # open, the end of the cool-down.
    consecutive_failures = fields.IntField(default=0, db_default=0)
    circuit_open_until = fields.DatetimeField(null=True)

    @property
    def circuit(self) -> Circuit:
        return Circuit(self.consecutive_failures, self.circuit_open_until)

    class Meta:
        table = "webhook_endpoint"
        table_description = "A partner's webhook endpoint: where its granted events are delivered, signed."


class WebhookDelivery(Model):
    """One event to one endpoint: pending (with its next attempt), delivered, or dead (the
    dead-letter list, after the retry schedule ran out)."""

    id = fields.BigIntField(primary_key=True)
    endpoint: fields.ForeignKeyRelation[WebhookEndpoint] = fields.ForeignKeyField(
        "models.WebhookEndpoint", related_name="deliveries", on_delete=fields.CASCADE
    )
    event: fields.ForeignKeyRelation[PartnerEvent] = fields.ForeignKeyField(
        "models.PartnerEvent", related_name=False, on_delete=fields.CASCADE
    )
    status = fields.CharEnumField(DeliveryStatus, max_length=16, default=DeliveryStatus.PENDING)
    attempts = fields.IntField(default=0)
    next_attempt_at = fields.DatetimeField(null=True, db_index=True)
    last_status_code = fields.IntField(null=True)
    last_error = fields.TextField(null=True)
    delivered_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "webhook_delivery"
        unique_together = (("endpoint", "event"),)
        table_description = "One event's delivery to one webhook endpoint, with its retries."


class EventLogHorizon(Model):
    """How far the retention purge has deleted the event log (one row): every event up to
    `purged_through` may be gone, so a cursor below it is expired (resolvers/events.check_cursor)."""

    id = fields.IntField(primary_key=True)
    purged_through = fields.BigIntField(default=0)
    purged_at = fields.DatetimeField(null=True)

    class Meta:
        table = "event_log_horizon"
        table_description = "How far the retention purge deleted the public event log (one row)."
