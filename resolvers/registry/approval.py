"""What approving a registry application does to the registry (the engine's approve hooks):
gap-free record numbers under the counter lock, units included, excluded or changed, one
history event per unit touched."""

from __future__ import annotations

import re

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.exceptions import IntegrityError

from models.applications import Application
from models.db import in_chunks
from models.parties import Miner
from models.registry import (
    ASIC_RECORD_COUNTER,
    AsicUnit,
    AsicUnitEvent,
    RegistryApplicationTarget,
    RegistryCounter,
)
from resolvers.changes import append_audit, emit
from resolvers.procedures import Decision
from resolvers.registry.common import (
    _details,
    _now,
    _today,
    unit_not_in_registry,
    usable_data_center,
)
from rules.access import Actor
from rules.errors import DomainError, ErrorCode
from rules.registry import (
    UnitEventAction,
    UnitStatus,
    diff_changes,
    next_record_numbers,
    validate_changes,
)


def _sql(conn: BaseDBAsyncClient, text: str) -> str:
    """Queries are written with $1..$n; SQLite takes the same numbers as ?1..?n."""
    if conn.capabilities.dialect == "postgres":
        return text
    return re.sub(r"\$(\d+)", r"?\1", text)


def _cast(conn: BaseDBAsyncClient, n: int, pg_type: str) -> str:
    """A typed parameter: PostgreSQL cannot infer types in a SELECT list; SQLite needs none."""
    return f"CAST(${n} AS {pg_type})" if conn.capabilities.dialect == "postgres" else f"${n}"


async def take_record_numbers(conn: BaseDBAsyncClient, count: int, *, name: str = ASIC_RECORD_COUNTER) -> range:
    """Reserve `count` gap-free numbers of the sequence `name` (by default the registry's record
    numbers) under the counter row's lock (held to commit)."""
    await conn.execute_query(
        _sql(conn, "INSERT INTO registry_counter (name, value) VALUES ($1, 0) ON CONFLICT (name) DO NOTHING"),
        [name],
    )
    query = RegistryCounter.filter(name=name)
    if conn.capabilities.dialect == "postgres":
        query = query.select_for_update()
    counter = await query.using_db(conn).get()
    numbers = next_record_numbers(counter.value, count)
    counter.value = numbers[-1]
    await counter.save(using_db=conn, update_fields=["value"])
    return numbers


async def _approval_conflicts(conn: BaseDBAsyncClient, app_id: int) -> list[tuple[int, str, int, str, str]]:
    rows = await conn.execute_query_dict(
        _sql(
            conn,
            "SELECT l.line, l.serial, u.record_number, u.miner_name, u.miner_bin_iin "
            "FROM registry_application_line l JOIN asic_unit u "
            "ON u.serial_key = l.serial_key AND u.status = 'IN_REGISTRY' "
            "WHERE l.application_id = $1 ORDER BY l.line LIMIT 20",
        ),
        [app_id],
    )
    return [(r["line"], r["serial"], r["record_number"], r["miner_name"], r["miner_bin_iin"]) for r in rows]


def _serial_conflict(conflicts: list[tuple[int, str, int, str, str]]) -> DomainError:
    """The first clash as the typed error (serial, line, record); all of them (up to 20) in the
    detail, which officers (the only ones who approve) may read."""
    line, serial, number, name, bin_iin = conflicts[0]
    detail = "; ".join(f"line {c[0]}: {c[1]} is record No. {c[2]} of {c[3]} ({c[4]})" for c in conflicts)
    return DomainError(
        ErrorCode.SERIAL_ALREADY_REGISTERED, detail=detail, serial=serial, line=line, record=number,
        holder_name=name, holder_bin_iin=bin_iin,
    )


async def _approve_inclusion(conn: BaseDBAsyncClient, app: Application, actor: Actor, decision: Decision) -> None:
    """Put every listed unit into the registry in this (the approval's) transaction."""
    details = await _details(app, conn)
    miner = await Miner.get(id=app.miner_id).using_db(conn)  # type: ignore[attr-defined]
    dc = await usable_data_center(actor, miner, details.data_center_id, field=None, conn=conn)  # type: ignore[attr-defined]
    numbers = await take_record_numbers(conn, details.line_count)
    # Checked again under the counter lock: a unit registered since submission is caught here
    # with its line; a racing approval that slipped past is stopped by the unique index
    # (tests/api/test_registry_race.py replaces this function to show it).
    conflicts = await _approval_conflicts(conn, app.id)
    if conflicts:
        raise _serial_conflict(conflicts)
    now, today = _now(), _today()
    c = lambda n, t: _cast(conn, n, t)  # noqa: E731
    insert = f"""
        INSERT INTO asic_unit (created_at, updated_at, record_number, record_date, miner_id,
            miner_name, miner_bin_iin, miner_legal_address, miner_phone, miner_email,
            data_center_id, data_center_location, region, model, serial, serial_key, tnved_code,
            hashrate_ths, power_kw, customs_declaration, customs_quantity, ownership_document,
            condition, status, inclusion_application_id)
        SELECT {c(1, "TIMESTAMPTZ")}, {c(1, "TIMESTAMPTZ")},
            {c(2, "BIGINT")} + ROW_NUMBER() OVER (ORDER BY l.line), {c(3, "DATE")}, {c(4, "INT")},
            {c(5, "VARCHAR")}, {c(6, "VARCHAR")}, {c(7, "VARCHAR")}, {c(8, "VARCHAR")},
            {c(9, "VARCHAR")}, {c(10, "INT")}, {c(11, "VARCHAR")}, {c(12, "VARCHAR")}, l.model,
            l.serial, l.serial_key, l.tnved_code, l.hashrate_ths, l.power_kw, l.customs_declaration,
            CASE WHEN l.customs_declaration = '' THEN 0
                 ELSE COUNT(*) OVER (PARTITION BY l.customs_declaration) END,
            {c(13, "VARCHAR")}, l.condition, 'IN_REGISTRY', l.application_id
        FROM registry_application_line l WHERE l.application_id = {c(14, "INT")}
    """
    params = [
        now, numbers[0] - 1, today, miner.id, miner.name, miner.bin_iin, miner.legal_address,
        details.contact_phone or miner.phone, details.contact_email or miner.email, dc.id, dc.address,
        dc.region.value, details.ownership_document, app.id,
    ]
    try:
        await conn.execute_query(_sql(conn, insert), params)
    except IntegrityError:
        raise DomainError(
            ErrorCode.SERIAL_ALREADY_REGISTERED,
            detail="another approval registered one of these serial numbers at the same moment",
        ) from None
    await _log_units(conn, actor, app, UnitEventAction.INCLUDED, "inclusion_application_id", "")
    summary = {"units": details.line_count, "first_record": numbers[0], "last_record": numbers[-1], "data_center": dc.id}
    await append_audit(conn, actor, "registry.units_included", "Application", app.id, None, summary)
    await emit(conn, "registry.units_included", {"application": app.id, "miner_id": app.miner_id, **summary})


async def _log_units(
    conn: BaseDBAsyncClient, actor: Actor, app: Application, action: UnitEventAction, link: str, reason: str
) -> None:
    """One history event per unit touched by this application (set-based, any list size)."""
    c = lambda n, t: _cast(conn, n, t)  # noqa: E731
    await conn.execute_query(
        _sql(
            conn,
            f"INSERT INTO asic_unit_event (unit_id, at, actor_id, actor_label, action, application_id, changes, reason) "
            f"SELECT u.id, {c(1, 'TIMESTAMPTZ')}, {c(2, 'INT')}, {c(3, 'VARCHAR')}, {c(4, 'VARCHAR')}, "
            f"{c(5, 'INT')}, '{{}}', {c(6, 'TEXT')} FROM asic_unit u WHERE u.{link} = {c(5, 'INT')}",
        ),
        [_now(), actor.user_id, actor.label, action.value, app.id, reason],
    )


async def _targets(conn: BaseDBAsyncClient, app: Application) -> list[AsicUnit]:
    ids = await RegistryApplicationTarget.filter(application_id=app.id).using_db(conn).values_list("unit_id", flat=True)
    units: list[AsicUnit] = []
    for chunk in in_chunks(list(ids)):
        query = AsicUnit.filter(id__in=list(chunk))
        if conn.capabilities.dialect == "postgres":
            query = query.select_for_update()
        units.extend(await query.using_db(conn))
    gone = sorted((u for u in units if u.status is not UnitStatus.IN_REGISTRY), key=lambda u: u.record_number)
    if gone:
        raise unit_not_in_registry(
            None, [u.serial for u in gone], [u.id for u in gone],
            detail=f"record No. {gone[0].record_number} was excluded since the application was filed",
        )
    return sorted(units, key=lambda u: u.record_number)


async def _approve_exclusion(conn: BaseDBAsyncClient, app: Application, actor: Actor, decision: Decision) -> None:
    """Mark the records EXCLUDED with the date and reason; they are never deleted."""
    details = await _details(app, conn)
    units = await _targets(conn, app)
    today = _today()
    ids = [u.id for u in units]
    for chunk in in_chunks(ids):
        await AsicUnit.filter(id__in=list(chunk)).using_db(conn).update(
            status=UnitStatus.EXCLUDED, excluded_on=today, exclusion_reason=details.exclusion_reason,
            exclusion_application_id=app.id, updated_at=_now(),
        )
    reason = f"{details.exclusion_reason.value}: {details.reason_document}" if details.exclusion_reason else ""
    await AsicUnitEvent.bulk_create(
        [
            AsicUnitEvent(
                unit_id=u.id, at=_now(), actor_id=actor.user_id, actor_label=actor.label,
                action=UnitEventAction.EXCLUDED, application_id=app.id,
                changes={"status": [UnitStatus.IN_REGISTRY.value, UnitStatus.EXCLUDED.value], "excluded_on": [None, today.isoformat()]},
                reason=reason,
            )
            for u in units
        ],
        batch_size=2000,
        using_db=conn,
    )
    summary = {"units": len(units), "records": [u.record_number for u in units[:1000]], "reason": reason}
    await append_audit(conn, actor, "registry.units_excluded", "Application", app.id, None, summary)
    await emit(conn, "registry.units_excluded", {"application": app.id, "miner_id": app.miner_id, "units": len(units)})


async def _approve_change(conn: BaseDBAsyncClient, app: Application, actor: Actor, decision: Decision) -> None:
    """Apply the new wording to the records, keeping each record's before/after in its history."""
    details = await _details(app, conn)
    units = await _targets(conn, app)
    new = validate_changes(details.changes)
    if "data_center_id" in new:
        miner = await Miner.get(id=app.miner_id).using_db(conn)  # type: ignore[attr-defined]
        dc = await usable_data_center(actor, miner, new["data_center_id"], field=None, conn=conn)
        new["data_center_location"] = dc.address
        new["region"] = dc.region
    events = []
    now = _now()
    for u in units:
        diff = diff_changes({k: getattr(u, k) for k in new}, new)
        if diff:
            events.append(
                AsicUnitEvent(
                    unit_id=u.id, at=now, actor_id=actor.user_id, actor_label=actor.label,
                    action=UnitEventAction.CHANGED, application_id=app.id, changes=diff,
                    reason=details.change_reason,
                )
            )
    ids = [u.id for u in units]
    for chunk in in_chunks(ids):
        await AsicUnit.filter(id__in=list(chunk)).using_db(conn).update(**new, updated_at=now)
    await AsicUnitEvent.bulk_create(events, batch_size=2000, using_db=conn)
    summary = {"units": len(units), "changed": len(events), "changes": details.changes, "late": details.change_late}
    await append_audit(conn, actor, "registry.units_changed", "Application", app.id, None, summary)
    await emit(conn, "registry.units_changed", {"application": app.id, "miner_id": app.miner_id, "units": len(units),
                                                  "changed": len(events)})

