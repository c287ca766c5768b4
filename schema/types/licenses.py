"""Licences, their appendices and status events as clients see them: typed views built from
rows (`from_row`), every link read through the request's loaders (001 App.4-7, §18-1)."""

from __future__ import annotations

from collections.abc import Awaitable, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated, Any, ClassVar

import strawberry
from strawberry import relay

from models import applications as am
from models import licensing as m
from models import parties as pm
from resolvers import licenses as uc
from resolvers.mrp import MrpValue
from rules.enums import ElectricityPurchase, LicenseStatus, LicenseStatusAction
from rules.license_life import effective_appendix_status
from rules.licensing import (
    ACTIVITY_NAME,
    ELECTRICITY_PURCHASE_TEXTS,
    LICENSE_NOTE,
    SUBTYPE_NAMES,
    Wording,
)
from rules.workflow import LicenseSubtype
from schema.enums import expose_enum
from schema.loaders import load_view, load_views, pending, ready
from schema.relay import RowNode, Timestamped
from schema.types.parties import DataCenter, Miner

if TYPE_CHECKING:
    from schema.types.applications import Application

__all__ = ["AuthorisedPerson", "DocumentText", "License", "LicenseAppendix", "LicenseStatusEvent", "MrpRate",
           "prime_licenses"]

expose_enum(
    LicenseStatus,
    "LicenseStatus",
    "Where a licence or an appendix stands in its life [001 §18-1].",
    {
        LicenseStatus.ACTIVE: "In force: the holder may mine under it.",
        LicenseStatus.SUSPENDED: "Suspended for 1 to 6 months; mining is not allowed until it is resumed "
        "[Law on digital assets art. 9].",
        LicenseStatus.REVOKED: "Revoked: final, nothing more can be done to it [Law on permits art. 45].",
        LicenseStatus.REPLACED: "Re-issued: the new licence (`replacedBy`) carries on, this one stays for "
        "the record [001 §13-15].",
    },
)

expose_enum(
    LicenseStatusAction,
    "LicenseStatusAction",
    "An act on a licence or an appendix by the authority [001 §18-1].",
    {
        LicenseStatusAction.SUSPEND: "Suspension for a term of 1 to 6 months.",
        LicenseStatusAction.RESUME: "Resumption of a suspended licence or appendix.",
        LicenseStatusAction.REVOKE: "Revocation (of a licence: with all its appendices).",
    },
)

_VALID_UNTIL = ("The last valid day, inclusive (Almaty): the licence is valid through this date; a "
                "three-year term ends on the same date of the third year [Law on digital assets art. 9].")


def _events_of(events: list[m.LicenseStatusEvent], appendix_id: int | None) -> list[LicenseStatusEvent]:
    """A licence's events (all), or an appendix's: its own plus its whole licence's."""
    return [
        LicenseStatusEvent.from_row(e)
        for e in events
        if appendix_id is None or e.appendix_id in (None, appendix_id)  # type: ignore[attr-defined]
    ]


def _history(info: strawberry.Info, license_id: int, appendix_id: int | None) -> Any:
    loader = info.context.loaders.children(m.LicenseStatusEvent, "license_id")
    loaded = ready(loader, license_id)
    if pending(loaded):
        return _later_history(loaded, appendix_id)
    return _events_of(loaded, appendix_id)


async def _later_history(loaded: Awaitable[list[m.LicenseStatusEvent]], appendix_id: int | None) -> list[LicenseStatusEvent]:
    return _events_of(await loaded, appendix_id)


@strawberry.type(description="A text a licence document prints, in Russian and Kazakh: licences are issued "
                 "in both languages [001 §17].")
class DocumentText:
    ru: str = strawberry.field(description="In Russian.")
    kk: str | None = strawberry.field(description="In Kazakh; null where the seeds give no Kazakh wording "
                                      "(the subtype names of 001 App.6 / App.7): never a made-up translation.")

    @classmethod
    def of(cls, wording: Wording) -> DocumentText:
        return cls(ru=wording.ru, kk=wording.kk)

    @strawberry.field(description="In the request's language: Kazakh where there is a Kazakh text, else Russian.")
    def text(self, info: strawberry.Info) -> str:
        return self.kk if info.context.language == "kk" and self.kk else self.ru


@strawberry.type(description="Who signed a licence document for the authority: \"Руководитель (уполномоченное "
                 "лицо)\" [001 App.4-7], as at its issue (set by the deployment: LICENSOR_SIGNER_POSITION, "
                 "LICENSOR_SIGNER_NAME; empty when it was not set).")
class AuthorisedPerson:
    position: str = strawberry.field(description="The position.")
    name: str = strawberry.field(description="Surname, name, patronymic (if any).")


def _issued_by(row: m.License | m.LicenseAppendix) -> tuple[DocumentText, AuthorisedPerson]:
    return (DocumentText(ru=row.licensor_ru, kk=row.licensor_kk or None),
            AuthorisedPerson(position=row.signer_position, name=row.signer_name))


_LICENSOR = ("The licensor (\"Услугодатель\") as at the document's issue, in Russian and Kazakh [001 App.4-7]; "
             "empty for documents issued before it was recorded.")


@strawberry.type(description="A suspension, resumption or revocation of a licence or of one appendix, "
                 "as recorded by the authority [001 §18-1].")
class LicenseStatusEvent:
    action: LicenseStatusAction = strawberry.field(description="What was done.")
    ground: str = strawberry.field(description="The legal ground the officer stated, as free text "
                                   "[Law on digital assets art. 9; Law on permits art. 45].")
    effective_on: date = strawberry.field(description="The day (Almaty) the act takes effect.")
    until: date | None = strawberry.field(description="A suspension's last day (Almaty); null for "
                                          "resumption and revocation.")
    actor_label: str = strawberry.field(description="Who recorded the act (the officer's name).")
    at: datetime = strawberry.field(description="When it was recorded (UTC).")
    _appendix_id: strawberry.Private[int | None]

    @classmethod
    def from_row(cls, row: m.LicenseStatusEvent) -> LicenseStatusEvent:
        return cls(
            action=row.action, ground=row.ground, effective_on=row.effective_on, until=row.until,
            actor_label=row.actor_label, at=row.at, _appendix_id=row.appendix_id,  # type: ignore[attr-defined]
        )

    @strawberry.field(description="The appendix the act was about; null when it was about the whole "
                      "licence (or the caller may not see the appendix).")
    def appendix(self, info: strawberry.Info) -> LicenseAppendix | None:
        return load_view(LicenseAppendix, info.context.loaders.visible(m.LicenseAppendix), self._appendix_id)


@strawberry.type(description="An appendix to a licence: one per subtype and data center, with its own "
                 "number, term and status [001 App.6 (subtype I), App.7 (subtype II)].")
class LicenseAppendix(RowNode, relay.Node, Timestamped):
    MODEL: ClassVar = m.LicenseAppendix

    id: relay.NodeID[int]
    number: str = strawberry.field(description="Appendix number: the licence number and a 3-digit index, "
                                   "e.g. `KZ-DM-2025-000012/002`.")
    subtype: LicenseSubtype = strawberry.field(description="The licence subtype the appendix belongs to.")
    electricity_purchase: ElectricityPurchase | None = strawberry.field(
        description="Subtype I: how the holder buys electricity for this data center; null for subtype II "
        "[001 App.6]."
    )
    special_conditions: str = strawberry.field(description="Special conditions printed on the appendix "
                                               "(may be empty).")
    appendix_status: LicenseStatus = strawberry.field(description="The appendix's own status, by the acts "
                                                      "on it alone; see `status` for what it allows.")
    issued_on: date = strawberry.field(description="The day (Almaty) the appendix was issued.")
    valid_until: date = strawberry.field(description=_VALID_UNTIL)
    subtype_name: DocumentText = strawberry.field(description="\"Подвид(ы) лицензируемого вида деятельности\", "
                                                  "verbatim [001 App.6, App.7] (Russian only in the seeds).")
    licensor: DocumentText = strawberry.field(description=_LICENSOR)
    authorised_person: AuthorisedPerson = strawberry.field(description="Who signed the appendix [001 App.6, App.7].")
    _license_id: strawberry.Private[int]
    _data_center_id: strawberry.Private[int | None]

    @classmethod
    def from_row(cls, row: m.LicenseAppendix) -> LicenseAppendix:
        licensor, person = _issued_by(row)
        return cls(
            id=row.id, number=row.number, subtype=row.subtype, electricity_purchase=row.electricity_purchase,
            special_conditions=row.special_conditions, appendix_status=row.status, issued_on=row.issued_on,
            valid_until=row.valid_until, subtype_name=DocumentText.of(SUBTYPE_NAMES[row.subtype]),
            licensor=licensor, authorised_person=person, _license_id=row.license_id,  # type: ignore[attr-defined]
            _data_center_id=row.data_center_id,  # type: ignore[attr-defined]
            created_at=row.created_at, updated_at=row.updated_at,
        )

    @strawberry.field(description="Subtype I: the electricity purchase method as the appendix prints it, "
                      "verbatim from the form (Russian only in the seeds) [001 App.6]; null for subtype II.")
    def electricity_purchase_text(self) -> DocumentText | None:
        if self.electricity_purchase is None:
            return None
        return DocumentText.of(ELECTRICITY_PURCHASE_TEXTS[self.electricity_purchase])

    @strawberry.field(description="The effective status: a suspended or revoked licence carries its "
                      "appendices along, whatever their own status [001 §18-1].")
    def status(self, info: strawberry.Info) -> LicenseStatus:
        loaded: Any = ready(info.context.loaders.visible(m.License), self._license_id)
        if pending(loaded):  # not isinstance(Awaitable): a loaded Tortoise row is awaitable itself
            return self._status_later(loaded)  # type: ignore[return-value]
        return self._effective(loaded)

    def _effective(self, lic: m.License | None) -> LicenseStatus:
        # The appendix is visible only through its licence's holder: the licence is visible too.
        return self.appendix_status if lic is None else effective_appendix_status(lic.status, self.appendix_status)

    async def _status_later(self, loaded: Awaitable[m.License | None]) -> LicenseStatus:
        return self._effective(await loaded)

    @strawberry.field(description="The licence the appendix belongs to.")
    def license(self, info: strawberry.Info) -> License | None:
        return load_view(License, info.context.loaders.visible(m.License), self._license_id)

    @strawberry.field(description="The data center the appendix covers: for subtype I the holder's own, for "
                      "subtype II the host subtype-I miner's data center. Null when the caller may not see "
                      "it (a host data center of another miner); `dataCenterAddress` still says where.")
    def data_center(self, info: strawberry.Info) -> DataCenter | None:
        return load_view(DataCenter, info.context.loaders.visible(pm.DataCenter), self._data_center_id)

    @strawberry.field(description="The location of the data center, as printed on the appendix (for "
                      "subtype II: where the holder's units are hosted); null when the appendix names "
                      "no data center [001 App.6, App.7].")
    def data_center_address(self, info: strawberry.Info) -> str | None:
        if self._data_center_id is None:
            return None
        return ready(data_center_addresses(info), self._data_center_id)  # type: ignore[no-any-return]

    @strawberry.field(description="Acts on this appendix and on its whole licence, oldest first.")
    def status_history(self, info: strawberry.Info) -> list[LicenseStatusEvent]:
        return _history(info, self._license_id, self.id)  # type: ignore[no-any-return]


async def _addresses(keys: Sequence[int]) -> list[str | None]:
    return await uc.data_center_addresses(list(keys))


def data_center_addresses(info: strawberry.Info) -> Any:
    """Data center id -> its address, whoever may read the record: only for data centers that a
    record the caller sees names (an appendix, an application), see resolvers/scope.py."""
    return info.context.loaders.custom("data-center-address", _addresses)


@strawberry.type(description="A licence for digital mining, subtype I or II, with its appendices "
                 "[001 App.4 (subtype I), App.5 (subtype II)]. Applicants see only their own "
                 "organisation's licences.")
class License(RowNode, relay.Node, Timestamped):
    MODEL: ClassVar = m.License

    id: relay.NodeID[int]
    number: str = strawberry.field(description="Licence number, e.g. `KZ-DM-2025-000012`.")
    subtype: LicenseSubtype = strawberry.field(description="Subtype I (own data center) or II (units hosted "
                                               "by a subtype-I miner) [001 §3].")
    status: LicenseStatus = strawberry.field(description="Where the licence stands now.")
    first_issued_on: date = strawberry.field(description="Date of first issue (Almaty), kept across "
                                             "re-issues [001 App.4].")
    issued_on: date = strawberry.field(description="Date this licence document was issued (Almaty); a "
                                       "re-issue has its own.")
    valid_until: date = strawberry.field(description=_VALID_UNTIL)
    place_of_issue: str = strawberry.field(description="Place of issue printed on the licence [001 App.4].")
    special_conditions: str = strawberry.field(description="Special conditions: the locations of all the "
                                               "holder's data centers when there are several [001 App.4].")
    activity_name: DocumentText = strawberry.field(description="\"На занятие\": the licensed activity, as the "
                                                   "seeds name it (001's title; 003 item 1 in Kazakh) [001 App.4, "
                                                   "App.5].")
    note: DocumentText = strawberry.field(description="\"Примечание (отчуждаемость, класс разрешения)\": not "
                                          "alienable, a permit of class 1 [001 App.4; Law on permits, outside the "
                                          "seeds].")
    licensor: DocumentText = strawberry.field(description=_LICENSOR)
    authorised_person: AuthorisedPerson = strawberry.field(description="Who signed the licence [001 App.4, App.5].")
    _holder_id: strawberry.Private[int]
    _replaces_id: strawberry.Private[int | None]
    _replaced_by_id: strawberry.Private[int | None]
    _application_id: strawberry.Private[int]

    @classmethod
    def from_row(cls, row: m.License) -> License:
        licensor, person = _issued_by(row)
        return cls(
            id=row.id, number=row.number, subtype=row.subtype, status=row.status,
            first_issued_on=row.first_issued_on, issued_on=row.issued_on, valid_until=row.valid_until,
            place_of_issue=row.place_of_issue, special_conditions=row.special_conditions,
            activity_name=DocumentText.of(ACTIVITY_NAME), note=DocumentText.of(LICENSE_NOTE),
            licensor=licensor, authorised_person=person, _holder_id=row.holder_id, _replaces_id=row.replaces_id,  # type: ignore[attr-defined]
            _replaced_by_id=row.replaced_by_id, _application_id=row.application_id,  # type: ignore[attr-defined]
            created_at=row.created_at, updated_at=row.updated_at,
        )

    @strawberry.field(description="The holder (licensee); null if the caller may not see that miner.")
    def holder(self, info: strawberry.Info) -> Miner | None:
        return load_view(Miner, info.context.loaders.visible(pm.Miner), self._holder_id)

    @strawberry.field(description="The licence's appendices (one per subtype and data center), oldest first.")
    def appendices(self, info: strawberry.Info) -> list[LicenseAppendix]:
        # An appendix is visible exactly when its licence is: the children of a visible licence.
        loader = info.context.loaders.children(m.LicenseAppendix, "license_id")
        return load_views(LicenseAppendix, loader, self.id)  # type: ignore[no-any-return]

    @strawberry.field(description="Suspensions, resumptions and revocations of the licence and of its "
                      "appendices, oldest first [001 §18-1].")
    def status_history(self, info: strawberry.Info) -> list[LicenseStatusEvent]:
        return _history(info, self.id, None)  # type: ignore[no-any-return]

    @strawberry.field(description="The licence this one re-issued (now REPLACED); null for a first issue.")
    def replaces(self, info: strawberry.Info) -> License | None:
        return load_view(License, info.context.loaders.visible(m.License), self._replaces_id)

    @strawberry.field(description="The licence that re-issued this one; null unless the status is REPLACED.")
    def replaced_by(self, info: strawberry.Info) -> License | None:
        return load_view(License, info.context.loaders.visible(m.License), self._replaced_by_id)

    @strawberry.field(description="The application whose approval issued (or re-issued) this licence; null "
                      "for roles that may not read applications (partner systems).")
    def application(
        self, info: strawberry.Info
    ) -> Annotated[Application, strawberry.lazy("schema.types.applications")] | None:
        from schema.types.applications import Application

        return load_view(Application, info.context.loaders.visible(am.Application), self._application_id)  # type: ignore[no-any-return]


@strawberry.type(description="The tenge value of one MRP (monthly calculation index) in a year: the unit the "
                 "licence fees are stated in [001 App.3 item 7]; the value is set yearly by the budget law.")
class MrpRate:
    year: int = strawberry.field(description="The calendar year.")
    tenge: Decimal = strawberry.field(description="Tenge per MRP in that year, without trailing zeros (e.g. "
                                      "`3932`, `3933.5`).")
    recorded: bool = strawberry.field(description="True when an administrator recorded the rate; false for the "
                                      "built-in budget-law value of a year without a recorded rate.")

    @classmethod
    def from_value(cls, value: MrpValue) -> MrpRate:
        tenge = Decimal(value.tenge)
        plain = tenge.quantize(Decimal(1)) if tenge == tenge.to_integral_value() else tenge.normalize()
        return cls(year=value.year, tenge=plain, recorded=value.recorded)


# --- priming a page ---------------------------------------------------------------------------


def prime_licenses(info: strawberry.Info) -> Any:
    """`Rows(prepare=...)` for a page of licences: load, once for the page, every relation the query
    selects, so that the fields return loaded values at once (no task per licence and field)."""
    from schema.types.applications import node_selection

    wanted = node_selection(info)

    async def prepare(rows: Sequence[m.License]) -> None:
        loaders = info.context.loaders
        ids = [row.id for row in rows]
        if "holder" in wanted:
            await loaders.visible(pm.Miner).load_many(sorted({r.holder_id for r in rows}))  # type: ignore[attr-defined]
        others = {r.replaces_id for r in rows if "replaces" in wanted} | {  # type: ignore[attr-defined]
            r.replaced_by_id for r in rows if "replacedBy" in wanted
        }
        if others - {None}:
            await loaders.visible(m.License).load_many(sorted(others - {None}))
        if "application" in wanted:
            apps = await loaders.visible(am.Application).load_many(sorted({r.application_id for r in rows}))  # type: ignore[attr-defined]
            if "application.miner" in wanted:
                await loaders.visible(pm.Miner).load_many(sorted({a.miner_id for a in apps if a and a.miner_id}))
        if "appendices" in wanted:
            groups = await loaders.children(m.LicenseAppendix, "license_id").load_many(ids)
            appendices = [a for group in groups for a in group]
            # An appendix of a licence the caller sees is visible: answers `statusHistory.appendix`.
            loaders.visible(m.LicenseAppendix).prime_rows(appendices)
            dc_ids = sorted({a.data_center_id for a in appendices if a.data_center_id})  # type: ignore[attr-defined]
            if "appendices.dataCenter" in wanted:
                await loaders.visible(pm.DataCenter).load_many(dc_ids)
            if "appendices.dataCenterAddress" in wanted:
                await data_center_addresses(info).load_many(dc_ids)
        if "statusHistory" in wanted or "appendices.statusHistory" in wanted:
            events = await loaders.children(m.LicenseStatusEvent, "license_id").load_many(ids)
            if {"statusHistory.appendix", "appendices.statusHistory.appendix"} & wanted:
                appendix_ids = sorted({e.appendix_id for group in events for e in group if e.appendix_id})  # type: ignore[attr-defined]
                await loaders.visible(m.LicenseAppendix).load_many(appendix_ids)

    return prepare
