"""The public event contract: which internal outbox topics partners see, under which public type,
about which entity, owned by whom, and with which data (a whitelist: never personal contacts).

An outbox event (resolvers/changes.emit) becomes at most one public event, in the same
transaction; `public_event` decides, as a plain function. The contract is versioned by
`SCHEMA_VERSION`: a new field in `data` keeps the version, a renamed or removed one bumps it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from rules.audit import camel_case

SCHEMA_VERSION = 1


@dataclass(frozen=True)
class PublicEvent:
    type: str
    entity_type: str
    entity_id: int
    data: dict[str, Any]
    # The organisation the event is about (for the partners who see only their own).
    miner_id: int | None = None
    pool_id: int | None = None
    # The one data center the event is about (a data center's own events, units included in,
    # excluded from or changed at a data center): its region is the event's region.
    data_center_id: int | None = None


@dataclass(frozen=True)
class _Shape:
    """How one internal topic becomes its public event."""

    type: str
    entity: str
    keys: tuple[str, ...]  # the whitelisted keys of the source, in snake_case
    entity_key: str = "id"
    miner_key: str | None = None
    pool_key: str | None = None
    data_center_key: str | None = None  # "id": the entity itself is the data center
    from_snapshot: bool = True  # record_change's {"entity", "id", "after"} or a flat payload
    renames: Mapping[str, str] = field(default_factory=dict)


_LICENSE = ("number", "holder_id", "subtype", "status", "issued_on", "first_issued_on", "valid_until", "replaces_id",
            "replaced_by_id")
_LICENSE_STATUS = ("license", "license_id", "appendix", "holder_id", "action", "status", "ground", "effective_on",
                   "until")
_UNITS = ("application", "miner_id", "units", "first_record", "last_record", "data_center", "changed")
_CERTIFICATE = ("pool_id", "number", "issued_on", "valid_until", "status")
_MEMBERSHIP = ("miner_id", "pool_id", "since", "until")
_DATA_CENTER = ("miner_id", "name", "address", "region", "power_source", "permitted_capacity_mw",
                "connected_on", "outside_residential_zone")


def _license_status(kind: str) -> _Shape:
    return _Shape(kind, "License", _LICENSE_STATUS, entity_key="license_id", miner_key="holder_id",
                  from_snapshot=False, renames={"license": "number"})


def _units(kind: str) -> _Shape:
    return _Shape(kind, "Application", _UNITS, entity_key="application", miner_key="miner_id", from_snapshot=False,
                  data_center_key="data_center", renames={"application": "application_id", "data_center": "data_center_id"})


# Internal topic -> its public shape. Topics not listed are internal (alerts, security, ...).
SHAPES: dict[str, _Shape] = {
    "license.issued": _Shape("license.issued", "License", _LICENSE, miner_key="holder_id"),
    "license.reissued": _Shape("license.reissued", "License", _LICENSE, miner_key="holder_id"),
    "license.replaced": _Shape("license.replaced", "License", _LICENSE, miner_key="holder_id"),
    "license.suspended": _license_status("license.suspended"),
    "license.resumed": _license_status("license.resumed"),
    "license.revoked": _license_status("license.revoked"),
    "registry.units_included": _units("asic.included"),
    "registry.units_excluded": _units("asic.excluded"),
    "registry.units_changed": _units("asic.changed"),
    "data_center.created": _Shape("data_center.registered", "DataCenter", _DATA_CENTER, miner_key="miner_id",
                                   data_center_key="id"),
    "data_center.updated": _Shape("data_center.changed", "DataCenter", _DATA_CENTER, miner_key="miner_id",
                                  data_center_key="id"),
    "pool_certificate.issued": _Shape("pool.accredited", "PoolCertificate", _CERTIFICATE, pool_key="pool_id"),
    "pool_certificate.reissued": _Shape("pool.accredited", "PoolCertificate", _CERTIFICATE, pool_key="pool_id"),
    "pool_certificate.expired": _Shape("pool.accreditation_expired", "PoolCertificate", _CERTIFICATE,
                                       pool_key="pool_id"),
    "pool_membership.opened": _Shape("pool.member_joined", "PoolMembership", _MEMBERSHIP, miner_key="miner_id",
                                     pool_key="pool_id"),
    "pool_membership.closed": _Shape("pool.member_left", "PoolMembership", _MEMBERSHIP, miner_key="miner_id",
                                     pool_key="pool_id"),
    "alert.pool_change_overdue": _Shape("obligation.overdue", "NotificationObligation", ("obligation_id", "miner_id", "due"),
                                        entity_key="obligation_id", miner_key="miner_id", from_snapshot=False),
}
for _action in ("submitted", "register", "accept_complete", "refuse_incomplete", "preliminary_refuse",
                "schedule_hearing", "approve", "refuse", "withdraw"):
    SHAPES[f"application.{_action}"] = _Shape("application.stage_changed", "Application",
                                              ("procedure", "stage", "miner_id", "pool_id", "incoming_number"),
                                              miner_key="miner_id", pool_key="pool_id")

# Every public event type, for the schema's documentation and the partners' grants.
EVENT_TYPES: tuple[str, ...] = tuple(sorted({shape.type for shape in SHAPES.values()}))


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def public_event(topic: str, payload: Mapping[str, Any]) -> PublicEvent | None:
    """The public event an outbox event publishes, or None for an internal one."""
    shape = SHAPES.get(topic)
    if shape is None:
        return None
    source: Mapping[str, Any] = payload.get("after") or {} if shape.from_snapshot else payload
    entity_id = _int(payload.get("id") if shape.from_snapshot else payload.get(shape.entity_key))
    if entity_id is None:
        return None
    data = {camel_case(shape.renames.get(k, k)): source[k] for k in shape.keys if k in source}
    return PublicEvent(
        type=shape.type,
        entity_type=shape.entity,
        entity_id=entity_id,
        data=data,
        miner_id=_int(source.get(shape.miner_key)) if shape.miner_key else None,
        pool_id=_int(source.get(shape.pool_key)) if shape.pool_key else None,
        data_center_id=(entity_id if shape.data_center_key == "id"
                        else _int(source.get(shape.data_center_key)) if shape.data_center_key else None),
    )


# -- the regions of an event, and what a partner asks for --------------------------------------------


def regions_key(regions: Iterable[str]) -> str:
    """The regions an event concerns as stored on it (`|ABAI|PAVLODAR|`; empty: none), so that
    one region matches with a substring test in SQL (`LIKE`) and in the live feed alike."""
    found = sorted(set(regions))
    return "|" + "|".join(found) + "|" if found else ""


def regions_of(key: str) -> list[str]:
    """The regions a stored `regions_key` names, in order."""
    return [region for region in key.split("|") if region]


@dataclass(frozen=True)
class EventFilter:
    """What a partner asks for on top of its grants (rules.access.event_scope): event types, the
    miners and pools the events are about, the regions of their data centers. None: any. The
    region of an event is its data center's (a data center's events, units included, excluded or
    changed there), else those of every data center its miner had when it happened (licences,
    applications, pool memberships, obligations); a pool's own events have none."""

    types: frozenset[str] | None = None
    miners: frozenset[int] | None = None
    pools: frozenset[int] | None = None
    regions: frozenset[str] | None = None

    def accepts(self, type_: str, miner_id: int | None, pool_id: int | None, regions: str) -> bool:
        return (
            (self.types is None or type_ in self.types)
            and (self.miners is None or miner_id in self.miners)
            and (self.pools is None or pool_id in self.pools)
            and (self.regions is None or any(f"|{region}|" in regions for region in self.regions))
        )

