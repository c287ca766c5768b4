"""The ASIC registry (002): inclusion, exclusion and change applications on the shared
engine, what approving them does to the registry, and the registry's queries.

Procedure differences plug into the engine through resolvers/procedures.py (completeness and
approval hooks); the workflow, terms and stage history are the engine's.

One serial IN_REGISTRY once is checked at submission (per row, with the record it clashes
with), again at approval under the record-number lock, and finally enforced by the partial
unique index `asic_unit_serial_in_registry_uq` (models/migrations/0003_registry.py).

Modules: `inclusion`, `exclusion`, `change` (filing the three applications, with their
completeness hooks), `approval` (what a decision does to the registry), `queries` (lists,
lookups, history, details), `reports` (capacity, totals), `unit_files` and `unit_xlsx` (reading
an uploaded unit list), `common` (what they share). Everything other modules use is imported
from here; importing the package registers the three procedures with the engine.
"""

from __future__ import annotations

from resolvers.procedures import ProcedureHooks, register_procedure
from resolvers.registry.approval import (
    _approval_conflicts,
    _approve_change,
    _approve_exclusion,
    _approve_inclusion,
    take_record_numbers,
)
from resolvers.registry.change import _change_completeness, apply_for_change
from resolvers.registry.common import (
    MAX_UNITS,
    MAX_UPLOAD_BYTES,
    REGISTRY_PROCEDURES,
    usable_data_center,
)
from resolvers.registry.exclusion import _exclusion_completeness, apply_for_exclusion
from resolvers.registry.inclusion import (
    Holder,
    InclusionResult,
    _inclusion_completeness,
    apply_for_inclusion,
    conflict_issues,
    insert_lines,
    parse_units,
    registered_holders,
)
from resolvers.registry.queries import (
    UnitFilter,
    application_lines,
    application_targets,
    filtered_units,
    list_units,
    registry_details,
    unit_by_serial,
    unit_history,
)
from resolvers.registry.reports import (
    DataCenterCapacity,
    Total,
    capacity,
    inclusion_capacity,
    registered_kw_by_dc,
    totals,
)
from resolvers.registry.unit_files import parse_unit_list
from rules.workflow import ProcedureCode

# The engine's hooks for the three registry procedures (resolvers/procedures.py).
register_procedure(
    ProcedureCode.ASIC_INCLUSION,
    ProcedureHooks(incoming_prefix="AIN", completeness=_inclusion_completeness, approve=_approve_inclusion),
)
register_procedure(
    ProcedureCode.ASIC_EXCLUSION,
    ProcedureHooks(incoming_prefix="AEX", completeness=_exclusion_completeness, approve=_approve_exclusion),
)
register_procedure(
    ProcedureCode.ASIC_CHANGE,
    ProcedureHooks(incoming_prefix="ACH", completeness=_change_completeness, approve=_approve_change),
)

__all__ = [
    "MAX_UNITS",
    "MAX_UPLOAD_BYTES",
    "REGISTRY_PROCEDURES",
    "DataCenterCapacity",
    "Holder",
    "InclusionResult",
    "Total",
    "UnitFilter",
    "_approval_conflicts",
    "application_lines",
    "application_targets",
    "apply_for_change",
    "apply_for_exclusion",
    "apply_for_inclusion",
    "capacity",
    "conflict_issues",
    "filtered_units",
    "inclusion_capacity",
    "insert_lines",
    "list_units",
    "parse_unit_list",
    "parse_units",
    "registered_holders",
    "registered_kw_by_dc",
    "registry_details",
    "take_record_numbers",
    "totals",
    "unit_by_serial",
    "unit_history",
    "usable_data_center",
]
