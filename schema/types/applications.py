"""Applications of every procedure as clients see them: one Node type on the shared engine,
built from rows (`from_row`), its links read through the request's loaders.

A page of applications costs the same statements at any size: every relation is one batched
loader, and the list resolver primes the loaders its query selects (`prime_page`), so the
fields below return loaded values at once (no task per row and field).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Iterable, Sequence
from datetime import date, datetime, time
from enum import Enum
from typing import TYPE_CHECKING, Annotated, Any, ClassVar

import strawberry
from strawberry import relay

from models import access as am
from models import applications as m
from models import licensing as lm
from models import parties as pm
from resolvers import applications as engine
from resolvers import licensing as luc
from resolvers.page_memo import page_memo
from rules.access import OwnerRef
from rules.calendar import ALMATY, WorkCalendar
from rules.enums import Channel
from rules.files import DocumentContentType
from rules.grounds import RefusalGround as GroundRule
from rules.grounds import RefusalGroundCode, ground_of
from rules.problems import FurtherReviewReason, Problem, ProblemKind
from rules.qualification import DocumentKind
from rules.workflow import (
    TERMINAL_STAGES,
    Action,
    DeadlineKind,
    HearingOutcome,
    ProcedureCode,
    RefusalKind,
    Stage,
    caller_actions,
    days_left,
    is_past_due,
    next_deadline,
    procedure_spec,
    refusal_kind,
)
from schema.enums import expose_enum
from schema.loaders import load_view, load_views, pending, ready, then
from schema.relay import RowNode, Timestamped
from schema.selection import node_fields, selected_paths
from schema.types.licensing import LicenseApplicationDetails
from schema.types.parties import Miner, Pool
from schema.types.problems import CompletenessProblem

if TYPE_CHECKING:
    from schema.types.licenses import License
    from schema.types.pools import PoolApplicationDetails
    from schema.types.registry import RegistryApplicationDetails
    from schema.types.users import User

__all__ = ["Application", "ApplicationDocument", "ApplicationStageEvent", "NextDeadline", "RefusalGround",
           "prime_page"]

expose_enum(
    RefusalGroundCode,
    "RefusalGroundCode",
    "A ground for refusing a service, as the rule sets enumerate them; which ones a procedure may cite on "
    "a date is `refusalGrounds(procedure:, on:)` [001 App.3 item 10, 002 App.5 item 9, 004 App.2 item 9].",
    {
        RefusalGroundCode.PROHIBITED_ACTIVITY: "The activity is prohibited by law for this category of "
        "persons [001 App.3 item 10(1)].",
        RefusalGroundCode.FEE_NOT_PAID: "The licence fee has not been paid; from 2024-01-01 "
        "[001 App.3 item 10(2); order §4].",
        RefusalGroundCode.QUALIFICATION_NOT_MET: "The applicant does not meet the qualification requirements "
        "[001 App.3 item 10(3)].",
        RefusalGroundCode.COURT_SUSPENSION: "A final court decision suspends or prohibits the licensed "
        "activity [001 App.3 item 10(4)].",
        RefusalGroundCode.COURT_BAN_DEBTOR: "A court temporarily bans issuing a licence to this debtor "
        "[001 App.3 item 10(5)].",
        RefusalGroundCode.FALSE_DOCUMENTS: "The documents or data submitted were found false "
        "[001 App.3 item 10(6), 002 App.5 item 9(1), 004 App.2 item 9(1)].",
        RefusalGroundCode.NON_COMPLIANCE: "The applicant or the materials do not meet the rules "
        "[001 App.3 item 10(7), 002 App.5 item 9(2), 004 App.2 item 9(2)].",
        RefusalGroundCode.NO_PD_CONSENT: "No consent to access the restricted personal data the service needs "
        "[001 App.3 item 10(8), 002 App.5 item 9(6), 004 App.2 item 9(5)].",
        RefusalGroundCode.NEGATIVE_APPROVAL: "A required approval was refused, or an expert review or "
        "inspection was negative [002 App.5 item 9(3)].",
        RefusalGroundCode.COURT_BAN: "A final court decision prohibits the activity [002 App.5 item 9(4), "
        "004 App.2 item 9(3)].",
        RefusalGroundCode.SPECIAL_RIGHT_DEPRIVED: "A court deprived the applicant of the special right "
        "[002 App.5 item 9(5), 004 App.2 item 9(4)].",
    },
)

expose_enum(
    RefusalKind,
    "RefusalKind",
    "Which refusal a refused application got [001 §7, §10; 002 §9; 004 §7].",
    {
        RefusalKind.NOT_ACCEPTED: "Refused at the office counter on the day it came (incomplete package) "
        "[002 §9, 004 §7].",
        RefusalKind.FURTHER_REVIEW_REFUSED: "Motivated refusal of further review: incomplete package or "
        "expired documents, within the completeness term [001 §7 ¶2].",
        RefusalKind.SERVICE_REFUSED: "Motivated refusal of the service on the enumerated grounds, after the "
        "hearing [001 §10, App.3 item 10].",
    },
)

expose_enum(
    HearingOutcome,
    "HearingOutcome",
    "What came of a scheduled hearing, recorded with the decision taken by its results [001 §10 ¶3, "
    "002 §13, 004 §11].",
    {
        HearingOutcome.HELD: "The applicant was heard.",
        HearingOutcome.APPLICANT_ABSENT: "The applicant neither came nor answered.",
        HearingOutcome.OBJECTIONS_RECEIVED: "The applicant answered in writing instead of coming.",
    },
)

expose_enum(
    DeadlineKind,
    "DeadlineKind",
    "Which term an open application runs against.",
    {
        DeadlineKind.COMPLETENESS: "The completeness check, while the application is REGISTERED "
        "[001 §7, 002 §9, 004 §7].",
        DeadlineKind.DECISION: "The whole service term, once the package is complete "
        "[001 App.3 item 4, 002 §10, 004 App.2 item 3].",
    },
)


def _local_day(instant: datetime | None) -> date | None:
    return None if instant is None else instant.astimezone(ALMATY).date()


# --- loaders (batched for a page; see prime_page) -----------------------------------------


def _stage_events(info: strawberry.Info) -> Any:
    return info.context.loaders.children(m.StageEvent, "application_id")


def _documents(info: strawberry.Info) -> Any:
    return info.context.loaders.children(m.ApplicationDocument, "application_id")


def _details(info: strawberry.Info) -> Any:
    return info.context.loaders.one(lm.LicenseApplication, "application_id")


def _review(info: strawberry.Info) -> Any:
    """Every problem the procedure's checks find now (completeness and qualification), by id."""
    loaders = info.context.loaders

    async def batch(keys: Sequence[int]) -> list[list[Problem]]:
        rows = await loaders.visible(m.Application).load_many(list(keys))
        found = await engine.review_of([row for row in rows if row is not None])
        by_id = {row.id: problems for row, problems in zip([r for r in rows if r is not None], found, strict=True)}
        return [by_id.get(key, []) for key in keys]

    return loaders.custom("application-review", batch)


def _licenses(info: strawberry.Info) -> Any:
    actor = info.context.user
    return info.context.loaders.custom(("application-licenses", actor), lambda keys: luc.licenses_of(actor, keys))


# --- small types ----------------------------------------------------------------------------


@strawberry.type(description="A refusal ground with its wording [001 App.3 item 10, 002 App.5 item 9, "
                 "004 App.2 item 9].")
class RefusalGround:
    code: RefusalGroundCode = strawberry.field(description="The ground.")
    item: int = strawberry.field(description="Its sub-item number in the rule set's enumeration.")
    legal_basis: str = strawberry.field(description="Where it is, e.g. `001 App.3 item 10(2)`.")
    text_ru: str = strawberry.field(description="The wording of the rules, in Russian.")
    text_kk: str | None = strawberry.field(description="The wording in Kazakh, verbatim from the Kazakh edition "
                                           "in the seeds (000 for the registry, the Kazakh part of 004 for pools). "
                                           "Null for the eight licensing grounds of 001 App.3 item 10: the seeds "
                                           "hold order 169/НҚ in Russian only, and no translation is made up.")
    text_en: str = strawberry.field(description="An English rendering.")
    effective_from: date = strawberry.field(description="The day the ground took effect (FEE_NOT_PAID: "
                                            "2024-01-01).")

    @classmethod
    def from_rule(cls, g: GroundRule) -> RefusalGround:
        return cls(code=g.code, item=g.number, legal_basis=g.legal_basis, text_ru=g.text_ru, text_kk=g.text_kk,
                   text_en=g.text_en, effective_from=g.effective_from)

    @strawberry.field(description="The wording in the request's language (Russian where there is no "
                      "Kazakh text).")
    def text(self, info: strawberry.Info) -> str:
        if info.context.language == "en":
            return self.text_en
        if info.context.language == "kk" and self.text_kk:
            return self.text_kk
        return self.text_ru


def _grounds(procedure: ProcedureCode, codes: Iterable[str]) -> list[RefusalGround]:
    out = []
    for code in codes:
        rule = ground_of(procedure, code)
        if rule is not None:
            out.append(RefusalGround.from_rule(rule))
    return out


@strawberry.type(description="One step in an application's life, as reported to the state monitoring "
                 "system [001 §18].")
class ApplicationStageEvent:
    at: datetime = strawberry.field(description="When it happened (UTC).")
    actor_label: str = strawberry.field(description="Who took the step (a person's or system's label).")
    action: Action | None = strawberry.field(description="The step; null for the submission itself.")
    from_stage: Stage | None = strawberry.field(description="The stage before; null for the submission.")
    to_stage: Stage = strawberry.field(description="The stage after.")
    comment: str = strawberry.field(description="The officer's comment or the reasons given (may be empty).")

    @classmethod
    def from_row(cls, row: m.StageEvent) -> ApplicationStageEvent:
        return cls(at=row.at, actor_label=row.actor_label, action=row.action, from_stage=row.from_stage,
                   to_stage=row.to_stage, comment=row.comment)


def _attached_kinds() -> type[Enum]:
    """Every procedure's document kinds in one enum (the inputs keep each procedure's own)."""
    from schema.types.pools import PoolDocumentKind

    sources = (DocumentKind, PoolDocumentKind)
    combined = Enum("AttachedDocumentKind", {m.name: m.value for src in sources for m in src}, type=str)  # type: ignore[misc]
    described = {combined[v.name]: v.description for src in sources for v in src.__strawberry_definition__.values}  # type: ignore[attr-defined]
    return expose_enum(combined, "AttachedDocumentKind", "What an attached document proves: the kinds of every "
                       "procedure [001 App.11, 004 App.2 item 8].", described)


AttachedDocumentKind = _attached_kinds()
expose_enum(
    DocumentContentType,
    "DocumentContentType",
    "The type of a scanned document, judged by its content.",
    {DocumentContentType.PDF: "application/pdf", DocumentContentType.JPEG: "image/jpeg",
     DocumentContentType.PNG: "image/png"},
)


@strawberry.type(description="The scanned file of an attached document.")
class DocumentFile:
    content_type: DocumentContentType = strawberry.field(description="Its type, by its content.")
    size: int = strawberry.field(description="Bytes.")
    sha256: str = strawberry.field(description="SHA-256 of the bytes, hex.")
    name: str = strawberry.field(description="The file's name as sent.")
    download_path: str = strawberry.field(description="Where to GET it with the caller's bearer token "
                                          "(`/application-documents/{id}/file`): those who may see the application.")


@strawberry.type(description="A document attached to an application, typed by what it proves "
                 "[001 App.11, 004 App.2 item 8].")
class ApplicationDocument:
    kind: AttachedDocumentKind = strawberry.field(description="What the document proves.")  # type: ignore[valid-type]
    title: str = strawberry.field(description="Its title as the applicant gave it.")
    number: str = strawberry.field(description="Its number; empty when it has none.")
    issued_on: date | None = strawberry.field(description="Its issue date, when given.")
    valid_until: date | None = strawberry.field(description="The last valid day, inclusive; null when it "
                                                "does not expire. Expired on registration: refusal of further "
                                                "review [001 §7].")

    file: DocumentFile | None = strawberry.field(description="The scanned document, when it was uploaded with the "
                                                 "filing.")

    @classmethod
    def from_row(cls, row: m.ApplicationDocument) -> ApplicationDocument:
        file = None if row.file_key is None else DocumentFile(
            content_type=DocumentContentType(row.file_type), size=row.file_size or 0, sha256=row.file_sha256 or "",
            name=row.file_name, download_path=f"/application-documents/{row.id}/file",
        )
        return cls(kind=AttachedDocumentKind(row.kind), title=row.title, number=row.number, issued_on=row.issued_on,
                   valid_until=row.valid_until, file=file)


@strawberry.type(description="The term an open application runs against now.")
class NextDeadline:
    kind: DeadlineKind = strawberry.field(description="Which term.")
    due_at: datetime = strawberry.field(description="Its end: 18:30 Almaty on its last working day, as a UTC "
                                        "instant.")
    due_on: date = strawberry.field(description="Its last working day (Almaty).")


# --- the application -------------------------------------------------------------------------


@strawberry.type(description="An application of any procedure (licensing, ASIC registry, pools) on the "
                 "one application engine: received, registered on a working day, checked for "
                 "completeness, reviewed, maybe heard, and decided. Applicants see only their own "
                 "organisation's; partner systems see none.")
class Application(RowNode, relay.Node, Timestamped):
    MODEL: ClassVar = m.Application

    id: relay.NodeID[int]
    procedure: ProcedureCode = strawberry.field(description="The service asked for.")
    stage: Stage = strawberry.field(description="Where the application is in the workflow now.")
    channel: Channel = strawberry.field(description="How it reached the authority.")
    incoming_number: str | None = strawberry.field(description="Incoming (registration) number, e.g. "
                                                   "`LIC-2025-000123`; set on registration.")
    received_at: datetime = strawberry.field(description="When it was received (UTC): the portal's "
                                             "time, or the time an officer recorded for a paper one.")
    registered_on: date | None = strawberry.field(description="The working day (Almaty) it was "
                                                  "registered on; every term runs from it [001 §5].")
    completeness_due_at: datetime | None = strawberry.field(
        description="End of the completeness check: 18:30 Almaty on its last working day, as a UTC instant; "
        "null for procedures without a separate check [001 §7: 2 WD; §14: 1 WD]."
    )
    completeness_due_on: date | None = strawberry.field(description="The last working day (Almaty) of the "
                                                        "completeness check.")
    decision_due_at: datetime | None = strawberry.field(description="End of the whole service term, as a UTC "
                                                        "instant [001 App.3 item 4: 15 WD; re-issue 2 WD].")
    decision_due_on: date | None = strawberry.field(description="The last working day (Almaty) of the "
                                                    "service term.")
    hearing_notice_due_on: date | None = strawberry.field(
        description="The last day (Almaty) the hearing notice may be sent: at least 3 working days before the "
        "term ends; null for procedures without a hearing [001 §10]."
    )
    hearing_notice_sent_on: date | None = strawberry.field(description="The day the hearing notice was sent.")
    hearing_on: date | None = strawberry.field(description="The day of the hearing (within 2 working days of "
                                               "the notice) [001 §10].")
    hearing_time: time | None = strawberry.field(description="Time of day of the hearing (Almaty); null on "
                                                 "hearings scheduled before it was asked for (the place said it).")
    hearing_place: str | None = strawberry.field(description="Place, or way, of the hearing.")
    preliminary_text: str | None = strawberry.field(description="The preliminary decision's reasons.")
    refusal_text: str | None = strawberry.field(description="The reasons of a refusal (of further review or "
                                                "of the service).")
    refusal_number: str | None = strawberry.field(description="The refusal document's number (\"Номер: [Номер "
                                                  "документа]\", 001 App.8): `ROR-<year>-<serial>` for a refusal "
                                                  "of further review, `REF-<year>-<serial>` for a motivated "
                                                  "refusal; one sequence per kind and year. Null unless refused.")
    refused_on: date | None = strawberry.field(description="The refusal document's date (Almaty) [001 App.8]; null "
                                               "unless refused.")
    decided_at: datetime | None = strawberry.field(description="When it reached a final stage (UTC); "
                                                   "null while open.")
    hearing_outcome: HearingOutcome | None = strawberry.field(description="What came of the hearing, recorded "
                                                              "with the decision taken after it [001 §10 ¶3].")
    further_review_reasons: list[FurtherReviewReason] = strawberry.field(
        description="A refusal of further review: its reasons (not App.3 item 10 grounds) [001 §7 ¶2, §14 ¶2]; "
        "empty otherwise."
    )
    _further_review_problems: strawberry.Private[list[dict[str, str]]]
    _miner_id: strawberry.Private[int | None]
    _pool_id: strawberry.Private[int | None]
    _assignee_id: strawberry.Private[int | None]
    _completeness_due: strawberry.Private[datetime | None]
    _next_due_at: strawberry.Private[datetime | None]
    _preliminary_grounds: strawberry.Private[list[str]]
    _refusal_grounds: strawberry.Private[list[str]]

    @classmethod
    def from_row(cls, row: m.Application) -> Application:
        return cls(
            id=row.id, procedure=row.procedure, stage=row.stage, channel=row.channel,
            incoming_number=row.incoming_number, received_at=row.received_at,
            registered_on=row.registered_on,
            completeness_due_at=row.completeness_due, completeness_due_on=_local_day(row.completeness_due),
            decision_due_at=row.decision_due, decision_due_on=_local_day(row.decision_due),
            hearing_notice_due_on=row.hearing_notice_last_day, hearing_notice_sent_on=row.hearing_notice_sent_on,
            hearing_on=row.hearing_on, hearing_time=time.fromisoformat(row.hearing_time) if row.hearing_time else None, hearing_place=row.hearing_place, preliminary_text=row.preliminary_text,
            refusal_text=row.refusal_text, refusal_number=row.refusal_number, refused_on=row.refused_on,
            decided_at=row.decided_at, hearing_outcome=row.hearing_outcome,
            further_review_reasons=[FurtherReviewReason(r) for r in row.further_review_reasons or []],
            _further_review_problems=list(row.further_review_problems or []),
            _miner_id=row.miner_id, _pool_id=row.pool_id, _assignee_id=row.assignee_id,  # type: ignore[attr-defined]
            _completeness_due=row.completeness_due, _next_due_at=row.next_due_at,
            _preliminary_grounds=list(row.preliminary_grounds or []), _refusal_grounds=list(row.refusal_grounds or []),
            created_at=row.created_at, updated_at=row.updated_at,
        )

    # -- grounds and decisions ---------------------------------------------------------------

    @strawberry.field(description="The grounds of the preliminary decision to refuse (heard at the hearing) "
                      "[001 §10].")
    def preliminary_grounds(self) -> list[RefusalGround]:
        return _grounds(self.procedure, self._preliminary_grounds)

    @strawberry.field(description="The grounds of a motivated refusal of the service; empty otherwise (a "
                      "refusal of further review states the gaps in `refusalText`).")
    def refusal_grounds(self) -> list[RefusalGround]:
        return _grounds(self.procedure, self._refusal_grounds)

    @strawberry.field(description="A refusal of further review: the completeness problems it named, as found "
                      "when it was taken; empty otherwise.")
    def further_review_problems(self, info: strawberry.Info) -> list[CompletenessProblem]:
        return [CompletenessProblem.from_problem(Problem(p["code"], p["field"], p["message_en"]),
                                                 info.context.language) for p in self._further_review_problems]

    @strawberry.field(description="For a refused application: refused at the counter, refusal of further "
                      "review, or of the service; null otherwise.")
    def refusal_kind(self) -> RefusalKind | None:
        return refusal_kind(self.stage, office=self.channel is Channel.OFFICE, registered_on=self.registered_on,
                            decided_on=_local_day(self.decided_at))

    # -- terms -------------------------------------------------------------------------------

    @strawberry.field(description="The term that applies in the current stage (completeness while REGISTERED, "
                      "then the decision term); null once decided. `daysLeft` and `overdue` count to it.")
    def next_deadline(self) -> NextDeadline | None:
        nxt = next_deadline(self.stage, self._completeness_due, self.decision_due_at)
        if nxt is None or self._next_due_at is None:
            return None
        return NextDeadline(kind=nxt.kind, due_at=self._next_due_at, due_on=self._next_due_at.astimezone(ALMATY).date())

    @strawberry.field(description="True while open and past the end of the current term (`nextDeadline`); the "
                      "`overdue` filter of `applications` uses the same rule and the same instant.")
    def overdue(self, info: strawberry.Info) -> bool:
        return is_past_due(self.stage, self._next_due_at, info.context.now)

    @strawberry.field(description="Working days left to the end of the current term (`nextDeadline`): 0 on its "
                      "last day, negative once overdue; null once decided.")
    def days_left(self, info: strawberry.Info) -> int | None:
        if self._next_due_at is None or self.stage in TERMINAL_STAGES:
            return None
        calendar = info.context.calendar()
        if calendar.done():
            return days_left(self._next_due_at, info.context.now, calendar.result())
        return self._days_left_later(calendar, info.context.now)  # type: ignore[return-value]

    async def _days_left_later(self, calendar: Awaitable[WorkCalendar], now: datetime) -> int:
        return days_left(self._next_due_at, now, await calendar)  # type: ignore[arg-type]

    @strawberry.field(description="What the caller may do to the application now (its role and organisation "
                      "taken into account): an applicant at most withdraws its own; officers take the "
                      "authority's steps; others none.")
    def allowed_actions(self, info: strawberry.Info) -> list[Action]:
        if self.registered_on is None:
            return []
        hearing = procedure_spec(self.procedure, self.registered_on).hearing
        mine = caller_actions(self.stage, hearing=hearing, actor=info.context.user,
                              owner=OwnerRef(miner_id=self._miner_id, pool_id=self._pool_id))
        return [a for a in Action if a in mine]

    # -- links -------------------------------------------------------------------------------

    @strawberry.field(description="The applicant miner (licensing and registry applications); null for a "
                      "pool's application or a miner the caller may not see.")
    def miner(self, info: strawberry.Info) -> Miner | None:
        return load_view(Miner, info.context.loaders.visible(pm.Miner), self._miner_id)  # type: ignore[no-any-return]

    @strawberry.field(description="The applicant pool (accreditation applications); null otherwise or when the "
                      "caller may not see it.")
    def pool(self, info: strawberry.Info) -> Pool | None:
        return load_view(Pool, info.context.loaders.visible(pm.Pool), self._pool_id)  # type: ignore[no-any-return]

    @strawberry.field(description="The officer the application is assigned to; null when unassigned or when "
                      "the caller may not read that user (see `applications(assignee:)` for the queues).")
    def assignee(self, info: strawberry.Info) -> Annotated[User, strawberry.lazy("schema.types.users")] | None:
        from schema.types.users import User

        return load_view(User, info.context.loaders.visible(am.User), self._assignee_id)  # type: ignore[no-any-return]

    @strawberry.field(description="Every step so far, oldest first [001 §18].")
    def stage_history(self, info: strawberry.Info) -> list[ApplicationStageEvent]:
        return load_views(ApplicationStageEvent, _stage_events(info), self.id)  # type: ignore[no-any-return]

    @strawberry.field(description="The attached documents, in the order given.")
    def documents(self, info: strawberry.Info) -> list[ApplicationDocument]:
        return load_views(ApplicationDocument, _documents(info), self.id)  # type: ignore[no-any-return]

    @strawberry.field(description="Licence and re-issue applications: what they ask for and their fee; null "
                      "for other procedures.")
    def license_details(self, info: strawberry.Info) -> LicenseApplicationDetails | None:
        row = ready(_details(info), self.id)
        if pending(row):
            return self._details_later(row)  # type: ignore[return-value]
        return None if row is None else LicenseApplicationDetails.from_row(row, self.procedure, self.registered_on)

    async def _details_later(self, row: Awaitable[lm.LicenseApplication | None]) -> LicenseApplicationDetails | None:
        found = await row
        return None if found is None else LicenseApplicationDetails.from_row(found, self.procedure, self.registered_on)

    @strawberry.field(description="ASIC registry applications (inclusion, exclusion, change): what they carry "
                      "[002 App.2-4, App.9]; null for other procedures. Batched for a page of applications.")
    def registry_details(
        self, info: strawberry.Info
    ) -> Annotated[RegistryApplicationDetails, strawberry.lazy("schema.types.registry")] | None:
        from schema.types.registry import registry_details

        return registry_details(info, self.id, self.procedure, self._miner_id)  # type: ignore[no-any-return]

    @strawberry.field(description="Pool accreditation and re-issue applications: what they carry and the seven "
                      "conditions judged on it [004 App.1, §4]; null for other procedures.")
    def pool_details(
        self, info: strawberry.Info
    ) -> Annotated[PoolApplicationDetails, strawberry.lazy("schema.types.pools")] | None:
        from schema.types.pools import pool_details

        return pool_details(info, self.id)  # type: ignore[no-any-return]

    @strawberry.field(description="The licence this application's approval issued or re-issued; null before "
                      "approval, for other procedures, when the approval added appendices to the holder's "
                      "earlier licence, or when the caller may not see it.")
    def license(self, info: strawberry.Info) -> Annotated[License, strawberry.lazy("schema.types.licenses")] | None:
        from schema.types.licenses import License

        return load_view(License, _licenses(info), self.id)  # type: ignore[no-any-return]

    @strawberry.field(description="What the procedure's rules find missing in the package now (kind "
                      "COMPLETENESS), each with the input field concerned [001 §7, App.11]; empty when complete. "
                      "Only these block acceptance and may ground a refusal of further review.")
    def completeness_problems(self, info: strawberry.Info) -> list[CompletenessProblem]:
        return _problems(info, self.id, completeness=True)  # type: ignore[return-value]

    @strawberry.field(description="The qualification requirements the application does not meet now (kind "
                      "QUALIFICATION: a refusal ground of App.3 item 10(3), heard after a preliminary refusal, "
                      "and approval is refused while one stands) and those the system cannot verify (kind "
                      "NOT_VERIFIABLE) [001 §8, §10, App.11].")
    def qualification_findings(self, info: strawberry.Info) -> list[CompletenessProblem]:
        return _problems(info, self.id, completeness=False)  # type: ignore[return-value]


def _problems(info: strawberry.Info, app_id: int, *, completeness: bool) -> Any:
    found = ready(_review(info), app_id)
    language = info.context.language

    def pick(problems: list[Problem]) -> list[CompletenessProblem]:
        return [CompletenessProblem.from_problem(p, language) for p in problems
                if (p.kind is ProblemKind.COMPLETENESS) is completeness]

    return then(found, pick)


# --- priming a page ---------------------------------------------------------------------------


def node_selection(info: strawberry.Info) -> set[str]:
    """What a connection's query selects of each node (`edges { node { ... } }`), as dotted
    names (`licenseDetails.fee`)."""
    return selected_paths(node_fields(info), info._raw_info.fragments)


def prime_page(info: strawberry.Info) -> Any:
    """`Rows(prepare=...)` for a page of applications: load, once for the page, every relation the
    query selects, so that the fields return at once. Independent relations load at the same
    time (on PostgreSQL each on a pool connection of its own)."""
    wanted = node_selection(info)

    async def prepare(rows: Sequence[m.Application]) -> None:
        # The review batch reads the details, data centers and MRP rates the fields read too:
        # once for both (resolvers/page_memo), only while the page loads.
        with page_memo():
            await _prime(info, wanted, rows)

    return prepare


async def _prime(info: strawberry.Info, wanted: set[str], rows: Sequence[m.Application]) -> None:
    """Start every load the selection `wanted` needs for the page `rows`, and await them."""
    loaders = info.context.loaders
    ids = [row.id for row in rows]
    # The page's rows came through the caller's visibility: the fields that read an
    # application by id (the review batch) take them from here instead of reading them again.
    loaders.visible(m.Application).prime_rows(rows)
    loads: list[Awaitable[Any]] = []
    if "daysLeft" in wanted:
        loads.append(info.context.calendar())
    if "miner" in wanted:
        loads.append(loaders.visible(pm.Miner).load_many(sorted({r.miner_id for r in rows if r.miner_id})))  # type: ignore[attr-defined]
    if "pool" in wanted:
        loads.append(loaders.visible(pm.Pool).load_many(sorted({r.pool_id for r in rows if r.pool_id})))  # type: ignore[attr-defined]
    if "assignee" in wanted:
        loads.append(loaders.visible(am.User).load_many(sorted({r.assignee_id for r in rows if r.assignee_id})))  # type: ignore[attr-defined]
    if "stageHistory" in wanted:
        loads.append(_stage_events(info).load_many(ids))
    if "documents" in wanted:
        loads.append(_documents(info).load_many(ids))
    if "completenessProblems" in wanted or "qualificationFindings" in wanted:
        loads.append(_review(info).load_many(ids))
    if "license" in wanted:
        loads.append(_licenses(info).load_many(ids))
    if "licenseDetails" in wanted:
        loads.append(_prime_license_details(info, wanted, rows))
    if "registryDetails" in wanted:
        from schema.types.registry import prime_registry_details

        loads.append(prime_registry_details(info, {w.removeprefix("registryDetails.") for w in wanted}, rows))
    await asyncio.gather(*loads)


async def _prime_license_details(info: strawberry.Info, wanted: set[str], rows: Sequence[m.Application]) -> None:
    details = [d for d in await _details(info).load_many([row.id for row in rows]) if d is not None]
    loads: list[Awaitable[Any]] = []
    if "licenseDetails.dataCenters" in wanted:
        from schema.types.licensing import _data_center_ids_loader

        async def data_centers() -> None:
            dc_ids = await _data_center_ids_loader(info).load_many([d.id for d in details])
            await info.context.loaders.visible(pm.DataCenter).load_many(sorted({pk for group in dc_ids for pk in group}))

        loads.append(data_centers())
    if "licenseDetails.fee" in wanted:
        from schema.types.licensing import _fees_loader

        by_app = {row.id: row for row in rows}
        loads.append(_fees_loader(info).load_many([
            (by_app[d.application_id].procedure, d.subtype, by_app[d.application_id].registered_on,  # type: ignore[attr-defined]
             d.paid_on)
            for d in details
        ]))
    await asyncio.gather(*loads)
