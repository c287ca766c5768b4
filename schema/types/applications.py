"""Applications of every procedure as clients see them: one Node type on the shared engine,
built from rows (`from_row`), its links read through the request's loaders."""

from __future__ import annotations

from datetime import date, datetime
from typing import ClassVar

import strawberry
from strawberry import relay

from models import applications as m
from models import parties as pm
from rules.enums import Channel
from rules.workflow import ProcedureCode, Stage
from schema.loaders import load_view
from schema.relay import RowNode, Timestamped
from schema.types.parties import Miner

__all__ = ["Application"]


@strawberry.type(description="An application of any procedure (licensing, ASIC registry, pools) on the "
                 "one application engine: received, registered on a working day, checked for "
                 "completeness, reviewed, maybe heard, and decided. Applicants see only their own "
                 "organisation's; partner systems see none.")
class Application(RowNode, relay.Node, Timestamped):
    MODEL: ClassVar = m.Application

    id: relay.NodeID[int]
    procedure: ProcedureCode = strawberry.field(description="The service asked for.")
    stage: Stage = strawberry.field(description="Where the application is in the workflow now.")
    channel: Channel = strawberry.field(description="How it reached the authority.")
    incoming_number: str | None = strawberry.field(description="Incoming (registration) number, e.g. "
                                                   "`LIC-2025-000123`; set on registration.")
    received_at: datetime = strawberry.field(description="When it was received (UTC): the portal's "
                                             "time, or the time an officer recorded for a paper one.")
    registered_on: date | None = strawberry.field(description="The working day (Almaty) it was "
                                                  "registered on; every term runs from it [001 §5].")
    decided_at: datetime | None = strawberry.field(description="When it reached a final stage (UTC); "
                                                   "null while open.")
    _miner_id: strawberry.Private[int | None]

    @classmethod
    def from_row(cls, row: m.Application) -> Application:
        return cls(
            id=row.id, procedure=row.procedure, stage=row.stage, channel=row.channel,
            incoming_number=row.incoming_number, received_at=row.received_at,
            registered_on=row.registered_on, decided_at=row.decided_at,
            _miner_id=row.miner_id,  # type: ignore[attr-defined]
            created_at=row.created_at, updated_at=row.updated_at,
        )

    @strawberry.field(description="The applicant miner (licensing and registry applications); null for a "
                      "pool's application or a miner the caller may not see.")
    def miner(self, info: strawberry.Info) -> Miner | None:
        return load_view(Miner, info.context.loaders.visible(pm.Miner), self._miner_id)

