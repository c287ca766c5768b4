"""Licensing of digital mining (001): licence and re-issue applications on the shared engine,
and what approving them creates (a licence and/or its appendices)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.transactions import in_transaction

from models.applications import Application, ApplicationDocument
from models.licensing import License, LicenseAppendix, LicenseApplication
from models.parties import DataCenter, Miner
from resolvers import applications as engine
from resolvers.changes import record_change, snapshot
from resolvers.procedures import ProcedureHooks, register_procedure
from resolvers.scope import get_visible, require_may_act_for
from rules.access import Actor
from rules.calendar import ALMATY
from rules.enums import ElectricityPurchase, LicenseStatus
from rules.errors import DomainError, ErrorCode
from rules.fees import fee_mrp, fee_tenge
from rules.licensing import (
    ReissueGround,
    ReorganisationForm,
    appendix_number,
    license_number,
    special_conditions,
    validate_reissue,
    validity_until,
)
from rules.qualification import (
    Confirmations,
    DataCenterFacts,
    DocumentKind,
    LicenseApplicationFacts,
    Problem,
    QualificationDocument,
    completeness_problems,
    kinds_for,
)
from rules.workflow import LicenseSubtype, ProcedureCode

_LICENSING = (ProcedureCode.LICENSE_ISSUE, ProcedureCode.LICENSE_REISSUE)



def _now() -> datetime:
    return datetime.now(UTC)


def _today() -> date:
    return _now().astimezone(ALMATY).date()


def _check_documents(subtype: LicenseSubtype, documents: list[dict[str, Any]]) -> None:
    allowed = kinds_for(subtype)
    for i, doc in enumerate(documents):
        try:
            kind = DocumentKind(doc["kind"])
        except ValueError:
            kind = None
        if kind not in allowed:
            raise DomainError(
                ErrorCode.DOCUMENT_NOT_FOR_SUBTYPE,
                field=f"documents[{i}].kind",
                detail=f"{doc['kind']} is not an App.11 document of subtype {subtype.value}",
                kind=str(doc["kind"]),
                subtype=subtype.value,
            )
        if not str(doc.get("title", "")).strip():
            raise DomainError(ErrorCode.VALIDATION, field=f"documents[{i}].title", detail="required")


async def _data_centers_for(subtype: LicenseSubtype, miner: Miner, ids: list[int]) -> list[DataCenter]:
    if not ids:
        raise DomainError(ErrorCode.VALIDATION, field="dataCenterIds", detail="name the data center(s)")
    dcs = await DataCenter.filter(id__in=ids)
    if len(dcs) != len(set(ids)):
        raise DomainError(ErrorCode.NOT_FOUND, entity="DataCenter", field="dataCenterIds")
    if subtype is LicenseSubtype.I and any(dc.miner_id != miner.id for dc in dcs):  # type: ignore[attr-defined]
        raise DomainError(
            ErrorCode.VALIDATION, field="dataCenterIds", detail="subtype I: the miner's own data centers"
        )
    if subtype is LicenseSubtype.II and (len(dcs) != 1 or dcs[0].miner_id == miner.id):  # type: ignore[attr-defined]
        raise DomainError(
            ErrorCode.VALIDATION,
            field="dataCenterIds",
            detail="subtype II: exactly one data center of another (subtype-I) miner",
        )
    return dcs


async def _save_documents(conn: BaseDBAsyncClient, app: Application, documents: list[dict[str, Any]]) -> None:
    for doc in documents:
        await ApplicationDocument.create(
            using_db=conn,
            application=app,
            kind=DocumentKind(doc["kind"]).value,
            title=doc["title"].strip(),
            number=doc.get("number") or "",
            issued_on=doc.get("issued_on"),
            valid_until=doc.get("valid_until"),
        )


async def apply_for_license(actor: Actor, data: dict[str, Any]) -> Application:
    """File a licence (and/or appendix) application: App.1 (subtype I) or App.2 (subtype II)."""
    subtype = LicenseSubtype(data["subtype"])
    miner = await engine.applicant_miner(actor, data["miner_id"])
    got = await engine.receipt(actor, data)
    documents = data.get("documents", [])
    _check_documents(subtype, documents)
    dcs = await _data_centers_for(subtype, miner, data.get("data_center_ids", []))
    method = data.get("electricity_purchase")
    if subtype is LicenseSubtype.II and method is not None:
        raise DomainError(ErrorCode.VALIDATION, field="electricityPurchase", detail="subtype I only")
    confirmations = data.get("confirmations", {})
    async with engine.filing(actor, got, ProcedureCode.LICENSE_ISSUE, miner_id=miner.id) as (conn, app):
        details = await LicenseApplication.create(
            using_db=conn,
            application=app,
            subtype=subtype,
            electricity_purchase=method,
            confirm_official_contacts=bool(confirmations.get("official_contacts")),
            confirm_no_court_ban=bool(confirmations.get("no_court_ban")),
            confirm_documents_true=bool(confirmations.get("documents_true")),
            confirm_personal_data=bool(confirmations.get("personal_data_consent")),
            sheets=data.get("sheets", 0),
            fee_mrp=fee_mrp(ProcedureCode.LICENSE_ISSUE, subtype, app.registered_on),
        )
        await details.data_centers.add(*dcs, using_db=conn)
        await _save_documents(conn, app, documents)
    return app


async def apply_for_reissue(actor: Actor, data: dict[str, Any]) -> Application:
    """Re-issue application (App.9 / App.10): grounds per subtype, a 2-WD service."""
    license = await get_visible(License, actor, data["license_id"], "License")
    miner = await engine.applicant_miner(actor, license.holder_id)  # type: ignore[attr-defined]
    if license.status not in (LicenseStatus.ACTIVE, LicenseStatus.SUSPENDED):
        raise DomainError(ErrorCode.CONFLICT, what=f"licence {license.number} is {license.status.value}")
    grounds = [ReissueGround(g) for g in data.get("grounds", [])]
    form = data.get("reorganisation_form")
    validate_reissue(license.subtype, grounds, ReorganisationForm(form) if form else None)
    got = await engine.receipt(actor, data)
    async with engine.filing(actor, got, ProcedureCode.LICENSE_REISSUE, miner_id=miner.id) as (conn, app):
        await LicenseApplication.create(
            using_db=conn,
            application=app,
            subtype=license.subtype,
            reissue_of=license,
            reissue_grounds=[g.value for g in grounds] + ([f"FORM:{form}"] if form else []),
            confirm_official_contacts=True,
            confirm_no_court_ban=True,
            confirm_documents_true=True,
            confirm_personal_data=bool(data.get("personal_data_consent", True)),
            fee_mrp=fee_mrp(ProcedureCode.LICENSE_REISSUE, license.subtype, app.registered_on),
        )
        await _save_documents(conn, app, data.get("documents", []))
    return app


async def record_payment(actor: Actor, app_id: int, reference: str, paid_on: date) -> Application:
    """Payment data (001 App.3 item 9.3): from the payment gateway, or entered by an officer."""
    app = await engine.get_application(actor, app_id)
    require_may_act_for(actor, app)
    if app.procedure not in _LICENSING:
        raise DomainError(ErrorCode.VALIDATION, field="applicationId", detail="no fee for this service")
    if not reference.strip():
        raise DomainError(ErrorCode.VALIDATION, field="reference", detail="payment reference")
    if paid_on > _today():
        raise DomainError(ErrorCode.VALIDATION, field="paidOn", detail="in the future")
    async with in_transaction() as conn:
        details = await LicenseApplication.get(application_id=app.id).using_db(conn)
        before = snapshot(details)
        details.payment_reference, details.paid_on = reference.strip(), paid_on
        await details.save(using_db=conn)
        await record_change(conn, actor, "application.payment_recorded", details, before)
    return app


async def fee_due(details: LicenseApplication, app: Application) -> Decimal | None:
    """The fee in tenge at the MRP of the payment year (or registration year if unpaid)."""
    from resolvers.mrp import mrp_by_year

    year = details.paid_on.year if details.paid_on else None
    try:
        return fee_tenge(app.procedure, details.subtype, app.registered_on, await mrp_by_year(), year)
    except DomainError:
        return None  # the MRP of that year is not recorded yet


# --- completeness -------------------------------------------------------------------------


async def _host_has_active_subtype_i(dc: DataCenter) -> bool:
    return await License.filter(
        holder_id=dc.miner_id, subtype=LicenseSubtype.I, status=LicenseStatus.ACTIVE  # type: ignore[attr-defined]
    ).exists()


async def _completeness(app: Application) -> list[Problem]:
    details = await LicenseApplication.get(application_id=app.id).prefetch_related("data_centers")
    if app.procedure is ProcedureCode.LICENSE_REISSUE:
        return []  # the re-issue form carries its grounds; nothing of App.11 is re-checked
    dcs = list(details.data_centers)
    documents = await ApplicationDocument.filter(application_id=app.id)
    facts = LicenseApplicationFacts(
        subtype=details.subtype,
        registered_on=app.registered_on,
        documents=[QualificationDocument(DocumentKind(d.kind), d.valid_until) for d in documents],
        data_centers=[
            DataCenterFacts(
                substation_kv=dc.substation_kv,
                permitted_mw=dc.permitted_capacity_mw,
                connected_on=dc.connected_on,
                power_source=dc.power_source,
                outside_residential=dc.outside_residential_zone,
            )
            for dc in dcs
        ]
        if details.subtype is LicenseSubtype.I
        else [],
        electricity_method=details.electricity_purchase,
        confirmations=Confirmations(
            official_contacts=details.confirm_official_contacts,
            no_court_ban=details.confirm_no_court_ban,
            documents_true=details.confirm_documents_true,
            personal_data_consent=details.confirm_personal_data,
        ),
        host_has_active_subtype_i=(
            await _host_has_active_subtype_i(dcs[0]) if details.subtype is LicenseSubtype.II and dcs else None
        ),
    )
    return completeness_problems(facts)


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


def _place(decision: dict[str, Any]) -> str:
    place = str(decision.get("place_of_issue") or "").strip()
    if not place:
        raise DomainError(ErrorCode.VALIDATION, field="placeOfIssue", detail="required")
    return place


async def _check_fee_paid(details: LicenseApplication) -> None:
    if details.fee_mrp and not details.paid_on:
        raise DomainError(ErrorCode.FEE_NOT_PAID, detail="record the payment, or refuse on ground FEE_NOT_PAID")


async def _approve_issue(conn: BaseDBAsyncClient, app: Application, actor: Actor, decision: dict[str, Any]) -> License:
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
    for dc in details.data_centers:
        await _add_appendix(conn, lic, dc, details.electricity_purchase, issued_on)
    await _refresh_special_conditions(conn, lic)
    await record_change(conn, actor, "license.issued", lic, None)
    return lic


async def _approve_reissue(conn: BaseDBAsyncClient, app: Application, actor: Actor, decision: dict[str, Any]) -> License:
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


register_procedure(
    ProcedureCode.LICENSE_ISSUE,
    ProcedureHooks(incoming_prefix="LIC", completeness=_completeness, approve=_approve_issue),
)
register_procedure(
    ProcedureCode.LICENSE_REISSUE,
    ProcedureHooks(incoming_prefix="LRI", completeness=_completeness, approve=_approve_reissue),
)
