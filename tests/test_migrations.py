"""The hand-written migrations apply to a database that already holds rows: a column added to
an existing table is nullable or has a default in the database itself. A Python-side `default`
alone makes Tortoise add a NOT NULL column without one, which fails on the first non-empty
table (it did, for `partner_event.regions` and `webhook_endpoint.consecutive_failures`)."""

from __future__ import annotations

import importlib
import pkgutil

from tortoise.fields.base import DB_DEFAULT_NOT_SET
from tortoise.migrations import operations as ops

import models.migrations


def _added_columns() -> list[tuple[str, str, object]]:
    out = []
    for info in pkgutil.iter_modules(models.migrations.__path__):
        module = importlib.import_module(f"models.migrations.{info.name}")
        for op in module.Migration.operations:
            if isinstance(op, ops.AddField):
                out.append((info.name, f"{op.model_name}.{op.name}", op.field))
    return out


def test_every_column_added_to_an_existing_table_is_nullable_or_has_a_database_default():
    added = _added_columns()
    assert added, "no AddField found: the check would be vacuous"
    bad = [f"{migration}: {column}" for migration, column, field in added
           if not getattr(field, "null", False) and getattr(field, "db_default", DB_DEFAULT_NOT_SET) is DB_DEFAULT_NOT_SET
           and not getattr(field, "pk", False)]
    assert bad == [], "give these a db_default (or null=True): " + ", ".join(bad)
