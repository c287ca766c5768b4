"""Licences and appendices: the list, the lookup by number, their life (suspend, resume, revoke;
001 §18-1) and the MRP rates the fees are computed with (the types are in
schema/types/licenses.py)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from enum import Enum
from typing import Annotated, Any, ClassVar

import strawberry
from strawberry import relay

from models.licensing import License as LicenseRow
from resolvers import licenses as uc
from resolvers import mrp as mrp_uc
from resolvers.listing import SortKey
from rules.enums import LicenseStatus, LicenseStatusAction
from rules.errors import DomainError, ErrorCode
from rules.limits import MRP_TENGE
from rules.workflow import LicenseSubtype
from schema.bounds import bound, column_bound, described
from schema.enums import OrderDirection
from schema.errors import (
    SuspensionTermOutOfRange,
    UserError,
    mutation,
    payload,
    register_error_type,
)
from schema.ids import pk_of, typed_pk
from schema.relay import Connection, Rows, connection, order_of
from schema.types.licenses import (
    License,
    LicenseAppendix,
    LicenseStatusEvent,
    MrpRate,
    prime_licenses,
)

__all__ = ["IllegalLicenseTransition", "LicensesMutation", "LicensesQuery"]


# --- ordering -----------------------------------------------------------------------------------


@strawberry.enum(description="What a list of licences can be sorted by.")
class LicenseOrderField(Enum):
    VALID_UNTIL = strawberry.enum_value("VALID_UNTIL", description="The last valid day.")
    ISSUED_ON = strawberry.enum_value("ISSUED_ON", description="The issue date of the licence document.")
    NUMBER = strawberry.enum_value("NUMBER", description="The licence number (text order).")


@strawberry.input(description="Sort order of a list of licences.")
class LicenseOrder:
    field: LicenseOrderField = strawberry.field(description="What to sort by.")
    direction: OrderDirection = strawberry.field(default=OrderDirection.ASC, description="Ascending by default.")


_LICENSE_KEYS = {
    LicenseOrderField.VALID_UNTIL: SortKey("valid_until", date),
    LicenseOrderField.ISSUED_ON: SortKey("issued_on", date),
    LicenseOrderField.NUMBER: SortKey("number", str),
}


# --- typed errors -------------------------------------------------------------------------------


@register_error_type
@strawberry.type(description="The act is not possible in the licence's (or appendix's) current status: "
                 "e.g. resuming one that is not suspended, or anything on a revoked one [001 §18-1].")
class IllegalLicenseTransition(UserError):
    status: LicenseStatus = strawberry.field(description="The status that refused the act (a revoked or "
                                             "replaced licence refuses it for its appendices too).")
    action: LicenseStatusAction = strawberry.field(description="The act that was refused.")
    CODES: ClassVar[frozenset[ErrorCode]] = frozenset({ErrorCode.ILLEGAL_TRANSITION, ErrorCode.LICENSE_REVOKED})

    @classmethod
    def extra(cls, err: DomainError) -> dict[str, Any]:
        return {"status": LicenseStatus(err.params["status"]), "action": LicenseStatusAction(err.params["action"])}


# --- inputs -------------------------------------------------------------------------------------

_TARGET = "The licence (a License id: with all its appendices) or one appendix (a LicenseAppendix id)."
_GROUND = ("The legal ground, as it will be recorded and sent to the holder, up to 2000 characters "
           "[Law on digital assets art. 9; Law on permits art. 45].")
_EFFECTIVE = "The day (Almaty) the act takes effect, not before the issue date; default: today."


@strawberry.input(description="Suspend a licence or one appendix for 1 to 6 months.")
class SuspendLicenseInput:
    id: relay.GlobalID = strawberry.field(description=_TARGET)
    ground: str = strawberry.field(description=_GROUND)
    until: date = strawberry.field(description="The suspension's last day: 1 to 6 months after `effectiveOn` "
                                   "(same day of the month; the month's last day when it is shorter).")
    effective_on: date | None = strawberry.field(default=None, description=_EFFECTIVE)


@strawberry.input(description="Resume a suspended licence or appendix.")
class ResumeLicenseInput:
    id: relay.GlobalID = strawberry.field(description=_TARGET)
    ground: str = strawberry.field(description=_GROUND)
    effective_on: date | None = strawberry.field(default=None, description=_EFFECTIVE)


@strawberry.input(description="Revoke a licence (with its appendices) or one appendix. Final.")
class RevokeLicenseInput:
    id: relay.GlobalID = strawberry.field(description=_TARGET)
    ground: str = strawberry.field(description=_GROUND)
    effective_on: date | None = strawberry.field(default=None, description=_EFFECTIVE)


@strawberry.input(description="The tenge value of one MRP in a year.")
class SetMrpRateInput:
    year: int = strawberry.field(description=described("The year.", mrp_uc.MRP_YEAR), metadata=bound(mrp_uc.MRP_YEAR))
    tenge: Decimal = strawberry.field(description=described("Tenge per MRP, the budget law's figure (e.g. 3932).",
                                                            MRP_TENGE), metadata=bound(MRP_TENGE))


# --- payloads -----------------------------------------------------------------------------------

_LICENSE = "The licence as it is now (for an appendix: its licence)."
_APPENDIX = "The appendix acted on; null when the act was on the whole licence."
_EVENT = "The recorded act."


@payload(SuspensionTermOutOfRange, IllegalLicenseTransition, description="The suspended licence or appendix, or why not.")
class SuspendLicensePayload:
    license: License | None = strawberry.field(default=None, description=_LICENSE)
    appendix: LicenseAppendix | None = strawberry.field(default=None, description=_APPENDIX)
    event: LicenseStatusEvent | None = strawberry.field(default=None, description=_EVENT)


@payload(IllegalLicenseTransition, description="The resumed licence or appendix, or why not.")
class ResumeLicensePayload:
    license: License | None = strawberry.field(default=None, description=_LICENSE)
    appendix: LicenseAppendix | None = strawberry.field(default=None, description=_APPENDIX)
    event: LicenseStatusEvent | None = strawberry.field(default=None, description=_EVENT)


@payload(IllegalLicenseTransition, description="The revoked licence or appendix, or why not.")
class RevokeLicensePayload:
    license: License | None = strawberry.field(default=None, description=_LICENSE)
    appendix: LicenseAppendix | None = strawberry.field(default=None, description=_APPENDIX)
    event: LicenseStatusEvent | None = strawberry.field(default=None, description=_EVENT)


@payload(description="The recorded MRP rate, or why not.")
class SetMrpRatePayload:
    mrp_rate: MrpRate | None = strawberry.field(default=None, description="The year's rate as now recorded.")


def _command(action: LicenseStatusAction, input: Any, until: date | None = None) -> uc.ChangeLicenseStatus:
    type_name, pk = typed_pk(input.id, ("License", "LicenseAppendix"), "id")
    return uc.ChangeLicenseStatus(
        action=action,
        ground=input.ground,
        license_id=pk if type_name == "License" else None,
        appendix_id=pk if type_name == "LicenseAppendix" else None,
        effective_on=input.effective_on,
        until=until,
    )


def _views(change: uc.StatusChange) -> dict[str, Any]:
    return {
        "license": License.from_row(change.license),
        "appendix": None if change.appendix is None else LicenseAppendix.from_row(change.appendix),
        "event": LicenseStatusEvent.from_row(change.event),
    }


# --- queries & mutations ------------------------------------------------------------------------


@strawberry.type
class LicensesQuery:
    @connection(description="Licences, filtered; applicants see only their own organisation's.")
    async def licenses(
        self,
        info: strawberry.Info,
        holder_id: Annotated[relay.GlobalID | None, strawberry.argument(description="Held by this miner.")] = None,
        status: Annotated[LicenseStatus | None, strawberry.argument(description="In this status.")] = None,
        subtype: Annotated[LicenseSubtype | None, strawberry.argument(description="Of this subtype.")] = None,
        valid_until_before: Annotated[
            date | None, strawberry.argument(description="Whose last valid day is before this date (expiring).")
        ] = None,
        order_by: Annotated[LicenseOrder | None, strawberry.argument(description="Sort order (default: issue order).")] = None,
    ) -> Connection[License]:
        listing = uc.list_licenses(
            info.context.user,
            holder_id=pk_of(holder_id, "Miner", "holderId") if holder_id else None,
            status=status,
            subtype=subtype,
            valid_until_before=valid_until_before,
            order=order_of(order_by, _LICENSE_KEYS),
        )
        return Rows(listing, License.from_row, prepare=prime_licenses(info))  # type: ignore[return-value]

    @strawberry.field(description="The licence with this number; null when there is none or it is not the "
                      "caller's to see.")
    async def license(
        self,
        info: strawberry.Info,
        number: Annotated[str, strawberry.argument(description="The licence number, e.g. `KZ-DM-2025-000012` "
                                                   "(up to 32 characters; longer: VALIDATION).",
                                                   metadata=column_bound(LicenseRow, "number"))],
    ) -> License | None:
        row = await uc.find_license_by_number(info.context.user, number)
        return None if row is None else License.from_row(row)

    @strawberry.field(description="Tenge per MRP by year, oldest first: the recorded rates and the built-in "
                      "budget-law values for years without one [001 App.3 item 7].")
    async def mrp_rates(self, info: strawberry.Info) -> list[MrpRate]:
        info.context.user  # noqa: B018 - authenticated callers only
        return [MrpRate.from_value(v) for v in await mrp_uc.list_mrp()]


@strawberry.type
class LicensesMutation:
    @mutation(description="Officer: suspend a licence (its appendices with it) or one appendix for 1 to 6 "
              "months [001 §18-1; Law on digital assets art. 9].")
    async def suspend_license(self, info: strawberry.Info, input: SuspendLicenseInput) -> SuspendLicensePayload:
        change = await uc.change_status(info.context.user, _command(LicenseStatusAction.SUSPEND, input, input.until))
        return SuspendLicensePayload(**_views(change))

    @mutation(description="Officer: resume a suspended licence or appendix [001 §18-1].")
    async def resume_license(self, info: strawberry.Info, input: ResumeLicenseInput) -> ResumeLicensePayload:
        change = await uc.change_status(info.context.user, _command(LicenseStatusAction.RESUME, input))
        return ResumeLicensePayload(**_views(change))

    @mutation(description="Officer: revoke a licence (with its appendices) or one appendix; final "
              "[001 §18-1; Law on permits art. 45].")
    async def revoke_license(self, info: strawberry.Info, input: RevokeLicenseInput) -> RevokeLicensePayload:
        change = await uc.change_status(info.context.user, _command(LicenseStatusAction.REVOKE, input))
        return RevokeLicensePayload(**_views(change))

    @mutation(description="Administrator: record the tenge value of one MRP for a year (fees of applications "
              "paid in that year use it) [001 App.3 item 7].")
    async def set_mrp_rate(self, info: strawberry.Info, input: SetMrpRateInput) -> SetMrpRatePayload:
        value = await mrp_uc.set_mrp_rate(info.context.user, mrp_uc.SetMrpRate(year=input.year, tenge=input.tenge))
        return SetMrpRatePayload(mrp_rate=MrpRate.from_value(value))
