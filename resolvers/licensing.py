"""Licensing of digital mining (001): licence and re-issue applications on the shared engine,
what approving them creates (a licence and/or its appendices), fee payment, and the batched
reads of their details (a page of applications costs a fixed number of statements)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.queryset import ValuesQuery
from tortoise.transactions import in_transaction

from models.applications import Application, ApplicationDocument
from models.licensing import License, LicenseAppendix, LicenseApplication
from models.parties import DataCenter, Miner
from resolvers import applications as engine
from resolvers.changes import record_change, snapshot
from resolvers.procedures import Decision, ProcedureHooks
from resolvers.scope import get_referenced, get_visible, require_may_act_for, visible
from rules.access import Actor
from rules.calendar import ALMATY
from rules.enums import Channel, ElectricityPurchase, LicenseStatus, Region
from rules.errors import DomainError, ErrorCode
from rules.fees import FeeQuote, fee_mrp, quote_fee
from rules.licensing import (
    ReissueGround,
    ReorganisationForm,
    appendix_number,
    license_number,
    special_conditions,
    stored_reissue_grounds,
    validate_reissue,
    validity_until,
)
from rules.limits import check_text
from rules.problems import Problem
from rules.qualification import (
    Confirmations,
    DataCenterFacts,
    DocumentKind,
    DocumentRequirement,
    LicenseApplicationFacts,
    QualificationDocument,
    completeness_problems,
    kinds_for,
    requirements_for,
)
from rules.workflow import LicenseSubtype, ProcedureCode

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
TITLE_MAX, NUMBER_MAX, REFERENCE_MAX, SHEETS_MAX = 500, 100, 100, 10_000


def _now() -> datetime:
    return datetime.now(UTC)


def _today() -> date:
    return _now().astimezone(ALMATY).date()


# --- commands -----------------------------------------------------------------------------


@dataclass(frozen=True)
class DocumentItem:
    """One attached qualification document (001 App.11), as the applicant describes it."""

    kind: DocumentKind
    title: str
    number: str = ""
    issued_on: date | None = None
    valid_until: date | None = None  # the last valid day; None: no expiry


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
    """App.9 (subtype I) or App.10 (subtype II)."""

    license_id: int
    grounds: tuple[ReissueGround, ...]
    reorganisation_form: ReorganisationForm | None = None
    documents: tuple[DocumentItem, ...] = ()
    channel: Channel = Channel.PORTAL
    received_at: datetime | None = None


@dataclass(frozen=True)
class RecordPayment:
    application_id: int
    reference: str
    paid_on: date


# --- filing -------------------------------------------------------------------------------


def _check_documents(subtype: LicenseSubtype, documents: Sequence[DocumentItem]) -> list[DocumentItem]:
    allowed = kinds_for(subtype)
    out = []
    for i, doc in enumerate(documents):
        kind = DocumentKind(doc.kind)
        if kind not in allowed:
            raise DomainError(
                ErrorCode.DOCUMENT_NOT_FOR_SUBTYPE,
                field=f"documents[{i}].kind",
                detail=f"{kind.value} is not an App.11 document of subtype {subtype.value}",
                kind=kind.value,
                subtype=subtype.value,
            )
        if doc.issued_on and doc.valid_until and doc.valid_until < doc.issued_on:
            raise DomainError(ErrorCode.VALIDATION, field=f"documents[{i}].validUntil", detail="before its issue date")
        out.append(
            DocumentItem(
                kind=kind,
                title=check_text(doc.title, f"documents[{i}].title", max_length=TITLE_MAX),
                number=check_text(doc.number or "", f"documents[{i}].number", max_length=NUMBER_MAX, required=False),
                issued_on=doc.issued_on,
                valid_until=doc.valid_until,
            )
        )
    return out


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


async def _save_documents(conn: BaseDBAsyncClient, app: Application, documents: Sequence[DocumentItem]) -> None:
    for doc in documents:
        await ApplicationDocument.create(
            using_db=conn,
            application=app,
            kind=DocumentKind(doc.kind).value,
            title=doc.title,
            number=doc.number,
            issued_on=doc.issued_on,
            valid_until=doc.valid_until,
        )


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
    c = cmd.confirmations
    async with engine.filing(actor, got, ProcedureCode.LICENSE_ISSUE, miner_id=miner.id) as (conn, app):
        details = await LicenseApplication.create(
            using_db=conn,
            application=app,
            subtype=subtype,
            electricity_purchase=cmd.electricity_purchase,
            confirm_official_contacts=c.official_contacts,
            confirm_no_court_ban=c.no_court_ban,
            confirm_documents_true=c.documents_true,
            confirm_personal_data=c.personal_data_consent,
            sheets=cmd.sheets,
            fee_mrp=fee_mrp(ProcedureCode.LICENSE_ISSUE, subtype, app.registered_on),
        )
        await details.data_centers.add(*dcs, using_db=conn)
        await _save_documents(conn, app, documents)
    return app


async def apply_for_reissue(actor: Actor, cmd: ApplyForLicenseReissue) -> Application:
    """Re-issue application (App.9 / App.10): grounds per subtype, a 2-WD service."""
    license = await get_visible(License, actor, cmd.license_id, "License", field="licenseId")
    miner = await engine.applicant_miner(actor, license.holder_id, field="licenseId")  # type: ignore[attr-defined]
    if license.status not in (LicenseStatus.ACTIVE, LicenseStatus.SUSPENDED):
        raise DomainError(
            ErrorCode.CONFLICT, field="licenseId", what=f"licence {license.number} is {license.status.value}"
        )
    validate_reissue(license.subtype, cmd.grounds, cmd.reorganisation_form)
    documents = _check_documents(license.subtype, cmd.documents)
    got = await engine.receipt(actor, cmd.channel, cmd.received_at)
    async with engine.filing(actor, got, ProcedureCode.LICENSE_REISSUE, miner_id=miner.id) as (conn, app):
        await LicenseApplication.create(
            using_db=conn,
            application=app,
            subtype=license.subtype,
            reissue_of=license,
            reissue_grounds=stored_reissue_grounds(cmd.grounds, cmd.reorganisation_form),
            confirm_official_contacts=True,
            confirm_no_court_ban=True,
            confirm_documents_true=True,
            confirm_personal_data=True,
            fee_mrp=fee_mrp(ProcedureCode.LICENSE_REISSUE, license.subtype, app.registered_on),
        )
        await _save_documents(conn, app, documents)
    return app


async def record_payment(actor: Actor, cmd: RecordPayment) -> Application:
    """Payment data (001 App.3 item 9.3): from the payment gateway, or entered by an officer."""
    app = await engine.get_application(actor, cmd.application_id)
    require_may_act_for(actor, app)
    if app.procedure not in _LICENSING:
        raise DomainError(ErrorCode.VALIDATION, field="applicationId", detail="no fee for this service")
    reference = check_text(cmd.reference, "reference", max_length=REFERENCE_MAX)
    if cmd.paid_on > _today():
        raise DomainError(ErrorCode.VALIDATION, field="paidOn", detail="in the future")
    async with in_transaction() as conn:
        details = await LicenseApplication.get(application_id=app.id).using_db(conn)
        before = snapshot(details)
        details.payment_reference, details.paid_on = reference, cmd.paid_on
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
    pairs = await LicenseApplication.filter(id__in=list(detail_ids)).values_list("id", "data_centers__id")
    found: dict[int, list[int]] = defaultdict(list)
    for detail_id, dc_id in sorted(pairs, key=lambda p: (p[0], p[1] or 0)):
        if dc_id is not None:
            found[detail_id].append(dc_id)
    return [found.get(pk, []) for pk in detail_ids]


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


async def _completeness_batch(apps: Sequence[Application]) -> list[list[Problem]]:
    """App.11 and App.1/App.2 completeness of a page of licence applications, in at most five
    statements, reading plain values (a page of 100 reads ~500 rows: model instances cost
    more than the queries)."""
    ids = [app.id for app in apps]
    details = {
        d["application_id"]: d
        for d in await LicenseApplication.filter(application_id__in=ids).values(
            "id", "application_id", "subtype", "electricity_purchase", "confirm_official_contacts",
            "confirm_no_court_ban", "confirm_documents_true", "confirm_personal_data",
        )
    }
    detail_ids = [d["id"] for d in details.values()]
    dc_lists = dict(zip(detail_ids, await data_center_ids_of(detail_ids), strict=True))
    dc_ids = sorted({pk for ids_ in dc_lists.values() for pk in ids_})
    dcs = {dc["id"]: dc for dc in await DataCenter.filter(id__in=dc_ids).values(*_DC_FACT_COLUMNS)} if dc_ids else {}
    documents: dict[int, list[QualificationDocument]] = defaultdict(list)
    rows = await ApplicationDocument.filter(application_id__in=ids).order_by("id").values_list(
        "application_id", "kind", "valid_until"
    )
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
    out = []
    for app in apps:
        d = details.get(app.id)
        if d is None or app.procedure is ProcedureCode.LICENSE_REISSUE:
            out.append([])  # the re-issue form carries its grounds; nothing of App.11 is re-checked
            continue
        app_dcs = [dcs[pk] for pk in dc_lists.get(d["id"], []) if pk in dcs]
        subtype = d["subtype"]
        facts = LicenseApplicationFacts(
            subtype=subtype,
            registered_on=app.registered_on,
            documents=documents[app.id],
            data_centers=[_dc_facts(dc) for dc in app_dcs] if subtype is LicenseSubtype.I else [],
            electricity_method=d["electricity_purchase"],
            confirmations=Confirmations(
                official_contacts=d["confirm_official_contacts"],
                no_court_ban=d["confirm_no_court_ban"],
                documents_true=d["confirm_documents_true"],
                personal_data_consent=d["confirm_personal_data"],
            ),
            host_has_active_subtype_i=(
                app_dcs[0]["miner_id"] in licensed_hosts if subtype is LicenseSubtype.II and app_dcs else None
            ),
        )
        out.append(completeness_problems(facts))
    return out


async def _completeness(app: Application) -> list[Problem]:
    return (await _completeness_batch([app]))[0]


def _in_region(region: Region) -> ValuesQuery[Any]:
    return LicenseApplication.filter(data_centers__region=region).values("application_id")


# --- approval: what a licence decision creates ------------------------------------------


async def _next_appendix_index(conn: BaseDBAsyncClient, license: License) -> int:
    return await LicenseAppendix.filter(license_id=license.id).using_db(conn).count() + 1


async def _create_license(conn: BaseDBAsyncClient, **fields: Any) -> License:
    # The number carries the row id: unique and gap-free per insert, without a counter table.
    lic = await License.create(using_db=conn, number=f"PENDING-{fields['application'].id}", **fields)
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


async def _approve_reissue(conn: BaseDBAsyncClient, app: Application, actor: Actor, decision: Decision) -> License:
    """The re-issued licence keeps the first-issue date and validity; the old one stays as
    REPLACED, with its appendices, for the record (001 §13-15)."""
    details = await LicenseApplication.get(application_id=app.id).using_db(conn)
    await _check_fee_paid(details)
    old = await License.get(id=details.reissue_of_id).using_db(conn)  # type: ignore[attr-defined]
    if old.status not in (LicenseStatus.ACTIVE, LicenseStatus.SUSPENDED):
        raise DomainError(ErrorCode.CONFLICT, what=f"licence {old.number} is {old.status.value}")
    before = snapshot(old)
    issued_on = _today()
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
    for appendix in await LicenseAppendix.filter(license_id=old.id).using_db(conn).order_by("id"):
        if appendix.status is LicenseStatus.REVOKED:
            continue
        copy = await _add_appendix(conn, new, await appendix.data_center, appendix.electricity_purchase, issued_on)
        copy.status, copy.valid_until = appendix.status, appendix.valid_until
        await copy.save(using_db=conn)
        appendix.status = LicenseStatus.REPLACED
        await appendix.save(using_db=conn, update_fields=["status"])
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
