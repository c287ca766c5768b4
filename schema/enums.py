"""Enums in the GraphQL schema: one definition each (the Python enum in rules/), a name that
stands alone in a shared schema, and a description on the type and on every value.

Each domain module exposes its own enums with `expose_enum`; the ones shared by several
domains are exposed here.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import Enum
from typing import TypeVar

import strawberry

from rules.access import PartnerKind
from rules.enums import (
    Channel,
    ElectricityPurchase,
    MinerKind,
    PowerSource,
    Region,
    Role,
    ServerRole,
)
from rules.notifications import NotificationLanguage
from rules.workflow import Action, LicenseSubtype, ProcedureCode, Stage

__all__ = ["NotificationLanguage", "OrderDirection", "PartnerKind", "expose_enum"]

E = TypeVar("E", bound=type[Enum])


def expose_enum(cls: E, name: str, description: str, values: Mapping[Enum, str]) -> E:
    """Register `cls` as the GraphQL enum `name`; every member must have a description."""
    missing = [m.name for m in cls if m not in values]  # type: ignore[attr-defined]
    if missing:
        raise ValueError(f"{name}: describe every value, missing {missing}")
    strawberry.enum(cls, name=name, description=description)
    definition = cls.__strawberry_definition__  # type: ignore[attr-defined]
    for value in definition.values:
        value.description = values[cls[value.name]]  # type: ignore[index]
    return cls


@strawberry.enum(description="Sort direction of a list.")
class OrderDirection(Enum):
    ASC = strawberry.enum_value("ASC", description="Smallest (earliest) first.")
    DESC = strawberry.enum_value("DESC", description="Largest (latest) first.")


expose_enum(
    MinerKind,
    "MinerKind",
    "Legal form of a digital miner.",
    {
        MinerKind.IE: "Individual entrepreneur (sole proprietor), identified by a 12-digit IIN.",
        MinerKind.LE: "Legal entity, identified by a 12-digit BIN.",
    },
)

_REGIONS = {
    Region.ASTANA: "Astana (city of republican significance).",
    Region.ALMATY_CITY: "Almaty (city of republican significance).",
    Region.SHYMKENT: "Shymkent (city of republican significance).",
    Region.ABAI: "Abai region.",
    Region.AKMOLA: "Akmola region.",
    Region.AKTOBE: "Aktobe region.",
    Region.ALMATY: "Almaty region (not the city).",
    Region.ATYRAU: "Atyrau region.",
    Region.EAST_KAZAKHSTAN: "East Kazakhstan region.",
    Region.ZHAMBYL: "Zhambyl region.",
    Region.ZHETYSU: "Zhetysu region.",
    Region.WEST_KAZAKHSTAN: "West Kazakhstan region.",
    Region.KARAGANDA: "Karaganda region.",
    Region.KOSTANAY: "Kostanay region.",
    Region.KYZYLORDA: "Kyzylorda region.",
    Region.MANGYSTAU: "Mangystau region.",
    Region.PAVLODAR: "Pavlodar region.",
    Region.NORTH_KAZAKHSTAN: "North Kazakhstan region.",
    Region.TURKISTAN: "Turkistan region.",
    Region.ULYTAU: "Ulytau region.",
}
expose_enum(Region, "Region", "Regions and cities of republican significance (2022 division).", _REGIONS)

expose_enum(
    PowerSource,
    "PowerSource",
    "Where a data center takes its electricity from.",
    {
        PowerSource.GRID: "Connected to the unified power system of Kazakhstan.",
        PowerSource.OFF_GRID: "Generators not connected to the unified power system (no grid "
        "technical conditions needed) [001 App.11 I(5)].",
    },
)

expose_enum(
    ElectricityPurchase,
    "ElectricityPurchase",
    "How a subtype-I miner buys electricity [001 App.1].",
    {
        ElectricityPurchase.SINGLE_BUYER: "From the single buyer on centralised trading.",
        ElectricityPurchase.OFF_GRID_GENERATOR: "From generators not connected to the unified "
        "power system.",
    },
)

expose_enum(
    ServerRole,
    "ServerRole",
    "Role of a mining pool's server complex [004 §4].",
    {
        ServerRole.MAIN: "The main server complex.",
        ServerRole.BACKUP: "A backup server complex (must be in another settlement).",
    },
)

expose_enum(
    Role,
    "UserRole",
    "What a user of the API is; it decides what the user may see and do.",
    {
        Role.OFFICER: "Officer of the authority: reads everything, decides on applications.",
        Role.APPLICANT: "Acts for exactly one organisation (a miner or a pool) and sees only its "
        "records.",
        Role.INSPECTOR: "Field inspector: reads the registry, carries out inspections.",
        Role.PARTNER: "Partner system (grid operator, tax authority, pool): reads public registry "
        "data, never personal contacts or applications.",
        Role.ADMIN: "Administrator: users, tokens, calendar decrees, MRP rates, audit.",
    },
)

expose_enum(
    PartnerKind,
    "PartnerKind",
    "What a partner system is: it decides which event types its account reads (rules/access.EVENT_GRANTS).",
    {
        PartnerKind.GRID_OPERATOR: "The grid operator: licences, ASIC units, data centers.",
        PartnerKind.TAX_AUTHORITY: "The tax authority: licences and pools' accreditation.",
        PartnerKind.POOL: "A mining pool's system: its own accreditation and its members joining or leaving it.",
    },
)



# -- the application engine's enums: shared by applications, errors and (later) events --------

expose_enum(
    ProcedureCode,
    "ProcedureCode",
    "The service an application asks for; all run on the one application engine.",
    {
        ProcedureCode.LICENSE_ISSUE: "Issue of a digital-mining licence and/or appendix [001 §6-10].",
        ProcedureCode.LICENSE_REISSUE: "Re-issue of a licence or appendix [001 §13-15].",
        ProcedureCode.ASIC_INCLUSION: "Inclusion of ASIC units in the registry [002 §9-13].",
        ProcedureCode.ASIC_EXCLUSION: "Exclusion of ASIC units from the registry [002 §14].",
        ProcedureCode.ASIC_CHANGE: "Change of registry records [002 §15].",
        ProcedureCode.POOL_ACCREDITATION: "Accreditation of a digital mining pool [004].",
        ProcedureCode.POOL_REISSUE: "Re-issue of a pool accreditation certificate [004 §12].",
    },
)

expose_enum(
    Stage,
    "ApplicationStage",
    "Where an application is in the shared workflow.",
    {
        Stage.SUBMITTED: "Received, not yet registered (momentary: registration follows at once).",
        Stage.REGISTERED: "Registered on a working day; the completeness check is due.",
        Stage.INCOMPLETE_REFUSED: "Refused further review: incomplete package or expired documents.",
        Stage.UNDER_REVIEW: "Complete; reviewed on the merits.",
        Stage.PRELIMINARY_REFUSAL: "Grounds for refusal found; the hearing notice must follow.",
        Stage.HEARING_SCHEDULED: "Hearing notice sent; the decision follows the hearing.",
        Stage.APPROVED: "Decided: the service was granted.",
        Stage.REFUSED: "Decided: motivated refusal of the service.",
        Stage.WITHDRAWN: "Withdrawn by the applicant.",
    },
)

expose_enum(
    Action,
    "ApplicationAction",
    "A step that moves an application from one stage to the next.",
    {
        Action.REGISTER: "Registration (automatic, on the working day the receipt time gives).",
        Action.ACCEPT_COMPLETE: "Officer: the package is complete; review on the merits starts.",
        Action.REFUSE_INCOMPLETE: "Officer: refusal of further review (incomplete or expired documents).",
        Action.PRELIMINARY_REFUSE: "Officer: preliminary decision to refuse; a hearing must follow.",
        Action.SCHEDULE_HEARING: "Officer: hearing notice sent with the time and place.",
        Action.APPROVE: "Officer: the service is granted.",
        Action.REFUSE: "Officer: motivated refusal of the service.",
        Action.WITHDRAW: "Applicant (or an officer on its behalf): the application is withdrawn.",
    },
)

expose_enum(
    Channel,
    "ReceiptChannel",
    "How an application reached the authority.",
    {
        Channel.PORTAL: "Through the portal, at any time; after hours it is registered on the next working day.",
        Channel.OFFICE: "On paper at the office; an officer records when it was received.",
    },
)

expose_enum(
    LicenseSubtype,
    "LicenseSubtype",
    "Subtype of a digital-mining licence [001 §3].",
    {
        LicenseSubtype.I: "The miner owns or lawfully holds a data center [001 §3].",
        LicenseSubtype.II: "The miner has no data center and mines with its own ASIC units hosted in the "
        "data center of a licensed subtype-I miner [001 §3].",
    },
)

expose_enum(
    NotificationLanguage,
    "NotificationLanguage",
    "The language a user's notifications and e-mails are written in.",
    {NotificationLanguage.KK: "Kazakh.", NotificationLanguage.RU: "Russian."},
)
