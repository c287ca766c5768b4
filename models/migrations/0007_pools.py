from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from enum import Enum
from json import dumps, loads
from tortoise.fields.base import OnDelete
from tortoise import fields


# Enums as they were when this migration was written: a migration never imports live code.
class CertificateStatus(str, Enum):
    ACTIVE = 'ACTIVE'
    REPLACED = 'REPLACED'
    EXPIRED = 'EXPIRED'


class CheckResult(str, Enum):
    POSITIVE = 'POSITIVE'
    NEGATIVE = 'NEGATIVE'


class Migration(migrations.Migration):
    dependencies = [('models', '0006_legal_fidelity')]

    initial = False

    operations = [
        ops.CreateModel(
            name='PoolCertificate',
            fields=[
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('number', fields.CharField(unique=True, max_length=32)),
                ('pool', fields.ForeignKeyField('models.Pool', source_field='pool_id', db_constraint=True, to_field='id', related_name='certificates', on_delete=OnDelete.RESTRICT)),
                ('pool_name', fields.CharField(max_length=500)),
                ('pool_bin', fields.CharField(max_length=12)),
                ('server_locations', fields.TextField(default='', unique=False)),
                ('issued_on', fields.DateField()),
                ('valid_until', fields.DateField(db_index=True)),
                ('ended_on', fields.DateField(null=True)),
                ('status', fields.CharEnumField(default=CertificateStatus.ACTIVE, db_index=True, description='ACTIVE: ACTIVE\nREPLACED: REPLACED\nEXPIRED: EXPIRED', enum_type=CertificateStatus, max_length=16)),
                ('application', fields.ForeignKeyField('models.Application', source_field='application_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('replaces', fields.ForeignKeyField('models.PoolCertificate', source_field='replaces_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.RESTRICT)),
            ],
            options={'table': 'pool_certificate', 'app': 'models', 'pk_attr': 'id', 'table_description': 'The accreditation certificate (004 App.3): valid one year from issue (§3).'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='PoolApplication',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('application', fields.OneToOneField('models.Application', source_field='application_id', db_constraint=True, to_field='id', related_name='pool_details', on_delete=OnDelete.CASCADE)),
                ('server_complexes', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('infosec_act_number', fields.CharField(default='', max_length=100)),
                ('infosec_act_date', fields.DateField(null=True)),
                ('infosec_result', fields.CharEnumField(null=True, description='POSITIVE: POSITIVE\nNEGATIVE: NEGATIVE', enum_type=CheckResult, max_length=16)),
                ('support_24_7', fields.BooleanField(null=True)),
                ('support_contacts', fields.CharField(default='', max_length=500)),
                ('ui_languages', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('state_service_letter_number', fields.CharField(default='', max_length=100)),
                ('state_service_letter_date', fields.DateField(null=True)),
                ('state_service_result', fields.CharEnumField(null=True, description='POSITIVE: POSITIVE\nNEGATIVE: NEGATIVE', enum_type=CheckResult, max_length=16)),
                ('confirm_documents_true', fields.BooleanField(default=False)),
                ('confirm_personal_data', fields.BooleanField(default=False)),
                ('reissue_of', fields.ForeignKeyField('models.PoolCertificate', source_field='reissue_of_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('reissue_reason', fields.TextField(default='', unique=False)),
            ],
            options={'table': 'pool_application', 'app': 'models', 'pk_attr': 'id', 'table_description': '004 App.1 and the data of the §4 conditions, one row per accreditation application.'},
            bases=['Model'],
        ),
    ]
