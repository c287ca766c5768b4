"""Pool accreditation in GraphQL (004): what an accreditation application carries, the seven
conditions as the officer sees them, the certificates and the accreditation of a pool on a day.
Rows come batched through the request's loaders."""

from __future__ import annotations

from datetime import date
from typing import Any, ClassVar

import strawberry
from strawberry import relay

from models import pools as pm
from resolvers import pools as uc
from rules.calendar import ALMATY
from rules.enums import ServerRole
from rules.pools import (
    CertificateStatus,
    CheckResult,
    ConditionResult,
    ConditionStatus,
    PoolCondition,
    PoolDocumentKind,
    SettlementKind,
)
from schema.enums import expose_enum
from schema.loaders import load_view, load_views, ready, then
from schema.relay import RowNode, Timestamped

__all__ = ["PoolAccreditation", "PoolApplicationDetails", "PoolCertificate", "PoolConditionResult", "pool_conditions",
           "pool_details"]

expose_enum(
    PoolCondition,
    "PoolCondition",
    "The seven mandatory conditions of pool accreditation [004 §4].",
    {
        PoolCondition.SERVERS_IN_KAZAKHSTAN: "(1) The pool's server complexes are physically in Kazakhstan.",
        PoolCondition.INFOSEC_TEST_PASSED: "(2) An information-security test act with a positive result.",
        PoolCondition.BACKUP_IN_ANOTHER_SETTLEMENT: "(3) At least one backup complex in another settlement: the "
        "capital or a city of republican, regional or district significance.",
        PoolCondition.TWO_PROVIDERS_PER_COMPLEX: "(4) Each complex (main and backup) has two dedicated channels from "
        "different providers.",
        PoolCondition.SUPPORT_24_7: "(5) Technical support and client requests round the clock.",
        PoolCondition.UI_IN_THREE_LANGUAGES: "(6) The user interface in Kazakh, Russian and English.",
        PoolCondition.STATE_PD_SERVICE_INTEGRATED: "(7) Integration with the state personal-data access service "
        "(a positive letter).",
    },
)
expose_enum(
    ConditionStatus,
    "PoolConditionStatus",
    "How the application's data stands against a condition.",
    {
        ConditionStatus.MET: "The data shows the condition met.",
        ConditionStatus.NOT_MET: "The data shows it not met: a refusal ground [004 App.2 item 9(2)], heard at a "
        "hearing first.",
        ConditionStatus.NOT_SHOWN: "The data or its document was not given: a gap in the package [004 §7].",
    },
)
expose_enum(
    SettlementKind,
    "SettlementKind",
    "The kind of a settlement [004 §4(3)].",
    {
        SettlementKind.CAPITAL: "The capital.",
        SettlementKind.REPUBLICAN_CITY: "A city of republican significance.",
        SettlementKind.REGIONAL_CITY: "A city of regional significance.",
        SettlementKind.DISTRICT_CITY: "A city of district significance.",
        SettlementKind.OTHER: "Another settlement (not enough for a backup complex).",
    },
)
expose_enum(
    CheckResult,
    "CheckResult",
    "The result of a test act or an official letter.",
    {CheckResult.POSITIVE: "Positive.", CheckResult.NEGATIVE: "Negative."},
)
expose_enum(
    CertificateStatus,
    "PoolCertificateStatus",
    "Where a pool accreditation certificate stands.",
    {
        CertificateStatus.ACTIVE: "Accredits its pool through `validUntil`.",
        CertificateStatus.REPLACED: "A re-issued certificate took its place on `endedOn` (kept for history).",
        CertificateStatus.EXPIRED: "Its last valid day has passed [004 §3].",
    },
)


expose_enum(
    PoolDocumentKind,
    "PoolDocumentKind",
    "The documents of a pool accreditation application [004 App.2 item 8].",
    {
        PoolDocumentKind.BACKUP_COMPLEX_LETTER: "Letter on the backup complex in another settlement.",
        PoolDocumentKind.SERVER_ROOM_LEASE: "Server-room lease with two dedicated channels from different providers "
        "for each complex (also for a re-issue).",
        PoolDocumentKind.SUPPORT_24_7_LETTER: "Letter on round-the-clock technical support.",
        PoolDocumentKind.UI_LANGUAGES_LETTER: "Letter on the interface in Kazakh, Russian and English.",
        PoolDocumentKind.STATE_SERVICE_INTEGRATION_LETTER: "Copy of the positive letter on integration with the "
        "state personal-data service.",
    },
)


@strawberry.type(description="One condition of 004 §4 judged on the application's data.")
class PoolConditionResult:
    condition: PoolCondition = strawberry.field(description="The condition.")
    item: int = strawberry.field(description="Its item in 004 §4 (1 to 7).")
    status: ConditionStatus = strawberry.field(description="Met, not met, or not shown.")
    reason: str = strawberry.field(description="Why, in English (specifics for the officer).")

    @classmethod
    def from_rule(cls, r: ConditionResult) -> PoolConditionResult:
        return cls(condition=r.condition, item=r.condition.item, status=r.status, reason=r.reason)


@strawberry.type(description="A server complex of the pool as the application states it [004 §4(1), (3), (4)].")
class PoolServerComplex:
    role: ServerRole = strawberry.field(description="Main or backup.")
    in_kazakhstan: bool = strawberry.field(description="Physically in Kazakhstan.")
    settlement: str = strawberry.field(description="The settlement.")
    settlement_kind: SettlementKind = strawberry.field(description="Its kind.")
    address: str = strawberry.field(description="The address.")
    providers: list[str] = strawberry.field(description="The provider of each dedicated channel.")


@strawberry.type(description="A pool accreditation certificate [004 App.3]: valid one year from issue; the public "
                 "register reads it.")
class PoolCertificate(RowNode, relay.Node, Timestamped):
    MODEL: ClassVar = pm.PoolCertificate

    id: relay.NodeID[int]
    number: str = strawberry.field(description="Certificate number, e.g. `KZ-PL-2025-00012`.")
    pool_name: str = strawberry.field(description="The pool's name as at issue.")
    pool_bin: str = strawberry.field(description="The pool's BIN.")
    server_locations: str = strawberry.field(description="Where the pool's server complexes are.")
    issued_on: date = strawberry.field(description="Day of issue (Almaty).")
    valid_until: date = strawberry.field(description="The last valid day: the same date a year later [004 §3].")
    ended_on: date | None = strawberry.field(description="Replaced by a re-issued certificate from this day.")
    status: CertificateStatus = strawberry.field(description="Active, replaced or expired.")

    @classmethod
    def from_row(cls, row: pm.PoolCertificate) -> PoolCertificate:
        return cls(
            id=row.id, number=row.number, pool_name=row.pool_name, pool_bin=row.pool_bin,
            server_locations=row.server_locations, issued_on=row.issued_on, valid_until=row.valid_until,
            ended_on=row.ended_on, status=row.status, created_at=row.created_at, updated_at=row.updated_at,
        )


@strawberry.type(description="A pool's accreditation on a day [004 §3].")
class PoolAccreditation:
    on: date = strawberry.field(description="The day asked about (Almaty).")
    accredited: bool = strawberry.field(description="Accredited on that day.")
    certificate: PoolCertificate | None = strawberry.field(description="The certificate in force that day, if any.")


def certificates_loader(info: strawberry.Info) -> Any:
    return info.context.loaders.custom("pool-certificates", uc.certificates_of)


def accreditation(info: strawberry.Info, pool_id: int, on: date | None = None) -> Any:
    """The pool's accreditation on `on` (default: today in Almaty), from its certificates."""
    day = on or info.context.now.astimezone(ALMATY).date()
    certs = ready(certificates_loader(info), pool_id)

    def view(rows: list[pm.PoolCertificate]) -> PoolAccreditation:
        current = next((c for c in rows if uc.is_accredited([c], day)), None)
        return PoolAccreditation(on=day, accredited=current is not None,
                                 certificate=None if current is None else PoolCertificate.from_row(current))

    return then(certs, view)


def pool_conditions(info: strawberry.Info, pool_id: int) -> Any:
    actor = info.context.user
    loader = info.context.loaders.custom(("pool-conditions", actor), lambda keys: uc.latest_conditions(actor, keys))
    found = ready(loader, pool_id)

    def view(results: list[ConditionResult]) -> list[PoolConditionResult]:
        return [PoolConditionResult.from_rule(r) for r in results]

    return then(found, view)


def certificates(info: strawberry.Info, pool_id: int) -> Any:
    return load_views(PoolCertificate, certificates_loader(info), pool_id)


@strawberry.type(description="What a pool accreditation (or re-issue) application carries [004 App.1, §4].")
class PoolApplicationDetails:
    id: strawberry.Private[int]
    complexes: list[PoolServerComplex] = strawberry.field(description="The server complexes, main and backup.")
    infosec_act_number: str = strawberry.field(description="The information-security test act's number.")
    infosec_act_date: date | None = strawberry.field(description="Its date.")
    infosec_result: CheckResult | None = strawberry.field(description="Its result.")
    round_the_clock_support: bool | None = strawberry.field(description="Support works round the clock, as stated.")
    support_contacts: str = strawberry.field(description="The support's contacts.")
    ui_languages: list[str] = strawberry.field(description="The interface languages (codes).")
    state_service_letter_number: str = strawberry.field(description="The letter on integration with the state "
                                                        "personal-data service: number.")
    state_service_letter_date: date | None = strawberry.field(description="Its date.")
    state_service_result: CheckResult | None = strawberry.field(description="Positive or negative.")
    documents_true: bool = strawberry.field(description="The applicant confirms the information and documents.")
    personal_data_consent: bool = strawberry.field(description="Consent to collect and process personal data.")
    reissue_reason: str = strawberry.field(description="Re-issue: why; empty for an accreditation.")
    _reissue_of_id: strawberry.Private[int | None]
    _row: strawberry.Private[pm.PoolApplication]

    @classmethod
    def from_row(cls, row: pm.PoolApplication) -> PoolApplicationDetails:
        return cls(
            id=row.id,
            complexes=[PoolServerComplex(role=ServerRole(c["role"]), in_kazakhstan=c["in_kazakhstan"],
                                         settlement=c["settlement"], settlement_kind=SettlementKind(c["settlement_kind"]),
                                         address=c["address"], providers=list(c["providers"]))
                       for c in row.server_complexes or []],
            infosec_act_number=row.infosec_act_number, infosec_act_date=row.infosec_act_date,
            infosec_result=row.infosec_result, round_the_clock_support=row.support_24_7, support_contacts=row.support_contacts,
            ui_languages=list(row.ui_languages or []), state_service_letter_number=row.state_service_letter_number,
            state_service_letter_date=row.state_service_letter_date, state_service_result=row.state_service_result,
            documents_true=row.confirm_documents_true, personal_data_consent=row.confirm_personal_data,
            reissue_reason=row.reissue_reason, _reissue_of_id=row.reissue_of_id, _row=row,  # type: ignore[attr-defined]
        )

    @strawberry.field(description="The seven conditions of 004 §4 judged on this data: the officer's view of "
                      "completeness (NOT_SHOWN) and the merits (NOT_MET).")
    def conditions(self) -> list[PoolConditionResult]:
        return [PoolConditionResult.from_rule(r) for r in uc.assess(self._row)]

    @strawberry.field(description="Re-issue: the certificate re-issued; null for an accreditation.")
    def reissue_of(self, info: strawberry.Info) -> PoolCertificate | None:
        return load_view(PoolCertificate, info.context.loaders.visible(pm.PoolCertificate), self._reissue_of_id)  # type: ignore[no-any-return]


def pool_details(info: strawberry.Info, application_id: int) -> Any:
    return load_view(PoolApplicationDetails, info.context.loaders.one(pm.PoolApplication, "application_id"),
                     application_id)
