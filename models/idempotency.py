"""Idempotent filing: a client's `clientMutationId` and what the first request produced."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model


class IdempotencyKey(Model):
    """Written in the same transaction as the mutation it guards: a replay of the same key by
    the same user returns the stored result; with another input it is a conflict."""

    id = fields.BigIntField(primary_key=True)
    user_id = fields.IntField()
    key = fields.CharField(max_length=100)
    mutation = fields.CharField(max_length=100)
    input_hash = fields.CharField(max_length=64)  # SHA-256 of the canonical input
    result_type = fields.CharField(max_length=100, default="")  # the GraphQL type of the result
    result_id = fields.BigIntField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "idempotency_key"
        unique_together = (("user_id", "key"),)
