"""Complaints about the provision of a service as clients see them (001 §19-23): typed views
built from rows, links read through the request's loaders."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import TYPE_CHECKING, Annotated, Any, ClassVar

import strawberry
from strawberry import relay

from models import applications as am
from models import licensing as m
from models import parties as pm
from resolvers import complaints as uc  # importing it registers the overdue checker
from rules.calendar import ALMATY
from rules.enums import ComplaintStatus, ComplaintSubject
from rules.workflow import ComplaintReviewer
from schema.enums import expose_enum
from schema.loaders import load_view
from schema.relay import RowNode, Timestamped

if TYPE_CHECKING:
    from schema.types.applications import Application

__all__ = ["Complaint", "prime_complaints"]

expose_enum(
    ComplaintStatus,
    "ComplaintStatus",
    "Where a complaint stands [001 §19-23].",
    {
        ComplaintStatus.REGISTERED: "Registered; with the provider: to be forwarded with the case file, or "
        "granted in full, within 3 working days; with the quality authority: under review.",
        ComplaintStatus.GRANTED_BY_PROVIDER: "Granted in full by the provider within 3 working days; not "
        "forwarded [001 §20; APPC art. 91 p.4].",
        ComplaintStatus.FORWARDED: "Forwarded with the case file to the reviewing body [001 §20].",
        ComplaintStatus.UPHELD: "Decided: upheld.",
        ComplaintStatus.PARTLY_UPHELD: "Decided: partly upheld.",
        ComplaintStatus.REJECTED: "Decided: rejected.",
    },
)

expose_enum(
    ComplaintReviewer,
    "ComplaintReviewer",
    "Where the complaint was filed; it decides its terms [001 §19-22].",
    {
        ComplaintReviewer.PROVIDER: "With the provider (or the official) whose decision, action or inaction is "
        "complained of: forward within 3 working days unless granted in full, review within 5 "
        "[001 §20, §21].",
        ComplaintReviewer.QUALITY_AUTHORITY: "With the authority for assessing and controlling the quality of "
        "public services: review within 15 working days [001 §22].",
    },
)


expose_enum(
    ComplaintSubject,
    "ComplaintSubject",
    "What a complaint is about: \"решения, действия (бездействие)\" of the provider or its official "
    "[001 §19-20; 002 §17].",
    {
        ComplaintSubject.DECISION: "A decision (an administrative act): a refusal, a licence, a notice.",
        ComplaintSubject.ACTION: "An action of the provider or an official.",
        ComplaintSubject.INACTION: "The provider's failure to act, e.g. an application left past its term.",
    },
)


def _day(instant: datetime | None) -> date | None:
    return None if instant is None else instant.astimezone(ALMATY).date()


@strawberry.type(description="A complaint about a decision, an action or the inaction of the provider on an "
                 "application, with its terms [001 §19-23]. Applicants see only their own organisation's; "
                 "partner systems see none.")
class Complaint(RowNode, relay.Node, Timestamped):
    MODEL: ClassVar = m.Complaint

    id: relay.NodeID[int]
    reviewer: ComplaintReviewer = strawberry.field(description="Where it was filed.")
    subject: ComplaintSubject = strawberry.field(description="What is complained of: a decision, an action or "
                                                 "the inaction [001 §19-20].")
    text: str = strawberry.field(description="What the applicant complains of, as written.")
    status: ComplaintStatus = strawberry.field(description="Where it stands now.")
    received_at: datetime = strawberry.field(description="When it was received (UTC).")
    registered_on: date = strawberry.field(description="The working day (Almaty) it was registered on; every "
                                           "term runs from it.")
    forward_due_at: datetime | None = strawberry.field(
        description="PROVIDER: the end of the 3 working days to forward it with the case file, or grant it in "
        "full (18:30 Almaty, as a UTC instant); null for the quality authority [001 §20]."
    )
    review_due_at: datetime = strawberry.field(description="The end of the review term: 5 working days with the "
                                               "provider, 15 with the quality authority (18:30 Almaty, as a "
                                               "UTC instant) [001 §21, §22].")
    forwarded_on: date | None = strawberry.field(description="The working day (Almaty) it was forwarded; null "
                                                 "unless forwarded.")
    outcome_text: str | None = strawberry.field(description="The favourable act taken (granted in full) or the "
                                                "reasons of the decision; null while open.")
    decided_at: datetime | None = strawberry.field(description="When it was granted or decided (UTC); null while "
                                                   "open.")
    _application_id: strawberry.Private[int]

    @classmethod
    def from_row(cls, row: m.Complaint) -> Complaint:
        return cls(
            id=row.id, reviewer=row.reviewer, subject=row.subject, text=row.text, status=row.status, received_at=row.received_at,
            registered_on=row.registered_on, forward_due_at=row.forward_due, review_due_at=row.review_due,
            forwarded_on=row.forwarded_on, outcome_text=row.outcome_text, decided_at=row.decided_at,
            _application_id=row.application_id,  # type: ignore[attr-defined]
            created_at=row.created_at, updated_at=row.updated_at,
        )

    @strawberry.field(description="The last day of the forwarding term (Almaty); null for the quality authority.")
    def forward_due_on(self) -> date | None:
        return _day(self.forward_due_at)

    @strawberry.field(description="The last day of the review term (Almaty).")
    def review_due_on(self) -> date:
        return _day(self.review_due_at)  # type: ignore[return-value]

    @strawberry.field(description="A term was missed: not forwarded (nor granted) within the forwarding term, "
                      "or not decided within the review term; judged live while open, and a step taken late "
                      "stays overdue.")
    def overdue(self) -> bool:
        return uc.is_overdue(
            status=self.status, forward_due=self.forward_due_at, review_due=self.review_due_at,
            forwarded_on=self.forwarded_on, decided_at=self.decided_at, now=uc.current_time(),
        )

    @strawberry.field(description="The application complained about; null if the caller may not see it.")
    def application(
        self, info: strawberry.Info
    ) -> Annotated[Application, strawberry.lazy("schema.types.applications")] | None:
        from schema.types.applications import Application

        return load_view(Application, info.context.loaders.visible(am.Application), self._application_id)  # type: ignore[no-any-return]


def prime_complaints(info: strawberry.Info) -> Any:
    """`Rows(prepare=...)` for a page of complaints: the applications (and their miners) the query
    selects, loaded once for the page, so that the fields return at once."""
    from schema.types.applications import node_selection

    wanted = node_selection(info)

    async def prepare(rows: Sequence[m.Complaint]) -> None:
        if "application" not in wanted:
            return
        loaders = info.context.loaders
        apps = await loaders.visible(am.Application).load_many(sorted({r.application_id for r in rows}))  # type: ignore[attr-defined]
        if "application.miner" in wanted:
            await loaders.visible(pm.Miner).load_many(sorted({a.miner_id for a in apps if a and a.miner_id}))

    return prepare
