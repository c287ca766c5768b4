"""Licensing of digital mining (001): licence applications, licences and their appendices,
their life (suspension, resumption, revocation), fees, pool memberships with the 2-day change
obligation, and complaints."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from models.applications import Application
from models.parties import DataCenter, Miner, Pool
from models.timestamps import TimestampedModel
from rules.enums import (
    ComplaintStatus,
    ComplaintSubject,
    ElectricityPurchase,
    LicenseStatus,
    LicenseStatusAction,
    ObligationKind,
)
from rules.reissue import ReissueScope
from rules.workflow import ComplaintReviewer, LicenseSubtype


class IssuedBy:
    """Who issued a licence document (001 App.4-7 "Услугодатель", "Руководитель (уполномоченное
    лицо)"), as at its issue: later changes of the authority's head do not rewrite it."""

    licensor_ru = fields.CharField(max_length=300, default="")
    licensor_kk = fields.CharField(max_length=300, default="")
    signer_position = fields.CharField(max_length=300, default="")
    signer_name = fields.CharField(max_length=300, default="")


class LicenseApplication(Model):
    """What a licence (or re-issue) application asks for, beside the engine's Application."""

    # Own integer key: Tortoise 1.1 cannot build a many-to-many table on a one-to-one key.
    id = fields.IntField(primary_key=True)
    application: fields.OneToOneRelation[Application] = fields.OneToOneField(
        "models.Application", related_name="license_details", on_delete=fields.CASCADE
    )
    subtype = fields.CharEnumField(LicenseSubtype, max_length=4)
    electricity_purchase = fields.CharEnumField(ElectricityPurchase, max_length=32, null=True)
    # Subtype I: the applicant's own data centers; subtype II: the host's data center.
    data_centers: fields.ManyToManyRelation[DataCenter] = fields.ManyToManyField(
        "models.DataCenter", related_name="license_applications", through="license_application_dc"
    )
    confirm_official_contacts = fields.BooleanField(default=False)
    confirm_no_court_ban = fields.BooleanField(default=False)
    confirm_documents_true = fields.BooleanField(default=False)
    confirm_personal_data = fields.BooleanField(default=False)
    sheets = fields.IntField(default=0)  # number of attached sheets (App.1 / App.2)
    # Re-issue (App.9 / App.10)
    reissue_of: fields.ForeignKeyNullableRelation[License] = fields.ForeignKeyField(
        "models.License", related_name=False, null=True, on_delete=fields.RESTRICT
    )
    reissue_grounds = fields.JSONField(default=list)
    # The licence with its appendices, or one appendix alone ("нужное подчеркнуть"); null for issue.
    reissue_scope = fields.CharEnumField(ReissueScope, max_length=16, null=True)
    # The appendix the change concerns (a new data center / electricity method), or re-issued alone.
    reissue_appendix: fields.ForeignKeyNullableRelation[LicenseAppendix] = fields.ForeignKeyField(
        "models.LicenseAppendix", related_name=False, null=True, on_delete=fields.RESTRICT
    )
    # Fee (001 App.3 item 7) and its payment (App.3 item 9.3)
    fee_mrp = fields.DecimalField(max_digits=12, decimal_places=2, default=0)
    payment_reference = fields.CharField(max_length=100, null=True)
    paid_on = fields.DateField(null=True)
    paid_amount = fields.DecimalField(max_digits=14, decimal_places=2, null=True)  # tenge

    class Meta:
        table = "license_application"


class License(TimestampedModel, IssuedBy):
    id = fields.IntField(primary_key=True)
    number = fields.CharField(max_length=32, unique=True)
    holder: fields.ForeignKeyRelation[Miner] = fields.ForeignKeyField(
        "models.Miner", related_name="licenses", on_delete=fields.RESTRICT
    )
    subtype = fields.CharEnumField(LicenseSubtype, max_length=4)
    status = fields.CharEnumField(LicenseStatus, max_length=16, default=LicenseStatus.ACTIVE)
    first_issued_on = fields.DateField()  # kept across re-issues (App.4 "date of first issue")
    issued_on = fields.DateField()
    valid_until = fields.DateField()
    place_of_issue = fields.CharField(max_length=200)
    special_conditions = fields.TextField(default="")
    application: fields.ForeignKeyRelation[Application] = fields.ForeignKeyField(
        "models.Application", related_name=False, on_delete=fields.RESTRICT
    )
    # A re-issued licence replaces the previous one, which stays for history.
    replaces: fields.ForeignKeyNullableRelation[License] = fields.ForeignKeyField(
        "models.License", related_name=False, null=True, on_delete=fields.RESTRICT
    )
    replaced_by_id = fields.IntField(null=True)

    class Meta:
        table = "license"


class LicenseAppendix(TimestampedModel, IssuedBy):
    id = fields.IntField(primary_key=True)
    license: fields.ForeignKeyRelation[License] = fields.ForeignKeyField(
        "models.License", related_name="appendices", on_delete=fields.RESTRICT
    )
    number = fields.CharField(max_length=40, unique=True)
    subtype = fields.CharEnumField(LicenseSubtype, max_length=4)
    data_center: fields.ForeignKeyNullableRelation[DataCenter] = fields.ForeignKeyField(
        "models.DataCenter", related_name="license_appendices", null=True, on_delete=fields.RESTRICT
    )
    electricity_purchase = fields.CharEnumField(ElectricityPurchase, max_length=32, null=True)
    special_conditions = fields.TextField(default="")
    status = fields.CharEnumField(LicenseStatus, max_length=16, default=LicenseStatus.ACTIVE)
    issued_on = fields.DateField()
    valid_until = fields.DateField()

    class Meta:
        table = "license_appendix"



class LicenseStatusEvent(Model):
    """Suspension, resumption and revocation of a licence or one appendix (001 §18-1)."""

    id = fields.IntField(primary_key=True)
    license: fields.ForeignKeyRelation[License] = fields.ForeignKeyField(
        "models.License", related_name="status_events", on_delete=fields.RESTRICT
    )
    appendix: fields.ForeignKeyNullableRelation[LicenseAppendix] = fields.ForeignKeyField(
        "models.LicenseAppendix", related_name="status_events", null=True, on_delete=fields.RESTRICT
    )
    action = fields.CharEnumField(LicenseStatusAction, max_length=16)
    ground = fields.TextField()
    effective_on = fields.DateField()
    until = fields.DateField(null=True)  # end of a suspension
    actor_label = fields.CharField(max_length=300)
    at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "license_status_event"


class MrpRate(TimestampedModel):
    """The monthly calculation index of a year in tenge (set yearly by the budget law)."""

    id = fields.IntField(primary_key=True)
    year = fields.IntField(unique=True)
    tenge = fields.DecimalField(max_digits=12, decimal_places=2)

    class Meta:
        table = "mrp_rate"


class PoolMembership(TimestampedModel):
    """Through which accredited pool a miner mines, and since when (App.11 I(3), II(2))."""

    id = fields.IntField(primary_key=True)
    miner: fields.ForeignKeyRelation[Miner] = fields.ForeignKeyField(
        "models.Miner", related_name="pool_memberships", on_delete=fields.RESTRICT
    )
    pool: fields.ForeignKeyRelation[Pool] = fields.ForeignKeyField(
        "models.Pool", related_name="memberships", on_delete=fields.RESTRICT
    )
    since = fields.DateField()
    until = fields.DateField(null=True)

    class Meta:
        table = "pool_membership"



class NotificationObligation(TimestampedModel):
    id = fields.IntField(primary_key=True)
    miner: fields.ForeignKeyRelation[Miner] = fields.ForeignKeyField(
        "models.Miner", related_name="obligations", on_delete=fields.RESTRICT
    )
    kind = fields.CharEnumField(ObligationKind, max_length=32)
    reason = fields.CharField(max_length=500)
    pool: fields.ForeignKeyNullableRelation[Pool] = fields.ForeignKeyField(
        "models.Pool", related_name=False, null=True, on_delete=fields.RESTRICT
    )
    occurred_on = fields.DateField()  # when the change became known
    due_at = fields.DatetimeField(db_index=True)
    met_at = fields.DatetimeField(null=True)
    notice_text = fields.TextField(null=True)  # what the miner told the authority
    overdue = fields.BooleanField(default=False, db_index=True)
    # One obligation per triggering fact, however often the trigger is replayed.
    dedup_key = fields.CharField(max_length=200, unique=True)

    class Meta:
        table = "notification_obligation"



class Complaint(TimestampedModel):
    """A complaint about a decision, an action or the inaction of the provider (001 §19-23)."""

    id = fields.IntField(primary_key=True)
    application: fields.ForeignKeyRelation[Application] = fields.ForeignKeyField(
        "models.Application", related_name="complaints", on_delete=fields.RESTRICT
    )
    reviewer = fields.CharEnumField(ComplaintReviewer, max_length=32)
    subject = fields.CharEnumField(ComplaintSubject, max_length=16, default=ComplaintSubject.DECISION)
    text = fields.TextField()
    status = fields.CharEnumField(ComplaintStatus, max_length=32, default=ComplaintStatus.REGISTERED)
    received_at = fields.DatetimeField()
    registered_on = fields.DateField()
    forward_due = fields.DatetimeField(null=True)
    review_due = fields.DatetimeField()
    forwarded_on = fields.DateField(null=True)
    outcome_text = fields.TextField(null=True)
    decided_at = fields.DatetimeField(null=True)
    overdue = fields.BooleanField(default=False)

    class Meta:
        table = "complaint"
