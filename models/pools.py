"""Accreditation of digital mining pools (004): what an accreditation (or re-issue) application
carries beside the engine's Application, and the accreditation certificates (App.3)."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from models.applications import Application
from models.parties import Pool
from models.timestamps import TimestampedModel
from rules.pools import CertificateStatus, CheckResult


class PoolApplication(Model):
    """004 App.1 and the data of the §4 conditions, one row per accreditation application."""

    id = fields.IntField(primary_key=True)
    application: fields.OneToOneRelation[Application] = fields.OneToOneField(
        "models.Application", related_name="pool_details", on_delete=fields.CASCADE
    )
    # [{"role", "in_kazakhstan", "settlement", "settlement_kind", "address", "providers": [str]}]
    server_complexes = fields.JSONField(default=list)
    infosec_act_number = fields.CharField(max_length=100, default="")
    infosec_act_date = fields.DateField(null=True)
    infosec_result = fields.CharEnumField(CheckResult, max_length=16, null=True)
    support_24_7 = fields.BooleanField(null=True)
    support_contacts = fields.CharField(max_length=500, default="")
    ui_languages = fields.JSONField(default=list)
    state_service_letter_number = fields.CharField(max_length=100, default="")
    state_service_letter_date = fields.DateField(null=True)
    state_service_result = fields.CharEnumField(CheckResult, max_length=16, null=True)
    confirm_documents_true = fields.BooleanField(default=False)
    confirm_personal_data = fields.BooleanField(default=False)
    # Re-issue (004 §12, App.2 item 8(3)): the certificate re-issued and why.
    reissue_of: fields.ForeignKeyNullableRelation[PoolCertificate] = fields.ForeignKeyField(
        "models.PoolCertificate", related_name=False, null=True, on_delete=fields.RESTRICT
    )
    reissue_reason = fields.TextField(default="")

    class Meta:
        table = "pool_application"


class PoolCertificate(TimestampedModel):
    """The accreditation certificate (004 App.3): valid one year from issue (§3)."""

    id = fields.IntField(primary_key=True)
    number = fields.CharField(max_length=32, unique=True)
    pool: fields.ForeignKeyRelation[Pool] = fields.ForeignKeyField(
        "models.Pool", related_name="certificates", on_delete=fields.RESTRICT
    )
    pool_name = fields.CharField(max_length=500)  # as at issue
    pool_bin = fields.CharField(max_length=12)
    server_locations = fields.TextField(default="")
    issued_on = fields.DateField()
    valid_until = fields.DateField(db_index=True)  # the last valid day
    ended_on = fields.DateField(null=True)  # replaced (or revoked) from this day
    status = fields.CharEnumField(CertificateStatus, max_length=16, default=CertificateStatus.ACTIVE, db_index=True)
    application: fields.ForeignKeyRelation[Application] = fields.ForeignKeyField(
        "models.Application", related_name=False, on_delete=fields.RESTRICT
    )
    replaces: fields.ForeignKeyNullableRelation[PoolCertificate] = fields.ForeignKeyField(
        "models.PoolCertificate", related_name=False, null=True, on_delete=fields.RESTRICT
    )

    class Meta:
        table = "pool_certificate"
