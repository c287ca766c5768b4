"""The audit trail: the events (officers and admins) and the verification of its hash chain
(admins). The types are in schema/types/audit.py."""

from __future__ import annotations

from enum import Enum
from typing import Annotated

import strawberry
from strawberry import relay

from resolvers import audit as uc
from resolvers.listing import SortKey
from rules.audit import AuditAction, AuditEntityType
from rules.errors import DomainError, ErrorCode
from schema.enums import OrderDirection
from schema.ids import pk_of
from schema.relay import Connection, Rows, connection, order_of
from schema.types.audit import AuditChainReport, AuditEvent, entity_model_of

__all__ = ["AuditQuery"]


@strawberry.enum(description="What the audit trail can be sorted by.")
class AuditEventOrderField(Enum):
    TIME = strawberry.enum_value(
        "TIME", description="The order events were appended to the chain, which is their time order (the default)."
    )


@strawberry.input(description="Sort order of the audit trail.")
class AuditEventOrder:
    field: AuditEventOrderField = strawberry.field(description="What to sort by.")
    direction: OrderDirection = strawberry.field(default=OrderDirection.ASC, description="Oldest first by default.")


# The chain is appended under a lock with the time taken inside it: id order is time order, on
# the primary key's index.
_KEYS = {AuditEventOrderField.TIME: SortKey("id")}


def _entity(info: strawberry.Info, gid: relay.GlobalID) -> uc.EntityRef:
    model = entity_model_of(info, gid.type_name)
    if model is None:
        raise DomainError(ErrorCode.INVALID_ID, field="entity", detail="not an id of a record the trail is about")
    return uc.EntityRef(model=model, pk=pk_of(gid, gid.type_name, "entity"))


@strawberry.type
class AuditQuery:
    @connection(description="The audit trail (officers and admins), oldest first unless `orderBy` says "
                "otherwise; other roles get FORBIDDEN.")
    async def audit_events(
        self,
        info: strawberry.Info,
        entity: Annotated[relay.GlobalID | None, strawberry.argument(
            description="Only events about this record: the global id of any object (`Miner`, `License`, "
            "...), or an event's `entityId`.")] = None,
        entity_type: Annotated[AuditEntityType | None, strawberry.argument(
            description="Only events about records of this kind.")] = None,
        action: Annotated[AuditAction | None, strawberry.argument(description="Only events of this action.")] = None,
        order_by: Annotated[AuditEventOrder | None, strawberry.argument(description="Sort order (default: oldest first).")] = None,
    ) -> Connection[AuditEvent]:
        listing = uc.list_audit_events(
            info.context.user,
            entity=_entity(info, entity) if entity is not None else None,
            entity_type=entity_type,
            action=action,
            order=order_of(order_by, _KEYS),
        )
        return Rows(listing, AuditEvent.from_row)  # type: ignore[return-value]

    @strawberry.field(description="Admin: recompute the keyed hash chain of the whole audit trail and check it "
                      "against the signed checkpoints of its head (table and export file); name the first "
                      "event that does not fit (an edited, deleted or reordered event shows there) or the "
                      "checkpoint the chain no longer reaches (its newest events were deleted).")
    async def verify_audit_chain(self, info: strawberry.Info) -> AuditChainReport:
        return AuditChainReport.from_report(await uc.verify_audit_chain(info.context.user, info.context.settings))
