"""Reading the registry: filtered lists, serial lookup, a unit's history, an application's
details, lines and targets."""

from __future__ import annotations

from dataclasses import dataclass

from tortoise.queryset import QuerySet

from models.applications import Application
from models.registry import AsicUnit, AsicUnitEvent, RegistryApplication, RegistryApplicationLine
from resolvers.pagination import Page, paginate
from resolvers.registry.common import REGISTRY_PROCEDURES
from resolvers.scope import visible
from rules.access import Actor
from rules.errors import DomainError, ErrorCode
from rules.registry import UnitStatus
from rules.unit_list import normalize_serial
from rules.workflow import ProcedureCode


@dataclass
class UnitFilter:
    miner_id: int | None = None
    data_center_id: int | None = None
    region: str | None = None
    model: str | None = None
    status: UnitStatus | None = None
    serial_prefix: str | None = None


def filtered_units(actor: Actor, f: UnitFilter | None) -> QuerySet[AsicUnit]:
    qs: QuerySet[AsicUnit] = visible(AsicUnit.all(), actor)
    if f is None:
        return qs
    if f.miner_id is not None:
        qs = qs.filter(miner_id=f.miner_id)
    if f.data_center_id is not None:
        qs = qs.filter(data_center_id=f.data_center_id)
    if f.region:
        qs = qs.filter(region=f.region)
    if f.model:
        qs = qs.filter(model__icontains=f.model.strip())
    if f.status:
        qs = qs.filter(status=f.status)
    if f.serial_prefix:
        key = normalize_serial(f.serial_prefix)
        if key:
            qs = qs.filter(serial_key__startswith=key)
    return qs


async def list_units(actor: Actor, f: UnitFilter | None, **page: int | None) -> Page[AsicUnit]:
    return await paginate(filtered_units(actor, f), **page)


async def unit_by_serial(actor: Actor, serial: str) -> AsicUnit | None:
    """The live record of a serial number, else its latest excluded record; None if unknown
    (or not visible to the caller)."""
    key = normalize_serial(serial)
    if not key:
        raise DomainError(ErrorCode.VALIDATION, field="serial", detail="empty")
    return await visible(AsicUnit.filter(serial_key=key), actor).order_by("-status", "-id").first()


async def unit_history(unit: AsicUnit) -> list[AsicUnitEvent]:
    return await AsicUnitEvent.filter(unit_id=unit.id).order_by("id")


async def registry_details(app: Application) -> RegistryApplication | None:
    if ProcedureCode(app.procedure) not in REGISTRY_PROCEDURES:
        return None
    return await RegistryApplication.get_or_none(application_id=app.id)


async def application_lines(app_id: int, **page: int | None) -> Page[RegistryApplicationLine]:
    return await paginate(RegistryApplicationLine.filter(application_id=app_id), **page)


async def application_targets(app_id: int, limit: int = 100) -> list[AsicUnit]:
    return await AsicUnit.filter(application_targets__application_id=app_id).order_by("record_number").limit(limit)

