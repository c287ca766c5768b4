"""Relay in this API: strawberry's own `Node`/`GlobalID`, and one connection type for every list.

A list field is declared with `connection(...)`; its resolver returns a `Listing` (rows the
caller may see, in the order asked for, see resolvers/listing.py) plus how to turn a row into
its GraphQL view. The extension reads one keyset page (`first`/`after` or `last`/`before`, at
most 100), and `totalCount` runs its COUNT only when the client selects it.

Cursors are opaque: base64 of the row's sort value and id, so paging a sorted list stays
O(page) and a cursor from another sort order is refused (INVALID_ID), not misread.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import json
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, ClassVar, Generic, TypeVar

import strawberry
from graphql import Undefined
from strawberry import relay
from strawberry.annotation import StrawberryAnnotation
from strawberry.extensions import FieldExtension
from strawberry.types.arguments import StrawberryArgument
from strawberry.types.base import StrawberryOptional
from strawberry.types.field import StrawberryField
from strawberry.types.lazy_type import LazyType

from resolvers.listing import (
    BY_ID,
    DEFAULT_PAGE,
    MAX_PAGE,
    Listing,
    Order,
    Page,
    SortKey,
    check_page_size,
    count_by_parent,
    fetch_first_pages,
    fetch_page,
)
from rules.errors import DomainError, ErrorCode
from rules.limits import DATE_MAX, DATE_MIN, text_problem
from schema.enums import OrderDirection
from schema.ids import MAX_PK, parse_pk
from schema.loaders import pending, ready
from schema.selection import argument_values, fields_of, node_fields

__all__ = ["Connection", "RowNode", "Rows", "Timestamped", "connection", "order_of"]

T = TypeVar("T")
V = TypeVar("V")


@strawberry.interface(description="A record's own timestamps (UTC instants).")
class Timestamped:
    created_at: datetime = strawberry.field(description="When the record was created (UTC).")
    updated_at: datetime = strawberry.field(description="When the record last changed (UTC).")


# -- cursors ------------------------------------------------------------------------------------

_CURSOR_MAX = 600


def encode_cursor(order: Order, key: tuple[Any, int]) -> str:
    if order.key is BY_ID:  # the commonest cursor, without the JSON encoder (same text)
        raw = f'["id",{key[1]},{key[1]}]'
    else:
        raw = json.dumps([order.key.column, order.key.encode(key[0]), key[1]], separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _storable(value: Any) -> Any:
    """A cursor's sort value that the database can compare with (ValueError otherwise): a key
    or an instant within the bounds every input has (rules/limits.py), proper Unicode text."""
    if isinstance(value, int) and not 0 < value <= MAX_PK:
        raise ValueError("not a key")
    if isinstance(value, date) and not DATE_MIN <= (value.date() if isinstance(value, datetime) else value) <= DATE_MAX:
        raise ValueError("date out of range")
    if isinstance(value, str) and text_problem(value):
        raise ValueError("not storable text")
    return value


def decode_cursor(order: Order, cursor: str | None, argument: str) -> tuple[Any, int] | None:
    if cursor is None:
        return None
    try:
        if len(cursor) > _CURSOR_MAX or not cursor.isascii():
            raise ValueError("too long")
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        column, value, pk = json.loads(raw)
        if column != order.key.column or type(pk) is not int or not 0 < pk <= MAX_PK:
            raise ValueError("cursor of another list or order")
        return _storable(order.key.decode(value)), pk
    except (ValueError, TypeError, binascii.Error, UnicodeError, json.JSONDecodeError) as exc:
        raise DomainError(ErrorCode.INVALID_ID, field=argument, detail="not a cursor of this list in this order") from exc


# -- the connection type ------------------------------------------------------------------------


@strawberry.type(name="Connection", description="A page of a list, with cursors to the next and previous pages.")
class Connection(relay.Connection[relay.NodeType]):
    _count: strawberry.Private[Callable[[], Any] | None] = None

    @strawberry.field(description="How many records the whole list has (all pages). Counted only when asked.")
    def total_count(self) -> int:
        # The count itself, or an awaitable of it (graphql-core awaits it).
        return self._count() if self._count else len(self.edges)


@dataclass
class Rows(Generic[V]):
    """What a list resolver returns: the listing and how a row becomes its view. `prepare`
    (optional) runs once per page before the views are built, e.g. to prime DataLoaders.

    A nested list (`Miner.dataCenters`) has a sync resolver that gives `parent=(column, parent
    id)` and a listing *without* the parent filter, as a factory (`lambda: list_...(actor)`):
    the first pages of all parents on a page are read together, in one statement whatever the
    number of parents, when the parent's page is read (see `prefetch_nested`); the nested
    field then answers at once, without a task per parent."""

    listing: Listing[Any] | Callable[[], Listing[Any]]
    view: Callable[[Any], V]
    prepare: Callable[[Sequence[Any]], Awaitable[None]] | None = None
    parent: tuple[str, int] | None = None

    def get_listing(self) -> Listing[Any]:
        return self.listing if isinstance(self.listing, Listing) else self.listing()


def _argument(name: str, annotation: Any, description: str) -> StrawberryArgument:
    return StrawberryArgument(
        python_name=name,
        graphql_name=None,
        type_annotation=StrawberryAnnotation(annotation),
        description=description,
        default=None,
    )


class RowsConnection(FieldExtension):
    """Adds first/after/last/before to a field whose resolver returns `Rows`, and reads the page."""

    connection_type: type[Connection[Any]]

    def apply(self, field: StrawberryField) -> None:
        field.arguments = [
            *field.arguments,
            _argument("first", int | None, f"Page size forward (0 to {MAX_PAGE}; default 20)."),
            _argument("after", str | None, "Read the page after this cursor (`pageInfo.endCursor`)."),
            _argument("last", int | None, f"Page size backward (0 to {MAX_PAGE}), with `before`."),
            _argument("before", str | None, "Read the page before this cursor (`pageInfo.startCursor`)."),
        ]
        f_type = field.type
        if isinstance(f_type, StrawberryOptional):
            f_type = f_type.of_type
        if isinstance(f_type, LazyType):  # a connection type of another module (import cycles)
            f_type = f_type.resolve_type()
        self.connection_type = f_type  # type: ignore[assignment]

    def resolve(
        self,
        next_: Callable[..., Rows[Any]],
        source: Any,
        info: strawberry.Info,
        *,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
        **kwargs: Any,
    ) -> Any:
        """A sync resolver (a nested list): the parent's first page at once when it is loaded
        (the page of parents primed it), else an awaitable of it."""
        rows = next_(source, info, **kwargs)
        if rows.parent is None or after is not None or before is not None or last is not None:
            return self._page(info, rows, first, after, last, before)
        check_page_size(first, last)
        nested = _Nested(info.context.loaders, info.path.typename, info.field_name, kwargs, first, rows)
        page = ready(nested.pages(), rows.parent[1])
        if pending(page):
            return self._later(info, rows, page, nested.count_of(rows.parent[1]))
        return self._connection(info, rows, page, nested.count_of(rows.parent[1]), prepared=True)

    async def resolve_async(
        self,
        next_: Callable[..., Awaitable[Rows[Any]]],
        source: Any,
        info: strawberry.Info,
        *,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
        **kwargs: Any,
    ) -> Any:
        rows = await next_(source, info, **kwargs)
        if rows.parent is not None and after is None and before is None and last is None:
            check_page_size(first, last)
            nested = _Nested(info.context.loaders, info.path.typename, info.field_name, kwargs, first, rows)
            page = await nested.pages().load(rows.parent[1])
            return self._connection(info, rows, page, nested.count_of(rows.parent[1]), prepared=True)
        return await self._page(info, rows, first, after, last, before)

    async def _page(
        self, info: strawberry.Info, rows: Rows[Any], first: int | None, after: str | None, last: int | None,
        before: str | None,
    ) -> Any:
        """One page read on its own (a root list, or a nested one paged with a cursor)."""
        listing = rows.get_listing()
        order = listing.order
        if rows.parent is not None:
            column, parent_id = rows.parent
            listing = Listing(listing.queryset.filter(**{column: parent_id}), order)
        page = await fetch_page(
            listing,
            first=first,
            after=decode_cursor(order, after, "after"),
            last=last,
            before=decode_cursor(order, before, "before"),
        )
        if page.rows and rows.prepare is not None:
            await rows.prepare(page.rows)
        connection = self._connection(info, rows, page, listing.count, order=order)
        await prefetch_nested(info, rows.view, [edge.node for edge in connection.edges])
        return connection

    async def _later(self, info: strawberry.Info, rows: Rows[Any], page: Awaitable[Page[Any]], count: Any) -> Any:
        return self._connection(info, rows, await page, count, prepared=True)

    def _connection(
        self, info: strawberry.Info, rows: Rows[Any], page: Page[Any], count: Callable[[], Any],
        *, prepared: bool = False, order: Order | None = None, primed: bool = False,
    ) -> Any:
        if page.rows and not primed:
            # Every list is filtered by visibility: its rows may answer later lookups of the
            # same records (a data center's `miner` on a page of miners) without a query.
            info.context.loaders.visible(type(page.rows[0])).prime_rows(page.rows)
        order = order or page.order
        view = rows.view
        edges = [_Edge(view(row), order, key) for row, key in zip(page.rows, page.keys, strict=True)]
        return self.connection_type(edges=edges, page_info=_PageInfo(edges, page), _count=count)  # type: ignore[arg-type]


class _Edge:
    """A connection's edge (relay's `Edge` type: `cursor`, `node`) whose cursor is encoded only
    when read: most queries select only the nodes."""

    __slots__ = ("_cursor", "_key", "_order", "node")

    def __init__(self, node: Any, order: Order, key: tuple[Any, int]) -> None:
        self.node = node
        self._order = order
        self._key = key
        self._cursor: str | None = None

    @property
    def cursor(self) -> str:
        if self._cursor is None:
            self._cursor = encode_cursor(self._order, self._key)
        return self._cursor


class _PageInfo:
    """relay's `PageInfo` of a page, its cursors those of its first and last edges (when read)."""

    __slots__ = ("_edges", "has_next_page", "has_previous_page")

    def __init__(self, edges: list[_Edge], page: Page[Any]) -> None:
        self._edges = edges
        self.has_next_page = page.has_next
        self.has_previous_page = page.has_previous

    @property
    def start_cursor(self) -> str | None:
        return self._edges[0].cursor if self._edges else None

    @property
    def end_cursor(self) -> str | None:
        return self._edges[-1].cursor if self._edges else None


class _Nested:
    """The loaders of one nested list (field of a parent type, with the same arguments and page
    size): every parent's first page, and every parent's count, each in one statement."""

    def __init__(
        self, loaders: Any, typename: str, field: str, arguments: dict[str, Any], first: int | None, rows: Rows[Any]
    ) -> None:
        self.loaders = loaders
        self.size = DEFAULT_PAGE if first is None else first
        self.shape = (typename, field, repr(sorted(arguments.items())), self.size)
        self.rows = rows

    def pages(self) -> Any:
        rows, size = self.rows, self.size
        column = rows.parent[0]  # type: ignore[index]

        async def batch(parent_ids: Sequence[int]) -> list[Page[Any]]:
            listing = rows.get_listing()  # built once per nested list, not once per parent
            found = await fetch_first_pages(listing, column, list(parent_ids), size)
            if rows.prepare is not None:
                every = [row for page in found.values() for row in page.rows]
                if every:
                    await rows.prepare(every)
            return [found[pk] for pk in parent_ids]

        return self.loaders.custom(("first-page", *self.shape), batch)

    def counts(self) -> Any:
        """Every parent's count, in one statement."""
        rows = self.rows
        column = rows.parent[0]  # type: ignore[index]

        async def batch(parent_ids: Sequence[int]) -> list[int]:
            found = await count_by_parent(rows.get_listing(), column, list(parent_ids))
            return [found[pk] for pk in parent_ids]

        return self.loaders.custom(("count", *self.shape), batch)

    def count_of(self, parent_id: int) -> Callable[[], Any]:
        """The parent's count (its loader made when a count is asked for)."""
        return lambda: ready(self.counts(), parent_id)


# -- looking ahead: a page primes the nested lists its query selects -------------------------------

_PAGING = {"first", "after", "last", "before"}
PAGING_ARGUMENTS = frozenset(_PAGING)


def _nested_fields(view_cls: type, name_converter: Any) -> dict[str, Any]:
    """GraphQL name -> the StrawberryField of each nested list of `view_cls` (sync resolvers)."""
    found = getattr(view_cls, "__nested_lists__", None)
    if found is None:
        found = {}
        definition = getattr(view_cls, "__strawberry_definition__", None)
        for field in definition.fields if definition else ():
            resolver = field.base_resolver
            if resolver is None or resolver.is_async:
                continue
            if any(isinstance(e, RowsConnection) for e in field.extensions):
                found[name_converter.get_graphql_name(field)] = field
        view_cls.__nested_lists__ = found  # type: ignore[attr-defined]
    return found


async def prefetch_nested(info: strawberry.Info, view: Any, views: Sequence[Any]) -> None:
    """Read, once for the page, the first pages (and counts) of the nested lists the query
    selects on its nodes (`views`: the page's nodes, made by `view`), so each node's nested
    list answers without a task of its own."""
    view_cls = getattr(view, "__self__", None)
    if not views or view_cls is None:
        return
    nested = _nested_fields(view_cls, info.schema.config.name_converter)
    if not nested:
        return
    typename = view_cls.__strawberry_definition__.name
    loads = []
    ready_lists: list[tuple[RowsConnection, str, int | None, _Nested, list[Rows[Any]]]] = []
    raw = info._raw_info
    for selected in node_fields(info):
        name = selected.name.value
        field = nested.get(name)
        if field is None or {a.name.value for a in selected.arguments or ()} - _PAGING:
            continue
        arguments = argument_values(selected, raw.variable_values)
        if any(arguments.get(k, Undefined) not in (None, Undefined) for k in ("after", "last", "before")):
            continue
        first = arguments.get("first")
        if first is Undefined:
            first = None
        if first is not None and (type(first) is not int or not 0 <= first <= MAX_PAGE):
            continue  # the field itself refuses it, with its own error
        specs = [field.base_resolver.wrapped_func(v, info) for v in views]
        if not specs or specs[0].parent is None or specs[0].prepare is not None:
            continue  # a list with its own priming needs its own field's selection: it loads lazily
        lists = _Nested(info.context.loaders, typename, name, {}, first, specs[0])
        parent_ids = [spec.parent[1] for spec in specs]
        loads.append(lists.pages().load_many(parent_ids))
        extension = next(e for e in field.extensions if isinstance(e, RowsConnection))
        ready_lists.append((extension, name, first, lists, specs))
        if any(s.name.value == "totalCount" for s in fields_of(selected.selection_set, raw.fragments)):
            loads.append(lists.counts().load_many(parent_ids))
    if len(loads) == 1:
        await loads[0]  # without a task of its own
    elif loads:
        await asyncio.gather(*loads)
    # Each node's nested connection made now, for the page at once: the field finds it ready.
    for extension, name, first, lists, specs in ready_lists:
        pages = lists.pages()
        every: list[Any] = []
        for node, spec in zip(views, specs, strict=True):
            page = ready(pages, spec.parent[1])  # type: ignore[index]
            attributes = getattr(node, "__dict__", None)
            if attributes is not None and not pending(page):
                every += page.rows
                connection = extension._connection(info, spec, page, lists.count_of(spec.parent[1]),  # type: ignore[index]
                                                   prepared=True, primed=True)
                attributes.setdefault(_PREFETCHED, {})[(name, first)] = connection
        if every:  # as each connection would, for all of them at once
            info.context.loaders.visible(type(every[0])).prime_rows(every)


_PREFETCHED = "_prefetched_connections"


def prefetched(node: Any, field_name: str, first: int | None) -> Any:
    """The connection `prefetch_nested` made for `node`'s nested list `field_name` at page size
    `first` (its first page), or None."""
    found = getattr(node, "__dict__", {}).get(_PREFETCHED)
    return None if found is None else found.get((field_name, first))


def connection(description: str, **kwargs: Any) -> Any:
    """A list field: the resolver returns `Rows`; clients get a keyset-paged Connection."""
    return strawberry.field(description=description, extensions=[RowsConnection(), *kwargs.pop("extensions", [])], **kwargs)


# -- nodes backed by a model ----------------------------------------------------------------------


class RowNode:
    """Mixin for a Node that is a view of one model row: `node(id:)` loads it through the
    caller's visibility (a row the caller may not see is null, like a missing one).

    Subclasses set `MODEL` and `from_row`; list it first: `class Miner(RowNode, relay.Node)`.
    """

    MODEL: ClassVar[type[Any]]

    @classmethod
    def from_row(cls, row: Any) -> Any:
        raise NotImplementedError

    @classmethod
    async def resolve_nodes(
        cls, *, info: strawberry.Info, node_ids: Iterable[str], required: bool = False
    ) -> list[Any]:
        keys = [parse_pk(str(i)) for i in node_ids]
        loader = info.context.loaders.visible(cls.MODEL)
        rows = await loader.load_many([k for k in keys if k is not None])
        found = iter(rows)
        views = [None if k is None else next(found) for k in keys]
        return [None if row is None else cls.from_row(row) for row in views]


def order_of(requested: Any, keys: dict[Any, SortKey], default: SortKey = BY_ID) -> Order:
    """The `Order` for a client's `{field, direction}` input (None: the list's default)."""
    if requested is None:
        return Order(default)
    return Order(keys[requested.field], descending=requested.direction is OrderDirection.DESC)
