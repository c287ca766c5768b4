"""Keyset pagination over the primary key: stable cursors, no OFFSET scans on big tables."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

from tortoise.models import Model
from tortoise.queryset import QuerySet

from rules.errors import DomainError, ErrorCode

M = TypeVar("M", bound=Model)

DEFAULT_PAGE = 20
MAX_PAGE = 100


@dataclass
class Page(Generic[M]):
    items: list[M]
    has_next: bool
    has_previous: bool
    total: int


async def paginate(
    queryset: QuerySet[M],
    *,
    first: int | None = None,
    after: int | None = None,
    last: int | None = None,
    before: int | None = None,
) -> Page[M]:
    if first is not None and last is not None:
        raise DomainError(ErrorCode.VALIDATION, field="first/last", detail="give first or last")
    for name, value in (("first", first), ("last", last)):
        if value is not None and not 0 <= value <= MAX_PAGE:
            raise DomainError(ErrorCode.VALIDATION, field=name, detail=f"0..{MAX_PAGE}")
    total = await queryset.count()
    window = queryset
    if after is not None:
        window = window.filter(id__gt=after)
    if before is not None:
        window = window.filter(id__lt=before)
    if last is not None:
        rows = list(await window.order_by("-id").limit(last + 1))
        has_previous = len(rows) > last
        items = list(reversed(rows[:last]))
        return Page(items, has_next=before is not None, has_previous=has_previous, total=total)
    size = DEFAULT_PAGE if first is None else first
    rows = list(await window.order_by("id").limit(size + 1))
    return Page(rows[:size], has_next=len(rows) > size, has_previous=after is not None, total=total)
