"""Outgoing documents (rules/documents.py): one row per entity, kind, language and version."""

from __future__ import annotations

from tortoise import fields

from models.timestamps import TimestampedModel
from rules.documents import DocumentKind, DocumentState, DocumentStatus, Language


class Document(TimestampedModel):
    """A signed PDF the authority issued, or is producing (state PENDING until the job renders,
    signs and stores it). `sha256` is of the signed file exactly as stored."""

    id = fields.IntField(primary_key=True)
    unique_key = fields.CharField(max_length=200, unique=True)  # rules.documents.unique_key
    kind = fields.CharEnumField(DocumentKind, max_length=32)
    language = fields.CharEnumField(Language, max_length=2)
    version = fields.IntField(default=1)
    entity_type = fields.CharField(max_length=40)
    entity_id = fields.IntField()
    # The organisation the entity belongs to (resolvers/scope.OWNERSHIP): who may read the document.
    owner_miner_id = fields.IntField(null=True, db_index=True)
    owner_pool_id = fields.IntField(null=True, db_index=True)
    number = fields.CharField(max_length=64)
    issued_on = fields.DateField()
    holder = fields.CharField(max_length=500)  # as printed on the document
    verification_code = fields.CharField(max_length=16, unique=True)
    status = fields.CharEnumField(DocumentStatus, max_length=16, default=DocumentStatus.ISSUED)
    state = fields.CharEnumField(DocumentState, max_length=16, default=DocumentState.PENDING, db_index=True)
    reason = fields.TextField(default="")  # why the last attempt failed
    attempts = fields.IntField(default=0)
    sha256 = fields.CharField(max_length=64, null=True, db_index=True)
    storage_key = fields.CharField(max_length=200, null=True)
    signer = fields.CharField(max_length=500, default="")

    class Meta:
        table = "document"
        indexes = (("entity_type", "entity_id"),)
