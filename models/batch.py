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

from models.db import IN_CHUNK, in_chunks
from models.rows import instances

_Statement = tuple[str, str, list[Callable[[Any], Any] | None]]  # SELECT ... WHERE, ORDER BY ..., converters
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


def order_sql(model: type[Model], order: Sequence[str]) -> str:
    """`ORDER BY` terms of field names (`-name`: descending), as Tortoise's `order_by` writes them."""
    projection = model._meta.fields_db_projection
    return ",".join(_quote(projection[f.lstrip("-")]) + (" DESC" if f.startswith("-") else "") for f in order)


def where_in_sql(model: type[Model], column: str, keys: Sequence[Any], postgres: bool) -> tuple[str, list[Any]]:
    """`"column" = ANY($1)` with the keys as one parameter, or SQLite's `IN (?, ...)` list."""
    name = _quote(model._meta.fields_db_projection[column])
    if postgres:
        return f"{name}=ANY($1)", [list(keys)]
    return f"{name} IN ({','.join('?' * len(keys))})", list(keys)


async def fetch_instances(db: Any, model: type[Model], sql: str, params: list[Any],
                          ignore: frozenset[str] = frozenset()) -> list[Any]:
    """`model` instances of a statement's rows (columns in `ignore` left out): by position on
    PostgreSQL (models/rows.py), by Tortoise itself elsewhere."""
    if db.capabilities.dialect == "postgres":
        return instances(model, (await db.execute_query(sql, params))[1], ignore)
    return [model._init_from_db(**record) for record in await db.execute_query_dict(sql, params)]


def _statement(model: type[Model], fields: tuple[str, ...] | None, order: tuple[str, ...]) -> _Statement:
    key = (model, fields, order)
    found = _STATEMENTS.get(key)
    if found is None:
        selected = ",".join(_quote(model._meta.fields_db_projection[f]) for f in fields) if fields else "*"
        converters = [_converter(model, f) for f in fields] if fields else []
        found = _STATEMENTS[key] = (f"SELECT {selected} FROM {_quote(model._meta.db_table)} WHERE ",
                                    f" ORDER BY {order_sql(model, order)}", converters)
    return found


def _chunks(keys: Sequence[Any], postgres: bool) -> list[Sequence[Any]]:
    """The keys, once each: in one array on PostgreSQL, in IN lists of IN_CHUNK on SQLite."""
    unique = list(dict.fromkeys(keys))
    return [unique] if postgres or not unique else list(in_chunks(unique, IN_CHUNK))


async def rows_in(model: type[Model], column: str, keys: Sequence[Any], order: tuple[str, ...] = ("id",)) -> list[Any]:
    """The `model` rows whose `column` is one of `keys`, in `order` (field names, `-name` for
    descending, as Tortoise's `order_by`)."""
    db = Tortoise.get_connection("default")  # the current transaction's, inside one
    postgres = db.capabilities.dialect == "postgres"
    select, order_by, _ = _statement(model, None, order)
    rows: list[Any] = []
    for chunk in _chunks(keys, postgres):
        where, params = where_in_sql(model, column, chunk, postgres)
        rows += await fetch_instances(db, model, select + where + order_by, params)
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
    db = Tortoise.get_connection("default")
    postgres = db.capabilities.dialect == "postgres"
    select, order_by, converters = _statement(model, fields, order)
    plan = list(enumerate(converters))
    out: list[tuple[Any, ...]] = []
    for chunk in _chunks(keys, postgres):
        where, params = where_in_sql(model, column, chunk, postgres)
        for record in (await db.execute_query(select + where + order_by, params))[1]:
            out.append(tuple(record[i] if convert is None else convert(record[i]) for i, convert in plan))
    return out


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


def connection_of(queryset: Any) -> Any:
    """The connection a queryset runs on (its transaction's, inside one)."""
    return queryset._db or Tortoise.get_connection("default")


async def first_rows(queryset: Any, order: Sequence[str], limit: int) -> list[Any]:
    """The first `limit` rows of a plain queryset (`is_plain`) in `order`, as
    `queryset.order_by(*order).limit(limit)` gives them."""
    model, db = queryset.model, connection_of(queryset)
    postgres = db.capabilities.dialect == "postgres"
    sql = f"SELECT * FROM {_quote(model._meta.db_table)} ORDER BY {order_sql(model, order)} LIMIT {'$1' if postgres else '?'}"
    return await fetch_instances(db, model, sql, [limit])
