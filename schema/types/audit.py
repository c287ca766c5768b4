"""The audit trail as clients see it: events linked to their actor and entity, snapshots with
camelCase keys and global ids (converted on output; the stored chain is untouched)."""

from __future__ import annotations

import weakref
from datetime import datetime
from typing import Any, ClassVar

import strawberry
from strawberry import relay
from strawberry.scalars import JSON

from models import access as am
from models import audit as m
from resolvers.audit import references
from rules.audit import AuditAction, AuditEntityType, client_snapshot
from rules.audit_chain import ChainProblem, ChainReport
from schema.enums import expose_enum
from schema.ids import parse_pk, to_global_id
from schema.loaders import load_view
from schema.relay import RowNode, Timestamped
from schema.types.users import User

__all__ = ["AuditChainReport", "AuditEvent", "entity_model_of", "node_type_of"]


expose_enum(
    AuditAction,
    "AuditAction",
    "What an audit event records: one value per kind of change the API writes.",
    {
        AuditAction.MINER_CREATED: "A miner was registered.",
        AuditAction.MINER_UPDATED: "A miner's data changed.",
        AuditAction.DATA_CENTER_CREATED: "A data center was registered.",
        AuditAction.DATA_CENTER_UPDATED: "A data center's data changed (including its holder).",
        AuditAction.POOL_CREATED: "A mining pool was registered.",
        AuditAction.POOL_UPDATED: "A mining pool's data changed.",
        AuditAction.USER_CREATED: "A user of the API was created.",
        AuditAction.USER_PREFERENCES_SET: "A user's notification language (by itself or an admin) or head-of-unit "
        "flag (by an admin) was set.",
        AuditAction.TOKEN_ISSUED: "An API token was issued (its secret and hash are never in the trail).",
        AuditAction.WEBHOOK_ENDPOINT_REGISTERED: "A partner registered a webhook endpoint (its secret is never in "
        "the trail).",
        AuditAction.WEBHOOK_ENDPOINT_REMOVED: "A partner's webhook endpoint was switched off.",
        AuditAction.WEBHOOK_CIRCUIT_RESET: "A dead webhook endpoint's circuit breaker was closed by hand: its "
        "deliveries resume.",
        AuditAction.ESCALATION_ACKNOWLEDGED: "A head of the unit took up a breached term in the supervisors' queue.",
        AuditAction.ESCALATION_RESOLVED: "A head of the unit closed a breached term in the supervisors' queue.",
        AuditAction.TOKEN_REVOKED: "An API token was revoked by its user or an admin; it is refused from then on.",
        AuditAction.CALENDAR_OVERRIDE_SET: "A decree moving a working day or a day off was recorded or "
        "changed [Labour Code art. 85].",
        AuditAction.CALENDAR_OVERRIDE_REMOVED: "A decree override of the calendar was removed.",
        AuditAction.MRP_RATE_SET: "The monthly calculation index (MRP) of a year was recorded or changed.",
        AuditAction.ORDER_PUBLICATION_SET: "The publication date of an order, which dates rule sets, was recorded "
        "or changed.",
        AuditAction.APPLICATION_SUBMITTED: "An application was received and registered with its terms.",
        AuditAction.APPLICATION_RECEIPT_TIME_RECORDED: "An officer recorded the receipt time of an application "
        "(a paper one at the office, or an imported historical record) instead of the time it reached the system.",
        AuditAction.APPLICATION_REGISTER: "An application was registered (workflow action REGISTER).",
        AuditAction.APPLICATION_ACCEPT_COMPLETE: "An officer found the package complete; review started.",
        AuditAction.APPLICATION_REFUSE_INCOMPLETE: "An officer refused further review (incomplete or "
        "expired documents).",
        AuditAction.APPLICATION_PRELIMINARY_REFUSE: "An officer decided preliminarily to refuse; a hearing follows.",
        AuditAction.APPLICATION_SCHEDULE_HEARING: "An officer sent the hearing notice.",
        AuditAction.APPLICATION_APPROVE: "An officer granted the service.",
        AuditAction.APPLICATION_REFUSE: "An officer refused the service with reasons.",
        AuditAction.APPLICATION_WITHDRAW: "The application was withdrawn.",
        AuditAction.APPLICATION_PAYMENT_RECORDED: "The licence fee payment of an application was recorded.",
        AuditAction.APPLICATION_ASSIGNED: "An application was put in an officer's work queue.",
        AuditAction.APPLICATION_UNASSIGNED: "An application was taken out of every officer's work queue.",
        AuditAction.LICENSE_ISSUED: "A licence was issued.",
        AuditAction.LICENSE_REISSUED: "A licence, or one appendix alone, was issued anew by re-issue.",
        AuditAction.LICENSE_REPLACED: "A licence, or one appendix, was replaced by its re-issued successor.",
        AuditAction.LICENSE_SUSPENDED: "A licence or appendix was suspended.",
        AuditAction.LICENSE_RESUMED: "A suspended licence or appendix was resumed.",
        AuditAction.LICENSE_REVOKED: "A licence or appendix was revoked.",
        AuditAction.COMPLAINT_FILED: "A complaint about a decision was filed.",
        AuditAction.COMPLAINT_GRANTED_IN_FULL: "The provider granted a complaint in full.",
        AuditAction.COMPLAINT_FORWARDED: "A complaint was forwarded to the reviewing body.",
        AuditAction.COMPLAINT_DECIDED: "The reviewing body's decision on a complaint was recorded.",
        AuditAction.POOL_MEMBERSHIP_OPENED: "A miner started mining through a pool.",
        AuditAction.POOL_MEMBERSHIP_CLOSED: "A miner's membership in a pool ended.",
        AuditAction.OBLIGATION_OPENED: "A notification obligation (e.g. the 2-day pool-change notice) arose.",
        AuditAction.OBLIGATION_MET: "A notification obligation was met.",
        AuditAction.REGISTRY_UNITS_INCLUDED: "ASIC units were included in the registry (the event is about "
        "the application; `after` summarises the units).",
        AuditAction.REGISTRY_UNITS_EXCLUDED: "ASIC units were excluded from the registry (about the application).",
        AuditAction.REGISTRY_UNITS_CHANGED: "Registry records of ASIC units were changed (about the application).",
        AuditAction.POOL_CERTIFICATE_ISSUED: "A pool accreditation certificate was issued [004 App.3].",
        AuditAction.POOL_CERTIFICATE_REISSUED: "A pool accreditation certificate was re-issued [004 §12].",
        AuditAction.POOL_CERTIFICATE_REPLACED: "A certificate was replaced by its re-issued successor.",
        AuditAction.POOL_CERTIFICATE_EXPIRED: "A certificate passed its last valid day [004 §3].",
        AuditAction.INCOME_REPORT_FILED: "A pool filed its monthly income report [003 pool item 8].",
        AuditAction.INCOME_REPORT_CORRECTED: "A pool filed a corrected income report (a new version).",
        AuditAction.INCOME_REPORT_SUPERSEDED: "An income report was superseded by its correction (kept).",
        AuditAction.INCOME_REPORT_OVERDUE: "A month's income report was missing after the 25th of the next month.",
        AuditAction.INSPECTION_APPOINTED: "An inspection was appointed by an act [003].",
        AuditAction.INSPECTION_OPENED: "An inspection was opened and its checklist prefilled from the registry.",
        AuditAction.INSPECTION_ITEM_RECORDED: "An inspector recorded a finding on a checklist item (with the device's "
        "time).",
        AuditAction.INSPECTION_RECONCILED: "The serial numbers seen in a data center were reconciled with the registry.",
        AuditAction.INSPECTION_PHOTO_ATTACHED: "A photo was attached to a checklist item (stored without its metadata).",
        AuditAction.INSPECTION_COMPLETED: "An inspection was completed with the representative and officials recorded.",
        AuditAction.VIOLATION_DEADLINE_SET: "An officer set the remedy deadline of a violation (working days).",
        AuditAction.VIOLATION_REMEDIED: "A violation was recorded as remedied (the day, on time or late, the "
        "evidence's SHA-256).",
        AuditAction.DOCUMENT_REGENERATED: "An officer had a signed document produced again; the old one is superseded.",
        AuditAction.PERSONAL_DATA_LISTED: "A user read personal contacts in a list (one event per request, "
        "about the reader): `after` names the operation and the contact fields selected.",
        AuditAction.PERSONAL_DATA_EXPORTED: "A user exported the registry with personal contacts (about the "
        "reader): `after` names the export, its format and filters.",
    },
)

expose_enum(
    AuditEntityType,
    "AuditEntityType",
    "The kind of record an audit event is about.",
    {
        AuditEntityType.MINER: "A digital miner.",
        AuditEntityType.DATA_CENTER: "A data center.",
        AuditEntityType.POOL: "A mining pool.",
        AuditEntityType.USER: "A user of the API.",
        AuditEntityType.API_TOKEN: "An API token.",
        AuditEntityType.WEBHOOK_ENDPOINT: "A partner's webhook endpoint.",
        AuditEntityType.ESCALATION: "A breached term escalated to the heads of the unit.",
        AuditEntityType.CALENDAR_OVERRIDE: "A decree override of the working-day calendar.",
        AuditEntityType.MRP_RATE: "The MRP value of a year.",
        AuditEntityType.ORDER_PUBLICATION: "The publication date of an order (rule sets' entry into force).",
        AuditEntityType.APPLICATION: "An application (any procedure).",
        AuditEntityType.APPLICATION_DOCUMENT: "A document attached to an application.",
        AuditEntityType.STAGE_EVENT: "An entry of an application's stage history.",
        AuditEntityType.LICENSE_APPLICATION: "The licensing details of an application (subtype, fee, payment).",
        AuditEntityType.LICENSE: "A digital-mining licence.",
        AuditEntityType.LICENSE_APPENDIX: "An appendix of a licence.",
        AuditEntityType.LICENSE_STATUS_EVENT: "A suspension, resumption or revocation entry of a licence.",
        AuditEntityType.COMPLAINT: "A complaint about a decision.",
        AuditEntityType.POOL_MEMBERSHIP: "A miner's membership in a pool.",
        AuditEntityType.NOTIFICATION_OBLIGATION: "A miner's obligation to notify the authority.",
        AuditEntityType.REGISTRY_APPLICATION: "The registry details of an application.",
        AuditEntityType.REGISTRY_APPLICATION_LINE: "A unit line of a registry application.",
        AuditEntityType.REGISTRY_APPLICATION_TARGET: "A registry record named by an exclusion or change application.",
        AuditEntityType.ASIC_UNIT: "A registry record of an ASIC unit.",
        AuditEntityType.ASIC_UNIT_EVENT: "An entry of an ASIC unit record's history.",
        AuditEntityType.POOL_APPLICATION: "What a pool accreditation application carries [004 App.1].",
        AuditEntityType.POOL_CERTIFICATE: "A pool accreditation certificate [004 App.3].",
        AuditEntityType.INCOME_REPORT: "A pool's monthly income report (one version) [003 pool item 8].",
        AuditEntityType.INCOME_REPORT_LINE: "A line of an income report (audited with its report).",
        AuditEntityType.INCOME_REPORT_OVERDUE: "A month flagged OVERDUE for a missing income report.",
        AuditEntityType.INSPECTION: "An inspection [003].",
        AuditEntityType.INSPECTION_ITEM: "A checklist item of an inspection [003].",
        AuditEntityType.INSPECTION_ITEM_ENTRY: "One submission on a checklist item (its history).",
        AuditEntityType.INSPECTION_DATA_CENTER: "A data center an inspection visits.",
        AuditEntityType.INSPECTION_INSPECTOR: "An inspector assigned to an inspection.",
        AuditEntityType.INSPECTION_RECONCILIATION: "The on-site serial reconciliation of a data center.",
        AuditEntityType.INSPECTION_PHOTO: "A photo attached to a checklist item as evidence.",
        AuditEntityType.VIOLATION: "A violation found by an inspection, with its remedy deadline.",
        AuditEntityType.DOCUMENT: "A signed outgoing document (PDF) of the authority [DOMAIN §6].",
    },
)

expose_enum(
    ChainProblem,
    "AuditChainProblem",
    "Why the audit trail does not verify: an event that does not fit the keyed hash chain, or a signed "
    "checkpoint of its head that the chain contradicts.",
    {
        ChainProblem.PREV_HASH_MISMATCH: "Its `prevHash` is not the hash of the event before it: an event "
        "before it was deleted, inserted, reordered or re-hashed.",
        ChainProblem.HASH_MISMATCH: "Its content no longer gives its `hash` under the audit key: the event "
        "itself was edited (recomputing the hashes without the key does not hide it).",
        ChainProblem.TRUNCATED: "The chain ends before the head a signed checkpoint recorded: its newest "
        "events were deleted (`checkpointSequence` names the checkpoint's head).",
        ChainProblem.CHECKPOINT_MISMATCH: "The event a signed checkpoint names has another hash (or is gone): "
        "the chain was rewritten from there.",
        ChainProblem.BAD_CHECKPOINT: "A checkpoint (table or export file) whose signature does not verify: "
        "forged, signed with another key, or the legacy boundary not yet signed "
        "(`manage.py audit-checkpoint`).",
    },
)


# -- node types by model, per schema ------------------------------------------------------------

_NODE_TYPES: weakref.WeakKeyDictionary[Any, dict[str, type[RowNode]]] = weakref.WeakKeyDictionary()


def _node_types(info: strawberry.Info) -> dict[str, type[RowNode]]:
    """Model name -> the schema's Node type that views it (the first one listed)."""
    schema = info.schema
    found = _NODE_TYPES.get(schema)
    if found is None:
        found = {}
        for concrete in schema.schema_converter.type_map.values():
            origin = getattr(concrete.definition, "origin", None)
            model = getattr(origin, "MODEL", None)
            if isinstance(origin, type) and issubclass(origin, RowNode) and issubclass(origin, relay.Node) and model:
                found.setdefault(model.__name__, origin)
        _NODE_TYPES[schema] = found
    return found


def node_type_of(info: strawberry.Info, model_name: str) -> type[RowNode] | None:
    return _node_types(info).get(model_name)


def entity_model_of(info: strawberry.Info, type_name: str) -> str | None:
    """The model behind a global id's type name: a Node type's model, or (for records without a
    Node type in this schema) a model named in `AuditEntityType` itself."""
    for model_name, node_type in _node_types(info).items():
        if node_type.__strawberry_definition__.name == type_name:  # type: ignore[attr-defined]
            return model_name
    return type_name if type_name in AuditEntityType._value2member_map_ else None


def global_id_of(info: strawberry.Info, model_name: str, pk: Any) -> str:
    """The global id of a record: its Node type's name, or the model's name when this schema has
    no Node type for it (such an id is accepted by `auditEvents(entity:)`, not by `node`)."""
    node_type = node_type_of(info, model_name)
    type_name = node_type.__strawberry_definition__.name if node_type else model_name  # type: ignore[attr-defined]
    return str(to_global_id(type_name, pk))


# -- the event ----------------------------------------------------------------------------------


_SNAPSHOT = (
    "JSON object with camelCase keys; keys holding another record's key are global ids (`minerId`), "
    "and `id` is the entity's global id. The stored snapshot (snake_case, database keys) is what the "
    "hash covers; this is its conversion. Token hashes are left out."
)


@strawberry.type(
    description="One entry of the hash-chained audit trail: who did what to which record, with the "
    "record before and after. Readable by officers and admins. `createdAt` and `updatedAt` are both "
    "`at` (events never change)."
)
class AuditEvent(RowNode, relay.Node, Timestamped):
    MODEL: ClassVar = m.AuditEvent

    id: relay.NodeID[int]
    at: datetime = strawberry.field(description="When the change was made (UTC).")
    actor_label: str = strawberry.field(description="Who made it, as recorded: `login (ROLE)`, or `system`.")
    action: AuditAction = strawberry.field(description="What was done.")
    entity_type: AuditEntityType = strawberry.field(description="The kind of record the event is about.")
    prev_hash: str = strawberry.field(description="The hash of the previous event; 64 zeros for the first.")
    hash: str = strawberry.field(description="HMAC-SHA256 (hex) of this event's content and `prevHash` under the "
                                   "audit key (plain SHA-256 for events before the chain was keyed).")
    _actor_id: strawberry.Private[int | None]
    _entity_pk: strawberry.Private[int | None]
    _entity_key: strawberry.Private[str]
    _before: strawberry.Private[Any]
    _after: strawberry.Private[Any]

    @classmethod
    def from_row(cls, row: m.AuditEvent) -> AuditEvent:
        return cls(
            id=row.id, at=row.at, actor_label=row.actor_label, action=AuditAction(row.action),
            entity_type=AuditEntityType(row.entity_type), prev_hash=row.prev_hash, hash=row.hash,
            _actor_id=row.actor_id, _entity_pk=parse_pk(row.entity_id), _entity_key=row.entity_id,
            _before=row.before, _after=row.after, created_at=row.at, updated_at=row.at,
        )

    @strawberry.field(
        description="The user who made the change; null for the system (jobs, the command line) and when the "
        "caller may not read users (only admins read other users)."
    )
    def actor(self, info: strawberry.Info) -> User | None:
        return load_view(User, info.context.loaders.visible(am.User), self._actor_id)

    @strawberry.field(description="Global id of the record the event is about (also when it is gone).")
    def entity_id(self, info: strawberry.Info) -> relay.GlobalID:
        gid = global_id_of(info, self.entity_type.value, self._entity_key)
        return relay.GlobalID.from_id(gid)

    @strawberry.field(
        description="The record the event is about, as it is now; null when it was deleted, when the caller "
        "may not see it, or when it has no object type in this API."
    )
    def entity(self, info: strawberry.Info) -> relay.Node | None:
        node_type = node_type_of(info, self.entity_type.value)
        if node_type is None or self._entity_pk is None:
            return None
        return load_view(node_type, info.context.loaders.visible(node_type.MODEL), self._entity_pk)

    @strawberry.field(description=f"The record before the change; null for a creation. {_SNAPSHOT}")
    def before(self, info: strawberry.Info) -> JSON | None:
        return self._client(info, self._before)

    @strawberry.field(description=f"The record after the change (or a summary of it). {_SNAPSHOT}")
    def after(self, info: strawberry.Info) -> JSON | None:
        return self._client(info, self._after)

    def _client(self, info: strawberry.Info, snapshot: Any) -> Any:
        if snapshot is None:
            return None
        model = self.entity_type.value
        return client_snapshot(snapshot, model, references(model), lambda name, pk: global_id_of(info, name, pk))


@strawberry.type(description="The result of recomputing the audit hash chain from its first event.")
class AuditChainReport:
    ok: bool = strawberry.field(description="True when every event fits the chain.")
    checked: int = strawberry.field(description="How many events were verified before the first broken one "
                                    "(all of them when `ok`).")
    problem: ChainProblem | None = strawberry.field(description="Why the trail does not verify; null when `ok`.")
    checkpoints: int = strawberry.field(description="How many signed checkpoints of the head the chain was "
                                        "checked against.")
    checkpoint_sequence: int | None = strawberry.field(
        description="The head sequence number (event id) of the checkpoint that exposed the problem "
        "(TRUNCATED, CHECKPOINT_MISMATCH, BAD_CHECKPOINT); null otherwise.")
    _first_broken_id: strawberry.Private[int | None]

    @classmethod
    def from_report(cls, report: ChainReport) -> AuditChainReport:
        return cls(ok=report.ok, checked=report.checked, problem=report.problem, checkpoints=report.checkpoints,
                   checkpoint_sequence=report.checkpoint_seq, _first_broken_id=report.first_broken_id)

    @strawberry.field(description="The first event that does not fit the chain; null when `ok`.")
    def first_broken(self, info: strawberry.Info) -> AuditEvent | None:
        return load_view(AuditEvent, info.context.loaders.visible(m.AuditEvent), self._first_broken_id)
