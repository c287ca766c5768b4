"""The ASIC registry (002 / 000): registry records (App.1), their history, and what the
registry's applications carry (App.2 + App.3 lines, App.4 targets, App.9 new wording).

One serial IN_REGISTRY once: a partial unique index on `asic_unit (serial_key) WHERE status
= 'IN_REGISTRY'` (created in the migration: Tortoise has no partial indexes) makes the
database refuse a second live record of the same machine, whoever applies.
"""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from models.applications import Application
from models.parties import DataCenter, Miner
from models.timestamps import TimestampedModel
from rules.enums import Region
from rules.registry import ExclusionReason, UnitCondition, UnitEventAction, UnitStatus

ASIC_RECORD_COUNTER = "asic_record"


class RegistryCounter(Model):
    """Gap-free sequences: the row is locked (SELECT ... FOR UPDATE) in the approving
    transaction, so a rolled-back approval gives its numbers back."""

    name = fields.CharField(max_length=32, primary_key=True)
    value = fields.BigIntField(default=0)

    class Meta:
        table = "registry_counter"


class AsicUnit(TimestampedModel):
    """One registry record (App.1): one physical machine, with the miner's data as at the record."""

    id = fields.BigIntField(primary_key=True)
    record_number = fields.BigIntField(unique=True)  # App.1 col. 1, gap-free
    record_date = fields.DateField()  # col. 2
    miner: fields.ForeignKeyRelation[Miner] = fields.ForeignKeyField(
        "models.Miner", related_name="asic_units", on_delete=fields.RESTRICT
    )
    miner_name = fields.CharField(max_length=500)  # col. 3
    miner_bin_iin = fields.CharField(max_length=12)  # col. 4
    miner_legal_address = fields.CharField(max_length=1000)  # col. 5
    miner_phone = fields.CharField(max_length=32)  # col. 7
    miner_email = fields.CharField(max_length=254)  # col. 7
    data_center: fields.ForeignKeyRelation[DataCenter] = fields.ForeignKeyField(
        "models.DataCenter", related_name="asic_units", on_delete=fields.RESTRICT
    )
    data_center_location = fields.CharField(max_length=1000)  # col. 6
    region = fields.CharEnumField(Region, max_length=32, db_index=True)
    model = fields.CharField(max_length=255, db_index=True)  # col. 8
    serial = fields.CharField(max_length=255)  # col. 9, as written on the unit
    serial_key = fields.CharField(max_length=255, db_index=True)  # normalize_serial(serial)
    tnved_code = fields.CharField(max_length=10)  # col. 10
    hashrate_ths = fields.DecimalField(max_digits=12, decimal_places=3)  # col. 11
    power_kw = fields.DecimalField(max_digits=10, decimal_places=3)  # col. 12
    customs_declaration = fields.CharField(max_length=255, default="")  # col. 13
    customs_quantity = fields.IntField(default=0)  # col. 13: units under that declaration
    ownership_document = fields.CharField(max_length=500, default="")  # col. 14
    condition = fields.CharEnumField(UnitCondition, max_length=8)
    status = fields.CharEnumField(UnitStatus, max_length=16, default=UnitStatus.IN_REGISTRY, db_index=True)
    excluded_on = fields.DateField(null=True)  # col. 15
    exclusion_reason = fields.CharEnumField(ExclusionReason, max_length=32, null=True)
    inclusion_application: fields.ForeignKeyRelation[Application] = fields.ForeignKeyField(
        "models.Application", related_name="included_units", on_delete=fields.RESTRICT
    )
    exclusion_application: fields.ForeignKeyNullableRelation[Application] = fields.ForeignKeyField(
        "models.Application", related_name="excluded_units", null=True, on_delete=fields.RESTRICT
    )

    class Meta:
        table = "asic_unit"


class AsicUnitEvent(Model):
    """The history of a record: who did what, when and why (002 §4(2): actualisation)."""

    id = fields.BigIntField(primary_key=True)
    unit: fields.ForeignKeyRelation[AsicUnit] = fields.ForeignKeyField(
        "models.AsicUnit", related_name="events", on_delete=fields.RESTRICT
    )
    at = fields.DatetimeField()
    actor_id = fields.IntField(null=True)
    actor_label = fields.CharField(max_length=300)
    action = fields.CharEnumField(UnitEventAction, max_length=16)
    application: fields.ForeignKeyNullableRelation[Application] = fields.ForeignKeyField(
        "models.Application", related_name="unit_events", null=True, on_delete=fields.RESTRICT
    )
    changes = fields.JSONField(default=dict)  # {field: [old, new]}
    reason = fields.TextField(default="")

    class Meta:
        table = "asic_unit_event"


class RegistryApplication(Model):
    """What an inclusion (App.2), exclusion (App.4) or change (App.9) application carries."""

    id = fields.IntField(primary_key=True)
    application: fields.OneToOneRelation[Application] = fields.OneToOneField(
        "models.Application", related_name="registry_details", on_delete=fields.CASCADE
    )
    # Inclusion (App.2)
    data_center: fields.ForeignKeyNullableRelation[DataCenter] = fields.ForeignKeyField(
        "models.DataCenter", related_name="registry_applications", null=True, on_delete=fields.RESTRICT
    )
    declared_quantity = fields.IntField(null=True)  # App.2 item 6
    tnved_code = fields.CharField(max_length=10, default="")  # App.2 item 7
    ownership_document = fields.CharField(max_length=500, default="")  # App.2 item 9
    personal_data_consent = fields.BooleanField(default=False)  # App.2 item 8 / App.4
    contact_phone = fields.CharField(max_length=32, default="")
    contact_email = fields.CharField(max_length=254, default="")
    unit_list_file = fields.CharField(max_length=255, default="")
    unit_list_format = fields.CharField(max_length=8, default="")
    line_count = fields.IntField(default=0)
    total_hashrate_ths = fields.DecimalField(max_digits=16, decimal_places=3, default=0)
    total_power_kw = fields.DecimalField(max_digits=14, decimal_places=3, default=0)
    warnings = fields.JSONField(default=list)  # the unit list's warnings, for the officer
    # Exclusion (App.4 + App.5 item 8(2))
    exclusion_reason = fields.CharEnumField(ExclusionReason, max_length=32, null=True)
    reason_document = fields.CharField(max_length=500, default="")
    # Change (App.9, §15)
    change_date = fields.DateField(null=True)
    change_notice_due = fields.DateField(null=True)
    change_late = fields.BooleanField(default=False)
    change_reason = fields.TextField(default="")
    changes = fields.JSONField(default=dict)

    class Meta:
        table = "registry_application"


class RegistryApplicationLine(Model):
    """An App.3 line of an inclusion application, as validated at submission."""

    id = fields.BigIntField(primary_key=True)
    application: fields.ForeignKeyRelation[Application] = fields.ForeignKeyField(
        "models.Application", related_name="registry_lines", on_delete=fields.CASCADE
    )
    line = fields.IntField()  # the row number the applicant sees (file) or list position
    model = fields.CharField(max_length=255)
    serial = fields.CharField(max_length=255)
    serial_key = fields.CharField(max_length=255, db_index=True)
    tnved_code = fields.CharField(max_length=10)
    hashrate_ths = fields.DecimalField(max_digits=12, decimal_places=3)
    power_kw = fields.DecimalField(max_digits=10, decimal_places=3)
    customs_declaration = fields.CharField(max_length=255, default="")
    condition = fields.CharEnumField(UnitCondition, max_length=8)

    class Meta:
        table = "registry_application_line"
        unique_together = (("application", "serial_key"),)


class RegistryApplicationTarget(Model):
    """A registry record an exclusion or change application is about."""

    id = fields.BigIntField(primary_key=True)
    application: fields.ForeignKeyRelation[Application] = fields.ForeignKeyField(
        "models.Application", related_name="registry_targets", on_delete=fields.CASCADE
    )
    unit: fields.ForeignKeyRelation[AsicUnit] = fields.ForeignKeyField(
        "models.AsicUnit", related_name="application_targets", on_delete=fields.RESTRICT
    )

    class Meta:
        table = "registry_application_target"
        unique_together = (("application", "unit"),)
