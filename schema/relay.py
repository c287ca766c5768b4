"""Relay-style connections built from a resolver's keyset Page."""

from __future__ import annotations

from typing import Generic, TypeVar

import strawberry

from resolvers.pagination import Page
from schema.ids import from_cursor, to_cursor

T = TypeVar("T")


@strawberry.interface(description="An object with a global id, fetchable with `node(id:)`.")
class Node:
    id: strawberry.ID


@strawberry.type
class PageInfo:
    has_next_page: bool
    has_previous_page: bool
    start_cursor: str | None
    end_cursor: str | None


@strawberry.type
class Edge(Generic[T]):
    cursor: str
    node: T


@strawberry.type
class Connection(Generic[T]):
    edges: list[Edge[T]]
    page_info: PageInfo
    total_count: int

    @classmethod
    def from_page(cls, page: Page) -> Connection[T]:
        edges = [Edge(cursor=to_cursor(item.pk), node=item) for item in page.items]
        return cls(
            edges=edges,
            page_info=PageInfo(
                has_next_page=page.has_next,
                has_previous_page=page.has_previous,
                start_cursor=edges[0].cursor if edges else None,
                end_cursor=edges[-1].cursor if edges else None,
            ),
            total_count=page.total,
        )


def page_args(
    first: int | None, after: str | None, last: int | None, before: str | None
) -> dict[str, int | None]:
    return {
        "first": first,
        "after": from_cursor(after),
        "last": last,
        "before": from_cursor(before),
    }
