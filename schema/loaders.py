"""Every DataLoader of a request, in one place (see schema/README.md, "Reading related records").

A field that reads related rows asks a loader, so a page of 100 objects costs one query per
relation, not one per object. Loaders are made per request (their cache is the request's) and
lazily, keyed by (model, column):

- `visible(Model)`: rows by primary key, through the caller's visibility (`resolvers/scope`);
  a row the caller may not see loads as None, exactly like a missing one.
- `children(Model, column)`: rows grouped by a foreign key, in id order, for a parent the
  caller could already see (stage history, documents, status events...).
- `one(Model, column)`: at most one row per key of a unique column (an application's details).

`ready(awaitable)` lets a sync field return a cached value without an await: when a list
resolver primed the loader (`prime_rows`, `prime_many`), nested fields resolve without
scheduling tasks.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Awaitable, Callable, Hashable, Iterable, Sequence
from typing import Any, TypeVar

from strawberry.dataloader import DataLoader, DefaultCache
from tortoise.models import Model

from models.batch import rows_in
from resolvers.page_memo import rows_by
from resolvers.scope import visible_rows_in
from rules.access import Actor

M = TypeVar("M", bound=Model)
T = TypeVar("T")


class _PrimedLazily(DefaultCache[Any, Any]):
    """A loader's cache that also holds whole pages of rows given by `PageLoader.prime_rows`,
    made into done futures only for the keys looked up (most primed rows never are)."""

    def __init__(self, loader: DataLoader[Any, Any]) -> None:
        super().__init__()
        self._loader = loader
        self._pages: list[Sequence[Any]] = []
        self._rows: dict[Any, Any] = {}

    def get(self, key: Any) -> asyncio.Future[Any] | None:
        future = self.cache_map.get(key)
        if future is not None or not (self._pages or self._rows):
            return future
        if self._pages:  # first primed first, as DataLoader.prime_many keeps the first value
            rows = self._rows
            for page in self._pages:
                for row in page:
                    rows.setdefault(row.pk, row)
            self._pages.clear()
        row = self._rows.pop(key, _NO_ROW)
        if row is _NO_ROW:
            return None
        future = self.cache_map[key] = self._loader.loop.create_future()
        future.set_result(row)
        return future

    def delete(self, key: Any) -> None:
        self.cache_map.pop(key, None)

    def clear(self) -> None:
        super().clear()
        self._pages.clear()
        self._rows.clear()


_NO_ROW = object()


class PageLoader(DataLoader[Any, Any]):
    """strawberry's DataLoader, with `load_many` that calls the batch function at once for the
    keys not yet loaded or loading, instead of a future, a batch entry and a gather per key
    and a task for the batch (a page primes hundreds of keys; that machinery cost more than
    the rows). `load` batches across fields as before. A key another caller is loading is
    awaited, not loaded twice; a failed or cancelled load leaves no stale entry behind.

    `prime_rows(rows)` primes a page of rows by their keys, as `prime_many({row.pk: row})`
    would, without a future per row until a key is looked up."""

    def __init__(self, load_fn: Callable[[list[Any]], Awaitable[Sequence[Any]]]) -> None:
        super().__init__(load_fn)
        self.cache_map: _PrimedLazily = _PrimedLazily(self)

    def prime_rows(self, rows: Sequence[Any]) -> None:
        if self.batch is not None and not self.batch.dispatched and self.batch.tasks:
            self.prime_many({row.pk: row for row in rows})  # settles the keys waiting for this batch
        elif rows:
            self.cache_map._pages.append(rows)

    async def load_many(self, keys: Iterable[Any]) -> list[Any]:  # type: ignore[override]
        keys = list(keys)
        cache = self.cache_map
        mine: list[tuple[Any, asyncio.Future[Any]]] = []
        for key in keys:
            future = cache.get(key)
            if future is None or future.cancelled():
                future = self.loop.create_future()
                cache.set(key, future)
                mine.append((key, future))
        if mine:
            try:
                values = list(await self.load_fn([key for key, _ in mine]))
                if len(values) != len(mine):
                    raise ValueError(f"batch returned {len(values)} values for {len(mine)} keys")
            except BaseException:
                for key, future in mine:
                    cache.delete(key)
                    if not future.done():
                        future.cancel()  # others awaiting it see a cancelled load, not a hang
                raise
            for (_key, future), value in zip(mine, values, strict=True):
                if isinstance(value, BaseException):
                    future.set_exception(value)
                else:
                    future.set_result(value)
        out = []
        for key in keys:
            future = cache.get(key)
            if future is not None and future.done() and not future.cancelled():
                out.append(future.result())
            else:
                out.append(await self.load(key))
        return out

class Loaders:
    """The request's loaders; made on first use."""

    def __init__(self, actor: Actor | None) -> None:
        self._actor = actor
        self._loaders: dict[Hashable, PageLoader] = {}

    def _get(self, key: Hashable, batch: Callable[[Sequence[Any]], Awaitable[list[Any]]]) -> PageLoader:
        loader = self._loaders.get(key)
        if loader is None:
            loader = self._loaders[key] = PageLoader(batch)
        return loader

    def visible(self, model: type[M]) -> PageLoader:
        found = self._loaders.get(("visible", model))
        if found is not None:
            return found
        actor = self._actor

        async def batch(keys: Sequence[int]) -> list[M | None]:
            if actor is None:
                return [None] * len(keys)
            rows = {row.pk: row for row in await visible_rows_in(model, actor, model._meta.pk_attr, keys)}
            return [rows.get(k) for k in keys]

        return self._get(("visible", model), batch)

    def children(self, model: type[M], column: str, order: str = "id") -> DataLoader[int, list[M]]:
        ordering = (order,) if order == "id" else (order, "id")

        async def batch(keys: Sequence[int]) -> list[list[M]]:
            groups: dict[int, list[M]] = defaultdict(list)
            for row in await rows_in(model, column, keys, ordering):
                groups[getattr(row, column)].append(row)
            return [groups.get(k, []) for k in keys]

        return self._get(("children", model, column, order), batch)

    def one(self, model: type[M], column: str) -> DataLoader[int, M | None]:
        async def batch(keys: Sequence[int]) -> list[M | None]:
            return await rows_by(model, column, keys)  # shared with a page's review (page_memo)

        return self._get(("one", model, column), batch)

    def custom(self, name: Hashable, batch: Callable[[Sequence[Any]], Awaitable[list[Any]]]) -> DataLoader[Any, Any]:
        """A loader with its own batch function (computed fields: fees, capacity, counts...)."""
        return self._get(("custom", name), batch)


def ready(loader: DataLoader[Any, T], key: Any) -> T | asyncio.Future[T]:
    """The loaded value if it is already there (no task, no await), else the pending future.

    Tell the two apart with `pending(value)`, not `isinstance(value, Awaitable)`: a Tortoise
    row is awaitable itself (`Model.__await__`), so that test sends every loaded row down the
    slow path (a coroutine and a task per row and field)."""
    future = loader.cache_map.get(key)
    if future is not None and future.done() and not future.cancelled() and future.exception() is None:
        return future.result()
    return loader.load(key)  # type: ignore[return-value]  # strawberry's DataLoader: an asyncio.Future


def pending(value: Any) -> bool:
    """Whether `ready(...)` gave a value still to be awaited."""
    return isinstance(value, asyncio.Future)


def then(value: Any, fn: Callable[[Any], Any]) -> Any:
    """`fn(value)` at once when `ready(...)` gave a loaded value, else an awaitable of it."""
    if pending(value):
        return _then(value, fn)
    return fn(value)


async def _then(value: Awaitable[Any], fn: Callable[[Any], Any]) -> Any:
    return fn(await value)


def load_view(view: Any, loader: DataLoader[Any, Any], key: Any) -> Any:
    """The view (`view.from_row`) of the row `loader` gives for `key`: at once when the row is
    already loaded, else an awaitable; None when there is no key or no row the caller may see."""
    if key is None:
        return None
    loaded = ready(loader, key)
    if pending(loaded):
        return _later(view, loaded)
    return None if loaded is None else view.from_row(loaded)


def load_views(view: Any, loader: DataLoader[Any, list[Any]], key: Any) -> Any:
    """Like `load_view` for a loader that gives a list of rows per key."""
    loaded = ready(loader, key)
    if pending(loaded):
        return _later_list(view, loaded)
    return [view.from_row(row) for row in loaded]


async def _later(view: Any, loaded: Awaitable[Any]) -> Any:
    row = await loaded
    return None if row is None else view.from_row(row)


async def _later_list(view: Any, loaded: Awaitable[list[Any]]) -> list[Any]:
    return [view.from_row(row) for row in await loaded]
