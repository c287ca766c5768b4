"""What the registry modules share: the clock, chunked IN (...) lists, the checks of the input
every registry application has (contacts, texts), the data center a miner may place units in,
and the records an exclusion or change names, all loaded through the caller's visibility."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime
from decimal import ROUND_HALF_EVEN, Decimal

from tortoise.backends.base.client import BaseDBAsyncClient

from models.applications import Application
from models.db import in_chunks
from models.licensing import LicenseAppendix
from models.parties import DataCenter, Miner
from models.registry import AsicUnit, RegistryApplication, RegistryApplicationTarget
from resolvers.scope import get_referenced, visible
from rules.access import Actor
from rules.calendar import ALMATY
from rules.contacts import is_email, is_phone
from rules.enums import LicenseStatus
from rules.errors import DomainError, ErrorCode
from rules.limits import check_text
from rules.registry import UnitStatus, serial_key_of
from rules.workflow import LicenseSubtype, ProcedureCode

REGISTRY_PROCEDURES = (ProcedureCode.ASIC_INCLUSION, ProcedureCode.ASIC_EXCLUSION, ProcedureCode.ASIC_CHANGE)
MAX_UPLOAD_BYTES = 20 * 1024 * 1024
MAX_UNITS = 200_000
_THREE_PLACES = Decimal("0.001")
DOCUMENT_MAX = 500  # ownership and reason documents: their columns
REASON_MAX = 4000  # a change's reason: a page of text
_MISSING_LISTED = 100  # records named in a UnitNotInRegistry error, at most


def _now() -> datetime:
    return datetime.now(UTC)


def _today() -> date:
    return _now().astimezone(ALMATY).date()


def _q3(value: Decimal) -> Decimal:
    return value.quantize(_THREE_PLACES, rounding=ROUND_HALF_EVEN)


# --- input every registry application has -------------------------------------------------------


def contact_phone(given: str | None, miner: Miner, field: str = "contactPhone") -> str:
    """The application's contact phone: the one given (checked), else the miner's official one."""
    if given is None or not given.strip():
        return miner.phone
    text = check_text(given, field, max_length=32)
    if not is_phone(text):
        raise DomainError(ErrorCode.VALIDATION, field=field, detail="not a phone number")
    return text


def contact_email(given: str | None, miner: Miner, field: str = "contactEmail") -> str:
    if given is None or not given.strip():
        return miner.email
    text = check_text(given, field, max_length=254)
    if not is_email(text):
        raise DomainError(ErrorCode.VALIDATION, field=field, detail="not an e-mail address")
    return text


def document_text(given: str, field: str) -> str:
    """A document's title, number and date as the applicant states them (may be empty: the
    completeness check, not the filing, says what is missing)."""
    return check_text(given, field, max_length=DOCUMENT_MAX, required=False)


# --- the data center ---------------------------------------------------------------------------


async def usable_data_center(
    actor: Actor,
    miner: Miner,
    dc_id: int,
    *,
    field: str | None = "dataCenterId",
    conn: BaseDBAsyncClient | None = None,
) -> DataCenter:
    """A data center the miner may place units in: its own (subtype I), or one where it holds
    an active subtype-II licence appendix (hosted at another miner's data center, 001 §3).

    Loaded as a reference (`resolvers.scope.get_referenced`): one the caller may neither read
    nor name answers NOT_FOUND exactly like a missing one. One the caller may name but the miner
    may not use (another licensed host, or an officer naming another miner's) is
    DATA_CENTER_NOT_USABLE.

    Kept simple on purpose: an own data center needs no licence check here (the licence is
    the licensing procedure's business); a hosted one needs the active appendix naming it.
    """
    dc = await get_referenced(DataCenter, actor, dc_id, field, conn=conn)
    if dc.miner_id == miner.id:  # type: ignore[attr-defined]
        return dc
    hosting = LicenseAppendix.filter(
        data_center_id=dc_id,
        subtype=LicenseSubtype.II,
        status=LicenseStatus.ACTIVE,
        license__holder_id=miner.id,
        license__status=LicenseStatus.ACTIVE,
    )
    if await hosting.using_db(conn).exists():
        return dc
    raise DomainError(
        ErrorCode.DATA_CENTER_NOT_USABLE,
        field=field,
        detail="neither the miner's own data center nor one it is licensed (subtype II) to use",
    )


async def _details(app: Application, conn: BaseDBAsyncClient | None = None) -> RegistryApplication:
    return await RegistryApplication.get(application_id=app.id).using_db(conn)


# --- the records an exclusion or change names -------------------------------------------------


def unit_not_in_registry(field: str | None, serials: Sequence[str], unit_ids: Sequence[int] = (), detail: str = "") -> DomainError:
    """UNIT_NOT_IN_REGISTRY naming what is not among the applicant's live records."""
    first = serials[0] if serials else str(unit_ids[0]) if unit_ids else ""
    return DomainError(
        ErrorCode.UNIT_NOT_IN_REGISTRY,
        field=field,
        detail=detail or f"{len(serials) + len(unit_ids)} record(s) not among the applicant's live records",
        serial=first,
        serials=list(serials[:_MISSING_LISTED]),
        unit_ids=list(unit_ids[:_MISSING_LISTED]),
    )


async def _target_units(actor: Actor, miner: Miner, unit_ids: Sequence[int], serials: Sequence[str]) -> list[AsicUnit]:
    """The miner's IN_REGISTRY records named by id or serial.

    An id is loaded through the caller's visibility: one the caller may not see is NOT_FOUND,
    exactly like a missing one; a record the caller sees that is not a live record of this
    miner is UNIT_NOT_IN_REGISTRY. A serial is looked up among the miner's live records only
    (another miner's serial reads as "not in the registry", never as "not yours")."""
    if not unit_ids and not serials:
        raise DomainError(ErrorCode.VALIDATION, field="unitIds", detail="name the registry records")
    if len(unit_ids) + len(serials) > MAX_UNITS:
        raise DomainError(ErrorCode.VALIDATION, field="unitIds", detail=f"at most {MAX_UNITS} records")
    units: dict[int, AsicUnit] = {}
    ids = list(dict.fromkeys(unit_ids))
    for chunk in in_chunks(ids):
        for u in await visible(AsicUnit.filter(id__in=list(chunk)), actor):
            units[u.id] = u
    for i, pk in enumerate(unit_ids):
        if pk not in units:
            raise DomainError(ErrorCode.NOT_FOUND, entity="AsicUnit", field=f"unitIds[{i}]")
    not_live = [u for u in units.values() if u.miner_id != miner.id or u.status is not UnitStatus.IN_REGISTRY]  # type: ignore[attr-defined]
    if not_live:
        position = unit_ids.index(not_live[0].id)
        raise unit_not_in_registry(f"unitIds[{position}]", [u.serial for u in not_live], [u.id for u in not_live])
    keys: dict[str, tuple[int, str]] = {}
    for i, serial in enumerate(serials):
        keys.setdefault(serial_key_of(serial, f"serials[{i}]"), (i, serial))
    found: set[str] = set()
    key_list = list(keys)
    for chunk in in_chunks(key_list):
        for u in await AsicUnit.filter(serial_key__in=list(chunk), miner_id=miner.id, status=UnitStatus.IN_REGISTRY):
            units[u.id] = u
            found.add(u.serial_key)
    missing = [keys[k] for k in key_list if k not in found]
    if missing:
        raise unit_not_in_registry(f"serials[{missing[0][0]}]", [serial for _, serial in missing])
    return sorted(units.values(), key=lambda u: u.record_number)


async def _save_targets(conn: BaseDBAsyncClient, app: Application, units: Sequence[AsicUnit]) -> None:
    await RegistryApplicationTarget.bulk_create(
        [RegistryApplicationTarget(application_id=app.id, unit_id=u.id) for u in units], batch_size=2000, using_db=conn
    )
