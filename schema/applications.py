"""The application engine in GraphQL: the `application` lookup, the `applications` work list
(filters, sort orders, queues) and one mutation per step of the shared workflow (the types are in
schema/types/applications.py)."""

from __future__ import annotations

from datetime import date, datetime, time
from enum import Enum
from typing import TYPE_CHECKING, Annotated

import strawberry
from strawberry import relay

from resolvers import applications as engine
from resolvers.listing import SortKey
from rules.enums import Region
from rules.errors import DomainError, ErrorCode
from rules.grounds import RefusalGroundCode, grounds_for
from rules.workflow import HearingOutcome, LicenseSubtype, ProcedureCode, Stage
from schema.enums import OrderDirection, expose_enum
from schema.errors import (
    ApplicationIncomplete,
    HearingNoticeTooLate,
    HearingOutOfWindow,
    IllegalTransition,
    SerialAlreadyRegistered,
    UnitNotInRegistry,
    mutation,
    payload,
)
from schema.ids import pk_of
from schema.relay import Connection, Rows, connection, order_of
from schema.types.applications import Application, RefusalGround, prime_page

if TYPE_CHECKING:
    from schema.types.licenses import License
    from schema.types.pools import PoolCertificate

__all__ = ["ApplicationsMutation", "ApplicationsQuery"]

expose_enum(
    engine.AssigneeQueue,
    "AssigneeQueue",
    "A work queue of applications by assignee.",
    {
        engine.AssigneeQueue.MINE: "Assigned to the caller.",
        engine.AssigneeQueue.UNASSIGNED: "Assigned to nobody.",
    },
)


# --- ordering -----------------------------------------------------------------------------------


@strawberry.enum(description="What a list of applications can be sorted by (nulls always last).")
class ApplicationOrderField(Enum):
    CREATED = strawberry.enum_value("CREATED", description="Filing order (the default).")
    DECISION_DUE = strawberry.enum_value("DECISION_DUE", description="End of the service term (`decisionDueAt`).")
    DAYS_LEFT = strawberry.enum_value("DAYS_LEFT", description="End of the current term (`nextDeadline`): the "
                                      "most urgent first ascending; decided applications (no term) last.")
    REGISTERED_ON = strawberry.enum_value("REGISTERED_ON", description="Registration day (`registeredOn`).")
    NUMBER = strawberry.enum_value("NUMBER", description="Incoming number (`incomingNumber`).")


@strawberry.input(description="Sort order of a list of applications.")
class ApplicationOrder:
    field: ApplicationOrderField = strawberry.field(description="What to sort by.")
    direction: OrderDirection = strawberry.field(default=OrderDirection.ASC, description="Ascending by default.")


_KEYS = {
    ApplicationOrderField.CREATED: SortKey("id"),
    ApplicationOrderField.DECISION_DUE: SortKey("decision_due", datetime, nullable=True),
    ApplicationOrderField.DAYS_LEFT: SortKey("next_due_at", datetime, nullable=True),
    ApplicationOrderField.REGISTERED_ON: SortKey("registered_on", date, nullable=True),
    ApplicationOrderField.NUMBER: SortKey("incoming_number", str, nullable=True),
}


@strawberry.input(one_of=True, description="Whose applications: give exactly one of `queue` or `userId`.")
class ApplicationAssigneeFilter:
    queue: engine.AssigneeQueue | None = strawberry.field(default=strawberry.UNSET, description="The caller's own "
                                                          "queue (MINE) or the unassigned ones.")
    user_id: relay.GlobalID | None = strawberry.field(default=strawberry.UNSET, description="Those assigned to "
                                                      "this officer (a User id).")


def _assignee(value: ApplicationAssigneeFilter | None) -> engine.AssigneeQueue | int | None:
    if value is None:
        return None
    if value.queue:
        return value.queue
    if value.user_id:
        return pk_of(value.user_id, "User", "assignee.userId")
    raise DomainError(ErrorCode.VALIDATION, field="assignee", detail="give queue or userId")


# --- inputs -------------------------------------------------------------------------------------

_APPLICATION = "The application (an Application id)."
_OUTCOME = ("After a scheduled hearing (required then, refused otherwise): what came of it. The decision is "
            "taken by the results of the hearing, on or after its day (Almaty) [001 §10 ¶3].")
_GROUNDS = ("The grounds, at least one, from those the procedure allows on the registration date "
            "(`refusalGrounds`) [001 App.3 item 10].")


@strawberry.input(description="Officer: the package is complete.")
class AcceptApplicationInput:
    application_id: relay.GlobalID = strawberry.field(description=_APPLICATION)
    comment: str = strawberry.field(default="", description="Optional comment for the stage history.")


@strawberry.input(description="Officer: motivated refusal of further review (incomplete package or expired "
                  "documents) [001 §7 ¶2, §14 ¶2].")
class RefuseIncompleteInput:
    application_id: relay.GlobalID = strawberry.field(description=_APPLICATION)
    text: str = strawberry.field(description="The reasons for the applicant: the missing or expired documents "
                                 "(up to 4000 characters). Possible only while `completenessProblems` lists some, "
                                 "within the completeness term; the refusal records them and its "
                                 "`furtherReviewReasons`.")


@strawberry.input(description="Officer: grounds for refusal found in review; the hearing must follow "
                  "[001 §10].")
class PreliminaryRefuseInput:
    application_id: relay.GlobalID = strawberry.field(description=_APPLICATION)
    grounds: list[RefusalGroundCode] = strawberry.field(description=_GROUNDS)
    text: str = strawberry.field(description="The grounds found, stated for the applicant (up to 4000 characters).")


@strawberry.input(description="Officer: the hearing notice with the time and place of the hearing [001 §10].")
class ScheduleHearingInput:
    application_id: relay.GlobalID = strawberry.field(description=_APPLICATION)
    notice_sent_on: date = strawberry.field(description="Day the notice is sent (Almaty): at the latest "
                                            "`hearingNoticeDueOn`, 3 working days before the term ends.")
    hearing_on: date = strawberry.field(description="Day of the hearing: from the notice day to 2 working days "
                                        "after it.")
    hearing_time: time = strawberry.field(description="Time of day of the hearing (Almaty), printed on the notice "
                                          "with its day and place; seconds are dropped.")
    place: str = strawberry.field(description="Place, or way (a video link), of the hearing (up to 500 characters).")


@strawberry.input(description="Officer: grant the service.")
class ApproveApplicationInput:
    application_id: relay.GlobalID = strawberry.field(description=_APPLICATION)
    place_of_issue: str | None = strawberry.field(default=None, description="Licensing: the place of issue printed "
                                                  "on the licence [001 App.4]; required there.")
    hearing_outcome: HearingOutcome | None = strawberry.field(default=None, description=_OUTCOME)


@strawberry.input(description="Officer: motivated refusal of the service, after the hearing [001 §10, App.8].")
class RefuseApplicationInput:
    application_id: relay.GlobalID = strawberry.field(description=_APPLICATION)
    grounds: list[RefusalGroundCode] = strawberry.field(description=_GROUNDS)
    text: str = strawberry.field(description="The reasons, as the refusal states them (up to 4000 characters).")
    hearing_outcome: HearingOutcome | None = strawberry.field(default=None, description=_OUTCOME)


@strawberry.input(description="Applicant (or an officer on its behalf): withdraw an open application.")
class WithdrawApplicationInput:
    application_id: relay.GlobalID = strawberry.field(description=_APPLICATION)
    comment: str = strawberry.field(default="", description="Optional comment for the stage history.")


@strawberry.input(description="Officer: put an application in an officer's queue, or take it out of every "
                  "queue.")
class AssignApplicationInput:
    application_id: relay.GlobalID = strawberry.field(description=_APPLICATION)
    assignee_id: relay.GlobalID | None = strawberry.field(default=None, description="The officer (a User id); "
                                                          "default: the caller.")
    unassign: bool = strawberry.field(default=False, description="True: assigned to nobody (then give no "
                                      "`assigneeId`).")


def _app_id(value: relay.GlobalID) -> int:
    return pk_of(value, "Application", "applicationId")


# --- payloads -----------------------------------------------------------------------------------

_CHANGED = "The application as changed; null when there are errors."


@payload(ApplicationIncomplete, IllegalTransition, description="The application under review, or why not.")
class AcceptApplicationPayload:
    application: Application | None = strawberry.field(default=None, description=_CHANGED)


@payload(IllegalTransition, description="The refused application, or why not.")
class RefuseIncompletePayload:
    application: Application | None = strawberry.field(default=None, description=_CHANGED)


@payload(IllegalTransition, description="The application with its preliminary decision, or why not.")
class PreliminaryRefusePayload:
    application: Application | None = strawberry.field(default=None, description=_CHANGED)


@payload(HearingNoticeTooLate, HearingOutOfWindow, IllegalTransition,
         description="The application with its hearing scheduled, or why not.")
class ScheduleHearingPayload:
    application: Application | None = strawberry.field(default=None, description=_CHANGED)


@payload(IllegalTransition, SerialAlreadyRegistered, UnitNotInRegistry,
         description="The approved application and what approval issued, or why not.")
class ApproveApplicationPayload:
    application: Application | None = strawberry.field(default=None, description=_CHANGED)
    license: Annotated[License, strawberry.lazy("schema.types.licenses")] | None = strawberry.field(
        default=None,
        description="Licensing: the licence issued, re-issued, or extended by new appendices; null otherwise.",
    )
    pool_certificate: Annotated[PoolCertificate, strawberry.lazy("schema.types.pools")] | None = strawberry.field(
        default=None, description="Pool accreditation: the certificate issued or re-issued; null otherwise.",
    )


@payload(IllegalTransition, description="The refused application, or why not.")
class RefuseApplicationPayload:
    application: Application | None = strawberry.field(default=None, description=_CHANGED)


@payload(IllegalTransition, description="The withdrawn application, or why not.")
class WithdrawApplicationPayload:
    application: Application | None = strawberry.field(default=None, description=_CHANGED)


@payload(description="The application with its new assignee, or why not.")
class AssignApplicationPayload:
    application: Application | None = strawberry.field(default=None, description=_CHANGED)


# --- queries & mutations ------------------------------------------------------------------------


@strawberry.type
class ApplicationsQuery:
    @strawberry.field(description="One application by its id; null when it does not exist or the caller may "
                      "not see it (another organisation's, or any for partner systems).")
    async def application(
        self, info: strawberry.Info, id: Annotated[relay.GlobalID, strawberry.argument(description="An Application id.")]
    ) -> Application | None:
        row = await engine.find_application(info.context.user, pk_of(id, "Application", "id"))
        return None if row is None else Application.from_row(row)

    @connection(description="Applications of every procedure, filtered and sorted (the officers' work list); "
                "applicants see their own organisation's, partner systems none.")
    async def applications(
        self,
        info: strawberry.Info,
        number: Annotated[str | None, strawberry.argument(description="Incoming number, exact or its beginning "
                                                          "(`LIC-2025-`).")] = None,
        bin_iin: Annotated[str | None, strawberry.argument(description="The applicant miner's BIN/IIN, or its "
                                                           "beginning.")] = None,
        miner_id: Annotated[relay.GlobalID | None, strawberry.argument(description="Of this miner.")] = None,
        region: Annotated[Region | None, strawberry.argument(description="Naming a data center in this region.")] = None,
        procedure: Annotated[ProcedureCode | None, strawberry.argument(description="Of this service.")] = None,
        stage: Annotated[Stage | None, strawberry.argument(description="At this stage.")] = None,
        subtype: Annotated[LicenseSubtype | None, strawberry.argument(description="Licence applications of this "
                                                                      "subtype.")] = None,
        assignee: Annotated[ApplicationAssigneeFilter | None, strawberry.argument(description="A queue (mine, "
                                                                                  "unassigned) or an officer's.")] = None,
        due_before: Annotated[datetime | None, strawberry.argument(description="Open, with the current term "
                                                                   "(`nextDeadline`) ending before this instant.")] = None,
        overdue: Annotated[bool | None, strawberry.argument(description="True: open and past the current term; "
                                                            "false: the others (the rule of the `overdue` field).")] = None,
        order_by: Annotated[ApplicationOrder | None, strawberry.argument(description="Sort order (default: "
                                                                         "filing order).")] = None,
    ) -> Connection[Application]:
        actor = info.context.user
        filters = engine.ApplicationFilter(
            number=number, bin_iin=bin_iin, miner_id=pk_of(miner_id, "Miner", "minerId") if miner_id else None,
            region=region, procedure=procedure, stage=stage, subtype=subtype, assignee=_assignee(assignee),
            due_before=due_before, overdue=overdue,
        )
        listing = engine.list_applications(actor, filters, order_of(order_by, _KEYS), info.context.now)
        return Rows(listing, Application.from_row, prepare=prime_page(info))  # type: ignore[return-value]

    @strawberry.field(description="The refusal grounds a decision may cite for an application of `procedure` "
                      "registered on `on` [001 App.3 item 10, 002 App.5 item 9, 004 App.2 item 9].")
    def refusal_grounds(
        self,
        info: strawberry.Info,
        procedure: Annotated[ProcedureCode, strawberry.argument(description="The service.")],
        on: Annotated[date, strawberry.argument(description="The registration date whose rules apply.")],
    ) -> list[RefusalGround]:
        info.context.user  # noqa: B018 - authenticated callers only
        return [RefusalGround.from_rule(g) for g in grounds_for(procedure, on)]


@strawberry.type
class ApplicationsMutation:
    @mutation(description="Officer: the package is complete; review on the merits starts. Refused with the "
              "list of problems when the rules find the package incomplete [001 §7].")
    async def accept_application(self, info: strawberry.Info, input: AcceptApplicationInput) -> AcceptApplicationPayload:
        cmd = engine.AcceptApplication(application_id=_app_id(input.application_id), comment=input.comment)
        return AcceptApplicationPayload(application=Application.from_row(await engine.accept_complete(info.context.user, cmd)))

    @mutation(description="Officer: motivated refusal of further review, for an incomplete package or expired "
              "documents, within the completeness term [001 §7 ¶2, §14 ¶2].")
    async def refuse_incomplete(self, info: strawberry.Info, input: RefuseIncompleteInput) -> RefuseIncompletePayload:
        cmd = engine.RefuseIncomplete(application_id=_app_id(input.application_id), text=input.text)
        return RefuseIncompletePayload(application=Application.from_row(await engine.refuse_incomplete(info.context.user, cmd)))

    @mutation(description="Officer: grounds for refusal found in review: the preliminary decision; the hearing "
              "notice must follow [001 §10].")
    async def preliminary_refuse(self, info: strawberry.Info, input: PreliminaryRefuseInput) -> PreliminaryRefusePayload:
        cmd = engine.PreliminaryRefuse(
            application_id=_app_id(input.application_id), grounds=tuple(input.grounds), text=input.text
        )
        return PreliminaryRefusePayload(application=Application.from_row(await engine.preliminary_refuse(info.context.user, cmd)))

    @mutation(description="Officer: send the hearing notice, at least 3 working days before the term ends, for "
              "a hearing within 2 working days of it [001 §10].")
    async def schedule_hearing(self, info: strawberry.Info, input: ScheduleHearingInput) -> ScheduleHearingPayload:
        cmd = engine.ScheduleHearing(
            application_id=_app_id(input.application_id), notice_sent_on=input.notice_sent_on,
            hearing_on=input.hearing_on, place=input.place, hearing_time=input.hearing_time,
        )
        return ScheduleHearingPayload(application=Application.from_row(await engine.schedule_hearing(info.context.user, cmd)))

    @mutation(description="Officer: grant the service; for licensing this issues the licence and/or its "
              "appendices (the fee must be paid) [001 §9].")
    async def approve_application(self, info: strawberry.Info, input: ApproveApplicationInput) -> ApproveApplicationPayload:
        from models.licensing import License as LicenseRow
        from models.pools import PoolCertificate as CertificateRow
        from schema.types.licenses import License
        from schema.types.pools import PoolCertificate

        cmd = engine.ApproveApplication(application_id=_app_id(input.application_id), place_of_issue=input.place_of_issue,
                                        hearing_outcome=input.hearing_outcome)
        app, result = await engine.approve(info.context.user, cmd)
        license = License.from_row(result) if isinstance(result, LicenseRow) else None
        certificate = PoolCertificate.from_row(result) if isinstance(result, CertificateRow) else None
        return ApproveApplicationPayload(application=Application.from_row(app), license=license,
                                         pool_certificate=certificate)

    @mutation(description="Officer: motivated refusal of the service on its grounds, after the hearing "
              "[001 §10, App.8].")
    async def refuse_application(self, info: strawberry.Info, input: RefuseApplicationInput) -> RefuseApplicationPayload:
        cmd = engine.RefuseApplication(
            application_id=_app_id(input.application_id), grounds=tuple(input.grounds), text=input.text,
            hearing_outcome=input.hearing_outcome,
        )
        return RefuseApplicationPayload(application=Application.from_row(await engine.refuse(info.context.user, cmd)))

    @mutation(description="Applicant (or an officer on its behalf): withdraw an open application.")
    async def withdraw_application(self, info: strawberry.Info, input: WithdrawApplicationInput) -> WithdrawApplicationPayload:
        cmd = engine.WithdrawApplication(application_id=_app_id(input.application_id), comment=input.comment)
        return WithdrawApplicationPayload(application=Application.from_row(await engine.withdraw(info.context.user, cmd)))

    @mutation(description="Officer: assign an open application to an officer (the caller by default), or "
              "unassign it; applicants may not. Audited.")
    async def assign_application(self, info: strawberry.Info, input: AssignApplicationInput) -> AssignApplicationPayload:
        cmd = engine.AssignApplication(
            application_id=_app_id(input.application_id),
            assignee_id=pk_of(input.assignee_id, "User", "assigneeId") if input.assignee_id else None,
            unassign=input.unassign,
        )
        return AssignApplicationPayload(application=Application.from_row(await engine.assign(info.context.user, cmd)))
