"""Complaints against a decision (001 §19-23) in GraphQL."""

from __future__ import annotations

from datetime import UTC, date, datetime
from enum import Enum
from typing import Any

import strawberry
from strawberry.types import Info

from models import licensing as m
from resolvers import complaints as uc  # importing it registers the overdue checker
from rules.enums import ComplaintStatus
from rules.workflow import ComplaintReviewer
from schema.applications import Application
from schema.context import Context
from schema.ids import pk_of, to_global_id
from schema.node import register_node
from schema.relay import Connection, Node, page_args

__all__ = ["Complaint", "ComplaintsMutation", "ComplaintsQuery"]

Ctx = Info[Context, None]

ComplaintStatusEnum = strawberry.enum(ComplaintStatus, name="ComplaintStatus")
ComplaintReviewerEnum = strawberry.enum(ComplaintReviewer, name="ComplaintReviewer")


@strawberry.enum(description="The reviewing body's decision on a complaint.")
class ComplaintOutcome(Enum):
    UPHELD = "UPHELD"
    PARTLY_UPHELD = "PARTLY_UPHELD"
    REJECTED = "REJECTED"


register_node("Complaint", m.Complaint)


@strawberry.type(description="A complaint against a decision (001 §19-23) with its terms.")
class Complaint(Node):
    reviewer: ComplaintReviewer
    text: str
    status: ComplaintStatus
    received_at: datetime
    registered_on: date
    forward_due: datetime | None = strawberry.field(
        description="PROVIDER: forward with the case file (or grant in full) by then (§20)."
    )
    review_due: datetime = strawberry.field(description="5 WD (provider) or 15 WD (quality authority).")
    forwarded_on: date | None
    outcome_text: str | None
    decided_at: datetime | None

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(to_global_id("Complaint", self.pk))  # type: ignore[attr-defined]

    @strawberry.field
    async def application(self) -> Application:
        return await m.Application.get(pk=self.application_id)  # type: ignore[attr-defined,return-value]

    @strawberry.field(description="A term passed while the step was not taken (recomputed live).")
    def overdue(self) -> bool:
        return uc.complaint_overdue(self, datetime.now(UTC))  # type: ignore[arg-type]

    @classmethod
    def is_type_of(cls, obj: Any, _info: Any) -> bool:
        return isinstance(obj, m.Complaint)


@strawberry.type
class ComplaintPayload:
    complaint: Complaint


def _payload(row: m.Complaint) -> ComplaintPayload:
    return ComplaintPayload(complaint=row)  # type: ignore[arg-type]


@strawberry.type
class ComplaintsQuery:
    @strawberry.field
    async def complaints(
        self,
        info: Ctx,
        application_id: strawberry.ID | None = None,
        status: ComplaintStatus | None = None,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[Complaint]:
        page = await uc.list_complaints(
            info.context.user,
            application_id=pk_of(application_id, "Application") if application_id else None,
            status=status,
            **page_args(first, after, last, before),
        )
        return Connection.from_page(page)


@strawberry.type
class ComplaintsMutation:
    @strawberry.mutation(description="Applicant: complain about a decided application of one's organisation.")
    async def file_complaint(
        self, info: Ctx, application_id: strawberry.ID, reviewer: ComplaintReviewer, text: str
    ) -> ComplaintPayload:
        row = await uc.file_complaint(info.context.user, pk_of(application_id, "Application"), reviewer, text)
        return _payload(row)

    @strawberry.mutation(description="Officer: grant the complaint in full within 3 WD; it is not forwarded (§20).")
    async def grant_complaint_in_full(self, info: Ctx, id: strawberry.ID, text: str) -> ComplaintPayload:
        return _payload(await uc.grant_in_full(info.context.user, pk_of(id, "Complaint"), text))

    @strawberry.mutation(description="Officer: forward the complaint and case file to the reviewing body (§20).")
    async def forward_complaint(self, info: Ctx, id: strawberry.ID) -> ComplaintPayload:
        return _payload(await uc.forward_complaint(info.context.user, pk_of(id, "Complaint")))

    @strawberry.mutation(description="Officer: record the reviewing body's decision.")
    async def decide_complaint(
        self, info: Ctx, id: strawberry.ID, outcome: ComplaintOutcome, text: str
    ) -> ComplaintPayload:
        status = ComplaintStatus(outcome.value)
        return _payload(await uc.decide_complaint(info.context.user, pk_of(id, "Complaint"), status, text))
