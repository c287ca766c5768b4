"""The one application engine's records: applications of every procedure, their stage
history (reported to the state monitoring system, 001 §18) and attached documents."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from models.access import User
from models.parties import Miner, Pool
from models.timestamps import TimestampedModel
from rules.enums import Channel
from rules.workflow import Action, HearingOutcome, ProcedureCode, Stage


class Application(TimestampedModel):
    id = fields.IntField(primary_key=True)
    procedure = fields.CharEnumField(ProcedureCode, max_length=32, db_index=True)
    stage = fields.CharEnumField(Stage, max_length=32, default=Stage.SUBMITTED, db_index=True)
    channel = fields.CharEnumField(Channel, max_length=16)
    # The applicant organisation: a miner (licensing, registry) or a pool (accreditation).
    miner: fields.ForeignKeyNullableRelation[Miner] = fields.ForeignKeyField(
        "models.Miner", related_name="applications", null=True, on_delete=fields.RESTRICT
    )
    pool: fields.ForeignKeyNullableRelation[Pool] = fields.ForeignKeyField(
        "models.Pool", related_name="applications", null=True, on_delete=fields.RESTRICT
    )
    received_at = fields.DatetimeField()
    registered_on = fields.DateField(null=True)
    incoming_number = fields.CharField(max_length=32, unique=True, null=True)
    completeness_due = fields.DatetimeField(null=True)
    decision_due = fields.DatetimeField(null=True, db_index=True)
    hearing_notice_last_day = fields.DateField(null=True)
    # Preliminary refusal and hearing (001 §10)
    preliminary_grounds = fields.JSONField(default=list)
    preliminary_text = fields.TextField(null=True)
    hearing_notice_sent_on = fields.DateField(null=True)
    hearing_on = fields.DateField(null=True)
    hearing_time = fields.CharField(max_length=5, null=True)  # "HH:MM", Almaty; null on hearings before 0017
    hearing_place = fields.CharField(max_length=500, null=True)
    hearing_outcome = fields.CharEnumField(HearingOutcome, max_length=32, null=True)
    # Refusal of further review (001 §7 ¶2): its reasons and the completeness problems it named
    # ([{"code", "field", "message_en"}], as found when it was taken).
    further_review_reasons = fields.JSONField(default=list)
    further_review_problems = fields.JSONField(default=list)
    # Decision
    refusal_grounds = fields.JSONField(default=list)
    refusal_text = fields.TextField(null=True)
    # The refusal document's number and date (001 App.8 "Номер: [Номер документа] [Дата выдачи]").
    refusal_number = fields.CharField(max_length=40, null=True, unique=True)
    refused_on = fields.DateField(null=True)
    decided_at = fields.DatetimeField(null=True)
    overdue = fields.BooleanField(default=False, db_index=True)
    # The end of the term that applies in the current stage (completeness while REGISTERED,
    # else the decision term; null once decided): what `daysLeft` counts to and `overdue`
    # compares with, stored so that work queues sort and filter on an index.
    next_due_at = fields.DatetimeField(null=True, db_index=True)
    # The officer the application is assigned to (work queues: "mine", "unassigned").
    assignee: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "models.User", related_name=False, null=True, on_delete=fields.RESTRICT
    )

    class Meta:
        table = "application"


class StageEvent(Model):
    id = fields.BigIntField(primary_key=True)
    application: fields.ForeignKeyRelation[Application] = fields.ForeignKeyField(
        "models.Application", related_name="stage_events", on_delete=fields.CASCADE
    )
    at = fields.DatetimeField()
    actor_id = fields.IntField(null=True)
    actor_label = fields.CharField(max_length=300)
    action = fields.CharEnumField(Action, max_length=32, null=True)  # null: submission
    from_stage = fields.CharEnumField(Stage, max_length=32, null=True)
    to_stage = fields.CharEnumField(Stage, max_length=32)
    comment = fields.TextField(default="")

    class Meta:
        table = "stage_event"


class ApplicationDocument(Model):
    """A document attached to an application, typed by what it proves (e.g. 001 App.11)."""

    id = fields.IntField(primary_key=True)
    application: fields.ForeignKeyRelation[Application] = fields.ForeignKeyField(
        "models.Application", related_name="documents", on_delete=fields.CASCADE
    )
    kind = fields.CharField(max_length=64)
    title = fields.CharField(max_length=500)
    number = fields.CharField(max_length=100, default="")
    issued_on = fields.DateField(null=True)
    valid_until = fields.DateField(null=True)
    # The scanned document itself, when uploaded with the filing (resolvers/storage.py).
    file_key = fields.CharField(max_length=120, null=True)
    file_sha256 = fields.CharField(max_length=64, null=True)
    file_size = fields.IntField(null=True)
    file_type = fields.CharField(max_length=64, null=True)
    file_name = fields.CharField(max_length=255, default="")

    class Meta:
        table = "application_document"
