"""Registry reports: registered load per data center against its permitted capacity, the same
for a page of inclusion applications under review, and totals per miner, data center or region."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from tortoise.functions import Count, Max, Sum

from models.db import IN_CHUNK, in_chunks
from models.parties import DataCenter
from models.registry import AsicUnit
from resolvers.registry.queries import UnitFilter, filtered_units
from resolvers.scope import visible
from rules.access import Actor
from rules.enums import Region
from rules.registry import CapacityCheck, TotalsGroup, UnitStatus, capacity_check

__all__ = [
    "DataCenterCapacity",
    "Total",
    "capacity",
    "capacity_checks",
    "registered_kw_by_dc",
    "totals",
]


async def registered_kw_by_dc(dc_ids: Sequence[int] | None = None) -> dict[int, Decimal]:
    """kW of the IN_REGISTRY units per data center (all, or those of `dc_ids`), one statement."""
    qs = AsicUnit.filter(status=UnitStatus.IN_REGISTRY)
    if dc_ids is not None:
        qs = qs.filter(data_center_id__in=list(dc_ids))
    rows = await qs.annotate(kw=Sum("power_kw")).group_by("data_center_id").values("data_center_id", "kw")
    return {r["data_center_id"]: Decimal(str(r["kw"] or 0)) for r in rows}


@dataclass(frozen=True)
class DataCenterCapacity:
    data_center: DataCenter
    check: CapacityCheck


async def capacity(actor: Actor, *, data_center_id: int | None = None, over_only: bool = False) -> list[DataCenterCapacity]:
    """Registered load per data center against its permitted capacity (officers: all DCs;
    applicants: their own), in creation order."""
    dcs_q = visible(DataCenter.all(), actor)
    if data_center_id is not None:
        dcs_q = dcs_q.filter(id=data_center_id)
    dcs = await dcs_q.order_by("id")
    loads = await registered_kw_by_dc([dc.id for dc in dcs]) if len(dcs) <= IN_CHUNK else await registered_kw_by_dc()
    out = [DataCenterCapacity(dc, capacity_check(dc.permitted_capacity_mw, loads.get(dc.id, Decimal(0)))) for dc in dcs]
    return [c for c in out if c.check.over_capacity] if over_only else out


async def capacity_checks(requests: Sequence[tuple[DataCenter, Decimal]]) -> list[CapacityCheck]:
    """For each (data center, kW requested): would approving put it over its capacity? The
    registered load of all of them in one statement (a page of applications under review)."""
    loads = await registered_kw_by_dc(sorted({dc.id for dc, _ in requests}))
    return [capacity_check(dc.permitted_capacity_mw, loads.get(dc.id, Decimal(0)), kw) for dc, kw in requests]


@dataclass(frozen=True)
class Total:
    """One group's totals: the miner's or data center's id (None when grouped by region), the
    region (when grouped by region), a label (the name or location as on the latest record)."""

    key: int | None
    region: Region | None
    label: str
    units: int
    hashrate_ths: Decimal
    power_kw: Decimal


_GROUPS = {
    TotalsGroup.MINER: ("miner_id", "miner_name"),
    TotalsGroup.DATA_CENTER: ("data_center_id", "data_center_location"),
    TotalsGroup.REGION: ("region", None),
}


async def totals(actor: Actor, group_by: TotalsGroup, f: UnitFilter | None) -> list[Total]:
    """Units, TH/s and kW per miner, data center or region (IN_REGISTRY unless a status is
    given), the largest power first."""
    column, label = _GROUPS[TotalsGroup(group_by)]
    qs = filtered_units(actor, f)
    if f is None or f.status is None:
        qs = qs.filter(status=UnitStatus.IN_REGISTRY)
    rows = await (
        qs.annotate(n=Count("id"), ths=Sum("hashrate_ths"), kw=Sum("power_kw"), last=Max("id"))
        .group_by(column)
        .values(column, "n", "ths", "kw", "last")
    )
    labels: dict[int, str] = {}
    if label:
        # The name or location as the group's latest record states it.
        last_ids = [r["last"] for r in rows]
        for chunk in in_chunks(last_ids):
            labels.update(await AsicUnit.filter(id__in=list(chunk)).values_list("id", label))
    out = []
    for r in rows:
        value = r[column]
        region = Region(value) if label is None else None
        out.append(
            Total(
                key=None if region is not None else int(value),
                region=region,
                label=region.value if region is not None else labels.get(r["last"], ""),
                units=int(r["n"]),
                hashrate_ths=Decimal(str(r["ths"] or 0)),
                power_kw=Decimal(str(r["kw"] or 0)),
            )
        )
    return sorted(out, key=lambda t: (-t.power_kw, t.label))
