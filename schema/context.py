"""The per-request context: who is calling, in which language, and fresh DataLoaders."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from starlette.requests import Request
from starlette.websockets import WebSocket
from strawberry.dataloader import DataLoader

from models.applications import ApplicationDocument, StageEvent
from models.licensing import LicenseApplication
from models.parties import DataCenter, Miner, Pool
from resolvers.calendar import load_calendar
from rules.access import Actor
from rules.calendar import WorkCalendar
from rules.errors import DomainError, ErrorCode
from settings import Settings


async def _by_id(model: type, keys: Sequence[int]) -> list:
    rows = {row.pk: row for row in await model.filter(pk__in=list(keys))}
    return [rows.get(k) for k in keys]


async def _one_by(model: type, column: str, keys: Sequence[int]) -> list:
    """At most one row per key of a unique column (e.g. an application's details row)."""
    rows = {getattr(row, column): row for row in await model.filter(**{f"{column}__in": list(keys)})}
    return [rows.get(k) for k in keys]


async def _many_by(model: type, column: str, keys: Sequence[int]) -> list[list]:
    """Rows grouped by a foreign-key column, each group in id order."""
    groups: dict[int, list] = defaultdict(list)
    for row in await model.filter(**{f"{column}__in": list(keys)}).order_by("id"):
        groups[getattr(row, column)].append(row)
    return [groups.get(k, []) for k in keys]


async def _data_centers_by_miner(keys: Sequence[int]) -> list[list[DataCenter]]:
    return await _many_by(DataCenter, "miner_id", keys)


@dataclass
class Loaders:
    miner: DataLoader[int, Miner | None] = field(
        default_factory=lambda: DataLoader(lambda keys: _by_id(Miner, keys))
    )
    pool: DataLoader[int, Pool | None] = field(
        default_factory=lambda: DataLoader(lambda keys: _by_id(Pool, keys))
    )
    data_centers_by_miner: DataLoader[int, list[DataCenter]] = field(
        default_factory=lambda: DataLoader(_data_centers_by_miner)
    )
    stage_events: DataLoader[int, list[StageEvent]] = field(
        default_factory=lambda: DataLoader(lambda keys: _many_by(StageEvent, "application_id", keys))
    )
    documents: DataLoader[int, list[ApplicationDocument]] = field(
        default_factory=lambda: DataLoader(
            lambda keys: _many_by(ApplicationDocument, "application_id", keys)
        )
    )
    license_details: DataLoader[int, LicenseApplication | None] = field(
        default_factory=lambda: DataLoader(
            lambda keys: _one_by(LicenseApplication, "application_id", keys)
        )
    )


@dataclass
class Context:
    request: Request | WebSocket
    settings: Settings
    actor: Actor | None
    language: str
    loaders: Loaders = field(default_factory=Loaders)
    _calendar: WorkCalendar | None = None

    async def calendar(self) -> WorkCalendar:
        """The working-day calendar, loaded once per request."""
        if self._calendar is None:
            self._calendar = await load_calendar()
        return self._calendar

    @property
    def user(self) -> Actor:
        """The authenticated caller; every non-public field goes through here."""
        if self.actor is None:
            raise DomainError(ErrorCode.UNAUTHENTICATED)
        return self.actor
