"""Inspections (003): the appointment, the checklist as filled (with every submission kept),
the on-site serial reconciliation per data center, and the violations found."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from models.access import User
from models.parties import DataCenter, Miner, Pool
from models.timestamps import TimestampedModel
from rules.checklists import SubjectKind
from rules.inspections import Finding, InspectionKind, InspectionStatus, ViolationStatus


class Inspection(TimestampedModel):
    """An inspection appointed by an act (number, date) against a miner or a pool [003 forms' head]."""

    id = fields.IntField(primary_key=True)
    act_number = fields.CharField(max_length=100)
    act_date = fields.DateField()  # the checklist in force on this day applies
    kind = fields.CharEnumField(InspectionKind, max_length=16)
    subject_kind = fields.CharEnumField(SubjectKind, max_length=8)
    miner: fields.ForeignKeyNullableRelation[Miner] = fields.ForeignKeyField(
        "models.Miner", related_name="inspections", null=True, on_delete=fields.RESTRICT
    )
    pool: fields.ForeignKeyNullableRelation[Pool] = fields.ForeignKeyField(
        "models.Pool", related_name="inspections", null=True, on_delete=fields.RESTRICT
    )
    planned_from = fields.DateField()
    planned_to = fields.DateField()
    status = fields.CharEnumField(InspectionStatus, max_length=16, default=InspectionStatus.APPOINTED, db_index=True)
    appointed_by: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "models.User", related_name=False, null=True, on_delete=fields.RESTRICT
    )
    opened_on = fields.DateField(null=True)  # the day the registry facts are read for the prefill
    completed_at = fields.DatetimeField(null=True)
    completed_observed_at = fields.DatetimeField(null=True)  # the device's time
    representative_position = fields.CharField(max_length=500, default="")
    representative_name = fields.CharField(max_length=500, default="")
    officials = fields.JSONField(default=list)  # [{"position", "name"}]

    class Meta:
        table = "inspection"


class InspectionDataCenter(Model):
    id = fields.IntField(primary_key=True)
    inspection: fields.ForeignKeyRelation[Inspection] = fields.ForeignKeyField(
        "models.Inspection", related_name="data_center_links", on_delete=fields.CASCADE
    )
    data_center: fields.ForeignKeyRelation[DataCenter] = fields.ForeignKeyField(
        "models.DataCenter", related_name=False, on_delete=fields.RESTRICT
    )

    class Meta:
        table = "inspection_data_center"
        unique_together = (("inspection", "data_center"),)


class InspectionInspector(Model):
    """An inspector assigned to an inspection: the only inspectors who see it."""

    id = fields.IntField(primary_key=True)
    inspection: fields.ForeignKeyRelation[Inspection] = fields.ForeignKeyField(
        "models.Inspection", related_name="inspector_links", on_delete=fields.CASCADE
    )
    user: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name=False, on_delete=fields.RESTRICT
    )

    class Meta:
        table = "inspection_inspector"
        unique_together = (("inspection", "user"),)


class InspectionItem(Model):
    """One checklist requirement of an inspection: the system's finding and the inspector's
    current word (the latest `observed_at` of its history)."""

    id = fields.IntField(primary_key=True)
    inspection: fields.ForeignKeyRelation[Inspection] = fields.ForeignKeyField(
        "models.Inspection", related_name="items", on_delete=fields.CASCADE
    )
    code = fields.CharField(max_length=32)
    number = fields.IntField()
    system_finding = fields.CharEnumField(Finding, max_length=16)
    system_reason = fields.TextField(default="")
    evidence = fields.JSONField(default=dict)
    inspector_finding = fields.CharEnumField(Finding, max_length=16, null=True)
    comment = fields.TextField(default="")
    observed_at = fields.DatetimeField(null=True)
    recorded_at = fields.DatetimeField(null=True)
    recorded_by: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "models.User", related_name=False, null=True, on_delete=fields.RESTRICT
    )

    class Meta:
        table = "inspection_item"
        unique_together = (("inspection", "code"),)


class InspectionItemEntry(Model):
    """Every submission on an item, from any device, kept as sent."""

    id = fields.IntField(primary_key=True)
    item: fields.ForeignKeyRelation[InspectionItem] = fields.ForeignKeyField(
        "models.InspectionItem", related_name="entries", on_delete=fields.CASCADE
    )
    finding = fields.CharEnumField(Finding, max_length=16)
    comment = fields.TextField(default="")
    observed_at = fields.DatetimeField()  # the device's clock
    recorded_at = fields.DatetimeField()  # the server's
    user: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name=False, on_delete=fields.RESTRICT
    )

    class Meta:
        table = "inspection_item_entry"


class InspectionReconciliation(Model):
    """The serial numbers seen on site in one data center, against the registry."""

    id = fields.IntField(primary_key=True)
    inspection: fields.ForeignKeyRelation[Inspection] = fields.ForeignKeyField(
        "models.Inspection", related_name="reconciliations", on_delete=fields.CASCADE
    )
    data_center: fields.ForeignKeyRelation[DataCenter] = fields.ForeignKeyField(
        "models.DataCenter", related_name=False, on_delete=fields.RESTRICT
    )
    observed_at = fields.DatetimeField()
    recorded_at = fields.DatetimeField()
    seen_count = fields.IntField()
    matched = fields.JSONField(default=list)  # [serial]
    unregistered = fields.JSONField(default=list)  # [{"serial", "why"}]
    not_seen = fields.JSONField(default=list)  # [serial]
    # The lists' sizes, read without the lists (item 3's evidence, the audit and the outbox).
    matched_count = fields.IntField(default=0, db_default=0)
    not_registered_count = fields.IntField(default=0, db_default=0)  # unregistered but for ANOTHER_DATA_CENTER: item 3 fails
    unregistered_count = fields.IntField(default=0, db_default=0)
    not_seen_count = fields.IntField(default=0, db_default=0)

    class Meta:
        table = "inspection_reconciliation"


class Violation(TimestampedModel):
    """A requirement found not complied with, to be remedied by its deadline."""

    id = fields.IntField(primary_key=True)
    inspection: fields.ForeignKeyRelation[Inspection] = fields.ForeignKeyField(
        "models.Inspection", related_name="violations", on_delete=fields.CASCADE
    )
    item_code = fields.CharField(max_length=32)
    remedy_working_days = fields.IntField(null=True)  # set by an officer
    remedy_due_at = fields.DatetimeField(null=True, db_index=True)
    status = fields.CharEnumField(ViolationStatus, max_length=16, default=ViolationStatus.OPEN, db_index=True)
    due_notified = fields.BooleanField(default=False)
    overdue = fields.BooleanField(default=False)
    # Remedied (REMEDIED): the day it was remedied, by whose word, and the evidence if any.
    remedied_on = fields.DateField(null=True)
    remedied_late = fields.BooleanField(null=True)  # after its deadline's last working day (null: no deadline set)
    remedy_comment = fields.TextField(default="", db_default="")
    remedied_at = fields.DatetimeField(null=True)  # server time of the record
    remedied_by: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "models.User", related_name=False, null=True, on_delete=fields.RESTRICT
    )
    evidence_storage_key = fields.CharField(max_length=200, null=True)
    evidence_sha256 = fields.CharField(max_length=64, null=True)
    evidence_size = fields.IntField(null=True)
    evidence_content_type = fields.CharField(max_length=32, null=True)

    class Meta:
        table = "violation"


class InspectionPhoto(Model):
    """A photo attached to a checklist item as evidence: stored without its metadata (resolvers/
    storage.py, content-addressed), its GPS position and time taken kept here."""

    id = fields.IntField(primary_key=True)
    inspection: fields.ForeignKeyRelation[Inspection] = fields.ForeignKeyField(
        "models.Inspection", related_name="photos", on_delete=fields.CASCADE
    )
    item_code = fields.CharField(max_length=32)
    storage_key = fields.CharField(max_length=200)
    sha256 = fields.CharField(max_length=64)
    size = fields.IntField()
    content_type = fields.CharField(max_length=32)
    latitude = fields.FloatField(null=True)
    longitude = fields.FloatField(null=True)
    taken_at = fields.DatetimeField(null=True)  # EXIF DateTimeOriginal read as Almaty time
    observed_at = fields.DatetimeField()
    recorded_at = fields.DatetimeField()
    user: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name=False, on_delete=fields.RESTRICT
    )

    class Meta:
        table = "inspection_photo"
