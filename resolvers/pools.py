"""Accreditation of digital mining pools (004) on the shared engine: filing and re-issue, the
completeness and merits view (the seven conditions of §4), what approval issues (the
certificate of App.3), the register of accredited pools and the certificates' expiry.

Only the procedure's differences live here; receiving, terms, hearing and decisions are the
engine's (resolvers/applications.py), and the rules are plain functions in rules/pools.py.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.expressions import Q, Subquery
from tortoise.transactions import in_transaction

from models.applications import Application, ApplicationDocument
from models.parties import Pool
from models.pools import PoolApplication, PoolCertificate
from resolvers import applications as engine
from resolvers.applications import DocumentItem
from resolvers.changes import emit, record_change, snapshot
from resolvers.listing import Listing, Order
from resolvers.procedures import Decision, ProcedureHooks
from resolvers.scope import get_visible, require_may_act_for, visible
from rules.access import Actor
from rules.bin_iin import IdKind, kind_of
from rules.calendar import ALMATY, WorkCalendar
from rules.enums import Channel
from rules.errors import DomainError, ErrorCode
from rules.limits import check_text
from rules.pools import (
    REMINDER_DAYS_BEFORE,
    UI_LANGUAGES,
    CertificatePeriod,
    CertificateStatus,
    CheckResult,
    ConditionResult,
    PoolCondition,
    PoolFacts,
    ServerComplex,
    ServerRole,
    SettlementKind,
    accredited_on,
    assess_conditions,
    certificate_valid_until,
    condition_problems,
    document_problems,
)
from rules.problems import Problem
from rules.workflow import ProcedureCode

__all__ = [
    "ACCREDITATION_HOOKS",
    "REISSUE_HOOKS",
    "ApplyForPoolAccreditation",
    "ApplyForPoolReissue",
    "ComplexItem",
    "accredited_pool_ids",
    "accredited_pools",
    "assess",
    "certificate_periods",
    "certificates_of",
    "expire_certificates",
    "latest_conditions",
]

TEXT_MAX, NUMBER_MAX, COMPLEXES_MAX, PROVIDERS_MAX = 500, 100, 20, 10  # NUMBER_MAX: act and letter numbers


# --- commands -----------------------------------------------------------------------------


@dataclass(frozen=True)
class ComplexItem:
    """A server complex (hardware-software complex) of the pool, main or backup [004 §4(1), (3), (4)]."""

    role: ServerRole
    in_kazakhstan: bool
    settlement: str
    settlement_kind: SettlementKind
    address: str
    providers: tuple[str, ...] = ()


@dataclass(frozen=True)
class ApplyForPoolAccreditation:
    """004 App.1 with the data of the §4 conditions and the App.2 item 8 documents."""

    pool_id: int
    complexes: tuple[ComplexItem, ...]
    infosec_act_number: str = ""
    infosec_act_date: date | None = None
    infosec_result: CheckResult | None = None
    support_24_7: bool | None = None
    support_contacts: str = ""
    ui_languages: tuple[str, ...] = ()
    state_service_letter_number: str = ""
    state_service_letter_date: date | None = None
    state_service_result: CheckResult | None = None
    documents_true: bool = False
    personal_data_consent: bool = False
    documents: tuple[DocumentItem, ...] = ()
    channel: Channel = Channel.PORTAL
    received_at: datetime | None = None


@dataclass(frozen=True)
class ApplyForPoolReissue:
    """Re-issue of a certificate (004 §12, App.2 item 8(3)): the application and the lease."""

    certificate_id: int
    reason: str
    complexes: tuple[ComplexItem, ...] = ()
    documents_true: bool = False
    personal_data_consent: bool = False
    documents: tuple[DocumentItem, ...] = field(default_factory=tuple)
    channel: Channel = Channel.PORTAL
    received_at: datetime | None = None


# --- filing -------------------------------------------------------------------------------


async def _applicant_pool(actor: Actor, pool_id: int) -> Pool:
    """The pool an application is filed for: the applicant's own (or any, for an officer); only a
    legal entity may be accredited (004 §1, App.1: "полное наименование юридического лица, БИН")."""
    pool = await get_visible(Pool, actor, pool_id, "Pool", field="poolId")
    require_may_act_for(actor, pool)
    if kind_of(pool.bin) is not IdKind.BIN:
        raise DomainError(ErrorCode.NOT_A_LEGAL_ENTITY, field="poolId", bin=pool.bin)
    return pool


def _complexes(items: Sequence[ComplexItem]) -> list[dict[str, Any]]:
    if len(items) > COMPLEXES_MAX:
        raise DomainError(ErrorCode.VALIDATION, field="complexes", detail=f"at most {COMPLEXES_MAX}")
    out = []
    for i, c in enumerate(items):
        if len(c.providers) > PROVIDERS_MAX:
            raise DomainError(ErrorCode.VALIDATION, field=f"complexes[{i}].providers", detail=f"at most {PROVIDERS_MAX}")
        out.append({
            "role": ServerRole(c.role).value,
            "in_kazakhstan": bool(c.in_kazakhstan),
            "settlement": check_text(c.settlement, f"complexes[{i}].settlement", max_length=TEXT_MAX),
            "settlement_kind": SettlementKind(c.settlement_kind).value,
            "address": check_text(c.address, f"complexes[{i}].address", max_length=TEXT_MAX),
            "providers": [check_text(p, f"complexes[{i}].providers[{j}]", max_length=TEXT_MAX)
                          for j, p in enumerate(c.providers)],
        })
    return out




def _languages(values: Sequence[str]) -> list[str]:
    codes = []
    for i, value in enumerate(values):
        code = value.strip().lower()
        if code not in UI_LANGUAGES and not (code.isascii() and code.isalpha() and len(code) == 2):
            raise DomainError(ErrorCode.VALIDATION, field=f"uiLanguages[{i}]", detail="a two-letter language code")
        codes.append(code)
    return sorted(set(codes))


async def apply_for_accreditation(actor: Actor, cmd: ApplyForPoolAccreditation) -> Application:
    """File an accreditation application (004 App.1) for the caller's pool."""
    pool = await _applicant_pool(actor, cmd.pool_id)
    complexes = _complexes(cmd.complexes)
    documents = engine.check_documents(cmd.documents)
    languages = _languages(cmd.ui_languages)
    act_number = check_text(cmd.infosec_act_number, "infosecActNumber", max_length=NUMBER_MAX, required=False)
    letter_number = check_text(cmd.state_service_letter_number, "stateServiceLetterNumber", max_length=NUMBER_MAX,
                               required=False)
    contacts = check_text(cmd.support_contacts, "supportContacts", max_length=TEXT_MAX, required=False)
    got = await engine.receipt(actor, cmd.channel, cmd.received_at)
    async with engine.filing(actor, got, ProcedureCode.POOL_ACCREDITATION, pool_id=pool.id) as (conn, app):
        await PoolApplication.create(
            using_db=conn, application=app, server_complexes=complexes, infosec_act_number=act_number,
            infosec_act_date=cmd.infosec_act_date, infosec_result=cmd.infosec_result, support_24_7=cmd.support_24_7,
            support_contacts=contacts, ui_languages=languages, state_service_letter_number=letter_number,
            state_service_letter_date=cmd.state_service_letter_date, state_service_result=cmd.state_service_result,
            confirm_documents_true=cmd.documents_true, confirm_personal_data=cmd.personal_data_consent,
        )
        await engine.save_documents(conn, app, documents)
    return app


async def apply_for_reissue(actor: Actor, cmd: ApplyForPoolReissue) -> Application:
    """Re-issue of an active certificate (004 §12): the new data with the application."""
    cert = await get_visible(PoolCertificate, actor, cmd.certificate_id, "PoolCertificate", field="certificateId")
    pool = await _applicant_pool(actor, cert.pool_id)  # type: ignore[attr-defined]
    if cert.status is not CertificateStatus.ACTIVE:
        raise DomainError(ErrorCode.CONFLICT, field="certificateId", what=f"certificate {cert.number} is {cert.status.value}")
    reason = check_text(cmd.reason, "reason", max_length=TEXT_MAX)
    complexes = _complexes(cmd.complexes)
    documents = engine.check_documents(cmd.documents)
    got = await engine.receipt(actor, cmd.channel, cmd.received_at)
    async with engine.filing(actor, got, ProcedureCode.POOL_REISSUE, pool_id=pool.id) as (conn, app):
        await PoolApplication.create(
            using_db=conn, application=app, server_complexes=complexes, reissue_of=cert, reissue_reason=reason,
            confirm_documents_true=cmd.documents_true, confirm_personal_data=cmd.personal_data_consent,
        )
        await engine.save_documents(conn, app, documents)
    return app


# --- completeness and the merits ------------------------------------------------------------


def _facts(d: PoolApplication) -> PoolFacts:
    return PoolFacts(
        complexes=[
            ServerComplex(ServerRole(c["role"]), c["in_kazakhstan"], c["settlement"], SettlementKind(c["settlement_kind"]),
                          c["address"], tuple(c["providers"]))
            for c in d.server_complexes or []
        ],
        infosec_result=d.infosec_result,
        support_24_7=d.support_24_7,
        ui_languages=frozenset(d.ui_languages or []),
        state_service_letter=d.state_service_result,
    )


def _confirmation_problems(d: PoolApplication) -> list[Problem]:
    problems = []
    if not d.confirm_documents_true:
        problems.append(Problem("MISSING_CONFIRMATION", "documentsTrue", "004 App.1: the information and documents are true"))
    if not d.confirm_personal_data:
        problems.append(Problem("PD_CONSENT_MISSING", "personalDataConsent", "004 App.1: consent to personal data"))
    return problems


async def _details(app_ids: Sequence[int]) -> dict[int, PoolApplication]:
    return {d.application_id: d for d in await PoolApplication.filter(application_id__in=list(app_ids))}  # type: ignore[attr-defined]


async def _review_batch(apps: Sequence[Application]) -> list[list[Problem]]:
    """Documents, confirmations and the seven conditions of a page of pool applications (two
    statements). A re-issue re-checks only what it carries: its documents and its complexes."""
    ids = [app.id for app in apps]
    details = await _details(ids)
    kinds: dict[int, list[str]] = defaultdict(list)
    for app_id, kind in await ApplicationDocument.filter(application_id__in=ids).values_list("application_id", "kind"):
        kinds[app_id].append(kind)
    out = []
    for app in apps:
        d = details.get(app.id)
        if d is None:
            out.append([])
            continue
        reissue = app.procedure is ProcedureCode.POOL_REISSUE
        problems = document_problems(kinds[app.id], reissue) + _confirmation_problems(d)
        out.append(problems + condition_problems(assess(d)))
    return out


# A re-issue carries new server complexes (or none): only their conditions are judged again.
_COMPLEX_CONDITIONS = frozenset({
    PoolCondition.SERVERS_IN_KAZAKHSTAN, PoolCondition.BACKUP_IN_ANOTHER_SETTLEMENT,
    PoolCondition.TWO_PROVIDERS_PER_COMPLEX,
})


def assess(d: PoolApplication) -> list[ConditionResult]:
    """The conditions of 004 §4 judged on an application's data (for a re-issue, those of the
    complexes it changes)."""
    results = assess_conditions(_facts(d))
    if d.reissue_of_id is None:  # type: ignore[attr-defined]
        return results
    return [r for r in results if r.condition in _COMPLEX_CONDITIONS] if d.server_complexes else []


async def _review(app: Application) -> list[Problem]:
    return (await _review_batch([app]))[0]


async def latest_conditions(actor: Actor, pool_ids: Sequence[int]) -> list[list[ConditionResult]]:
    """Each pool's seven conditions judged on its latest accreditation application the caller may
    see (officers, inspectors, the pool itself); empty otherwise. Two statements."""
    apps = await visible(Application.filter(pool_id__in=list(pool_ids), procedure=ProcedureCode.POOL_ACCREDITATION),
                         actor).order_by("id").values_list("pool_id", "id")
    latest = dict(apps)  # ascending ids: the last one per pool stays
    details = await _details(list(latest.values()))
    return [assess(details[latest[pk]]) if pk in latest and latest[pk] in details else [] for pk in pool_ids]


# --- approval: the certificate ------------------------------------------------------------------


def certificate_number(year: int, serial: int) -> str:
    """KZ-PL-<year>-<5-digit serial>: unique (it carries the row id) and readable on the phone."""
    return f"KZ-PL-{year}-{serial:05d}"


def _locations(complexes: Sequence[dict[str, Any]]) -> str:
    return "; ".join(f"{c['role'].lower()}: {c['settlement']}, {c['address']}" for c in complexes)


async def _issue(conn: BaseDBAsyncClient, app: Application, pool: Pool, locations: str,
                 issued_on: date, valid_until: date, replaces: PoolCertificate | None) -> PoolCertificate:
    cert = await PoolCertificate.create(
        using_db=conn, number=f"PENDING-{app.id}", pool=pool, pool_name=pool.name, pool_bin=pool.bin,
        server_locations=locations, issued_on=issued_on, valid_until=valid_until,
        application=app, replaces=replaces,
    )
    cert.number = certificate_number(issued_on.year, cert.id)
    await cert.save(using_db=conn, update_fields=["number"])
    return cert


async def _approve_accreditation(conn: BaseDBAsyncClient, app: Application, actor: Actor, decision: Decision) -> PoolCertificate:
    """004 App.2 item 5: the certificate, valid one year from issue (§3)."""
    pool = await Pool.get(id=app.pool_id).using_db(conn)  # type: ignore[attr-defined]
    details = await PoolApplication.get(application_id=app.id).using_db(conn)
    today = engine.today()
    cert = await _issue(conn, app, pool, _locations(details.server_complexes), today, certificate_valid_until(today),
                        None)
    await record_change(conn, actor, "pool_certificate.issued", cert, None)
    return cert


async def _approve_reissue(conn: BaseDBAsyncClient, app: Application, actor: Actor, decision: Decision) -> PoolCertificate:
    """The re-issued certificate replaces the old one from today and keeps its term."""
    details = await PoolApplication.get(application_id=app.id).using_db(conn)
    old = await PoolCertificate.get(id=details.reissue_of_id).using_db(conn)  # type: ignore[attr-defined]
    if old.status is not CertificateStatus.ACTIVE:
        raise DomainError(ErrorCode.CONFLICT, field="applicationId", what=f"certificate {old.number} is {old.status.value}")
    pool = await Pool.get(id=old.pool_id).using_db(conn)  # type: ignore[attr-defined]
    today = engine.today()
    # A re-issue without new complexes keeps the certificate's locations as they were.
    locations = _locations(details.server_complexes) if details.server_complexes else old.server_locations
    cert = await _issue(conn, app, pool, locations, today, old.valid_until, old)
    before = snapshot(old)
    old.status, old.ended_on = CertificateStatus.REPLACED, today
    await old.save(using_db=conn, update_fields=["status", "ended_on", "updated_at"])
    await record_change(conn, actor, "pool_certificate.replaced", old, before)
    await record_change(conn, actor, "pool_certificate.reissued", cert, None)
    return cert


ACCREDITATION_HOOKS = ProcedureHooks(
    incoming_prefix="PLA", completeness=_review, approve=_approve_accreditation, completeness_batch=_review_batch,
)
REISSUE_HOOKS = ProcedureHooks(
    incoming_prefix="PLR", completeness=_review, approve=_approve_reissue, completeness_batch=_review_batch,
)


# --- the register ---------------------------------------------------------------------------


def _valid_on(day: date) -> Q:
    """`rules.pools.accredited_on` as a query: issued by `day`, valid through it, not ended."""
    return Q(issued_on__lte=day, valid_until__gte=day) & (Q(ended_on__isnull=True) | Q(ended_on__gt=day))


def accredited_pools(day: date) -> Listing[Pool]:
    """The pools accredited on `day` (the public register, 004 §3): every role reads it."""
    ids = PoolCertificate.filter(_valid_on(day)).values("pool_id")
    return Listing(Pool.filter(id__in=Subquery(ids)), Order())


async def accredited_pool_ids(pool_ids: Sequence[int], day: date) -> set[int]:
    """Which of `pool_ids` were accredited on `day` (one statement)."""
    if not pool_ids:
        return set()
    rows = await PoolCertificate.filter(_valid_on(day), pool_id__in=list(pool_ids)).values_list("pool_id", flat=True)
    return set(rows)


async def certificates_of(pool_ids: Sequence[int]) -> list[list[PoolCertificate]]:
    """Each pool's certificates, newest first (public, like the register)."""
    rows = await PoolCertificate.filter(pool_id__in=list(pool_ids)).order_by("-issued_on", "-id")
    by_pool: dict[int, list[PoolCertificate]] = defaultdict(list)
    for row in rows:
        by_pool[row.pool_id].append(row)  # type: ignore[attr-defined]
    return [by_pool[pk] for pk in pool_ids]


def periods(certs: Sequence[PoolCertificate]) -> list[CertificatePeriod]:
    return [CertificatePeriod(c.issued_on, c.valid_until, c.ended_on) for c in certs]


def is_accredited(certs: Sequence[PoolCertificate], day: date) -> bool:
    return accredited_on(periods(certs), day)


async def certificate_periods(pool_ids: Sequence[int]) -> dict[int, list[CertificatePeriod]]:
    """Each pool's accreditation periods (one statement; none for no pools)."""
    out: dict[int, list[CertificatePeriod]] = defaultdict(list)
    if pool_ids:
        rows = await PoolCertificate.filter(pool_id__in=list(pool_ids)).values_list(
            "pool_id", "issued_on", "valid_until", "ended_on")
        for pool_id, issued_on, valid_until, ended_on in rows:
            out[pool_id].append(CertificatePeriod(issued_on, valid_until, ended_on))
    return out


# --- expiry (the daily job) -------------------------------------------------------------------


async def expire_certificates(now: datetime, calendar: WorkCalendar | None = None) -> int:
    """Certificates past their last valid day (Almaty date of `now`) become EXPIRED (an outbox
    event each, and the members' pool-change obligations, 001 §16); reminders go 30 and 7 days
    before expiry. Each event has a dedup key: a re-run (the overdue job runs every few minutes)
    or a missed day caught up sends nothing twice. Returns how many certificates it expired or
    reminded about."""
    from resolvers import pool_change
    from rules.access import SYSTEM

    today = now.astimezone(ALMATY).date()
    expired = 0
    for cert in await PoolCertificate.filter(status=CertificateStatus.ACTIVE, valid_until__lt=today):
        async with in_transaction() as conn:
            before = snapshot(cert)
            cert.status = CertificateStatus.EXPIRED
            await cert.save(using_db=conn, update_fields=["status", "updated_at"])
            await record_change(conn, SYSTEM, "pool_certificate.expired", cert, before)
            await emit(conn, "pool.accreditation_expired",
                       {"pool": cert.pool_id, "certificate": cert.number, "last_valid_day": cert.valid_until},  # type: ignore[attr-defined]
                       dedup_key=f"pool-cert-expired:{cert.id}")
        lapsed_on = cert.valid_until + timedelta(days=1)
        if not await accredited_pool_ids([cert.pool_id], lapsed_on):  # type: ignore[attr-defined]
            # No later certificate carries on: the members must change pool (001 §16).
            await pool_change.pool_accreditation_lapsed(
                SYSTEM, pool_change.PoolAccreditationLapsed(pool_id=cert.pool_id, on=lapsed_on)  # type: ignore[attr-defined]
            )
        expired += 1
    reminded = 0
    horizon = today + timedelta(days=max(REMINDER_DAYS_BEFORE))
    for cert in await PoolCertificate.filter(status=CertificateStatus.ACTIVE, valid_until__gte=today,
                                             valid_until__lte=horizon):
        due = [n for n in REMINDER_DAYS_BEFORE if cert.valid_until - timedelta(days=n) <= today]
        if not due:
            continue
        days = min(due)
        async with in_transaction() as conn:
            await emit(conn, "alert.pool_accreditation_expiring",
                       {"pool": cert.pool_id, "certificate": cert.number, "last_valid_day": cert.valid_until,  # type: ignore[attr-defined]
                        "days_before": days},
                       dedup_key=f"pool-cert-reminder:{cert.id}:{days}")
        reminded += 1
    return expired + reminded
