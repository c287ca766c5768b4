"""Licence applications in GraphQL: filing (App.1 / App.2), re-issue (App.9 / App.10), the fee's
payment, and previews of what an application needs and costs (the types are in
schema/types/licensing.py and schema/types/applications.py)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated

import strawberry
from strawberry import relay
from strawberry.file_uploads import Upload

from resolvers import licensing as uc
from rules.enums import Channel, ElectricityPurchase
from rules.licensing import ReissueGround, ReorganisationForm
from rules.limits import PAYMENT_TENGE
from rules.qualification import Confirmations, DocumentKind
from rules.reissue import ReissueScope
from rules.workflow import LicenseSubtype, ProcedureCode
from schema.bounds import bound, described
from schema.errors import mutation, payload
from schema.idempotency import client_mutation_id
from schema.ids import pk_of
from schema.types.applications import Application
from schema.types.licensing import FeeQuote, LicenseRequirement
from schema.uploads import document_items

__all__ = ["LicensingMutation", "LicensingQuery"]

_RECEIVED_AT = ("Officers only: the receipt time of an imported historical record (with a time zone); it "
                "decides the registration day and is audited as `application.receipt_time_recorded`. Applicants "
                "file on the portal, received now.")


_FILE = ("The scanned document itself, optional (a GraphQL multipart request): a PDF, JPEG or PNG by its "
         "content, at most 10 MiB; stored with its SHA-256.")


@strawberry.input(description="An attached qualification document [001 App.11].")
class DocumentInput:
    kind: DocumentKind = strawberry.field(description="What it proves; a kind of the application's subtype.")
    title: str = strawberry.field(description="Its title (up to 500 characters).")
    number: str | None = strawberry.field(default=None, description="Its number, if any (up to 100 characters).")
    issued_on: date | None = strawberry.field(default=None, description="Its issue date, if any.")
    valid_until: date | None = strawberry.field(default=None, description="Its last valid day, inclusive; none "
                                                "when it does not expire.")
    file: Upload | None = strawberry.field(default=None, description=_FILE)


@strawberry.input(description="The applicant's four confirmations [001 App.1, App.2].")
class ConfirmationsInput:
    official_contacts: bool = strawberry.field(default=False, description="The contacts given are official.")
    no_court_ban: bool = strawberry.field(default=False, description="No court ban on the licensed activity.")
    documents_true: bool = strawberry.field(default=False, description="All documents and data are true.")
    personal_data_consent: bool = strawberry.field(default=False, description="Consent to the use of restricted "
                                                   "personal data.")


@strawberry.input(description="A licence and/or appendix application: App.1 (subtype I) or App.2 (subtype II).")
class ApplyForLicenseInput:
    subtype: LicenseSubtype = strawberry.field(description="The subtype applied for.")
    miner_id: relay.GlobalID = strawberry.field(description="The applicant miner (an applicant's own "
                                                "organisation; officers: any).")
    data_center_ids: list[relay.GlobalID] = strawberry.field(description="Subtype I: the miner's own data "
                                                             "centers (one appendix each); subtype II: the one "
                                                             "host data center of a subtype-I miner.")
    electricity_purchase: ElectricityPurchase | None = strawberry.field(default=None, description="Subtype I: how "
                                                                        "electricity is bought; none for subtype II.")
    confirmations: ConfirmationsInput = strawberry.field(default_factory=ConfirmationsInput,
                                                         description="The four confirmations (all required).")
    documents: list[DocumentInput] = strawberry.field(default_factory=list, description="The App.11 documents "
                                                      "(`licenseRequirements` lists them).")
    sheets: int = strawberry.field(default=0, description="Number of attached sheets (0 to 10000).")
    channel: Channel = strawberry.field(default=Channel.PORTAL, description="PORTAL: licensing is filed through "
                                        "the portal only; OFFICE is refused (CHANNEL_NOT_ALLOWED) [001 §4, §12].")
    received_at: datetime | None = strawberry.field(default=None, description=_RECEIVED_AT)
    client_mutation_id: str | None = client_mutation_id()


@strawberry.input(description="A re-issue application: App.9 (subtype I) or App.10 (subtype II).")
class ApplyForLicenseReissueInput:
    license_id: relay.GlobalID = strawberry.field(description="The licence to re-issue (active or suspended).")
    grounds: list[ReissueGround] = strawberry.field(description="The grounds, at least one, of the licence's "
                                                    "subtype.")
    reorganisation_form: ReorganisationForm | None = strawberry.field(default=None, description="Exactly when "
                                                                      "REORGANISATION is a ground: its form.")
    scope: ReissueScope = strawberry.field(default=ReissueScope.LICENSE, description="The licence (a new "
                                           "number, every appendix carried over) or one appendix alone "
                                           "(`appendixId`; the licence keeps its number) [001 App.9, App.10].")
    appendix_id: relay.GlobalID | None = strawberry.field(default=None, description="The appendix re-issued alone, "
                                                          "or the one a new data center / electricity method "
                                                          "changes; one of the licence's, in force.")
    data_center_id: relay.GlobalID | None = strawberry.field(default=None, description="Exactly on ground "
                                                             "DC_LOCATION_CHANGE: the holder's own new data center, "
                                                             "which the appendix will carry (App.9 ground 3).")
    electricity_purchase: ElectricityPurchase | None = strawberry.field(default=None, description="Exactly on "
                                                                        "ground ELECTRICITY_SOURCE_CHANGE: the new "
                                                                        "method the appendix will carry.")
    confirmations: ConfirmationsInput = strawberry.field(default_factory=ConfirmationsInput,
                                                         description="The four confirmations of the form (all "
                                                         "required; one not given is a completeness gap).")
    documents: list[DocumentInput] = strawberry.field(default_factory=list, description="Copies of the documents "
                                                      "confirming the change [001 App.3 item 9(2)]: a new data "
                                                      "center needs DC_OWNERSHIP (App.11 item 1.1) and, on the grid, "
                                                      "GRID_TECH_CONDITIONS (item 1.5); a new electricity source "
                                                      "ELECTRICITY_SOURCE_PROOF.")
    channel: Channel = strawberry.field(default=Channel.PORTAL, description="PORTAL only (OFFICE is refused, "
                                        "CHANNEL_NOT_ALLOWED) [001 §12].")
    received_at: datetime | None = strawberry.field(default=None, description=_RECEIVED_AT)
    client_mutation_id: str | None = client_mutation_id()


@strawberry.input(description="The licence fee's payment data [001 App.3 item 9.3].")
class RecordPaymentInput:
    application_id: relay.GlobalID = strawberry.field(description="The licence or re-issue application.")
    reference: str = strawberry.field(description="Payment reference (up to 100 characters).")
    paid_on: date = strawberry.field(description="Day of payment (Almaty); not in the future. Its year's MRP "
                                     "value prices the fee.")
    amount: Decimal = strawberry.field(description=described(
        "The amount paid in tenge. Less than the fee due (`fee.tenge` at the MRP of the payment year) is a "
        "completeness problem FEE_UNDERPAID.", PAYMENT_TENGE), metadata=bound(PAYMENT_TENGE))


def _confirmations(c: ConfirmationsInput) -> Confirmations:
    return Confirmations(
        official_contacts=c.official_contacts, no_court_ban=c.no_court_ban,
        documents_true=c.documents_true, personal_data_consent=c.personal_data_consent,
    )


@payload(description="The application filed (registered, with its terms), or why not.")
class ApplyForLicensePayload:
    application: Application | None = strawberry.field(default=None, description="The application; null when "
                                                       "there are errors.")


@payload(description="The re-issue application filed, or why not.")
class ApplyForLicenseReissuePayload:
    application: Application | None = strawberry.field(default=None, description="The application; null when "
                                                       "there are errors.")


@payload(description="The application with its payment recorded, or why not.")
class RecordPaymentPayload:
    application: Application | None = strawberry.field(default=None, description="The application; null when "
                                                       "there are errors.")


@strawberry.type
class LicensingQuery:
    @strawberry.field(description="The qualification documents an application of `subtype` registered on `on` "
                      "must carry, with when each applies (e.g. ASKUE only from 2024-01-01) [001 App.11].")
    def license_requirements(
        self,
        info: strawberry.Info,
        subtype: Annotated[LicenseSubtype, strawberry.argument(description="The licence subtype.")],
        on: Annotated[date, strawberry.argument(description="The registration date whose rules apply.")],
    ) -> list[LicenseRequirement]:
        info.context.user  # noqa: B018 - authenticated callers only
        return [LicenseRequirement.from_rule(r) for r in uc.license_requirements(subtype, on)]

    @strawberry.field(description="What the fee of an application registered and paid on `on` comes to: MRP "
                      "count, the year and its MRP value, the tenge amount [001 App.3 item 7].")
    async def fee_quote(
        self,
        info: strawberry.Info,
        procedure: Annotated[ProcedureCode, strawberry.argument(description="The service.")],
        on: Annotated[date, strawberry.argument(description="Registration (and payment) day.")],
        subtype: Annotated[LicenseSubtype | None, strawberry.argument(description="The licence subtype; required "
                                                                      "for licensing.")] = None,
    ) -> FeeQuote:
        info.context.user  # noqa: B018
        return FeeQuote.from_quote(await uc.fee_quote(procedure, subtype, on), info.context.language)


@strawberry.type
class LicensingMutation:
    @mutation(description="File a licence and/or appendix application (App.1 subtype I, App.2 subtype II): it is "
              "registered at once on the working day its receipt gives, with its terms [001 §5-7].",
              idempotent=True)
    async def apply_for_license(self, info: strawberry.Info, input: ApplyForLicenseInput) -> ApplyForLicensePayload:
        cmd = uc.ApplyForLicense(
            subtype=input.subtype,
            miner_id=pk_of(input.miner_id, "Miner", "minerId"),
            data_center_ids=tuple(
                pk_of(v, "DataCenter", f"dataCenterIds[{i}]") for i, v in enumerate(input.data_center_ids)
            ),
            electricity_purchase=input.electricity_purchase,
            confirmations=_confirmations(input.confirmations),
            documents=await document_items(input.documents),
            sheets=input.sheets,
            channel=input.channel,
            received_at=input.received_at,
        )
        return ApplyForLicensePayload(application=Application.from_row(await uc.apply_for_license(info.context.user, cmd)))

    @mutation(description="File a re-issue application (App.9 subtype I, App.10 subtype II) [001 §12-15].",
              idempotent=True)
    async def apply_for_license_reissue(
        self, info: strawberry.Info, input: ApplyForLicenseReissueInput
    ) -> ApplyForLicenseReissuePayload:
        cmd = uc.ApplyForLicenseReissue(
            license_id=pk_of(input.license_id, "License", "licenseId"),
            grounds=tuple(input.grounds),
            reorganisation_form=input.reorganisation_form,
            scope=input.scope,
            appendix_id=None if input.appendix_id is None else pk_of(input.appendix_id, "LicenseAppendix", "appendixId"),
            data_center_id=None if input.data_center_id is None else pk_of(input.data_center_id, "DataCenter",
                                                                           "dataCenterId"),
            electricity_purchase=input.electricity_purchase,
            confirmations=_confirmations(input.confirmations),
            documents=await document_items(input.documents),
            channel=input.channel,
            received_at=input.received_at,
        )
        return ApplyForLicenseReissuePayload(application=Application.from_row(await uc.apply_for_reissue(info.context.user, cmd)))

    @mutation(description="Record the fee's payment (the applicant for its own application, or an officer) "
              "[001 App.3 item 9.3].")
    async def record_payment(self, info: strawberry.Info, input: RecordPaymentInput) -> RecordPaymentPayload:
        cmd = uc.RecordPayment(
            application_id=pk_of(input.application_id, "Application", "applicationId"),
            reference=input.reference,
            paid_on=input.paid_on,
            amount=input.amount,
        )
        return RecordPaymentPayload(application=Application.from_row(await uc.record_payment(info.context.user, cmd)))
