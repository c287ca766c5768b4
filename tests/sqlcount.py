"""Count the SQL statements a piece of code sends, on SQLite and PostgreSQL alike (and the asyncio
tasks it starts: a field that returns an awaitable costs a task per row)."""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
from collections.abc import Iterator

from tortoise.backends.base.client import BaseDBAsyncClient

_inside: contextvars.ContextVar[bool] = contextvars.ContextVar("inside_statement", default=False)
_METHODS = ("execute_query", "execute_query_dict", "execute_insert", "execute_many", "execute_script")


def _client_classes() -> list[type]:
    seen, todo = [], [BaseDBAsyncClient]
    while todo:
        cls = todo.pop()
        seen.append(cls)
        todo.extend(cls.__subclasses__())
    return seen


@contextlib.contextmanager
def count_statements() -> Iterator[list[str]]:
    """Every statement sent while inside, as its SQL text (one entry per call)."""
    sent: list[str] = []
    patched: list[tuple[type, str, object]] = []

    def wrap(original):  # type: ignore[no-untyped-def]
        async def counting(self, query, *args, **kwargs):  # type: ignore[no-untyped-def]
            if _inside.get():  # a client method calling another: one statement
                return await original(self, query, *args, **kwargs)
            sent.append(str(query))
            token = _inside.set(True)
            try:
                return await original(self, query, *args, **kwargs)
            finally:
                _inside.reset(token)

        counting.__wrapped_for_count__ = True  # type: ignore[attr-defined]
        return counting

    for cls in _client_classes():
        for name in _METHODS:
            original = cls.__dict__.get(name)
            if original is not None and not getattr(original, "__wrapped_for_count__", False):
                patched.append((cls, name, original))
                setattr(cls, name, wrap(original))
    try:
        yield sent
    finally:
        for cls, name, original in reversed(patched):
            setattr(cls, name, original)


@contextlib.contextmanager
def count_tasks() -> Iterator[list[str]]:
    """The asyncio tasks started while inside, by the name of their coroutine."""
    loop = asyncio.get_running_loop()
    previous = loop.get_task_factory()
    started: list[str] = []

    def factory(loop, coro, **kwargs):  # type: ignore[no-untyped-def]
        started.append(getattr(coro, "__qualname__", type(coro).__name__))
        return previous(loop, coro, **kwargs) if previous else asyncio.Task(coro, loop=loop, **kwargs)

    loop.set_task_factory(factory)
    try:
        yield started
    finally:
        loop.set_task_factory(previous)
