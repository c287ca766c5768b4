"""The ASIC registry (002): inclusion, exclusion and change applications on the shared
engine, what approving them does to the registry, and the registry's queries.

Procedure differences plug into the engine through resolvers/procedures.py (completeness and
approval hooks); the workflow, terms and stage history are the engine's.

One serial IN_REGISTRY once is checked at submission (per row, with the record it clashes
with), again at approval under the record-number lock, and finally enforced by the partial
unique index `asic_unit_serial_in_registry_uq` (models/migrations/0003_registry.py).

Modules: `inclusion`, `exclusion`, `change` (filing the three applications: their commands,
checks and completeness rules), `approval` (what a decision does to the registry), `queries`
(listings and the serial lookup), `reports` (capacity, totals), `unit_files` and `unit_xlsx`
(reading an uploaded unit list), `common` (what they share). Everything other modules use is
imported from here; importing the package registers the three procedures with the engine.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from tortoise.queryset import ValuesQuery

from models.applications import Application
from models.registry import RegistryApplication
from resolvers.page_memo import rows_by
from resolvers.procedures import ProcedureHooks
from resolvers.registry.approval import (
    _approve_change,
    _approve_exclusion,
    _approve_inclusion,
    take_record_numbers,
)
from resolvers.registry.change import (
    ApplyForChange,
    RecordChanges,
    _change_completeness,
    _change_problems,
    apply_for_change,
)
from resolvers.registry.common import (
    MAX_UNITS,
    MAX_UPLOAD_BYTES,
    REGISTRY_PROCEDURES,
    usable_data_center,
)
from resolvers.registry.exclusion import (
    ApplyForExclusion,
    _exclusion_completeness,
    _exclusion_problems,
    apply_for_exclusion,
)
from resolvers.registry.inclusion import (
    ApplyForInclusion,
    Holder,
    UnitLine,
    UnitListFile,
    _inclusion_completeness,
    _inclusion_problems,
    apply_for_inclusion,
    insert_lines,
    parse_units,
    registered_holders,
    serial_clashes,
)
from resolvers.registry.queries import (
    BY_RECORD_NUMBER,
    UnitFilter,
    estimate_unit_count,
    filtered_units,
    find_unit_by_serial,
    list_application_lines,
    list_application_targets,
    list_unit_events,
    list_units,
)
from resolvers.registry.reports import (
    DataCenterCapacity,
    Total,
    capacity,
    capacity_checks,
    registered_kw_by_dc,
    totals,
)
from resolvers.registry.unit_files import parse_unit_list
from rules.enums import Region
from rules.problems import Problem
from rules.workflow import ProcedureCode

_PROBLEMS: dict[ProcedureCode, Callable[[RegistryApplication], list[Problem]]] = {
    ProcedureCode.ASIC_INCLUSION: _inclusion_problems,
    ProcedureCode.ASIC_EXCLUSION: _exclusion_problems,
    ProcedureCode.ASIC_CHANGE: _change_problems,
}


async def _completeness_batch(apps: Sequence[Application]) -> list[list[Problem]]:
    """The completeness problems of a page of registry applications, in one statement (none when
    the page's `registryDetails` read them: resolvers/page_memo)."""
    ids = [app.id for app in apps]
    details = {
        app_id: d for app_id, d in zip(ids, await rows_by(RegistryApplication, "application_id", ids), strict=True)
        if d is not None
    }
    return [
        _PROBLEMS[ProcedureCode(app.procedure)](details[app.id]) if app.id in details else []
        for app in apps
    ]


def _in_region(region: Region) -> ValuesQuery[Any]:
    """Inclusion applications placing units in a data center of the region."""
    return RegistryApplication.filter(data_center__region=region).values("application_id")


# The engine's hooks for the three registry procedures; the table of procedures is
# resolvers/wiring.py.
INCLUSION_HOOKS = ProcedureHooks(
    incoming_prefix="AIN", completeness=_inclusion_completeness, approve=_approve_inclusion,
    completeness_batch=_completeness_batch, in_region=_in_region,
)
EXCLUSION_HOOKS = ProcedureHooks(
    incoming_prefix="AEX", completeness=_exclusion_completeness, approve=_approve_exclusion,
    completeness_batch=_completeness_batch,
)
CHANGE_HOOKS = ProcedureHooks(
    incoming_prefix="ACH", completeness=_change_completeness, approve=_approve_change,
    completeness_batch=_completeness_batch,
)

__all__ = [
    "BY_RECORD_NUMBER",
    "CHANGE_HOOKS",
    "EXCLUSION_HOOKS",
    "INCLUSION_HOOKS",
    "MAX_UNITS",
    "MAX_UPLOAD_BYTES",
    "REGISTRY_PROCEDURES",
    "ApplyForChange",
    "ApplyForExclusion",
    "ApplyForInclusion",
    "DataCenterCapacity",
    "Holder",
    "RecordChanges",
    "Total",
    "UnitFilter",
    "UnitLine",
    "UnitListFile",
    "apply_for_change",
    "apply_for_exclusion",
    "apply_for_inclusion",
    "capacity",
    "capacity_checks",
    "estimate_unit_count",
    "filtered_units",
    "find_unit_by_serial",
    "insert_lines",
    "list_application_lines",
    "list_application_targets",
    "list_unit_events",
    "list_units",
    "parse_unit_list",
    "parse_units",
    "registered_holders",
    "registered_kw_by_dc",
    "serial_clashes",
    "take_record_numbers",
    "totals",
    "usable_data_center",
]
