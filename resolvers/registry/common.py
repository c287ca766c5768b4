"""What the registry modules share: the clock, chunked IN (...) lists, the data center a
miner may place units in, and the records an exclusion or change names."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient

from models.applications import Application
from models.licensing import LicenseAppendix
from models.parties import DataCenter, Miner
from models.registry import AsicUnit, RegistryApplication, RegistryApplicationTarget
from rules.calendar import ALMATY
from rules.enums import LicenseStatus
from rules.errors import DomainError, ErrorCode
from rules.registry import UnitStatus
from rules.unit_list import normalize_serial
from rules.workflow import LicenseSubtype, ProcedureCode

REGISTRY_PROCEDURES = (ProcedureCode.ASIC_INCLUSION, ProcedureCode.ASIC_EXCLUSION, ProcedureCode.ASIC_CHANGE)
MAX_UPLOAD_BYTES = 20 * 1024 * 1024
MAX_UNITS = 200_000
_CHUNK = 5000  # ids / serials per IN (...) list: far below SQLite's 32,766 variables
_THREE_PLACES = Decimal("0.001")


def _now() -> datetime:
    return datetime.now(UTC)


def _today() -> date:
    return _now().astimezone(ALMATY).date()


def _chunks(items: Sequence[Any], size: int = _CHUNK) -> Iterable[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _q3(value: Decimal) -> Decimal:
    return value.quantize(_THREE_PLACES, rounding=ROUND_HALF_EVEN)


async def usable_data_center(miner: Miner, dc_id: int, conn: BaseDBAsyncClient | None = None) -> DataCenter:
    """A data center the miner may place units in: its own (subtype I), or one where it holds
    an active subtype-II licence appendix (hosted at another miner's data center, 001 §3).

    Kept simple on purpose: an own data center needs no licence check here (the licence is
    the licensing procedure's business); a hosted one needs the active appendix naming it.
    """
    dc = await DataCenter.get_or_none(id=dc_id).using_db(conn)
    if dc is None:
        raise DomainError(ErrorCode.NOT_FOUND, entity="DataCenter", field="dataCenterId")
    if dc.miner_id == miner.id:  # type: ignore[attr-defined]
        return dc
    hosted = await LicenseAppendix.filter(
        data_center_id=dc.id,
        subtype=LicenseSubtype.II,
        status=LicenseStatus.ACTIVE,
        license__holder_id=miner.id,
        license__status=LicenseStatus.ACTIVE,
    ).using_db(conn).exists()
    if not hosted:
        raise DomainError(
            ErrorCode.DATA_CENTER_NOT_USABLE,
            field="dataCenterId",
            detail="neither the miner's own data center nor one it is licensed (subtype II) to use",
        )
    return dc



async def _details(app: Application, conn: BaseDBAsyncClient | None = None) -> RegistryApplication:
    return await RegistryApplication.get(application_id=app.id).using_db(conn)



# --- the records an exclusion or change names -------------------------------------------------


async def _target_units(miner: Miner, unit_ids: Sequence[int], serials: Sequence[str]) -> list[AsicUnit]:
    """The miner's IN_REGISTRY records named by id or serial; anything else is refused by
    name (another miner's unit reads as "not in the registry", never as "not yours")."""
    if not unit_ids and not serials:
        raise DomainError(ErrorCode.VALIDATION, field="unitIds", detail="name the registry records")
    units: dict[int, AsicUnit] = {}
    ids = list(dict.fromkeys(unit_ids))
    for chunk in _chunks(ids):
        for u in await AsicUnit.filter(id__in=list(chunk), miner_id=miner.id, status=UnitStatus.IN_REGISTRY):
            units[u.id] = u
    missing_ids = [i for i in ids if i not in units]
    if missing_ids:
        raise DomainError(ErrorCode.UNIT_NOT_IN_REGISTRY, field="unitIds", detail=f"{len(missing_ids)} record(s) not found", serial=str(missing_ids[0]))
    keys = {normalize_serial(s): s for s in serials if normalize_serial(s)}
    found: set[str] = set()
    key_list = list(keys)
    for chunk in _chunks(key_list):
        for u in await AsicUnit.filter(serial_key__in=list(chunk), miner_id=miner.id, status=UnitStatus.IN_REGISTRY):
            units[u.id] = u
            found.add(u.serial_key)
    missing = [keys[k] for k in key_list if k not in found]
    if missing:
        raise DomainError(ErrorCode.UNIT_NOT_IN_REGISTRY, field="serials", detail=", ".join(missing[:20]), serial=missing[0])
    return sorted(units.values(), key=lambda u: u.record_number)


async def _save_targets(conn: BaseDBAsyncClient, app: Application, units: Sequence[AsicUnit]) -> None:
    await RegistryApplicationTarget.bulk_create(
        [RegistryApplicationTarget(application_id=app.id, unit_id=u.id) for u in units], batch_size=2000, using_db=conn
    )

