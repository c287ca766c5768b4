"""Reads shared by the batches that load one page at the same moment.

A page of applications loads its fields' relations (schema/types/applications.prime_page) and
the review of the same applications (`review_of`: completeness and findings) at once; both need
the procedure details, the licence applications' data centers and the MRP rates. Inside
`page_memo()` the batch functions below read each of those once for the page: the first caller
starts the read, the others await the same future. Outside it (mutations, single reads, jobs)
every call reads the database itself, so nothing is ever served stale across a write.

The memo lives in a ContextVar set for the duration of the page's loading only: the tasks and
DataLoader batches started meanwhile copy it, and it is reset when the page is loaded.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Hashable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, TypeVar

from tortoise.models import Model

from models.batch import rows_in

__all__ = ["many", "once", "page_memo", "rows_by"]

T = TypeVar("T")
M = TypeVar("M", bound=Model)

_MEMO: ContextVar[dict[Hashable, asyncio.Future[Any]] | None] = ContextVar("page_memo", default=None)


@contextmanager
def page_memo() -> Iterator[None]:
    """Share the reads below between everything started inside the block."""
    token = _MEMO.set({})
    try:
        yield
    finally:
        _MEMO.reset(token)


async def once(key: Hashable, load: Callable[[], Awaitable[T]]) -> T:
    """`await load()`, once per page for `key`."""
    memo = _MEMO.get()
    if memo is None:
        return await load()
    future = memo.get(key)
    if future is None:
        future = memo[key] = asyncio.ensure_future(load())
    return await future  # type: ignore[no-any-return]


async def many(name: Hashable, keys: Sequence[Any], load: Callable[[list[Any]], Awaitable[dict[Any, Any]]],
               default: Any = None) -> list[Any]:
    """The values of `keys` from `load(keys) -> {key: value}`, reading only the keys no batch of
    the page has read (or is reading) yet."""
    memo = _MEMO.get()
    if memo is None:
        found = await load(list(keys))
        return [found.get(k, default) for k in keys]
    missing = [k for k in dict.fromkeys(keys) if (name, k) not in memo]
    if missing:
        batch = asyncio.ensure_future(load(missing))
        for k in missing:
            memo[(name, k)] = batch
    out = []
    for k in keys:
        out.append((await memo[(name, k)]).get(k, default))
    return out


async def rows_by(model: type[M], column: str, keys: Sequence[Any]) -> list[M | None]:
    """The row whose unique `column` is each key (None where there is none), in key order."""

    async def load(wanted: list[Any]) -> dict[Any, M]:
        return {getattr(row, column): row for row in await rows_in(model, column, wanted)}

    return await many(("rows-by", model, column), keys, load)
