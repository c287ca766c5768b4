"""Batched reads by key: the rows (or some columns) of one table whose `column` is one of many
keys, in a given order. The shape of every relation a page loads for its rows (an
application's details, documents, data centers...), and the commonest statement of a page.

Tortoise builds each such statement anew through its query builder, which cost two to three
times the statement itself on PostgreSQL (bench/README.md, "Read path"). Here the SQL is made
once per (table, columns, key column, order, dialect): `"column" = ANY($1)` with the keys as
one array on PostgreSQL, an `IN (?, ...)` list (in chunks) on SQLite. Values are converted
exactly as Tortoise converts a row (`Model._init_from_db`): driver-native fields as they come,
plain fields by their type, the others by the field's `to_python_value`; whole rows become
model instances by position on PostgreSQL (models/rows.py), by Tortoise itself on SQLite.

These reads see every row: callers pass keys of records the caller may already see (a
parent's id), as Tortoise's `Model.filter(column__in=keys)` would.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from tortoise import Tortoise
from tortoise.models import Model

from models.rows import instances

IN_CHUNK = 5000  # as models/db.IN_CHUNK: values per IN (...) list on SQLite

_Statement = tuple[str, str, list[Callable[[Any], Any] | None], int]  # SQL prefix, suffix, converters, columns
_STATEMENTS: dict[tuple[Any, ...], _Statement] = {}


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _converter(model: type[Model], field_name: str) -> Callable[[Any], Any] | None:
    """How Tortoise converts the value of `field_name` read from the database (None: as is)."""
    meta = model._meta
    column = meta.fields_db_projection[field_name]
    for key, _, _field in meta.db_native_fields:
        if key == column:
            return None
    for key, _, field in meta.db_default_fields:
        if key == column:
            field_type = field.field_type
            return lambda value: value if value is None else field_type(value)
    for key, _, field in meta.db_complex_fields:
        if key == column:
            return field.to_python_value  # type: ignore[no-any-return]
    raise ValueError(f"{model.__name__}.{field_name} is not a column")


def _statement(model: type[Model], fields: tuple[str, ...] | None, column: str, order: tuple[str, ...],
               postgres: bool) -> _Statement:
    key = (model, fields, column, order, postgres)
    found = _STATEMENTS.get(key)
    if found is None:
        meta = model._meta
        projection = meta.fields_db_projection
        selected = ",".join(_quote(projection[f]) for f in fields) if fields is not None else "*"
        order_sql = ",".join(_quote(projection[f.lstrip("-")]) + (" DESC" if f.startswith("-") else "") for f in order)
        converters = [_converter(model, f) for f in fields] if fields is not None else []
        where = f"SELECT {selected} FROM {_quote(meta.db_table)} WHERE {_quote(projection[column])}"
        found = _STATEMENTS[key] = (where, f" ORDER BY {order_sql}", converters, len(fields or ()))
    return found


async def _fetch(model: type[Model], fields: tuple[str, ...] | None, column: str, keys: Sequence[Any],
                 order: tuple[str, ...], *, as_dicts: bool) -> list[Any]:
    db = Tortoise.get_connection("default")  # the current transaction's, inside one
    postgres = db.capabilities.dialect == "postgres"
    where, suffix, _, _ = _statement(model, fields, column, order, postgres)
    keys = list(dict.fromkeys(keys))
    if not keys:
        return []
    if postgres:
        return list((await db.execute_query(f"{where}=ANY($1){suffix}", [keys]))[1])
    out: list[Any] = []
    for start in range(0, len(keys), IN_CHUNK):
        chunk = keys[start:start + IN_CHUNK]
        sql = f"{where} IN ({','.join('?' * len(chunk))}){suffix}"
        out.extend(await db.execute_query_dict(sql, chunk) if as_dicts else (await db.execute_query(sql, chunk))[1])
    return out


async def rows_in(model: type[Model], column: str, keys: Sequence[Any], order: tuple[str, ...] = ("id",)) -> list[Any]:
    """The `model` rows whose `column` is one of `keys`, in `order` (field names, `-name` for
    descending, as Tortoise's `order_by`)."""
    records = await _fetch(model, None, column, keys, order, as_dicts=True)
    if not records:
        return []
    if not isinstance(records[0], dict):
        return instances(model, records)
    rows = [model._init_from_db(**record) for record in records]  # SQLite: Tortoise's own conversion
    if len(keys) > IN_CHUNK:  # read in chunks: in order again (stable sorts, the last key first)
        for f in reversed(order):
            name = f.lstrip("-")
            rows.sort(key=lambda row: (getattr(row, name) is None, getattr(row, name)), reverse=f.startswith("-"))
    return rows


async def values_in(model: type[Model], fields: tuple[str, ...], column: str, keys: Sequence[Any],
                    order: tuple[str, ...] = ("id",)) -> list[tuple[Any, ...]]:
    """The `fields` of the `model` rows whose `column` is one of `keys`, as tuples, in `order`."""
    records = await _fetch(model, fields, column, keys, order, as_dicts=False)
    converters = _statement(model, fields, column, order, Tortoise.get_connection("default").capabilities.dialect
                            == "postgres")[2]
    plan = list(enumerate(converters))
    return [tuple(record[i] if convert is None else convert(record[i]) for i, convert in plan) for record in records]
