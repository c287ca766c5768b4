"""The application engine in GraphQL: one Application type for every procedure, its stage
history, terms (due dates, days left, overdue) and one mutation per step."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Annotated, Any

import strawberry
from strawberry.types import Info

from models import applications as m
from resolvers import applications as engine
from resolvers import registry as registry_uc
from rules.calendar import ALMATY
from rules.enums import Channel
from rules.grounds import grounds_for
from rules.workflow import (
    TERMINAL_STAGES,
    Action,
    LicenseSubtype,
    ProcedureCode,
    RefusalKind,
    Stage,
    allowed_actions,
    days_left,
    procedure_spec,
    refusal_kind,
)
from schema.context import Context
from schema.ids import pk_of, to_global_id
from schema.node import register_node
from schema.parties import Miner
from schema.relay import Connection, Node, page_args

if TYPE_CHECKING:
    from schema.licenses import License
    from schema.licensing import LicenseApplicationDetails
    from schema.registry import RegistryApplicationDetails

Ctx = Info[Context, None]

ProcedureCodeEnum = strawberry.enum(ProcedureCode, name="ProcedureCode")
StageEnum = strawberry.enum(Stage, name="Stage")
RefusalKindEnum = strawberry.enum(RefusalKind, name="RefusalKind")
ActionEnum = strawberry.enum(Action, name="Action")
ChannelEnum = strawberry.enum(Channel, name="Channel")
LicenseSubtypeEnum = strawberry.enum(LicenseSubtype, name="LicenseSubtype")

register_node("Application", m.Application)


@strawberry.type(description="One step in an application's life, for the state monitoring system (001 §18).")
class StageEvent:
    at: datetime
    actor_label: str
    action: Action | None
    from_stage: Stage | None
    to_stage: Stage
    comment: str


@strawberry.type
class ApplicationDocument:
    kind: str
    title: str
    number: str
    issued_on: date | None
    valid_until: date | None


@strawberry.type
class CompletenessProblem:
    code: str
    field: str
    message: str


@strawberry.type
class RefusalGround:
    code: str
    number: int
    text_ru: str
    text_kk: str | None
    text_en: str


def _stored(app: Any) -> m.Application:
    return app  # strawberry passes the model instance as `self`


@strawberry.type(description="An application of any procedure on the shared engine.")
class Application(Node):
    procedure: ProcedureCode
    stage: Stage
    channel: Channel
    incoming_number: str | None
    received_at: datetime
    registered_on: date | None
    completeness_due: datetime | None
    decision_due: datetime | None
    hearing_notice_last_day: date | None
    hearing_notice_sent_on: date | None
    hearing_on: date | None
    hearing_place: str | None
    preliminary_grounds: list[str]
    preliminary_text: str | None
    refusal_grounds: list[str]
    refusal_text: str | None
    decided_at: datetime | None

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(to_global_id("Application", _stored(self).pk))

    @strawberry.field(description="Past its decision term and still open (recomputed live).")
    def overdue(self) -> bool:
        app = _stored(self)
        if app.stage in TERMINAL_STAGES or app.decision_due is None:
            return False
        return app.overdue or datetime.now(UTC) > app.decision_due

    @strawberry.field(description="For refused applications: refused at the office counter, refusal of further review, or of the service.")
    def refusal_kind(self) -> RefusalKind | None:
        app = _stored(self)
        decided_on = app.decided_at.astimezone(ALMATY).date() if app.decided_at else None
        return refusal_kind(
            app.stage, office=app.channel is Channel.OFFICE, registered_on=app.registered_on,
            decided_on=decided_on,
        )

    @strawberry.field(description="Working days left until the decision is due; negative when overdue.")
    async def days_left(self, info: Ctx) -> int | None:
        app = _stored(self)
        if app.stage in TERMINAL_STAGES or app.decision_due is None:
            return None
        return days_left(app.decision_due, datetime.now(UTC), await info.context.calendar())

    @strawberry.field
    def allowed_actions(self) -> list[Action]:
        app = _stored(self)
        spec = procedure_spec(app.procedure, app.registered_on)
        return sorted(allowed_actions(app.stage, hearing=spec.hearing), key=lambda a: a.value)

    @strawberry.field
    async def miner(self, info: Ctx) -> Miner | None:
        app = _stored(self)
        return await info.context.loaders.miner.load(app.miner_id) if app.miner_id else None  # type: ignore[attr-defined]

    @strawberry.field
    async def stage_history(self, info: Ctx) -> list[StageEvent]:
        return await info.context.loaders.stage_events.load(_stored(self).pk)  # type: ignore[return-value]

    @strawberry.field
    async def documents(self, info: Ctx) -> list[ApplicationDocument]:
        return await info.context.loaders.documents.load(_stored(self).pk)  # type: ignore[return-value]

    @strawberry.field(description="What the rules find missing or wrong (shown to officers before accepting).")
    async def completeness_problems(self, info: Ctx) -> list[CompletenessProblem]:
        problems = await engine.completeness_problems(_stored(self))
        return [CompletenessProblem(code=p.code, field=p.field, message=p.message_en) for p in problems]

    @strawberry.field
    async def license_details(
        self, info: Ctx
    ) -> Annotated[LicenseApplicationDetails, strawberry.lazy("schema.licensing")] | None:
        return await info.context.loaders.license_details.load(_stored(self).pk)  # type: ignore[return-value]

    @strawberry.field(description="ASIC registry applications: units, reason, change, capacity review.")
    async def registry_details(
        self,
    ) -> Annotated[RegistryApplicationDetails, strawberry.lazy("schema.registry")] | None:
        return await registry_uc.registry_details(_stored(self))  # type: ignore[return-value]

    @classmethod
    def is_type_of(cls, obj: Any, _info: Any) -> bool:
        return isinstance(obj, m.Application)


@strawberry.type
class ApplicationPayload:
    application: Application


@strawberry.type
class ApproveApplicationPayload:
    application: Application
    license: Annotated[License, strawberry.lazy("schema.licenses")] | None = None


@strawberry.type
class ApplicationsQuery:
    @strawberry.field
    async def applications(
        self,
        info: Ctx,
        procedure: ProcedureCode | None = None,
        stage: Stage | None = None,
        subtype: LicenseSubtype | None = None,
        overdue: bool | None = None,
        due_before: datetime | None = None,
        applicant_id: strawberry.ID | None = None,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[Application]:
        page = await engine.list_applications(
            info.context.user,
            procedure=procedure,
            stage=stage,
            overdue=overdue,
            due_before=due_before,
            miner_id=pk_of(applicant_id, "Miner") if applicant_id else None,
            extra={"license_details__subtype": subtype} if subtype else None,
            **page_args(first, after, last, before),
        )
        return Connection.from_page(page)

    @strawberry.field
    async def application(self, info: Ctx, id: strawberry.ID) -> Application:
        return await engine.get_application(info.context.user, pk_of(id, "Application"))  # type: ignore[return-value]

    @strawberry.field(description="Refusal grounds a decision may cite, by the rules in force on that date.")
    def refusal_grounds(self, procedure: ProcedureCode, registered_on: date) -> list[RefusalGround]:
        return [
            RefusalGround(code=g.code, number=g.number, text_ru=g.text_ru, text_kk=g.text_kk, text_en=g.text_en)
            for g in grounds_for(procedure, registered_on)
        ]


def _payload(app: m.Application) -> ApplicationPayload:
    return ApplicationPayload(application=app)  # type: ignore[arg-type]


@strawberry.type
class ApplicationsMutation:
    @strawberry.mutation(description="Officer: the package is complete; review on the merits starts.")
    async def accept_application(self, info: Ctx, id: strawberry.ID, comment: str = "") -> ApplicationPayload:
        return _payload(await engine.accept_complete(info.context.user, pk_of(id, "Application"), comment))

    @strawberry.mutation(description="Officer: motivated refusal of further review (incomplete or expired documents).")
    async def refuse_incomplete(
        self, info: Ctx, id: strawberry.ID, grounds: list[str], text: str
    ) -> ApplicationPayload:
        return _payload(await engine.refuse_incomplete(info.context.user, pk_of(id, "Application"), grounds, text))

    @strawberry.mutation(description="Officer: grounds for refusal found; a hearing must follow (001 §10).")
    async def preliminary_refuse(
        self, info: Ctx, id: strawberry.ID, grounds: list[str], text: str
    ) -> ApplicationPayload:
        return _payload(await engine.preliminary_refuse(info.context.user, pk_of(id, "Application"), grounds, text))

    @strawberry.mutation(description="Officer: send the hearing notice (>= 3 WD before the term ends; hearing <= 2 WD after).")
    async def schedule_hearing(
        self, info: Ctx, id: strawberry.ID, notice_sent_on: date, hearing_on: date, place: str
    ) -> ApplicationPayload:
        return _payload(
            await engine.schedule_hearing(
                info.context.user, pk_of(id, "Application"), notice_sent_on, hearing_on, place
            )
        )

    @strawberry.mutation(description="Officer: approve; for licensing this issues the licence and/or appendices.")
    async def approve_application(
        self, info: Ctx, id: strawberry.ID, place_of_issue: str | None = None
    ) -> ApproveApplicationPayload:
        app, result = await engine.approve(
            info.context.user, pk_of(id, "Application"), {"place_of_issue": place_of_issue}
        )
        return ApproveApplicationPayload(application=app, license=result)  # type: ignore[arg-type]

    @strawberry.mutation(description="Officer: motivated refusal citing one or more grounds.")
    async def refuse_application(
        self, info: Ctx, id: strawberry.ID, grounds: list[str], text: str
    ) -> ApplicationPayload:
        return _payload(await engine.refuse(info.context.user, pk_of(id, "Application"), grounds, text))

    @strawberry.mutation
    async def withdraw_application(self, info: Ctx, id: strawberry.ID, comment: str = "") -> ApplicationPayload:
        return _payload(await engine.withdraw(info.context.user, pk_of(id, "Application"), comment))
