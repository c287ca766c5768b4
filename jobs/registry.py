"""What the jobs do, registered by the procedures (so jobs/ needs no knowledge of them).

- Outbox handlers: topic -> coroutine(event payload, ctx). Unregistered topics are simply
  marked delivered (their consumers, e.g. partner subscriptions, read the outbox table).
- Overdue checkers: coroutine(now, calendar) -> number of rows newly flagged overdue.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

from rules.calendar import WorkCalendar

OutboxHandler = Callable[[dict[str, Any], dict[str, Any]], Awaitable[None]]
OverdueChecker = Callable[[datetime, WorkCalendar], Awaitable[int]]

OUTBOX_HANDLERS: dict[str, OutboxHandler] = {}
OVERDUE_CHECKERS: dict[str, OverdueChecker] = {}


def outbox_handler(topic: str) -> Callable[[OutboxHandler], OutboxHandler]:
    def register(fn: OutboxHandler) -> OutboxHandler:
        OUTBOX_HANDLERS[topic] = fn
        return fn

    return register


def overdue_checker(name: str) -> Callable[[OverdueChecker], OverdueChecker]:
    def register(fn: OverdueChecker) -> OverdueChecker:
        OVERDUE_CHECKERS[name] = fn
        return fn

    return register
