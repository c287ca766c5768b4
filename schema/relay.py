"""Relay in this API: strawberry's own `Node`/`GlobalID`, and one connection type for every list.

A list field is declared with `connection(...)`; its resolver returns a `Listing` (rows the
caller may see, in the order asked for, see resolvers/listing.py) plus how to turn a row into
its GraphQL view. The extension reads one keyset page (`first`/`after` or `last`/`before`, at
most 100), and `totalCount` runs its COUNT only when the client selects it.

Cursors are opaque: base64 of the row's sort value and id, so paging a sorted list stays
O(page) and a cursor from another sort order is refused (INVALID_ID), not misread.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar, Generic, TypeVar

import strawberry
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
from schema.enums import OrderDirection
from schema.ids import parse_pk

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
    raw = json.dumps([order.key.column, order.key.encode(key[0]), key[1]], separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(order: Order, cursor: str | None, argument: str) -> tuple[Any, int] | None:
    if cursor is None:
        return None
    try:
        if len(cursor) > _CURSOR_MAX or not cursor.isascii():
            raise ValueError("too long")
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        column, value, pk = json.loads(raw)
        if column != order.key.column or type(pk) is not int or not 0 < pk < 2**63:
            raise ValueError("cursor of another list or order")
        return order.key.decode(value), pk
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise DomainError(ErrorCode.INVALID_ID, field=argument, detail="not a cursor of this list in this order") from exc


# -- the connection type ------------------------------------------------------------------------


@strawberry.type(name="Connection", description="A page of a list, with cursors to the next and previous pages.")
class Connection(relay.Connection[relay.NodeType]):
    _count: strawberry.Private[Callable[[], Awaitable[int]] | None] = None

    @strawberry.field(description="How many records the whole list has (all pages). Counted only when asked.")
    async def total_count(self) -> int:
        return await self._count() if self._count else len(self.edges)


@dataclass
class Rows(Generic[V]):
    """What a list resolver returns: the listing and how a row becomes its view. `prepare`
    (optional) runs once per page before the views are built, e.g. to prime DataLoaders.

    A nested list (`Miner.dataCenters`) gives `parent=(column, parent id)` and a listing
    *without* the parent filter: the first pages of all parents on a page are then read
    together, in two statements whatever the number of parents."""

    listing: Listing[Any]
    view: Callable[[Any], V]
    prepare: Callable[[Sequence[Any]], Awaitable[None]] | None = None
    parent: tuple[str, int] | None = None


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

    def resolve(self, *args: Any, **kwargs: Any) -> Any:
        raise TypeError("connection resolvers are async")

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
        order = rows.listing.order
        count: Callable[[], Awaitable[int]] = rows.listing.count
        if rows.parent is not None and after is None and before is None and last is None:
            check_page_size(first, last)
            page, count = await _first_page_of_parent(rows, info, kwargs, DEFAULT_PAGE if first is None else first)
        else:
            listing = rows.listing
            if rows.parent is not None:
                column, parent_id = rows.parent
                listing = Listing(listing.queryset.filter(**{column: parent_id}), order)
                count = listing.count
            page = await fetch_page(
                listing,
                first=first,
                after=decode_cursor(order, after, "after"),
                last=last,
                before=decode_cursor(order, before, "before"),
            )
        if page.rows:
            # Every list is filtered by visibility: its rows may answer later lookups of the
            # same records (a data center's `miner` on a page of miners) without a query.
            info.context.loaders.visible(type(page.rows[0])).prime_many({row.pk: row for row in page.rows})
        if rows.prepare is not None and page.rows:
            await rows.prepare(page.rows)
        view = rows.view
        edge_cls = relay.Edge
        edges = [
            edge_cls(cursor=encode_cursor(order, key), node=view(row))
            for row, key in zip(page.rows, page.keys, strict=True)
        ]
        return self.connection_type(
            edges=edges,
            page_info=relay.PageInfo(
                has_next_page=page.has_next,
                has_previous_page=page.has_previous,
                start_cursor=edges[0].cursor if edges else None,
                end_cursor=edges[-1].cursor if edges else None,
            ),
            _count=count,
        )


async def _first_page_of_parent(
    rows: Rows[Any], info: strawberry.Info, arguments: dict[str, Any], size: int
) -> tuple[Page[Any], Callable[[], Awaitable[int]]]:
    """This parent's first page, read in one batch with every other parent's (DataLoader)."""
    column, parent_id = rows.parent  # type: ignore[misc]
    shape = (info.path.typename, info.field_name, repr(sorted(arguments.items())), size, rows.listing.order)
    listing = rows.listing

    async def pages(parent_ids: Sequence[int]) -> list[Page[Any]]:
        found = await fetch_first_pages(listing, column, list(parent_ids), size)
        return [found[pk] for pk in parent_ids]

    async def counts(parent_ids: Sequence[int]) -> list[int]:
        found = await count_by_parent(listing, column, list(parent_ids))
        return [found[pk] for pk in parent_ids]

    loaders = info.context.loaders
    page = await loaders.custom(("first-page", *shape), pages).load(parent_id)
    return page, lambda: loaders.custom(("count", *shape), counts).load(parent_id)


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
