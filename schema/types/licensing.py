"""What a licence application carries beside the engine's Application (001 App.1, App.2, App.9,
App.10, App.11), its fee, and the previews of requirements and fees: typed views built from rows
and rule data, links read through the request's loaders."""

from __future__ import annotations

from collections.abc import Awaitable, Sequence
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Annotated, Any

import strawberry

from models import licensing as lm
from models import parties as pm
from resolvers import licensing as uc
from rules.enums import ElectricityPurchase
from rules.errors import ErrorCode
from rules.fees import FeeQuote as FeeQuoteRule
from rules.licensing import ReissueGround, ReorganisationForm, parse_reissue_grounds
from rules.qualification import DocumentKind, DocumentRequirement, RequirementCondition
from rules.reissue import ReissueScope
from rules.workflow import LicenseSubtype, ProcedureCode
from schema.enums import expose_enum
from schema.loaders import load_view, pending, ready
from schema.types.parties import DataCenter

if TYPE_CHECKING:
    from schema.types.licenses import License, LicenseAppendix

__all__ = [
    "FeeQuote",
    "LicenseApplicationDetails",
    "LicenseConfirmations",
    "LicenseFee",
    "LicenseRequirement",
]

expose_enum(
    DocumentKind,
    "QualificationDocumentKind",
    "A qualification document of a licence application [001 App.11].",
    {
        DocumentKind.DC_OWNERSHIP: "Subtype I: ownership or lawful holding of the data center, with its "
        "location [001 App.11 item 1.1].",
        DocumentKind.DC_OUTSIDE_RESIDENTIAL: "Subtype I: letter that the data center is outside residential "
        "zones [001 App.11 item 1.2].",
        DocumentKind.ASKUE_TELECOM: "Subtype I: automated commercial metering (ASKUE), load-shedding "
        "automation and telecoms; required from 2024-01-01 [001 App.11 item 1.4; order §4].",
        DocumentKind.GRID_TECH_CONDITIONS: "Subtype I: grid technical conditions, 35 kV or more and at least "
        "1 MW [001 App.11 item 1.5].",
        DocumentKind.BUILDING_TECH_CONDITIONS: "Subtype I, connected before 2023-04-01: technical conditions "
        "for the building instead [001 App.11 item 1.5 para 2].",
        DocumentKind.HOSTING_LETTER_OF_INTENT: "Subtype II: letter of intent to place units in a licensed "
        "subtype-I miner's data center [001 App.11 item 2.1].",
        DocumentKind.POOL_EVIDENCE: "Both subtypes: certificate, letter or contract with an accredited "
        "mining pool [001 App.11 items 1.3, 2.2].",
        DocumentKind.ELECTRICITY_SOURCE_PROOF: "Re-issue of subtype I on the ground ELECTRICITY_SOURCE_CHANGE: the "
        "document of the new electricity source (e.g. the supply contract) [001 App.3 item 9(2), App.9 ground 5].",
    },
)

expose_enum(
    ReissueGround,
    "ReissueGround",
    "Why a licence is re-issued [001 App.9 (subtype I: all six), App.10 (subtype II: four)].",
    {
        ReissueGround.REREGISTRATION: "Re-registration, change of name or of legal address [App.9 item 1, "
        "App.10 item 1].",
        ReissueGround.REORGANISATION: "Reorganisation: merger, transformation, accession, spin-off or "
        "division; give `reorganisationForm` [App.9 item 2, App.10 item 2].",
        ReissueGround.DC_LOCATION_CHANGE: "Subtype I only: the data center's location changed [App.9 item 3].",
        ReissueGround.SUBTYPE_NAME_CHANGE: "The name of the subtype changed [App.9 item 4, App.10 item 3].",
        ReissueGround.ELECTRICITY_SOURCE_CHANGE: "Subtype I only: the source of electricity changed "
        "[App.9 item 5].",
        ReissueGround.LAW_REQUIREMENT: "A law requires re-issue [App.9 item 6, App.10 item 4].",
    },
)

expose_enum(
    ReissueScope,
    "ReissueScope",
    "What a re-issue application asks to re-issue [001 App.9, App.10: \"лицензию и (или) приложение к "
    "лицензии\"].",
    {
        ReissueScope.LICENSE: "The licence: a new licence document and number; every appendix in force is "
        "carried over (the one the change concerns with its new data center / method).",
        ReissueScope.APPENDIX: "One appendix alone: a new appendix under the same licence, which keeps its "
        "number and its other appendices.",
    },
)

expose_enum(
    ReorganisationForm,
    "ReorganisationForm",
    "The form of a reorganisation that grounds a re-issue [001 App.9 item 2, App.10 item 2].",
    {
        ReorganisationForm.MERGER: "Merger (слияние).",
        ReorganisationForm.TRANSFORMATION: "Transformation (преобразование).",
        ReorganisationForm.ACCESSION: "Accession (присоединение).",
        ReorganisationForm.SPIN_OFF: "Spin-off (выделение).",
        ReorganisationForm.DIVISION: "Division (разделение).",
    },
)

expose_enum(
    RequirementCondition,
    "RequirementCondition",
    "When a qualification document is required [001 App.11].",
    {
        RequirementCondition.ALWAYS: "Always, for the subtype.",
        RequirementCondition.OWN_UNITS: "Where the miner has ASIC units of its own [001 App.11 item 1.3].",
        RequirementCondition.GRID_CONNECTED: "For each data center on grid power; not for power from "
        "generators outside the unified power system [001 App.11 item 1.5, note].",
        RequirementCondition.CONNECTED_BEFORE_CUTOFF: "Instead of the grid conditions, for a data center "
        "connected before 2023-04-01 [001 App.11 item 1.5 para 2].",
    },
)


# --- loaders ------------------------------------------------------------------------------


def _data_center_ids_loader(info: strawberry.Info) -> Any:
    return info.context.loaders.custom("license-application-dcs", uc.data_center_ids_of)


def _fees_loader(info: strawberry.Info) -> Any:
    return info.context.loaders.custom("license-fees", uc.fees_of)


def _views(view: Any, loader: Any, keys: Sequence[Any]) -> list[Any] | Awaitable[list[Any]]:
    """The views of `keys` (rows the caller may not see left out): at once when all are loaded."""
    found = [load_view(view, loader, key) for key in keys]
    if any(isinstance(v, Awaitable) for v in found):
        return _gather(found)
    return [v for v in found if v is not None]


async def _gather(found: list[Any]) -> list[Any]:
    out = [await v if isinstance(v, Awaitable) else v for v in found]
    return [v for v in out if v is not None]


# --- types --------------------------------------------------------------------------------


@strawberry.type(description="The four statements the applicant ticks on the application form [001 App.1, "
                 "App.2: confirmations].")
class LicenseConfirmations:
    official_contacts: bool = strawberry.field(description="The contacts given are official.")
    no_court_ban: bool = strawberry.field(description="No court ban on the licensed activity.")
    documents_true: bool = strawberry.field(description="All documents and data are true and reliable.")
    personal_data_consent: bool = strawberry.field(description="Consent to the use of restricted personal "
                                                   "data [Law on personal data art. 8].")


@strawberry.type(description="A fee in MRP and in tenge: the MRP count set by the rules in force on "
                 "registration, times the tenge value of one MRP in the year of payment [001 App.3 item 7].")
class LicenseFee:
    mrp: Decimal = strawberry.field(description="The fee in MRP (monthly calculation indices): 2000 for "
                                    "subtype I, 5 for subtype II, 10 % of it for a re-issue; 0 for "
                                    "applications registered before 2024-01-01 [001 App.3 item 7; order §4].")
    year: int = strawberry.field(description="The year whose MRP value is used: the year of payment, or the "
                                 "year of registration while unpaid.")
    mrp_rate_tenge: Decimal | None = strawberry.field(description="Tenge per MRP in `year`; null when that "
                                                      "year's value is not recorded.")
    tenge: Decimal | None = strawberry.field(description="The fee in tenge (to the tiyn); null when the MRP "
                                             "value of `year` is not recorded.")
    paid: bool = strawberry.field(description="True once the payment is recorded.")
    paid_on: date | None = strawberry.field(description="Day of payment (Almaty), when recorded.")
    reference: str | None = strawberry.field(description="Payment reference from the payment gateway or "
                                             "the officer, when recorded [001 App.3 item 9.3].")
    paid_amount: Decimal | None = strawberry.field(description="The amount paid in tenge, when recorded; less "
                                                   "than `tenge` is a completeness problem (FEE_UNDERPAID).")


@strawberry.type(description="What a licence or re-issue application asks for, beside the shared "
                 "application data [001 App.1, App.2, App.9, App.10].")
class LicenseApplicationDetails:
    id: strawberry.Private[int]
    subtype: LicenseSubtype = strawberry.field(description="The licence subtype applied for (or re-issued).")
    electricity_purchase: ElectricityPurchase | None = strawberry.field(
        description="Subtype I: how the miner buys electricity [001 App.1]; a re-issue on ground "
        "ELECTRICITY_SOURCE_CHANGE: the new method; null otherwise."
    )
    sheets: int = strawberry.field(description="Number of attached sheets, as the form states.")
    confirmations: LicenseConfirmations = strawberry.field(description="The applicant's four confirmations.")
    reissue_grounds: list[ReissueGround] = strawberry.field(description="Re-issue: the grounds cited; empty "
                                                            "for an issue application.")
    reorganisation_form: ReorganisationForm | None = strawberry.field(
        description="Re-issue on the ground REORGANISATION: its form; null otherwise."
    )
    reissue_scope: ReissueScope | None = strawberry.field(description="Re-issue: the licence or one appendix "
                                                          "alone; null for an issue application.")
    _procedure: strawberry.Private[ProcedureCode]
    _registered_on: strawberry.Private[date | None]
    _fee_mrp: strawberry.Private[Decimal]
    _paid_on: strawberry.Private[date | None]
    _reference: strawberry.Private[str | None]
    _paid_amount: strawberry.Private[Decimal | None]
    _reissue_of_id: strawberry.Private[int | None]
    _reissue_appendix_id: strawberry.Private[int | None]

    @classmethod
    def from_row(cls, row: lm.LicenseApplication, procedure: ProcedureCode, registered_on: date | None) -> LicenseApplicationDetails:
        grounds, form = parse_reissue_grounds(row.reissue_grounds or [])
        return cls(
            id=row.id, subtype=row.subtype, electricity_purchase=row.electricity_purchase, sheets=row.sheets,
            confirmations=LicenseConfirmations(
                official_contacts=row.confirm_official_contacts, no_court_ban=row.confirm_no_court_ban,
                documents_true=row.confirm_documents_true, personal_data_consent=row.confirm_personal_data,
            ),
            reissue_grounds=list(grounds), reorganisation_form=form, reissue_scope=row.reissue_scope,
            _reissue_appendix_id=row.reissue_appendix_id,  # type: ignore[attr-defined]
            _procedure=procedure, _registered_on=registered_on, _fee_mrp=row.fee_mrp, _paid_on=row.paid_on,
            _reference=row.payment_reference, _paid_amount=row.paid_amount, _reissue_of_id=row.reissue_of_id,  # type: ignore[attr-defined]
        )

    @strawberry.field(description="The data centers named: for subtype I the applicant's own, for subtype II "
                      "the host's; those the caller may not see are left out.")
    def data_centers(self, info: strawberry.Info) -> list[DataCenter]:
        return _named_data_centers(info, self.id, DataCenter, info.context.loaders.visible(pm.DataCenter))  # type: ignore[no-any-return]

    @strawberry.field(description="The locations of the data centers named, as the form states them: for "
                      "subtype II the address of the host's data center where the units are placed, given "
                      "even when the host's record itself (`dataCenters`) is not the caller's to read "
                      "[001 App.1, App.2].")
    def data_center_addresses(self, info: strawberry.Info) -> list[str]:
        from schema.types.licenses import data_center_addresses

        return _named_data_centers(info, self.id, _Address, data_center_addresses(info))  # type: ignore[no-any-return]

    @strawberry.field(description="The fee and its payment; zero for applications registered before "
                      "2024-01-01 [001 App.3 item 7; order §4].")
    def fee(self, info: strawberry.Info) -> LicenseFee:
        key = (self._procedure, self.subtype, self._registered_on, self._paid_on)
        quote = ready(_fees_loader(info), key)
        if pending(quote):
            return self._fee_later(quote)  # type: ignore[return-value]
        return self._fee(quote)

    async def _fee_later(self, quote: Awaitable[FeeQuoteRule]) -> LicenseFee:
        return self._fee(await quote)

    def _fee(self, quote: FeeQuoteRule) -> LicenseFee:
        mrp = Decimal(self._fee_mrp)
        # The count stored on filing, priced like rules.fees.fee_tenge (to the tiyn, half up).
        tenge = None if quote.rate is None else (mrp * quote.rate).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
        return LicenseFee(
            mrp=mrp, year=quote.year, mrp_rate_tenge=quote.rate, tenge=tenge, paid=self._paid_on is not None,
            paid_on=self._paid_on, reference=self._reference, paid_amount=self._paid_amount,
        )

    @strawberry.field(description="Re-issue: the licence to be re-issued; null for an issue application or "
                      "a licence the caller may not see.")
    def reissue_of(
        self, info: strawberry.Info
    ) -> Annotated[License, strawberry.lazy("schema.types.licenses")] | None:
        from schema.types.licenses import License

        return load_view(License, info.context.loaders.visible(lm.License), self._reissue_of_id)  # type: ignore[no-any-return]

    @strawberry.field(description="Re-issue: the appendix re-issued alone, or the one the new data center / "
                      "electricity method changes; null otherwise.")
    def reissue_appendix(
        self, info: strawberry.Info
    ) -> Annotated[LicenseAppendix, strawberry.lazy("schema.types.licenses")] | None:
        from schema.types.licenses import LicenseAppendix

        loader = info.context.loaders.visible(lm.LicenseAppendix)
        return load_view(LicenseAppendix, loader, self._reissue_appendix_id)  # type: ignore[no-any-return]


class _Address:
    """The "view" of an address: the loaded string itself."""

    @staticmethod
    def from_row(address: str) -> str:
        return address


def _named_data_centers(info: strawberry.Info, detail_id: int, view: Any, loader: Any) -> Any:
    """The views (by `loader`) of the data centers a licence application names, in id order."""
    ids = ready(_data_center_ids_loader(info), detail_id)
    if pending(ids):
        return _later_views(view, ids, loader)
    return _views(view, loader, ids)


async def _later_views(view: Any, ids: Awaitable[list[int]], loader: Any) -> list[Any]:
    found = _views(view, loader, await ids)
    return await found if isinstance(found, Awaitable) else found


@strawberry.type(description="A qualification document the rules require of a licence application "
                 "[001 App.11].")
class LicenseRequirement:
    kind: DocumentKind = strawberry.field(description="The document, as `documents[].kind` names it.")
    description: str = strawberry.field(description="What the document is, in English.")
    condition: RequirementCondition = strawberry.field(description="When it is required.")
    legal_basis: str = strawberry.field(description="Where the requirement is, e.g. `001 App.11 item 1.4`.")
    required_from: date = strawberry.field(description="The day the requirement took effect.")

    @classmethod
    def from_rule(cls, r: DocumentRequirement) -> LicenseRequirement:
        return cls(kind=r.kind, description=r.description, condition=r.condition, legal_basis=r.legal_basis,
                   required_from=r.effective_from)


@strawberry.type(description="What a fee comes to, before filing [001 App.3 item 7].")
class FeeQuote:
    procedure: ProcedureCode = strawberry.field(description="The service quoted.")
    subtype: LicenseSubtype | None = strawberry.field(description="The licence subtype; null for services "
                                                      "without one.")
    on: date = strawberry.field(description="The day quoted: its rules give the MRP count, its year the rate.")
    mrp: Decimal = strawberry.field(description="The fee in MRP; 0 for a free service or before 2024-01-01.")
    year: int = strawberry.field(description="The year whose MRP value is used (the year of payment).")
    mrp_rate_tenge: Decimal | None = strawberry.field(description="Tenge per MRP in `year`; null when not recorded.")
    tenge: Decimal | None = strawberry.field(description="The fee in tenge; null when the MRP value of `year` "
                                             "is not recorded (see `reason`).")
    reason_code: ErrorCode | None = strawberry.field(description="Why `tenge` is null (MISSING_MRP); null when "
                                                     "it is given.")
    reason: str | None = strawberry.field(description="The same, in the request's language.")

    @classmethod
    def from_quote(cls, q: FeeQuoteRule, language: str) -> FeeQuote:
        return cls(
            procedure=q.procedure, subtype=q.subtype, on=q.registered_on, mrp=q.mrp, year=q.year,
            mrp_rate_tenge=q.rate, tenge=q.tenge,
            reason_code=q.missing.code if q.missing else None,
            reason=q.missing.message(language) if q.missing else None,
        )
