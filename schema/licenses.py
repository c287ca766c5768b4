"""Licences and appendices in GraphQL: lookups, their life (suspend, resume, revoke; 001 §18-1)
and the MRP rates the fees are computed with."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

import strawberry
from strawberry.types import Info

from models import licensing as m
from resolvers import licenses as uc
from resolvers import mrp as mrp_uc
from rules.enums import ElectricityPurchase, LicenseStatus, LicenseStatusAction
from rules.errors import DomainError, ErrorCode
from rules.license_life import effective_appendix_status
from rules.workflow import LicenseSubtype
from schema.context import Context
from schema.ids import from_global_id, pk_of, to_global_id
from schema.node import register_node
from schema.parties import DataCenter, Miner
from schema.relay import Connection, Node, page_args

__all__ = ["License", "LicenseAppendix", "LicenseStatusEvent", "LicensesMutation", "LicensesQuery"]

Ctx = Info[Context, None]

LicenseStatusEnum = strawberry.enum(LicenseStatus, name="LicenseStatus")
LicenseStatusActionEnum = strawberry.enum(LicenseStatusAction, name="LicenseStatusAction")

register_node("License", m.License)
register_node("LicenseAppendix", m.LicenseAppendix)


@strawberry.type(description="A suspension, resumption or revocation (001 §18-1).")
class LicenseStatusEvent:
    action: LicenseStatusAction
    ground: str
    effective_on: date
    until: date | None
    actor_label: str
    at: datetime

    @strawberry.field(description="The appendix concerned; null when the whole licence was.")
    async def appendix_number(self) -> str | None:
        appendix_id = self.appendix_id  # type: ignore[attr-defined]
        if appendix_id is None:
            return None
        row = await m.LicenseAppendix.get(pk=appendix_id)
        return row.number


@strawberry.type(description="An appendix to a licence (001 App.6 / App.7): one per subtype and data center.")
class LicenseAppendix(Node):
    number: str
    subtype: LicenseSubtype
    electricity_purchase: ElectricityPurchase | None
    special_conditions: str
    issued_on: date
    valid_until: date

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(to_global_id("LicenseAppendix", self.pk))  # type: ignore[attr-defined]

    @strawberry.field(description="Effective status: a suspended or revoked licence carries its appendices along.")
    async def status(self) -> LicenseStatus:
        lic = await m.License.get(pk=self.license_id)  # type: ignore[attr-defined]
        # `self` is the model instance: its `status` is the stored column.
        return effective_appendix_status(lic.status, self.status)  # type: ignore[arg-type]

    @strawberry.field(description="The appendix's own status, by acts on it alone.")
    def appendix_status(self) -> LicenseStatus:
        return self.status  # type: ignore[return-value]

    @strawberry.field
    async def license(self) -> License:
        return await m.License.get(pk=self.license_id)  # type: ignore[attr-defined,return-value]

    @strawberry.field(description="For subtype I the holder's DC; for II the host's DC named in the appendix.")
    async def data_center(self) -> DataCenter | None:
        dc_id = self.data_center_id  # type: ignore[attr-defined]
        return await m.DataCenter.get_or_none(pk=dc_id) if dc_id else None  # type: ignore[attr-defined,return-value]

    @strawberry.field(description="Events on this appendix and on its whole licence, oldest first.")
    async def status_history(self) -> list[LicenseStatusEvent]:
        return await uc.status_history(self.license_id, self.pk)  # type: ignore[attr-defined,return-value]

    @classmethod
    def is_type_of(cls, obj: Any, _info: Any) -> bool:
        return isinstance(obj, m.LicenseAppendix)


@strawberry.type(description="A licence for digital mining (001 App.4 / App.5), subtype I or II.")
class License(Node):
    number: str
    subtype: LicenseSubtype
    status: LicenseStatus
    first_issued_on: date
    issued_on: date
    valid_until: date
    place_of_issue: str
    special_conditions: str

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(to_global_id("License", self.pk))  # type: ignore[attr-defined]

    @strawberry.field
    async def holder(self, info: Ctx) -> Miner:
        return await info.context.loaders.miner.load(self.holder_id)  # type: ignore[attr-defined,return-value]

    @strawberry.field
    async def appendices(self) -> list[LicenseAppendix]:
        return await uc.appendices_of(self.pk)  # type: ignore[attr-defined,return-value]

    @strawberry.field(description="Suspensions, resumptions and revocations of the licence and its appendices.")
    async def status_history(self) -> list[LicenseStatusEvent]:
        return await uc.status_history(self.pk)  # type: ignore[attr-defined,return-value]

    @strawberry.field(description="The licence this one re-issued (replaced), if any.")
    async def replaces(self) -> License | None:
        replaces_id = self.replaces_id  # type: ignore[attr-defined]
        return await m.License.get_or_none(pk=replaces_id) if replaces_id else None  # type: ignore[return-value]

    @classmethod
    def is_type_of(cls, obj: Any, _info: Any) -> bool:
        return isinstance(obj, m.License)


@strawberry.type(description="Tenge per MRP for a year (the fee unit, 001 App.3 item 7).")
class MrpRate:
    year: int
    tenge: Decimal
    recorded: bool = strawberry.field(description="False: the built-in budget-law value, no row recorded.")


# --- inputs and payloads ----------------------------------------------------------------------


@strawberry.input
class SuspendLicenseInput:
    id: strawberry.ID = strawberry.field(description="A License or a LicenseAppendix id.")
    ground: str
    until: date = strawberry.field(description="End of the suspension: 1 to 6 months after effectiveOn.")
    effective_on: date | None = strawberry.field(default=None, description="Default: today (Almaty).")


@strawberry.input
class LicenseStatusInput:
    id: strawberry.ID = strawberry.field(description="A License or a LicenseAppendix id.")
    ground: str
    effective_on: date | None = strawberry.field(default=None, description="Default: today (Almaty).")


@strawberry.type
class LicenseStatusPayload:
    license: License
    appendix: LicenseAppendix | None
    event: LicenseStatusEvent


@strawberry.type
class MrpRatePayload:
    mrp_rate: MrpRate


def _target(id: strawberry.ID) -> dict[str, int]:
    type_name, pk = from_global_id(id)
    if type_name == "License":
        return {"license_id": pk}
    if type_name == "LicenseAppendix":
        return {"appendix_id": pk}
    raise DomainError(ErrorCode.INVALID_ID, field="id", detail="expected a License or LicenseAppendix id")


async def _change(info: Ctx, action: LicenseStatusAction, input: Any, until: date | None = None) -> LicenseStatusPayload:
    lic, appendix, event = await uc.change_status(
        info.context.user,
        action,
        **_target(input.id),
        ground=input.ground,
        effective_on=input.effective_on,
        until=until,
    )
    return LicenseStatusPayload(license=lic, appendix=appendix, event=event)  # type: ignore[arg-type]


# --- queries & mutations ----------------------------------------------------------------------


@strawberry.type
class LicensesQuery:
    @strawberry.field
    async def licenses(
        self,
        info: Ctx,
        holder_id: strawberry.ID | None = None,
        status: LicenseStatus | None = None,
        subtype: LicenseSubtype | None = None,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[License]:
        page = await uc.list_licenses(
            info.context.user,
            holder_id=pk_of(holder_id, "Miner") if holder_id else None,
            status=status,
            subtype=subtype,
            **page_args(first, after, last, before),
        )
        return Connection.from_page(page)

    @strawberry.field
    async def license(self, info: Ctx, number: str) -> License:
        return await uc.license_by_number(info.context.user, number)  # type: ignore[return-value]

    @strawberry.field(description="Tenge per MRP by year, oldest first.")
    async def mrp_rates(self, info: Ctx) -> list[MrpRate]:
        info.context.user  # noqa: B018 - authenticated callers only
        return [MrpRate(year=v.year, tenge=v.tenge, recorded=v.recorded) for v in await mrp_uc.list_mrp()]


@strawberry.type
class LicensesMutation:
    @strawberry.mutation(description="Officer: suspend a licence or one appendix for 1 to 6 months (001 §18-1).")
    async def suspend_license(self, info: Ctx, input: SuspendLicenseInput) -> LicenseStatusPayload:
        return await _change(info, LicenseStatusAction.SUSPEND, input, input.until)

    @strawberry.mutation(description="Officer: resume a suspended licence or appendix.")
    async def resume_license(self, info: Ctx, input: LicenseStatusInput) -> LicenseStatusPayload:
        return await _change(info, LicenseStatusAction.RESUME, input)

    @strawberry.mutation(description="Officer: revoke a licence (with its appendices) or one appendix. Final.")
    async def revoke_license(self, info: Ctx, input: LicenseStatusInput) -> LicenseStatusPayload:
        return await _change(info, LicenseStatusAction.REVOKE, input)

    @strawberry.mutation(description="Administrator: record the tenge value of one MRP for a year.")
    async def set_mrp_rate(self, info: Ctx, year: int, tenge: Decimal) -> MrpRatePayload:
        value = await mrp_uc.set_mrp_rate(info.context.user, year, tenge)
        return MrpRatePayload(mrp_rate=MrpRate(year=value.year, tenge=value.tenge, recorded=value.recorded))
