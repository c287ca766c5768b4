"""Keyset pages of a query in a chosen order: stable cursors, no OFFSET scans, O(page) at any
depth, whatever the sort key.

A `Listing` is what a list use case returns: the rows the caller may see (already filtered by
visibility and the client's filters) and the order asked for. `fetch_page` reads one page after
or before a cursor; the cursor is the last row's sort value plus its id (the tie-breaker), so
the next page is `WHERE (key, id) > (value, id)` on an index, not a count of skipped rows.
Null sort values come last in either direction.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Generic, TypeVar

from tortoise.expressions import Case, Q, RawSQL, When
from tortoise.functions import Count
from tortoise.models import Model
from tortoise.queryset import QuerySet

from models.batch import connection_of, fetch_instances, first_rows, is_plain, where_in_sql
from rules.errors import DomainError, ErrorCode

M = TypeVar("M", bound=Model)

DEFAULT_PAGE = 20
MAX_PAGE = 100
_NULLS = "_sort_nulls"


@dataclass(frozen=True)
class SortKey:
    """An orderable column: its ORM field name and the Python type of its values."""

    column: str
    kind: type = int
    nullable: bool = False

    def encode(self, value: Any) -> Any:
        if value is None or self.kind in (int, str):
            return value
        return value.isoformat() if self.kind in (date, datetime) else str(value)

    def decode(self, raw: Any) -> Any:
        if raw is None:
            if not self.nullable:
                raise ValueError("null sort value")
            return None
        if self.kind is int:
            if type(raw) is not int:
                raise ValueError("not an int")
            return raw
        if not isinstance(raw, str) or len(raw) > 300:
            raise ValueError("not a string")
        if self.kind is str:
            return raw
        if self.kind is datetime:
            value = datetime.fromisoformat(raw)
            if value.tzinfo is None:
                raise ValueError("naive datetime")
            return value
        if self.kind is date:
            return date.fromisoformat(raw)
        value = Decimal(raw)
        if not value.is_finite():
            raise ValueError("not finite")
        return value


BY_ID = SortKey("id")


@dataclass(frozen=True)
class Order:
    key: SortKey = BY_ID
    descending: bool = False


@dataclass
class Listing(Generic[M]):
    """Rows a caller may see, in the order asked for."""

    queryset: QuerySet[M]
    order: Order = field(default_factory=Order)

    async def count(self) -> int:
        return await self.queryset.count()


@dataclass
class Page(Generic[M]):
    rows: list[M]
    keys: list[tuple[Any, int]]  # (sort value, id) of each row: what its cursor encodes
    has_next: bool
    has_previous: bool
    order: Order = field(default_factory=Order)  # the order the keys are in


def _value(row: Model, key: SortKey) -> Any:
    return row.pk if key is BY_ID else getattr(row, key.column)


def _beyond(key: SortKey, value: Any, pk: int, forward_in_key_order: bool) -> Q:
    """Rows strictly beyond (value, pk) when walking in `forward_in_key_order` (nulls last)."""
    col = key.column
    gt = "gt" if forward_in_key_order else "lt"
    if key is BY_ID:
        return Q(**{f"id__{gt}": pk})
    if not key.nullable:
        return Q(**{f"{col}__{gt}": value}) | Q(**{col: value, f"id__{gt}": pk})
    if value is None:  # inside the trailing nulls: only the id moves
        return Q(**{f"{col}__isnull": True, f"id__{gt}": pk})
    return (
        Q(**{f"{col}__isnull": False, f"{col}__{gt}": value})
        | Q(**{col: value, f"id__{gt}": pk})
        | Q(**{f"{col}__isnull": True})
    )


def _before(key: SortKey, value: Any, pk: int, forward_in_key_order: bool) -> Q:
    """Rows strictly before (value, pk) in the listing's order (nulls last)."""
    col = key.column
    lt = "lt" if forward_in_key_order else "gt"
    if key is BY_ID:
        return Q(**{f"id__{lt}": pk})
    if not key.nullable:
        return Q(**{f"{col}__{lt}": value}) | Q(**{col: value, f"id__{lt}": pk})
    if value is None:
        return Q(**{f"{col}__isnull": False}) | Q(**{f"{col}__isnull": True, f"id__{lt}": pk})
    return Q(**{f"{col}__isnull": False, f"{col}__{lt}": value}) | Q(**{col: value, f"id__{lt}": pk})


def _order_fields(order: Order, backward: bool) -> tuple[str, ...]:
    """`order_by` arguments of a non-nullable key: the key, then the id."""
    sign = "-" if order.descending != backward else ""
    return (f"{sign}id",) if order.key is BY_ID else (f"{sign}{order.key.column}", f"{sign}id")


def _ordered(qs: QuerySet[M], order: Order, backward: bool) -> QuerySet[M]:
    key = order.key
    descending = order.descending != backward
    sign = "-" if descending else ""
    if not key.nullable:
        return qs.order_by(*_order_fields(order, backward))
    # Nulls last going forward: a 0/1 flag first, ascending forward and descending backward.
    flagged = qs.annotate(**{_NULLS: Case(When(**{f"{key.column}__isnull": True}, then="1"), default="0")})
    return flagged.order_by(f"{'-' if backward else ''}{_NULLS}", f"{sign}{key.column}", f"{sign}id")


def check_page_size(first: int | None, last: int | None) -> None:
    if first is not None and last is not None:
        raise DomainError(ErrorCode.VALIDATION, field="first", detail="give first or last, not both")
    for name, value in (("first", first), ("last", last)):
        if value is not None and not 0 <= value <= MAX_PAGE:
            raise DomainError(ErrorCode.VALIDATION, field=name, detail=f"0..{MAX_PAGE}")


async def fetch_page(
    listing: Listing[M],
    *,
    first: int | None = None,
    after: tuple[Any, int] | None = None,
    last: int | None = None,
    before: tuple[Any, int] | None = None,
) -> Page[M]:
    """One page: `first` rows after the `after` key, or `last` rows before the `before` key."""
    check_page_size(first, last)
    order = listing.order
    forward_in_key_order = not order.descending
    qs = listing.queryset
    if after is not None:
        qs = qs.filter(_beyond(order.key, after[0], after[1], forward_in_key_order))
    if before is not None:
        qs = qs.filter(_before(order.key, before[0], before[1], forward_in_key_order))
    backward = last is not None
    size = last if backward else (DEFAULT_PAGE if first is None else first)
    if qs is listing.queryset and not order.key.nullable and is_plain(qs):  # a whole table's first page
        rows = await first_rows(qs, _order_fields(order, backward), size + 1)
    else:
        rows = list(await _ordered(qs, order, backward).limit(size + 1))
    more = len(rows) > size
    rows = rows[:size]
    if backward:
        rows.reverse()
        has_previous, has_next = more, before is not None
    else:
        has_next, has_previous = more, after is not None
    keys = [(_value(row, order.key), row.pk) for row in rows]
    return Page(rows=rows, keys=keys, has_next=has_next, has_previous=has_previous, order=order)


_ROW_NUMBER = frozenset({"_rn"})


async def fetch_first_pages(
    listing: Listing[M], parent_column: str, parent_ids: list[int], size: int
) -> dict[int, Page[M]]:
    """The first page of `listing` for each parent, in one statement whatever the number of
    parents (a nested connection under a page of parents: `miners { dataCenters(first: 5) }`).

    `listing` holds the rows of every parent (visibility and filters applied, no parent filter);
    a window function numbers each parent's rows in the listing's order, so each parent gets
    its own first `size + 1` rows (one more tells whether there is a next page).
    """
    if not parent_ids:
        return {}
    order = listing.order
    model = listing.queryset.model
    meta = model._meta

    def column(name: str) -> str:
        # Qualified: visibility may join the owner's table (appendix -> licence), whose "id"
        # would make a bare column name ambiguous.
        field = meta.fields_map[name]
        return f'"{meta.db_table}"."{getattr(field, "source_field", None) or name}"'

    direction = "DESC" if order.descending else "ASC"
    keys = [f'{column("id")} {direction}']
    if order.key is not BY_ID:
        key_col = column(order.key.column)
        keys = [f"CASE WHEN {key_col} IS NULL THEN 1 ELSE 0 END", f"{key_col} {direction}", *keys]
    window = f'ROW_NUMBER() OVER (PARTITION BY {column(parent_column)} ORDER BY {", ".join(keys)})'
    if is_plain(listing.queryset):  # every row of the table: the statement without the query builder
        db = connection_of(listing.queryset)
        where, params = where_in_sql(model, parent_column, parent_ids, db.capabilities.dialect == "postgres")
        inner_sql = f'SELECT *,{window} "_rn" FROM "{meta.db_table}" WHERE {where}'
    else:
        numbered = listing.queryset.filter(**{f"{parent_column}__in": parent_ids}).annotate(_rn=RawSQL(window))
        numbered._choose_db_if_not_chosen()
        numbered._make_query()
        inner_sql, params = numbered.query.get_parameterized_sql()
        db = numbered._db
    limit_param = f"${len(params) + 1}" if db.capabilities.dialect == "postgres" else "?"
    parent_db_column = getattr(meta.fields_map[parent_column], "source_field", None) or parent_column
    sql = (
        f'SELECT * FROM ({inner_sql}) AS numbered WHERE numbered."_rn" <= {limit_param}'
        f' ORDER BY numbered."{parent_db_column}", numbered."_rn"'
    )
    by_parent: dict[int, list[M]] = {pk: [] for pk in parent_ids}
    for row in await fetch_instances(db, model, sql, [*params, size + 1], _ROW_NUMBER):
        by_parent[getattr(row, parent_column)].append(row)
    pages = {}
    for pk, rows in by_parent.items():
        more = len(rows) > size
        rows = rows[:size]
        keys_ = [(_value(row, order.key), row.pk) for row in rows]
        pages[pk] = Page(rows=rows, keys=keys_, has_next=more, has_previous=False, order=order)
    return pages


async def count_by_parent(listing: Listing[M], parent_column: str, parent_ids: list[int]) -> dict[int, int]:
    """`totalCount` of a nested connection for every parent, in one statement."""
    rows = await (
        listing.queryset.filter(**{f"{parent_column}__in": parent_ids})
        .annotate(_n=Count("id"))
        .group_by(parent_column)
        .values(parent_column, "_n")
    )
    counts = {pk: 0 for pk in parent_ids}
    counts.update({row[parent_column]: row["_n"] for row in rows})
    return counts
