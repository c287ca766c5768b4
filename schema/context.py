"""The per-request context: who is calling, in which language, the request's DataLoaders and its
working-day calendar (loaded once per request, safe under concurrent resolvers)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from starlette.requests import Request
from starlette.websockets import WebSocket

from resolvers.calendar import load_calendar
from rules.access import Actor
from rules.calendar import WorkCalendar
from rules.errors import DomainError, ErrorCode
from schema.loaders import Loaders
from settings import Settings


@dataclass
class Context:
    request: Request | WebSocket | None
    settings: Settings
    actor: Actor | None
    language: str = "ru"
    # Websockets: the connection_init payload, and the token it carried (when the handshake had none).
    connection_params: Any = None
    ws_token: str | None = None
    # The process's live event feed (resolvers/event_feed.py), for subscriptions.
    event_feed: Any = None
    # Its live notifications (resolvers/notification_feed.py), for the `notifications` subscription.
    notification_feed: Any = None
    loaders: Loaders = field(init=False)
    # The request's one "now": fields and filters of one response judge time alike (a list
    # filtered on `overdue` shows `overdue: true` on every row, whatever the clock did since).
    now: datetime = field(default_factory=lambda: datetime.now(UTC), init=False)
    _calendar: asyncio.Future[WorkCalendar] | None = field(default=None, init=False, repr=False)

    def __post_init__(self) -> None:
        self.loaders = Loaders(self.actor)

    @property
    def user(self) -> Actor:
        """The authenticated caller; UNAUTHENTICATED (a top-level error) otherwise."""
        if self.actor is None:
            raise DomainError(ErrorCode.UNAUTHENTICATED)
        return self.actor

    def calendar(self) -> asyncio.Future[WorkCalendar]:
        """The calendar with the decree overrides, loaded by the first resolver that asks; the
        others await the same future, so concurrent resolvers cost one query."""
        if self._calendar is None:
            self._calendar = asyncio.ensure_future(load_calendar())
        return self._calendar
