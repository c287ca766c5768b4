"""The audit trail: an append-only, hash-chained log of every change."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model


class AuditEvent(Model):
    id = fields.BigIntField(primary_key=True)
    at = fields.DatetimeField()
    actor_id = fields.IntField(null=True)
    actor_label = fields.CharField(max_length=300)
    action = fields.CharField(max_length=100)
    entity_type = fields.CharField(max_length=100)
    entity_id = fields.CharField(max_length=64)
    before = fields.JSONField(null=True)
    after = fields.JSONField(null=True)
    prev_hash = fields.CharField(max_length=64)
    hash = fields.CharField(max_length=64, unique=True)

    class Meta:
        table = "audit_event"
        indexes = (("entity_type", "entity_id"),)


class AuditCheckpoint(Model):
    """A signed checkpoint of the chain's head (rules/audit_chain.Checkpoint), also appended to
    the export file (settings.audit_checkpoint_file). Kind `legacy` marks the last event hashed
    before the chain was keyed; the migration that keyed it records it unsigned, the first
    checkpoint run signs it."""

    id = fields.BigIntField(primary_key=True)
    kind = fields.CharField(max_length=16)
    seq = fields.BigIntField()
    head_hash = fields.CharField(max_length=64)
    at = fields.DatetimeField()
    signature = fields.CharField(max_length=64)

    class Meta:
        table = "audit_checkpoint"
