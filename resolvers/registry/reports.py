"""Registry reports: registered load per data center against its permitted capacity, and
totals per miner, data center or region."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from tortoise.functions import Count, Sum

from models.parties import DataCenter
from models.registry import AsicUnit, RegistryApplication
from resolvers.registry.common import _CHUNK, _chunks
from resolvers.registry.queries import UnitFilter, filtered_units
from resolvers.scope import visible
from rules.access import Actor
from rules.registry import CapacityCheck, UnitStatus, capacity_check


async def registered_kw_by_dc(dc_ids: Sequence[int] | None = None) -> dict[int, Decimal]:
    qs = AsicUnit.filter(status=UnitStatus.IN_REGISTRY)
    if dc_ids is not None:
        qs = qs.filter(data_center_id__in=list(dc_ids))
    rows = await qs.annotate(kw=Sum("power_kw")).group_by("data_center_id").values("data_center_id", "kw")
    return {r["data_center_id"]: Decimal(str(r["kw"] or 0)) for r in rows}


@dataclass
class DataCenterCapacity:
    data_center: DataCenter
    check: CapacityCheck


async def capacity(actor: Actor, *, data_center_id: int | None = None, over_only: bool = False) -> list[DataCenterCapacity]:
    """Registered load per data center against its permitted capacity (officers: all DCs;
    applicants: their own)."""
    dcs_q = visible(DataCenter.all(), actor)
    if data_center_id is not None:
        dcs_q = dcs_q.filter(id=data_center_id)
    dcs = await dcs_q.order_by("id")
    loads = await registered_kw_by_dc([dc.id for dc in dcs]) if len(dcs) <= _CHUNK else await registered_kw_by_dc()
    out = [DataCenterCapacity(dc, capacity_check(dc.permitted_capacity_mw, loads.get(dc.id, Decimal(0)))) for dc in dcs]
    return [c for c in out if c.check.over_capacity] if over_only else out


async def inclusion_capacity(details: RegistryApplication) -> CapacityCheck | None:
    """The officer's view of an inclusion: would approving it put the data center over?"""
    if details.data_center_id is None:  # type: ignore[attr-defined]
        return None
    dc = await DataCenter.get(id=details.data_center_id)  # type: ignore[attr-defined]
    loads = await registered_kw_by_dc([dc.id])
    return capacity_check(dc.permitted_capacity_mw, loads.get(dc.id, Decimal(0)), details.total_power_kw)


@dataclass
class Total:
    key: str
    label: str
    units: int
    hashrate_ths: Decimal
    power_kw: Decimal


_GROUPS = {"MINER": ("miner_id", "miner_name"), "DATA_CENTER": ("data_center_id", "data_center_location"), "REGION": ("region", None)}


async def totals(actor: Actor, group_by: str, f: UnitFilter | None) -> list[Total]:
    """Units, TH/s and kW per miner, data center or region (IN_REGISTRY unless a status is given)."""
    column, label = _GROUPS[group_by]
    qs = filtered_units(actor, f)
    if f is None or f.status is None:
        qs = qs.filter(status=UnitStatus.IN_REGISTRY)
    rows = await qs.annotate(n=Count("id"), ths=Sum("hashrate_ths"), kw=Sum("power_kw")).group_by(column).values(column, "n", "ths", "kw")
    labels: dict[Any, str] = {}
    if label:
        keys = [r[column] for r in rows]
        for chunk in _chunks(keys):
            for k, text in await AsicUnit.filter(**{f"{column}__in": list(chunk)}).distinct().values_list(column, label):
                labels.setdefault(k, text)
    out = [
        Total(
            key=str(getattr(r[column], "value", r[column])),
            label=labels.get(r[column], str(getattr(r[column], "value", r[column]))),
            units=int(r["n"]),
            hashrate_ths=Decimal(str(r["ths"] or 0)),
            power_kw=Decimal(str(r["kw"] or 0)),
        )
        for r in rows
    ]
    return sorted(out, key=lambda t: (-t.power_kw, t.key))


