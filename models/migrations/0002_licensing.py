from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from enum import Enum
from json import dumps, loads
from tortoise.fields.base import OnDelete
from tortoise import fields


# Enums as they were when this migration was written: a migration never imports live code.
class Channel(str, Enum):
    PORTAL = 'PORTAL'
    OFFICE = 'OFFICE'

class ElectricityPurchase(str, Enum):
    SINGLE_BUYER = 'SINGLE_BUYER'
    OFF_GRID_GENERATOR = 'OFF_GRID_GENERATOR'

class ComplaintStatus(str, Enum):
    REGISTERED = 'REGISTERED'
    GRANTED_BY_PROVIDER = 'GRANTED_BY_PROVIDER'
    FORWARDED = 'FORWARDED'
    UPHELD = 'UPHELD'
    PARTLY_UPHELD = 'PARTLY_UPHELD'
    REJECTED = 'REJECTED'

class LicenseStatus(str, Enum):
    ACTIVE = 'ACTIVE'
    SUSPENDED = 'SUSPENDED'
    REVOKED = 'REVOKED'
    REPLACED = 'REPLACED'

class LicenseStatusAction(str, Enum):
    SUSPEND = 'SUSPEND'
    RESUME = 'RESUME'
    REVOKE = 'REVOKE'

class ObligationKind(str, Enum):
    POOL_CHANGE = 'POOL_CHANGE'

class Action(str, Enum):
    REGISTER = 'REGISTER'
    ACCEPT_COMPLETE = 'ACCEPT_COMPLETE'
    REFUSE_INCOMPLETE = 'REFUSE_INCOMPLETE'
    PRELIMINARY_REFUSE = 'PRELIMINARY_REFUSE'
    SCHEDULE_HEARING = 'SCHEDULE_HEARING'
    APPROVE = 'APPROVE'
    REFUSE = 'REFUSE'
    WITHDRAW = 'WITHDRAW'

class ComplaintReviewer(str, Enum):
    PROVIDER = 'PROVIDER'
    QUALITY_AUTHORITY = 'QUALITY_AUTHORITY'

class LicenseSubtype(str, Enum):
    I = 'I'
    II = 'II'

class ProcedureCode(str, Enum):
    LICENSE_ISSUE = 'LICENSE_ISSUE'
    LICENSE_REISSUE = 'LICENSE_REISSUE'
    ASIC_INCLUSION = 'ASIC_INCLUSION'
    ASIC_EXCLUSION = 'ASIC_EXCLUSION'
    ASIC_CHANGE = 'ASIC_CHANGE'
    POOL_ACCREDITATION = 'POOL_ACCREDITATION'
    POOL_REISSUE = 'POOL_REISSUE'

class Stage(str, Enum):
    SUBMITTED = 'SUBMITTED'
    REGISTERED = 'REGISTERED'
    INCOMPLETE_REFUSED = 'INCOMPLETE_REFUSED'
    UNDER_REVIEW = 'UNDER_REVIEW'
    PRELIMINARY_REFUSAL = 'PRELIMINARY_REFUSAL'
    HEARING_SCHEDULED = 'HEARING_SCHEDULED'
    APPROVED = 'APPROVED'
    REFUSED = 'REFUSED'
    WITHDRAWN = 'WITHDRAWN'

class Migration(migrations.Migration):
    dependencies = [('models', '0001_foundation')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Application',
            fields=[
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('procedure', fields.CharEnumField(db_index=True, description='LICENSE_ISSUE: LICENSE_ISSUE\nLICENSE_REISSUE: LICENSE_REISSUE\nASIC_INCLUSION: ASIC_INCLUSION\nASIC_EXCLUSION: ASIC_EXCLUSION\nASIC_CHANGE: ASIC_CHANGE\nPOOL_ACCREDITATION: POOL_ACCREDITATION\nPOOL_REISSUE: POOL_REISSUE', enum_type=ProcedureCode, max_length=32)),
                ('stage', fields.CharEnumField(default=Stage.SUBMITTED, db_index=True, description='SUBMITTED: SUBMITTED\nREGISTERED: REGISTERED\nINCOMPLETE_REFUSED: INCOMPLETE_REFUSED\nUNDER_REVIEW: UNDER_REVIEW\nPRELIMINARY_REFUSAL: PRELIMINARY_REFUSAL\nHEARING_SCHEDULED: HEARING_SCHEDULED\nAPPROVED: APPROVED\nREFUSED: REFUSED\nWITHDRAWN: WITHDRAWN', enum_type=Stage, max_length=32)),
                ('channel', fields.CharEnumField(description='PORTAL: PORTAL\nOFFICE: OFFICE', enum_type=Channel, max_length=16)),
                ('miner', fields.ForeignKeyField('models.Miner', source_field='miner_id', null=True, db_constraint=True, to_field='id', related_name='applications', on_delete=OnDelete.RESTRICT)),
                ('pool', fields.ForeignKeyField('models.Pool', source_field='pool_id', null=True, db_constraint=True, to_field='id', related_name='applications', on_delete=OnDelete.RESTRICT)),
                ('received_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('registered_on', fields.DateField(null=True)),
                ('incoming_number', fields.CharField(null=True, unique=True, max_length=32)),
                ('completeness_due', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('decision_due', fields.DatetimeField(null=True, db_index=True, auto_now=False, auto_now_add=False)),
                ('hearing_notice_last_day', fields.DateField(null=True)),
                ('preliminary_grounds', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('preliminary_text', fields.TextField(null=True, unique=False)),
                ('hearing_notice_sent_on', fields.DateField(null=True)),
                ('hearing_on', fields.DateField(null=True)),
                ('hearing_place', fields.CharField(null=True, max_length=500)),
                ('refusal_grounds', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('refusal_text', fields.TextField(null=True, unique=False)),
                ('decided_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('overdue', fields.BooleanField(default=False, db_index=True)),
            ],
            options={'table': 'application', 'app': 'models', 'pk_attr': 'id'},
            bases=['TimestampedModel'],
        ),
        ops.CreateModel(
            name='ApplicationDocument',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('application', fields.ForeignKeyField('models.Application', source_field='application_id', db_constraint=True, to_field='id', related_name='documents', on_delete=OnDelete.CASCADE)),
                ('kind', fields.CharField(max_length=64)),
                ('title', fields.CharField(max_length=500)),
                ('number', fields.CharField(default='', max_length=100)),
                ('issued_on', fields.DateField(null=True)),
                ('valid_until', fields.DateField(null=True)),
            ],
            options={'table': 'application_document', 'app': 'models', 'pk_attr': 'id', 'table_description': 'A document attached to an application, typed by what it proves (e.g. 001 App.11).'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Complaint',
            fields=[
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('application', fields.ForeignKeyField('models.Application', source_field='application_id', db_constraint=True, to_field='id', related_name='complaints', on_delete=OnDelete.RESTRICT)),
                ('reviewer', fields.CharEnumField(description='PROVIDER: PROVIDER\nQUALITY_AUTHORITY: QUALITY_AUTHORITY', enum_type=ComplaintReviewer, max_length=32)),
                ('text', fields.TextField(unique=False)),
                ('status', fields.CharEnumField(default=ComplaintStatus.REGISTERED, description='REGISTERED: REGISTERED\nGRANTED_BY_PROVIDER: GRANTED_BY_PROVIDER\nFORWARDED: FORWARDED\nUPHELD: UPHELD\nPARTLY_UPHELD: PARTLY_UPHELD\nREJECTED: REJECTED', enum_type=ComplaintStatus, max_length=32)),
                ('received_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('registered_on', fields.DateField()),
                ('forward_due', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('review_due', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('forwarded_on', fields.DateField(null=True)),
                ('outcome_text', fields.TextField(null=True, unique=False)),
                ('decided_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('overdue', fields.BooleanField(default=False)),
            ],
            options={'table': 'complaint', 'app': 'models', 'pk_attr': 'id', 'table_description': 'A complaint against a decision (001 §19-23).'},
            bases=['TimestampedModel'],
        ),
        ops.CreateModel(
            name='License',
            fields=[
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('number', fields.CharField(unique=True, max_length=32)),
                ('holder', fields.ForeignKeyField('models.Miner', source_field='holder_id', db_constraint=True, to_field='id', related_name='licenses', on_delete=OnDelete.RESTRICT)),
                ('subtype', fields.CharEnumField(description='I: I\nII: II', enum_type=LicenseSubtype, max_length=4)),
                ('status', fields.CharEnumField(default=LicenseStatus.ACTIVE, description='ACTIVE: ACTIVE\nSUSPENDED: SUSPENDED\nREVOKED: REVOKED\nREPLACED: REPLACED', enum_type=LicenseStatus, max_length=16)),
                ('first_issued_on', fields.DateField()),
                ('issued_on', fields.DateField()),
                ('valid_until', fields.DateField()),
                ('place_of_issue', fields.CharField(max_length=200)),
                ('special_conditions', fields.TextField(default='', unique=False)),
                ('application', fields.ForeignKeyField('models.Application', source_field='application_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('replaces', fields.ForeignKeyField('models.License', source_field='replaces_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('replaced_by_id', fields.IntField(null=True)),
            ],
            options={'table': 'license', 'app': 'models', 'pk_attr': 'id'},
            bases=['TimestampedModel'],
        ),
        ops.CreateModel(
            name='LicenseAppendix',
            fields=[
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('license', fields.ForeignKeyField('models.License', source_field='license_id', db_constraint=True, to_field='id', related_name='appendices', on_delete=OnDelete.RESTRICT)),
                ('number', fields.CharField(unique=True, max_length=40)),
                ('subtype', fields.CharEnumField(description='I: I\nII: II', enum_type=LicenseSubtype, max_length=4)),
                ('data_center', fields.ForeignKeyField('models.DataCenter', source_field='data_center_id', null=True, db_constraint=True, to_field='id', related_name='license_appendices', on_delete=OnDelete.RESTRICT)),
                ('electricity_purchase', fields.CharEnumField(null=True, description='SINGLE_BUYER: SINGLE_BUYER\nOFF_GRID_GENERATOR: OFF_GRID_GENERATOR', enum_type=ElectricityPurchase, max_length=32)),
                ('special_conditions', fields.TextField(default='', unique=False)),
                ('status', fields.CharEnumField(default=LicenseStatus.ACTIVE, description='ACTIVE: ACTIVE\nSUSPENDED: SUSPENDED\nREVOKED: REVOKED\nREPLACED: REPLACED', enum_type=LicenseStatus, max_length=16)),
                ('issued_on', fields.DateField()),
                ('valid_until', fields.DateField()),
            ],
            options={'table': 'license_appendix', 'app': 'models', 'pk_attr': 'id'},
            bases=['TimestampedModel'],
        ),
        ops.CreateModel(
            name='LicenseApplication',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('application', fields.OneToOneField('models.Application', source_field='application_id', db_constraint=True, to_field='id', related_name='license_details', on_delete=OnDelete.CASCADE)),
                ('subtype', fields.CharEnumField(description='I: I\nII: II', enum_type=LicenseSubtype, max_length=4)),
                ('electricity_purchase', fields.CharEnumField(null=True, description='SINGLE_BUYER: SINGLE_BUYER\nOFF_GRID_GENERATOR: OFF_GRID_GENERATOR', enum_type=ElectricityPurchase, max_length=32)),
                ('data_centers', fields.ManyToManyField('models.DataCenter', unique=True, db_constraint=True, through='license_application_dc', forward_key='datacenter_id', backward_key='license_application_id', related_name='license_applications', on_delete=OnDelete.CASCADE)),
                ('confirm_official_contacts', fields.BooleanField(default=False)),
                ('confirm_no_court_ban', fields.BooleanField(default=False)),
                ('confirm_documents_true', fields.BooleanField(default=False)),
                ('confirm_personal_data', fields.BooleanField(default=False)),
                ('sheets', fields.IntField(default=0)),
                ('reissue_of', fields.ForeignKeyField('models.License', source_field='reissue_of_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('reissue_grounds', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('fee_mrp', fields.DecimalField(default=0, max_digits=12, decimal_places=2)),
                ('payment_reference', fields.CharField(null=True, max_length=100)),
                ('paid_on', fields.DateField(null=True)),
            ],
            options={'table': 'license_application', 'app': 'models', 'pk_attr': 'id', 'table_description': "What a licence (or re-issue) application asks for, beside the engine's Application."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='LicenseStatusEvent',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('license', fields.ForeignKeyField('models.License', source_field='license_id', db_constraint=True, to_field='id', related_name='status_events', on_delete=OnDelete.RESTRICT)),
                ('appendix', fields.ForeignKeyField('models.LicenseAppendix', source_field='appendix_id', null=True, db_constraint=True, to_field='id', related_name='status_events', on_delete=OnDelete.RESTRICT)),
                ('action', fields.CharEnumField(description='SUSPEND: SUSPEND\nRESUME: RESUME\nREVOKE: REVOKE', enum_type=LicenseStatusAction, max_length=16)),
                ('ground', fields.TextField(unique=False)),
                ('effective_on', fields.DateField()),
                ('until', fields.DateField(null=True)),
                ('actor_label', fields.CharField(max_length=300)),
                ('at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'license_status_event', 'app': 'models', 'pk_attr': 'id', 'table_description': 'Suspension, resumption and revocation of a licence or one appendix (001 §18-1).'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='MrpRate',
            fields=[
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('year', fields.IntField(unique=True)),
                ('tenge', fields.DecimalField(max_digits=12, decimal_places=2)),
            ],
            options={'table': 'mrp_rate', 'app': 'models', 'pk_attr': 'id', 'table_description': 'The monthly calculation index of a year in tenge (set yearly by the budget law).'},
            bases=['TimestampedModel'],
        ),
        ops.CreateModel(
            name='NotificationObligation',
            fields=[
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('miner', fields.ForeignKeyField('models.Miner', source_field='miner_id', db_constraint=True, to_field='id', related_name='obligations', on_delete=OnDelete.RESTRICT)),
                ('kind', fields.CharEnumField(description='POOL_CHANGE: POOL_CHANGE', enum_type=ObligationKind, max_length=32)),
                ('reason', fields.CharField(max_length=500)),
                ('pool', fields.ForeignKeyField('models.Pool', source_field='pool_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('occurred_on', fields.DateField()),
                ('due_at', fields.DatetimeField(db_index=True, auto_now=False, auto_now_add=False)),
                ('met_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('overdue', fields.BooleanField(default=False, db_index=True)),
                ('dedup_key', fields.CharField(unique=True, max_length=200)),
            ],
            options={'table': 'notification_obligation', 'app': 'models', 'pk_attr': 'id'},
            bases=['TimestampedModel'],
        ),
        ops.CreateModel(
            name='PoolMembership',
            fields=[
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('miner', fields.ForeignKeyField('models.Miner', source_field='miner_id', db_constraint=True, to_field='id', related_name='pool_memberships', on_delete=OnDelete.RESTRICT)),
                ('pool', fields.ForeignKeyField('models.Pool', source_field='pool_id', db_constraint=True, to_field='id', related_name='memberships', on_delete=OnDelete.RESTRICT)),
                ('since', fields.DateField()),
                ('until', fields.DateField(null=True)),
            ],
            options={'table': 'pool_membership', 'app': 'models', 'pk_attr': 'id', 'table_description': 'Through which accredited pool a miner mines, and since when (App.11 I(3), II(2)).'},
            bases=['TimestampedModel'],
        ),
        ops.CreateModel(
            name='StageEvent',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('application', fields.ForeignKeyField('models.Application', source_field='application_id', db_constraint=True, to_field='id', related_name='stage_events', on_delete=OnDelete.CASCADE)),
                ('at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('actor_id', fields.IntField(null=True)),
                ('actor_label', fields.CharField(max_length=300)),
                ('action', fields.CharEnumField(null=True, description='REGISTER: REGISTER\nACCEPT_COMPLETE: ACCEPT_COMPLETE\nREFUSE_INCOMPLETE: REFUSE_INCOMPLETE\nPRELIMINARY_REFUSE: PRELIMINARY_REFUSE\nSCHEDULE_HEARING: SCHEDULE_HEARING\nAPPROVE: APPROVE\nREFUSE: REFUSE\nWITHDRAW: WITHDRAW', enum_type=Action, max_length=32)),
                ('from_stage', fields.CharEnumField(null=True, description='SUBMITTED: SUBMITTED\nREGISTERED: REGISTERED\nINCOMPLETE_REFUSED: INCOMPLETE_REFUSED\nUNDER_REVIEW: UNDER_REVIEW\nPRELIMINARY_REFUSAL: PRELIMINARY_REFUSAL\nHEARING_SCHEDULED: HEARING_SCHEDULED\nAPPROVED: APPROVED\nREFUSED: REFUSED\nWITHDRAWN: WITHDRAWN', enum_type=Stage, max_length=32)),
                ('to_stage', fields.CharEnumField(description='SUBMITTED: SUBMITTED\nREGISTERED: REGISTERED\nINCOMPLETE_REFUSED: INCOMPLETE_REFUSED\nUNDER_REVIEW: UNDER_REVIEW\nPRELIMINARY_REFUSAL: PRELIMINARY_REFUSAL\nHEARING_SCHEDULED: HEARING_SCHEDULED\nAPPROVED: APPROVED\nREFUSED: REFUSED\nWITHDRAWN: WITHDRAWN', enum_type=Stage, max_length=32)),
                ('comment', fields.TextField(default='', unique=False)),
            ],
            options={'table': 'stage_event', 'app': 'models', 'pk_attr': 'id'},
            bases=['Model'],
        ),
    ]
