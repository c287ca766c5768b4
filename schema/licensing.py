"""Licence applications in GraphQL: filing (App.1 / App.2), re-issue (App.9 / App.10), fees."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated, Any

import strawberry
from strawberry.types import Info

from models.licensing import LicenseApplication as LicenseApplicationModel
from resolvers import licensing as uc
from rules.enums import Channel, ElectricityPurchase
from rules.licensing import ReissueGround, ReorganisationForm
from rules.qualification import DocumentKind
from rules.workflow import LicenseSubtype
from schema.applications import ApplicationPayload
from schema.context import Context
from schema.ids import pk_of
from schema.inputs import given
from schema.parties import DataCenter

if TYPE_CHECKING:
    from schema.licenses import License

Ctx = Info[Context, None]

DocumentKindEnum = strawberry.enum(DocumentKind, name="QualificationDocumentKind")
ReissueGroundEnum = strawberry.enum(ReissueGround, name="ReissueGround")
ReorganisationFormEnum = strawberry.enum(ReorganisationForm, name="ReorganisationForm")


@strawberry.type(description="The licence fee (001 App.3 item 7): MRP, tenge at the rate of the payment year.")
class Fee:
    mrp: Decimal
    tenge: Decimal | None = strawberry.field(description="Null when that year's MRP is not recorded.")
    paid: bool
    payment_reference: str | None
    paid_on: date | None


@strawberry.type
class Confirmations:
    official_contacts: bool
    no_court_ban: bool
    documents_true: bool
    personal_data_consent: bool


@strawberry.type
class LicenseApplicationDetails:
    subtype: LicenseSubtype
    electricity_purchase: ElectricityPurchase | None
    sheets: int
    reissue_grounds: list[str]

    @strawberry.field
    async def data_centers(self) -> list[DataCenter]:
        return list(await self.data_centers.all())  # type: ignore[attr-defined]

    @strawberry.field
    def confirmations(self) -> Confirmations:
        d: LicenseApplicationModel = self  # type: ignore[assignment]
        return Confirmations(
            official_contacts=d.confirm_official_contacts,
            no_court_ban=d.confirm_no_court_ban,
            documents_true=d.confirm_documents_true,
            personal_data_consent=d.confirm_personal_data,
        )

    @strawberry.field
    async def fee(self) -> Fee:
        d: LicenseApplicationModel = self  # type: ignore[assignment]
        app = await d.application
        return Fee(
            mrp=d.fee_mrp,
            tenge=await uc.fee_due(d, app),
            paid=d.paid_on is not None,
            payment_reference=d.payment_reference,
            paid_on=d.paid_on,
        )

    @strawberry.field
    async def reissue_of(self) -> Annotated[License, strawberry.lazy("schema.licenses")] | None:
        return await self.reissue_of  # type: ignore[attr-defined,no-any-return]


@strawberry.input
class DocumentInput:
    kind: str = strawberry.field(description="A QualificationDocumentKind of the application's subtype.")
    title: str
    number: str | None = None
    issued_on: date | None = None
    valid_until: date | None = None


@strawberry.input
class ConfirmationsInput:
    official_contacts: bool = False
    no_court_ban: bool = False
    documents_true: bool = False
    personal_data_consent: bool = False


@strawberry.input
class ApplyForLicenseInput:
    subtype: LicenseSubtype
    miner_id: strawberry.ID
    data_center_ids: list[strawberry.ID]
    electricity_purchase: ElectricityPurchase | None = None
    confirmations: ConfirmationsInput = strawberry.field(default_factory=ConfirmationsInput)
    documents: list[DocumentInput] = strawberry.field(default_factory=list)
    sheets: int = 0
    channel: Channel = Channel.PORTAL
    received_at: datetime | None = strawberry.field(
        default=None, description="Officers only: when a paper application was received."
    )


@strawberry.input
class ApplyForLicenseReissueInput:
    license_id: strawberry.ID
    grounds: list[ReissueGround]
    reorganisation_form: ReorganisationForm | None = None
    documents: list[DocumentInput] = strawberry.field(default_factory=list)
    channel: Channel = Channel.PORTAL
    received_at: datetime | None = None


def _documents(items: list[DocumentInput]) -> list[dict[str, Any]]:
    return [vars(d).copy() for d in items]


@strawberry.type
class LicensingMutation:
    @strawberry.mutation(description="File a licence and/or appendix application (App.1 subtype I, App.2 subtype II).")
    async def apply_for_license(self, info: Ctx, input: ApplyForLicenseInput) -> ApplicationPayload:
        data = given(input, exclude=("miner_id", "data_center_ids", "confirmations", "documents"))
        data["miner_id"] = pk_of(input.miner_id, "Miner")
        data["data_center_ids"] = [pk_of(i, "DataCenter") for i in input.data_center_ids]
        data["confirmations"] = vars(input.confirmations)
        data["documents"] = _documents(input.documents)
        return ApplicationPayload(application=await uc.apply_for_license(info.context.user, data))  # type: ignore[arg-type]

    @strawberry.mutation(description="File a re-issue application (App.9 subtype I, App.10 subtype II).")
    async def apply_for_license_reissue(
        self, info: Ctx, input: ApplyForLicenseReissueInput
    ) -> ApplicationPayload:
        data = given(input, exclude=("license_id", "documents"))
        data["license_id"] = pk_of(input.license_id, "License")
        data["documents"] = _documents(input.documents)
        return ApplicationPayload(application=await uc.apply_for_reissue(info.context.user, data))  # type: ignore[arg-type]

    @strawberry.mutation(description="Record the fee payment (payment reference and date).")
    async def record_payment(
        self, info: Ctx, application_id: strawberry.ID, reference: str, paid_on: date
    ) -> ApplicationPayload:
        app = await uc.record_payment(info.context.user, pk_of(application_id, "Application"), reference, paid_on)
        return ApplicationPayload(application=app)  # type: ignore[arg-type]
