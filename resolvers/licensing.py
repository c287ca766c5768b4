"""Licensing of digital mining (001): licence and re-issue applications on the shared engine,
what approving them creates (a licence and/or its appendices), fee payment, and the batched
reads of their details (a page of applications costs a fixed number of statements)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.queryset import ValuesQuery
from tortoise.transactions import in_transaction

from models.applications import Application, ApplicationDocument
from models.batch import values_in
from models.licensing import License, LicenseAppendix, LicenseApplication, PoolMembership
from models.parties import DataCenter, Miner
from resolvers import applications as engine
from resolvers import page_memo
from resolvers.applications import DocumentItem
from resolvers.changes import record_change, snapshot
from resolvers.procedures import Decision, ProcedureHooks
from resolvers.registry.queries import miners_with_units
from resolvers.scope import get_referenced, get_visible, require_may_act_for, visible
from rules.access import Actor
from rules.calendar import ALMATY
from rules.enums import Channel, ElectricityPurchase, LicenseStatus, Region
from rules.errors import DomainError, ErrorCode
from rules.fees import FeeQuote, fee_mrp, payment_problems, quote_fee
from rules.licensing import (
    ReissueGround,
    ReorganisationForm,
    appendix_number,
    license_number,
    parse_reissue_grounds,
    special_conditions,
    stored_reissue_grounds,
    validate_reissue,
    validity_until,
)
from rules.limits import PAYMENT_TENGE, check_text
from rules.pools import accredited_on
from rules.problems import Problem
from rules.qualification import (
    Confirmations,
    DataCenterFacts,
    DocumentKind,
    DocumentRequirement,
    LicenseApplicationFacts,
    QualificationDocument,
    kinds_for,
    requirements_for,
    review_problems,
)
from rules.reissue import (
    NewDataCenterFacts,
    ReissueFacts,
    ReissueScope,
    ReissueTarget,
    reissue_document_kinds,
    reissue_problems,
    validate_target,
)
from rules.workflow import LicenseSubtype, ProcedureCode
from settings import Licensor

__all__ = [
    "ApplyForLicense",
    "ApplyForLicenseReissue",
    "DocumentItem",
    "RecordPayment",
    "apply_for_license",
    "apply_for_reissue",
    "data_center_ids_of",
    "fee_quote",
    "fees_of",
    "license_requirements",
    "licenses_of",
    "record_payment",
]

_LICENSING = (ProcedureCode.LICENSE_ISSUE, ProcedureCode.LICENSE_REISSUE)
REFERENCE_MAX, SHEETS_MAX = 100, 10_000


def _now() -> datetime:
    return datetime.now(UTC)


def _today() -> date:
    return _now().astimezone(ALMATY).date()


# --- commands -----------------------------------------------------------------------------


@dataclass(frozen=True)
class ApplyForLicense:
    """App.1 (subtype I) or App.2 (subtype II): a licence and/or an appendix."""

    subtype: LicenseSubtype
    miner_id: int
    data_center_ids: tuple[int, ...]
    electricity_purchase: ElectricityPurchase | None = None
    confirmations: Confirmations = field(default_factory=Confirmations)
    documents: tuple[DocumentItem, ...] = ()
    sheets: int = 0
    channel: Channel = Channel.PORTAL
    received_at: datetime | None = None  # officers: a paper application's receipt time


@dataclass(frozen=True)
class ApplyForLicenseReissue:
    """App.9 (subtype I) or App.10 (subtype II): the licence (with its appendices) or one
    appendix alone, with the new data center / electricity method the change carries."""

    license_id: int
    grounds: tuple[ReissueGround, ...]
    reorganisation_form: ReorganisationForm | None = None
    scope: ReissueScope = ReissueScope.LICENSE
    appendix_id: int | None = None
    data_center_id: int | None = None
    electricity_purchase: ElectricityPurchase | None = None
    confirmations: Confirmations = field(default_factory=Confirmations)
    documents: tuple[DocumentItem, ...] = ()
    channel: Channel = Channel.PORTAL
    received_at: datetime | None = None


@dataclass(frozen=True)
class RecordPayment:
    application_id: int
    reference: str
    paid_on: date
    amount: Decimal  # tenge paid


# --- filing -------------------------------------------------------------------------------


def _check_documents(
    subtype: LicenseSubtype, documents: Sequence[DocumentItem], allowed: frozenset[DocumentKind] | None = None
) -> list[DocumentItem]:
    allowed = kinds_for(subtype) if allowed is None else allowed

    def refuse(i: int, kind: Any) -> None:
        kind = DocumentKind(kind)
        if kind not in allowed:
            raise DomainError(
                ErrorCode.DOCUMENT_NOT_FOR_SUBTYPE,
                field=f"documents[{i}].kind",
                detail=f"{kind.value} is not an App.11 document of subtype {subtype.value}",
                kind=kind.value,
                subtype=subtype.value,
            )

    return engine.check_documents(documents, refuse)


async def _data_centers_for(
    actor: Actor, subtype: LicenseSubtype, miner: Miner, ids: Sequence[int]
) -> list[DataCenter]:
    """Subtype I: the miner's own data centers, each loaded through the caller's visibility.
    Subtype II: exactly one, the host's: another miner's, one the caller may name (resolvers/scope.py,
    "references": a data center on an active subtype-I licence)."""
    if not ids:
        raise DomainError(ErrorCode.VALIDATION, field="dataCenterIds", detail="name the data center(s)")
    if len(set(ids)) != len(ids):
        index = next(i for i, pk in enumerate(ids) if pk in ids[:i])
        raise DomainError(ErrorCode.VALIDATION, field=f"dataCenterIds[{index}]", detail="named twice")
    if subtype is LicenseSubtype.II:
        if len(ids) != 1:
            raise DomainError(ErrorCode.VALIDATION, field="dataCenterIds[1]", detail="subtype II: the one host data center")
        host = await get_referenced(DataCenter, actor, ids[0], "dataCenterIds[0]")  # a licensed host's
        if host.miner_id == miner.id:  # type: ignore[attr-defined]
            raise DomainError(
                ErrorCode.VALIDATION, field="dataCenterIds[0]", detail="subtype II: another (subtype-I) miner's data center"
            )
        return [host]
    dcs = []
    for i, pk in enumerate(ids):
        dc = await get_visible(DataCenter, actor, pk, "DataCenter", field=f"dataCenterIds[{i}]")
        if dc.miner_id != miner.id:  # type: ignore[attr-defined]
            raise DomainError(ErrorCode.VALIDATION, field=f"dataCenterIds[{i}]", detail="subtype I: the miner's own data centers")
        dcs.append(dc)
    return dcs


async def apply_for_license(actor: Actor, cmd: ApplyForLicense) -> Application:
    """File a licence (and/or appendix) application: App.1 (subtype I) or App.2 (subtype II)."""
    subtype = LicenseSubtype(cmd.subtype)
    miner = await engine.applicant_miner(actor, cmd.miner_id)
    got = await engine.receipt(actor, cmd.channel, cmd.received_at)
    documents = _check_documents(subtype, cmd.documents)
    dcs = await _data_centers_for(actor, subtype, miner, cmd.data_center_ids)
    if subtype is LicenseSubtype.II and cmd.electricity_purchase is not None:
        raise DomainError(ErrorCode.VALIDATION, field="electricityPurchase", detail="subtype I only")
    if not 0 <= cmd.sheets <= SHEETS_MAX:
        raise DomainError(ErrorCode.VALIDATION, field="sheets", detail=f"0..{SHEETS_MAX}")
    async with engine.filing(actor, got, ProcedureCode.LICENSE_ISSUE, miner_id=miner.id) as (conn, app):
        details = await LicenseApplication.create(
            using_db=conn,
            application=app,
            subtype=subtype,
            electricity_purchase=cmd.electricity_purchase,
            **_confirmation_columns(cmd.confirmations),
            sheets=cmd.sheets,
            fee_mrp=fee_mrp(ProcedureCode.LICENSE_ISSUE, subtype, app.registered_on),
        )
        await details.data_centers.add(*dcs, using_db=conn)
        await engine.save_documents(conn, app, documents)
    return app


# The four statements of the form (App.1, App.2, App.9, App.10) and their columns: stored as
# given, never assumed; one not given is a completeness gap (qualification.confirmation_problems).
_CONFIRMATION_COLUMNS = {
    "official_contacts": "confirm_official_contacts",
    "no_court_ban": "confirm_no_court_ban",
    "documents_true": "confirm_documents_true",
    "personal_data_consent": "confirm_personal_data",
}


def _confirmation_columns(c: Confirmations) -> dict[str, bool]:
    return {column: getattr(c, name) for name, column in _CONFIRMATION_COLUMNS.items()}


def _confirmations_of(row: dict[str, Any]) -> Confirmations:
    return Confirmations(**{name: row[column] for name, column in _CONFIRMATION_COLUMNS.items()})


_LIVE = (LicenseStatus.ACTIVE, LicenseStatus.SUSPENDED)


async def _reissued_appendix(license: License, appendix_id: int | None) -> LicenseAppendix | None:
    """The appendix the re-issue concerns: one of the licence's, still in force."""
    if appendix_id is None:
        return None
    appendix = await LicenseAppendix.get_or_none(id=appendix_id, license_id=license.id)
    if appendix is None:
        raise DomainError(ErrorCode.NOT_FOUND, entity="LicenseAppendix", field="appendixId")
    if appendix.status not in _LIVE:
        raise DomainError(ErrorCode.CONFLICT, field="appendixId", what=f"appendix {appendix.number} is {appendix.status.value}")
    return appendix


async def _new_data_center(
    actor: Actor, license: License, appendix: LicenseAppendix | None, dc_id: int | None
) -> DataCenter | None:
    """App.9 ground 3: the holder's own data center, not one the licence already covers."""
    if dc_id is None or appendix is None:
        return None
    dc = await get_visible(DataCenter, actor, dc_id, "DataCenter", field="dataCenterId")
    if dc.miner_id != license.holder_id:  # type: ignore[attr-defined]
        raise DomainError(ErrorCode.VALIDATION, field="dataCenterId", detail="the holder's own data center")
    if await LicenseAppendix.filter(license_id=license.id, data_center_id=dc.id, status__in=_LIVE).exists():
        raise DomainError(ErrorCode.VALIDATION, field="dataCenterId", detail="already on an appendix of this licence")
    return dc


def _check_received_after_issue(got: engine.Receipt, license: License, appendix: LicenseAppendix | None) -> None:
    """A re-issue cannot be received before the licence (or appendix) it re-issues was issued."""
    issued_on = max(license.issued_on, appendix.issued_on if appendix else license.issued_on)
    if got.received_at.astimezone(ALMATY).date() < issued_on:
        raise DomainError(
            ErrorCode.VALIDATION, field="receivedAt", detail=f"before the re-issued document's issue on {issued_on}"
        )


async def apply_for_reissue(actor: Actor, cmd: ApplyForLicenseReissue) -> Application:
    """Re-issue application (App.9 / App.10): grounds per subtype, a 2-WD service; the licence
    with its appendices or one appendix alone, with the documents of the change."""
    license = await get_visible(License, actor, cmd.license_id, "License", field="licenseId")
    miner = await engine.applicant_miner(actor, license.holder_id, field="licenseId")  # type: ignore[attr-defined]
    if license.status not in _LIVE:
        raise DomainError(
            ErrorCode.CONFLICT, field="licenseId", what=f"licence {license.number} is {license.status.value}"
        )
    validate_reissue(license.subtype, cmd.grounds, cmd.reorganisation_form)
    scope = ReissueScope(cmd.scope)
    validate_target(cmd.grounds, ReissueTarget(
        scope, cmd.appendix_id is not None, cmd.data_center_id is not None, cmd.electricity_purchase,
    ))
    appendix = await _reissued_appendix(license, cmd.appendix_id)
    dc = await _new_data_center(actor, license, appendix, cmd.data_center_id)
    if appendix is not None and cmd.electricity_purchase is not None \
            and cmd.electricity_purchase == appendix.electricity_purchase:
        raise DomainError(ErrorCode.VALIDATION, field="electricityPurchase", detail="the appendix's method already")
    documents = _check_documents(license.subtype, cmd.documents, reissue_document_kinds(license.subtype))
    got = await engine.receipt(actor, cmd.channel, cmd.received_at)
    _check_received_after_issue(got, license, appendix)
    async with engine.filing(actor, got, ProcedureCode.LICENSE_REISSUE, miner_id=miner.id) as (conn, app):
        details = await LicenseApplication.create(
            using_db=conn,
            application=app,
            subtype=license.subtype,
            reissue_of=license,
            reissue_grounds=stored_reissue_grounds(cmd.grounds, cmd.reorganisation_form),
            reissue_scope=scope,
            reissue_appendix=appendix,
            electricity_purchase=cmd.electricity_purchase,
            **_confirmation_columns(cmd.confirmations),
            fee_mrp=fee_mrp(ProcedureCode.LICENSE_REISSUE, license.subtype, app.registered_on),
        )
        if dc is not None:
            await details.data_centers.add(dc, using_db=conn)
        await engine.save_documents(conn, app, documents)
    return app


async def record_payment(actor: Actor, cmd: RecordPayment) -> Application:
    """Payment data (001 App.3 item 9.3): from the payment gateway, or entered by an officer."""
    app = await engine.get_application(actor, cmd.application_id)
    require_may_act_for(actor, app)
    if app.procedure not in _LICENSING:
        raise DomainError(ErrorCode.VALIDATION, field="applicationId", detail="no fee for this service")
    reference = check_text(cmd.reference, "reference", max_length=REFERENCE_MAX)
    amount = PAYMENT_TENGE.check(cmd.amount, "amount")
    if cmd.paid_on > _today():
        raise DomainError(ErrorCode.VALIDATION, field="paidOn", detail="in the future")
    async with in_transaction() as conn:
        details = await LicenseApplication.get(application_id=app.id).using_db(conn)
        before = snapshot(details)
        details.payment_reference, details.paid_on, details.paid_amount = reference, cmd.paid_on, amount
        await details.save(using_db=conn)
        await record_change(conn, actor, "application.payment_recorded", details, before)
    return app


# --- previews -----------------------------------------------------------------------------


def license_requirements(subtype: LicenseSubtype, on: date) -> tuple[DocumentRequirement, ...]:
    """The App.11 documents required of an application registered on `on`."""
    return requirements_for(subtype, on)


async def fee_quote(procedure: ProcedureCode, subtype: LicenseSubtype | None, on: date) -> FeeQuote:
    """What the fee of an application registered (and paid) on `on` comes to."""
    from resolvers.mrp import mrp_by_year

    if ProcedureCode(procedure) in _LICENSING and subtype is None:
        raise DomainError(ErrorCode.VALIDATION, field="subtype", detail="licensing fees depend on the subtype")
    return quote_fee(procedure, subtype, on, await mrp_by_year())


# --- batched reads (one statement per relation for a page of applications) ----------------


async def data_center_ids_of(detail_ids: Sequence[int]) -> list[list[int]]:
    """The data centers each licence application names, by the details' ids, in id order."""

    async def load(wanted: list[int]) -> dict[int, list[int]]:
        pairs = await LicenseApplication.filter(id__in=wanted).values_list("id", "data_centers__id")
        found: dict[int, list[int]] = defaultdict(list)
        for detail_id, dc_id in sorted(pairs, key=lambda p: (p[0], p[1] or 0)):
            if dc_id is not None:
                found[detail_id].append(dc_id)
        return found

    return [found or [] for found in await page_memo.many("license-application-dcs", detail_ids, load)]


async def licenses_of(actor: Actor, app_ids: Sequence[int]) -> list[License | None]:
    """The licence each application's approval issued (its `application`), if the caller may see it."""
    rows = await visible(License.filter(application_id__in=list(app_ids)), actor).order_by("id")
    found = {row.application_id: row for row in rows}  # type: ignore[attr-defined]
    return [found.get(pk) for pk in app_ids]


async def fees_of(items: Sequence[tuple[ProcedureCode, LicenseSubtype, date, date | None]]) -> list[FeeQuote]:
    """Each application's fee, by (procedure, subtype, registration date, payment date): the
    MRP count in force on registration at the MRP of the payment year (the registration year
    until paid). One statement (the MRP rates) for any number of applications."""
    from resolvers.mrp import mrp_by_year

    rates = await mrp_by_year()
    return [
        quote_fee(procedure, subtype, registered_on, rates, paid_on.year if paid_on else None)
        for procedure, subtype, registered_on, paid_on in items
    ]


# --- completeness -------------------------------------------------------------------------


_DC_FACT_COLUMNS = ("id", "miner_id", "substation_kv", "permitted_capacity_mw", "connected_on", "power_source",
                    "outside_residential_zone")


def _dc_facts(dc: dict[str, Any]) -> DataCenterFacts:
    return DataCenterFacts(
        substation_kv=dc["substation_kv"],
        permitted_mw=dc["permitted_capacity_mw"],
        connected_on=dc["connected_on"],
        power_source=dc["power_source"],
        outside_residential=dc["outside_residential_zone"],
    )


_DETAIL_COLUMNS = ("id", "application_id", "subtype", "electricity_purchase", *_CONFIRMATION_COLUMNS.values(),
                   "reissue_grounds", "paid_on", "paid_amount")


async def _completeness_batch(apps: Sequence[Application]) -> list[list[Problem]]:
    """App.11 and App.1/App.2 completeness of a page of licence applications, in at most five
    statements, reading plain values (a page of 100 reads ~500 rows: model instances cost
    more than the queries). The details and their data centers are the rows the page's
    `licenseDetails` read, when it reads them at the same time (resolvers/page_memo)."""
    ids = [app.id for app in apps]
    details = {
        app_id: {column: getattr(row, column) for column in _DETAIL_COLUMNS}
        for app_id, row in zip(ids, await page_memo.rows_by(LicenseApplication, "application_id", ids), strict=True)
        if row is not None
    }
    detail_ids = [d["id"] for d in details.values()]
    dc_lists = dict(zip(detail_ids, await data_center_ids_of(detail_ids), strict=True))
    dc_ids = sorted({pk for ids_ in dc_lists.values() for pk in ids_})
    dcs = {
        dc["id"]: dc
        for dc in (dict(zip(_DC_FACT_COLUMNS, values, strict=True))
                   for values in await values_in(DataCenter, _DC_FACT_COLUMNS, "id", dc_ids))
    }
    documents: dict[int, list[QualificationDocument]] = defaultdict(list)
    rows = await values_in(ApplicationDocument, ("application_id", "kind", "valid_until"), "application_id", ids)
    for app_id, kind, valid_until in rows:
        documents[app_id].append(QualificationDocument(DocumentKind(kind), valid_until))
    hosts = {
        dcs[dc_lists[d["id"]][0]]["miner_id"]
        for d in details.values()
        if d["subtype"] is LicenseSubtype.II and dc_lists.get(d["id"]) and dc_lists[d["id"]][0] in dcs
    }
    licensed_hosts = set(
        await License.filter(
            holder_id__in=sorted(hosts), subtype=LicenseSubtype.I, status=LicenseStatus.ACTIVE
        ).values_list("holder_id", flat=True)
    ) if hosts else set()
    owners = sorted({app.miner_id for app in apps if app.miner_id is not None})  # type: ignore[attr-defined]
    with_units = await miners_with_units(owners) if owners else set()
    pools_on_registration = await _pools_accredited_on_registration(apps)
    paid = [app for app in apps if app.id in details and details[app.id]["paid_amount"] is not None]
    quotes = await fees_of([
        (app.procedure, details[app.id]["subtype"], app.registered_on, details[app.id]["paid_on"]) for app in paid
    ]) if paid else []
    fees = {app.id: quote for app, quote in zip(paid, quotes, strict=True)}
    out = []
    for app in apps:
        d = details.get(app.id)
        if d is None:
            out.append([])
            continue
        payment = payment_problems(fees[app.id], d["paid_amount"]) if app.id in fees else []
        app_dcs = [dcs[pk] for pk in dc_lists.get(d["id"], []) if pk in dcs]
        if app.procedure is ProcedureCode.LICENSE_REISSUE:
            out.append(_reissue_completeness(app, d, documents[app.id], app_dcs) + payment)
            continue
        subtype = d["subtype"]
        facts = LicenseApplicationFacts(
            subtype=subtype,
            registered_on=app.registered_on,
            documents=documents[app.id],
            data_centers=[_dc_facts(dc) for dc in app_dcs] if subtype is LicenseSubtype.I else [],
            electricity_method=d["electricity_purchase"],
            confirmations=_confirmations_of(d),
            host_has_active_subtype_i=(
                app_dcs[0]["miner_id"] in licensed_hosts if subtype is LicenseSubtype.II and app_dcs else None
            ),
            has_own_units=app.miner_id in with_units,  # type: ignore[attr-defined]
            pool_accredited=pools_on_registration.get(app.id),
        )
        out.append(review_problems(facts) + payment)
    return out


async def _pools_accredited_on_registration(apps: Sequence[Application]) -> dict[int, bool]:
    """App.11 I(3), II(2): whether the pool each applicant mined through on its registration date
    (its recorded membership: the pool its evidence names) was accredited that day; applications
    of miners with no membership then are left out (not verifiable). Two statements."""
    from resolvers.pools import certificate_periods

    owners = sorted({app.miner_id for app in apps if app.miner_id is not None})  # type: ignore[attr-defined]
    if not owners:
        return {}
    by_miner: dict[int, list[dict[str, Any]]] = defaultdict(list)
    columns = ("miner_id", "pool_id", "since", "until")
    for values in await values_in(PoolMembership, columns, "miner_id", owners):
        m = dict(zip(columns, values, strict=True))
        by_miner[m["miner_id"]].append(m)
    pool_of: dict[int, int] = {}
    for app in apps:
        day = app.registered_on
        for m in by_miner.get(app.miner_id, ()):  # type: ignore[attr-defined]
            if m["since"] <= day and (m["until"] is None or day < m["until"]):
                pool_of[app.id] = m["pool_id"]
    periods = await certificate_periods(sorted(set(pool_of.values())))
    return {app.id: accredited_on(periods.get(pool_of[app.id], []), app.registered_on) for app in apps
            if app.id in pool_of}


def _reissue_completeness(
    app: Application, d: dict[str, Any], documents: list[QualificationDocument], dcs: list[dict[str, Any]]
) -> list[Problem]:
    """001 §14: the re-issue form's confirmations and the documents of the change."""
    grounds, _ = parse_reissue_grounds(d["reissue_grounds"] or [])
    return reissue_problems(ReissueFacts(
        grounds=grounds,
        registered_on=app.registered_on,
        confirmations=_confirmations_of(d),
        documents=documents,
        new_data_center=NewDataCenterFacts(dcs[0]["power_source"], dcs[0]["connected_on"]) if dcs else None,
        new_electricity_purchase=d["electricity_purchase"],
    ))


async def _completeness(app: Application) -> list[Problem]:
    return (await _completeness_batch([app]))[0]


def _in_region(region: Region) -> ValuesQuery[Any]:
    return LicenseApplication.filter(data_centers__region=region).values("application_id")


# --- approval: what a licence decision creates ------------------------------------------


async def _next_appendix_index(conn: BaseDBAsyncClient, license: License) -> int:
    return await LicenseAppendix.filter(license_id=license.id).using_db(conn).count() + 1


async def _create_license(conn: BaseDBAsyncClient, **fields: Any) -> License:
    # The number carries the row id: unique and gap-free per insert, without a counter table.
    lic = await License.create(
        using_db=conn, number=f"PENDING-{fields['application'].id}", **Licensor.from_env().columns(), **fields
    )
    lic.number = license_number(fields["issued_on"].year, lic.id)
    await lic.save(using_db=conn, update_fields=["number"])
    return lic


async def _add_appendix(
    conn: BaseDBAsyncClient, lic: License, dc: DataCenter | None, method: ElectricityPurchase | None,
    issued_on: date,
) -> LicenseAppendix:
    index = await _next_appendix_index(conn, lic)
    return await LicenseAppendix.create(
        using_db=conn,
        license=lic,
        number=appendix_number(lic.number, index),
        subtype=lic.subtype,
        data_center=dc,
        electricity_purchase=method if lic.subtype is LicenseSubtype.I else None,
        issued_on=issued_on,
        valid_until=lic.valid_until,
        **Licensor.from_env().columns(),
    )


async def _refresh_special_conditions(conn: BaseDBAsyncClient, lic: License) -> None:
    appendices = await LicenseAppendix.filter(
        license_id=lic.id, status=LicenseStatus.ACTIVE
    ).using_db(conn).prefetch_related("data_center")
    locations = [a.data_center.address for a in appendices if a.data_center is not None]
    lic.special_conditions = special_conditions(list(dict.fromkeys(locations)))
    await lic.save(using_db=conn, update_fields=["special_conditions"])


def _place(decision: Decision) -> str:
    return check_text(decision.place_of_issue or "", "placeOfIssue", max_length=200)


async def _check_fee_paid(details: LicenseApplication) -> None:
    if details.fee_mrp and not details.paid_on:
        raise DomainError(ErrorCode.FEE_NOT_PAID, detail="record the payment, or refuse on ground FEE_NOT_PAID")


async def _approve_issue(conn: BaseDBAsyncClient, app: Application, actor: Actor, decision: Decision) -> License:
    """Issue a licence, or add appendices to the holder's licence of that subtype (001 §9)."""
    details = await LicenseApplication.get(application_id=app.id).using_db(conn).prefetch_related("data_centers")
    await _check_fee_paid(details)
    issued_on = _today()
    place = _place(decision)
    lic = await License.filter(
        holder_id=app.miner_id, subtype=details.subtype, status=LicenseStatus.ACTIVE  # type: ignore[attr-defined]
    ).using_db(conn).first()
    if lic is None:
        lic = await _create_license(
            conn,
            holder_id=app.miner_id,  # type: ignore[attr-defined]
            subtype=details.subtype,
            first_issued_on=issued_on,
            issued_on=issued_on,
            valid_until=validity_until(issued_on),
            place_of_issue=place,
            application=app,
        )
    for dc in sorted(details.data_centers, key=lambda d: d.id):
        await _add_appendix(conn, lic, dc, details.electricity_purchase, issued_on)
    await _refresh_special_conditions(conn, lic)
    await record_change(conn, actor, "license.issued", lic, None)
    return lic


@dataclass(frozen=True)
class _Change:
    """What a re-issue changes on one appendix (App.9 grounds 3 and 5)."""

    appendix_id: int | None
    data_center: DataCenter | None
    method: ElectricityPurchase | None

    async def values_for(self, appendix: LicenseAppendix) -> tuple[DataCenter | None, ElectricityPurchase | None]:
        """The data center and electricity method the re-issued ``appendix`` carries."""
        dc, method = await appendix.data_center, appendix.electricity_purchase
        if appendix.id != self.appendix_id:
            return dc, method
        return self.data_center or dc, self.method or method


async def _carry_over(
    conn: BaseDBAsyncClient, lic: License, appendix: LicenseAppendix, change: _Change, issued_on: date
) -> LicenseAppendix:
    """A new appendix of ``lic`` in place of ``appendix`` (now REPLACED), with its status and term."""
    copy = await _add_appendix(conn, lic, *await change.values_for(appendix), issued_on)
    copy.status, copy.valid_until = appendix.status, appendix.valid_until
    await copy.save(using_db=conn)
    appendix.status = LicenseStatus.REPLACED
    await appendix.save(using_db=conn, update_fields=["status"])
    return copy


async def _reissue_appendix(
    conn: BaseDBAsyncClient, actor: Actor, lic: License, change: _Change, issued_on: date
) -> License:
    """One appendix alone (001 App.9 / App.10 "приложение к лицензии"): a new appendix under the
    same licence, which keeps its number, its date and its other appendices."""
    old = await LicenseAppendix.get(id=change.appendix_id).using_db(conn)
    if old.status not in _LIVE:
        raise DomainError(ErrorCode.CONFLICT, what=f"appendix {old.number} is {old.status.value}")
    before = snapshot(old)
    new = await _carry_over(conn, lic, old, change, issued_on)
    await _refresh_special_conditions(conn, lic)
    await record_change(conn, actor, "license.replaced", old, before)
    await record_change(conn, actor, "license.reissued", new, None)
    return lic


async def _approve_reissue(conn: BaseDBAsyncClient, app: Application, actor: Actor, decision: Decision) -> License:
    """The re-issued licence keeps the first-issue date and validity; the old one stays as
    REPLACED, with its appendices, for the record (001 §13-15). A re-issue of one appendix
    replaces that appendix only."""
    details = await LicenseApplication.get(application_id=app.id).using_db(conn).prefetch_related("data_centers")
    await _check_fee_paid(details)
    old = await License.get(id=details.reissue_of_id).using_db(conn)  # type: ignore[attr-defined]
    if old.status not in _LIVE:
        raise DomainError(ErrorCode.CONFLICT, what=f"licence {old.number} is {old.status.value}")
    change = _Change(
        details.reissue_appendix_id,  # type: ignore[attr-defined]
        next(iter(details.data_centers), None),
        details.electricity_purchase,
    )
    issued_on = _today()
    if details.reissue_scope is ReissueScope.APPENDIX:
        return await _reissue_appendix(conn, actor, old, change, issued_on)
    before = snapshot(old)
    new = await _create_license(
        conn,
        holder_id=old.holder_id,  # type: ignore[attr-defined]
        subtype=old.subtype,
        status=old.status,
        first_issued_on=old.first_issued_on,
        issued_on=issued_on,
        valid_until=old.valid_until,
        place_of_issue=_place(decision),
        application=app,
        replaces=old,
    )
    for appendix in await LicenseAppendix.filter(license_id=old.id, status__in=_LIVE).using_db(conn).order_by("id"):
        await _carry_over(conn, new, appendix, change, issued_on)
    old.status, old.replaced_by_id = LicenseStatus.REPLACED, new.id
    await old.save(using_db=conn, update_fields=["status", "replaced_by_id"])
    await _refresh_special_conditions(conn, new)
    await record_change(conn, actor, "license.replaced", old, before)
    await record_change(conn, actor, "license.reissued", new, None)
    return new


# What licensing adds to the engine; the table of procedures is resolvers/wiring.py.
ISSUE_HOOKS = ProcedureHooks(
    incoming_prefix="LIC", completeness=_completeness, approve=_approve_issue,
    completeness_batch=_completeness_batch, in_region=_in_region,
)
REISSUE_HOOKS = ProcedureHooks(
    incoming_prefix="LRI", completeness=_completeness, approve=_approve_reissue,
    completeness_batch=_completeness_batch, in_region=_in_region,
)
