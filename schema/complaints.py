"""Complaints about the provision of a service (001 §19-23): the list, filing, and the officers'
steps (the type is in schema/types/complaints.py)."""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import Annotated, Any, ClassVar

import strawberry
from strawberry import relay

from resolvers import complaints as uc
from resolvers.listing import SortKey
from rules.enums import ComplaintStatus, ComplaintSubject
from rules.errors import DomainError, ErrorCode
from rules.workflow import ComplaintReviewer
from schema.enums import OrderDirection
from schema.errors import UserError, mutation, payload, register_error_type
from schema.idempotency import client_mutation_id
from schema.ids import pk_of
from schema.relay import Connection, Rows, connection, order_of
from schema.types.complaints import Complaint, prime_complaints

__all__ = ["ComplaintGrantWindowClosed", "ComplaintsMutation", "ComplaintsQuery", "IllegalComplaintStep"]


@strawberry.enum(description="The reviewing body's decision on a complaint.")
class ComplaintOutcome(Enum):
    UPHELD = strawberry.enum_value("UPHELD", description="The complaint is upheld.")
    PARTLY_UPHELD = strawberry.enum_value("PARTLY_UPHELD", description="The complaint is partly upheld.")
    REJECTED = strawberry.enum_value("REJECTED", description="The complaint is rejected.")


# --- ordering -----------------------------------------------------------------------------------


@strawberry.enum(description="What a list of complaints can be sorted by.")
class ComplaintOrderField(Enum):
    RECEIVED_AT = strawberry.enum_value("RECEIVED_AT", description="When it was received.")
    REVIEW_DUE = strawberry.enum_value("REVIEW_DUE", description="The end of the review term.")


@strawberry.input(description="Sort order of a list of complaints.")
class ComplaintOrder:
    field: ComplaintOrderField = strawberry.field(description="What to sort by.")
    direction: OrderDirection = strawberry.field(default=OrderDirection.ASC, description="Ascending by default.")


_COMPLAINT_KEYS = {
    ComplaintOrderField.RECEIVED_AT: SortKey("received_at", datetime),
    ComplaintOrderField.REVIEW_DUE: SortKey("review_due", datetime),
}


# --- typed errors -------------------------------------------------------------------------------


@register_error_type
@strawberry.type(description="The step is not possible for this complaint now: e.g. forwarding one filed with "
                 "the quality authority, or deciding one the provider has not forwarded yet [001 §20-22].")
class IllegalComplaintStep(UserError):
    status: ComplaintStatus = strawberry.field(description="The complaint's current status.")
    reviewer: ComplaintReviewer = strawberry.field(description="Where the complaint was filed.")
    CODES: ClassVar[frozenset[ErrorCode]] = frozenset({ErrorCode.ILLEGAL_TRANSITION})

    @classmethod
    def extra(cls, err: DomainError) -> dict[str, Any]:
        return {"status": ComplaintStatus(err.params["status"]), "reviewer": ComplaintReviewer(err.params["reviewer"])}


@register_error_type
@strawberry.type(description="The 3 working days in which the provider may grant a complaint in full instead of "
                 "forwarding it have passed [001 §20].")
class ComplaintGrantWindowClosed(UserError):
    forward_due_at: datetime | None = strawberry.field(description="When the window closed (UTC); null for a "
                                                       "complaint with no forwarding term.")
    CODES: ClassVar[frozenset[ErrorCode]] = frozenset({ErrorCode.COMPLAINT_GRANT_WINDOW_CLOSED})

    @classmethod
    def extra(cls, err: DomainError) -> dict[str, Any]:
        limit = err.params.get("limit")
        return {"forward_due_at": datetime.fromisoformat(limit) if limit and limit != "-" else None}


# --- inputs -------------------------------------------------------------------------------------

_COMPLAINT_ID = "The complaint."


@strawberry.input(description="A complaint about a decision, an action or the inaction of the provider.")
class FileComplaintInput:
    application_id: relay.GlobalID = strawberry.field(description="The application concerned (one of the "
                                                      "caller's organisation's).")
    reviewer: ComplaintReviewer = strawberry.field(description="Where to file it: the provider, or the "
                                                   "service-quality authority.")
    subject: ComplaintSubject = strawberry.field(default=ComplaintSubject.DECISION, description="What is "
                                                 "complained of: a decision (the default), an action, or the "
                                                 "inaction of the provider [001 §19-20; 002 §17].")
    text: str = strawberry.field(description="What is complained of, up to 10000 characters.")
    client_mutation_id: str | None = client_mutation_id()


@strawberry.input(description="The provider grants a complaint in full within 3 working days.")
class GrantComplaintInFullInput:
    id: relay.GlobalID = strawberry.field(description=_COMPLAINT_ID)
    text: str = strawberry.field(description="The favourable act taken or action done, up to 10000 characters.")


@strawberry.input(description="The provider forwards a complaint with the case file to the reviewing body.")
class ForwardComplaintInput:
    id: relay.GlobalID = strawberry.field(description=_COMPLAINT_ID)


@strawberry.input(description="The reviewing body's decision.")
class DecideComplaintInput:
    id: relay.GlobalID = strawberry.field(description=_COMPLAINT_ID)
    outcome: ComplaintOutcome = strawberry.field(description="Upheld, partly upheld or rejected.")
    text: str = strawberry.field(description="The reasons of the decision, up to 10000 characters.")


# --- payloads -----------------------------------------------------------------------------------


@payload(description="The registered complaint, or why not.")
class FileComplaintPayload:
    complaint: Complaint | None = strawberry.field(default=None, description="The complaint with its terms.")


@payload(IllegalComplaintStep, ComplaintGrantWindowClosed, description="The granted complaint, or why not.")
class GrantComplaintInFullPayload:
    complaint: Complaint | None = strawberry.field(default=None, description="The complaint, now granted.")


@payload(IllegalComplaintStep, description="The forwarded complaint, or why not.")
class ForwardComplaintPayload:
    complaint: Complaint | None = strawberry.field(default=None, description="The complaint, now forwarded.")


@payload(IllegalComplaintStep, description="The decided complaint, or why not.")
class DecideComplaintPayload:
    complaint: Complaint | None = strawberry.field(default=None, description="The complaint, now decided.")


# --- queries & mutations ------------------------------------------------------------------------


@strawberry.type
class ComplaintsQuery:
    @connection(description="Complaints, filtered; applicants see only their own organisation's, partner "
                "systems none.")
    async def complaints(
        self,
        info: strawberry.Info,
        application_id: Annotated[relay.GlobalID | None, strawberry.argument(description="About this application.")] = None,
        status: Annotated[ComplaintStatus | None, strawberry.argument(description="In this status.")] = None,
        reviewer: Annotated[ComplaintReviewer | None, strawberry.argument(description="Filed there.")] = None,
        subject: Annotated[ComplaintSubject | None, strawberry.argument(description="About this.")] = None,
        order_by: Annotated[ComplaintOrder | None, strawberry.argument(description="Sort order (default: filing "
                                                                         "order).")] = None,
    ) -> Connection[Complaint]:
        listing = uc.list_complaints(
            info.context.user,
            application_id=pk_of(application_id, "Application", "applicationId") if application_id else None,
            status=status,
            reviewer=reviewer,
            subject=subject,
            order=order_of(order_by, _COMPLAINT_KEYS),
        )
        return Rows(listing, Complaint.from_row, prepare=prime_complaints(info))  # type: ignore[return-value]


@strawberry.type
class ComplaintsMutation:
    @mutation(description="Applicant: complain about a decision, an action or the inaction of the provider on "
              "an application of one's organisation; registered on the working day the calendar gives "
              "[001 §19].", idempotent=True)
    async def file_complaint(self, info: strawberry.Info, input: FileComplaintInput) -> FileComplaintPayload:
        cmd = uc.FileComplaint(
            application_id=pk_of(input.application_id, "Application", "applicationId"),
            reviewer=input.reviewer,
            text=input.text,
            subject=input.subject,
        )
        return FileComplaintPayload(complaint=Complaint.from_row(await uc.file_complaint(info.context.user, cmd)))

    @mutation(description="Officer: grant a complaint filed with the provider in full within 3 working days; it "
              "is then not forwarded [001 §20].")
    async def grant_complaint_in_full(
        self, info: strawberry.Info, input: GrantComplaintInFullInput
    ) -> GrantComplaintInFullPayload:
        cmd = uc.GrantComplaintInFull(complaint_id=pk_of(input.id, "Complaint", "id"), text=input.text)
        return GrantComplaintInFullPayload(complaint=Complaint.from_row(await uc.grant_in_full(info.context.user, cmd)))

    @mutation(description="Officer: forward a complaint filed with the provider, with the case file, to the "
              "reviewing body [001 §20].")
    async def forward_complaint(self, info: strawberry.Info, input: ForwardComplaintInput) -> ForwardComplaintPayload:
        cmd = uc.ForwardComplaint(complaint_id=pk_of(input.id, "Complaint", "id"))
        return ForwardComplaintPayload(complaint=Complaint.from_row(await uc.forward_complaint(info.context.user, cmd)))

    @mutation(description="Officer: record the reviewing body's decision on a forwarded complaint, or on one "
              "filed with the quality authority [001 §21, §22].")
    async def decide_complaint(self, info: strawberry.Info, input: DecideComplaintInput) -> DecideComplaintPayload:
        cmd = uc.DecideComplaint(
            complaint_id=pk_of(input.id, "Complaint", "id"),
            outcome=ComplaintStatus(input.outcome.value),
            text=input.text,
        )
        return DecideComplaintPayload(complaint=Complaint.from_row(await uc.decide_complaint(info.context.user, cmd)))
