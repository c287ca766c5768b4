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
from tortoise.queryset import QuerySet

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
    if len(keys) > IN_CHUNK:  # read in chunks: in order again (stable sorts, the last key first;
        for f in reversed(order):  # NULL sorts first, as in SQLite)
            name = f.lstrip("-")
            rows.sort(key=lambda row: (getattr(row, name) is not None, getattr(row, name)), reverse=f.startswith("-"))
    return rows


async def values_in(model: type[Model], fields: tuple[str, ...], column: str, keys: Sequence[Any],
                    order: tuple[str, ...] = ("id",)) -> list[tuple[Any, ...]]:
    """The `fields` of the `model` rows whose `column` is one of `keys`, as tuples, in `order`
    (beyond IN_CHUNK keys on SQLite: in order within each key's rows, the chunks one after the
    other)."""
    records = await _fetch(model, fields, column, keys, order, as_dicts=False)
    converters = _statement(model, fields, column, order, Tortoise.get_connection("default").capabilities.dialect
                            == "postgres")[2]
    plan = list(enumerate(converters))
    return [tuple(record[i] if convert is None else convert(record[i]) for i, convert in plan) for record in records]


# -- a plain listing's first page --------------------------------------------------------------

# The state of a Tortoise QuerySet (its __slots__ and its base's): `is_plain` reads them all, and
# tests/test_batch_reads.py fails when a Tortoise upgrade adds one, so that it is looked at.
QUERYSET_STATE = frozenset({
    "fields", "_prefetch_map", "_prefetch_queries", "_single", "_raw_sql", "_raise_does_not_exist", "_limit",
    "_offset", "_fields_for_select", "_filter_kwargs", "_orderings", "_distinct", "_having", "_group_bys",
    "_select_for_update", "_select_for_update_nowait", "_select_for_update_skip_locked", "_select_for_update_of",
    "_select_for_update_no_key", "_select_related", "_select_related_idx", "_use_indexes", "_force_indexes",
    "_joined_tables", "_db", "_capabilities", "_annotations", "_custom_filters", "_q_objects", "model", "query",
})


def is_plain(queryset: Any) -> bool:
    """Whether `queryset` reads every row of its model (`Model.all()`, in any order): no filter,
    join, annotation, grouping, limit, lock or prefetch."""
    q = queryset
    return (
        type(q) is QuerySet
        and not (q._q_objects or q._filter_kwargs or q._custom_filters or q._annotations or q._having)
        and not (q._joined_tables or q._group_bys or q._distinct or q._fields_for_select or q._select_related)
        and not (q._prefetch_map or q._prefetch_queries or q._force_indexes or q._use_indexes)
        and not (q._select_for_update or q._single or getattr(q, "_raw_sql", None))
        and q._limit is None
        and q._offset is None
    )


def order_sql(model: type[Model], order: Sequence[str]) -> str:
    """`ORDER BY` terms of field names (`-name`: descending), as Tortoise's `order_by` writes them."""
    projection = model._meta.fields_db_projection
    return ",".join(_quote(projection[f.lstrip("-")]) + (" DESC" if f.startswith("-") else "") for f in order)


def connection_of(queryset: Any) -> Any:
    """The connection a queryset runs on (its transaction's, inside one)."""
    return queryset._db or Tortoise.get_connection("default")


async def first_rows(queryset: Any, order: Sequence[str], limit: int) -> list[Any]:
    """The first `limit` rows of a plain queryset (`is_plain`) in `order`, as
    `queryset.order_by(*order).limit(limit)` gives them."""
    model, db = queryset.model, connection_of(queryset)
    postgres = db.capabilities.dialect == "postgres"
    sql = f"SELECT * FROM {_quote(model._meta.db_table)} ORDER BY {order_sql(model, order)} LIMIT {'$1' if postgres else '?'}"
    if postgres:
        return instances(model, (await db.execute_query(sql, [limit]))[1])
    return [model._init_from_db(**record) for record in await db.execute_query_dict(sql, [limit])]


def where_in_sql(model: type[Model], column: str, keys: Sequence[Any], postgres: bool) -> tuple[str, list[Any]]:
    """`"column" = ANY($1)` with the keys as one parameter, or SQLite's `IN (?, ...)` list."""
    name = _quote(model._meta.fields_db_projection[column])
    if postgres:
        return f"{name}=ANY($1)", [list(keys)]
    return f"{name} IN ({','.join('?' * len(keys))})", list(keys)
