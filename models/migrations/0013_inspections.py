from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from enum import Enum
from json import dumps, loads
from tortoise.fields.base import OnDelete
from tortoise import fields


# Enums as they were when this migration was written: a migration never imports live code.
class SubjectKind(str, Enum):
    MINER = 'MINER'
    POOL = 'POOL'


class InspectionKind(str, Enum):
    SCHEDULED = 'SCHEDULED'
    UNSCHEDULED = 'UNSCHEDULED'


class InspectionStatus(str, Enum):
    APPOINTED = 'APPOINTED'
    IN_PROGRESS = 'IN_PROGRESS'
    COMPLETED = 'COMPLETED'


class Finding(str, Enum):
    COMPLIES = 'COMPLIES'
    DOES_NOT_COMPLY = 'DOES_NOT_COMPLY'
    NOT_APPLICABLE = 'NOT_APPLICABLE'
    NOT_KNOWN = 'NOT_KNOWN'


class ViolationStatus(str, Enum):
    OPEN = 'OPEN'
    REMEDIED = 'REMEDIED'


class LegalOrder(str, Enum):
    ORDER_169 = 'ORDER_169'
    ORDER_95 = 'ORDER_95'
    ORDER_331 = 'ORDER_331'
    ORDER_404 = 'ORDER_404'
    ORDER_662 = 'ORDER_662'
    ORDER_373 = 'ORDER_373'


class Migration(migrations.Migration):
    dependencies = [('models', '0012_income_reports')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Inspection',
            fields=[
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('act_number', fields.CharField(max_length=100)),
                ('act_date', fields.DateField()),
                ('kind', fields.CharEnumField(description='SCHEDULED: SCHEDULED\nUNSCHEDULED: UNSCHEDULED', enum_type=InspectionKind, max_length=16)),
                ('subject_kind', fields.CharEnumField(description='MINER: MINER\nPOOL: POOL', enum_type=SubjectKind, max_length=8)),
                ('miner', fields.ForeignKeyField('models.Miner', source_field='miner_id', null=True, db_constraint=True, to_field='id', related_name='inspections', on_delete=OnDelete.RESTRICT)),
                ('pool', fields.ForeignKeyField('models.Pool', source_field='pool_id', null=True, db_constraint=True, to_field='id', related_name='inspections', on_delete=OnDelete.RESTRICT)),
                ('planned_from', fields.DateField()),
                ('planned_to', fields.DateField()),
                ('status', fields.CharEnumField(default=InspectionStatus.APPOINTED, db_index=True, description='APPOINTED: APPOINTED\nIN_PROGRESS: IN_PROGRESS\nCOMPLETED: COMPLETED', enum_type=InspectionStatus, max_length=16)),
                ('appointed_by', fields.ForeignKeyField('models.User', source_field='appointed_by_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('opened_on', fields.DateField(null=True)),
                ('completed_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('completed_observed_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('representative_position', fields.CharField(default='', max_length=500)),
                ('representative_name', fields.CharField(default='', max_length=500)),
                ('officials', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
            ],
            options={'table': 'inspection', 'app': 'models', 'pk_attr': 'id', 'table_description': "An inspection appointed by an act (number, date) against a miner or a pool [003 forms' head]."},
            bases=['TimestampedModel'],
        ),
        ops.CreateModel(
            name='InspectionDataCenter',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('inspection', fields.ForeignKeyField('models.Inspection', source_field='inspection_id', db_constraint=True, to_field='id', related_name='data_center_links', on_delete=OnDelete.CASCADE)),
                ('data_center', fields.ForeignKeyField('models.DataCenter', source_field='data_center_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.RESTRICT)),
            ],
            options={'table': 'inspection_data_center', 'app': 'models', 'unique_together': (('inspection', 'data_center'),), 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='InspectionInspector',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('inspection', fields.ForeignKeyField('models.Inspection', source_field='inspection_id', db_constraint=True, to_field='id', related_name='inspector_links', on_delete=OnDelete.CASCADE)),
                ('user', fields.ForeignKeyField('models.User', source_field='user_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.RESTRICT)),
            ],
            options={'table': 'inspection_inspector', 'app': 'models', 'unique_together': (('inspection', 'user'),), 'pk_attr': 'id', 'table_description': 'An inspector assigned to an inspection: the only inspectors who see it.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='InspectionItem',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('inspection', fields.ForeignKeyField('models.Inspection', source_field='inspection_id', db_constraint=True, to_field='id', related_name='items', on_delete=OnDelete.CASCADE)),
                ('code', fields.CharField(max_length=32)),
                ('number', fields.IntField()),
                ('system_finding', fields.CharEnumField(description='COMPLIES: COMPLIES\nDOES_NOT_COMPLY: DOES_NOT_COMPLY\nNOT_APPLICABLE: NOT_APPLICABLE\nNOT_KNOWN: NOT_KNOWN', enum_type=Finding, max_length=16)),
                ('system_reason', fields.TextField(default='', unique=False)),
                ('evidence', fields.JSONField(default=dict, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('inspector_finding', fields.CharEnumField(null=True, description='COMPLIES: COMPLIES\nDOES_NOT_COMPLY: DOES_NOT_COMPLY\nNOT_APPLICABLE: NOT_APPLICABLE\nNOT_KNOWN: NOT_KNOWN', enum_type=Finding, max_length=16)),
                ('comment', fields.TextField(default='', unique=False)),
                ('observed_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('recorded_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('recorded_by', fields.ForeignKeyField('models.User', source_field='recorded_by_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.RESTRICT)),
            ],
            options={'table': 'inspection_item', 'app': 'models', 'unique_together': (('inspection', 'code'),), 'pk_attr': 'id', 'table_description': "One checklist requirement of an inspection: the system's finding and the inspector's"},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='InspectionItemEntry',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('item', fields.ForeignKeyField('models.InspectionItem', source_field='item_id', db_constraint=True, to_field='id', related_name='entries', on_delete=OnDelete.CASCADE)),
                ('finding', fields.CharEnumField(description='COMPLIES: COMPLIES\nDOES_NOT_COMPLY: DOES_NOT_COMPLY\nNOT_APPLICABLE: NOT_APPLICABLE\nNOT_KNOWN: NOT_KNOWN', enum_type=Finding, max_length=16)),
                ('comment', fields.TextField(default='', unique=False)),
                ('observed_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('recorded_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('user', fields.ForeignKeyField('models.User', source_field='user_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.RESTRICT)),
            ],
            options={'table': 'inspection_item_entry', 'app': 'models', 'pk_attr': 'id', 'table_description': 'Every submission on an item, from any device, kept as sent.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='InspectionReconciliation',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('inspection', fields.ForeignKeyField('models.Inspection', source_field='inspection_id', db_constraint=True, to_field='id', related_name='reconciliations', on_delete=OnDelete.CASCADE)),
                ('data_center', fields.ForeignKeyField('models.DataCenter', source_field='data_center_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('observed_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('recorded_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('seen_count', fields.IntField()),
                ('matched', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('unregistered', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('not_seen', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
            ],
            options={'table': 'inspection_reconciliation', 'app': 'models', 'pk_attr': 'id', 'table_description': 'The serial numbers seen on site in one data center, against the registry.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Violation',
            fields=[
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('inspection', fields.ForeignKeyField('models.Inspection', source_field='inspection_id', db_constraint=True, to_field='id', related_name='violations', on_delete=OnDelete.CASCADE)),
                ('item_code', fields.CharField(max_length=32)),
                ('remedy_working_days', fields.IntField(null=True)),
                ('remedy_due_at', fields.DatetimeField(null=True, db_index=True, auto_now=False, auto_now_add=False)),
                ('status', fields.CharEnumField(default=ViolationStatus.OPEN, db_index=True, description='OPEN: OPEN\nREMEDIED: REMEDIED', enum_type=ViolationStatus, max_length=16)),
                ('due_notified', fields.BooleanField(default=False)),
                ('overdue', fields.BooleanField(default=False)),
            ],
            options={'table': 'violation', 'app': 'models', 'pk_attr': 'id', 'table_description': 'A requirement found not complied with, to be remedied by its deadline.'},
            bases=['TimestampedModel'],
        ),
        ops.CreateModel(
            name='InspectionPhoto',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('inspection', fields.ForeignKeyField('models.Inspection', source_field='inspection_id', db_constraint=True, to_field='id', related_name='photos', on_delete=OnDelete.CASCADE)),
                ('item_code', fields.CharField(max_length=32)),
                ('storage_key', fields.CharField(max_length=200)),
                ('sha256', fields.CharField(max_length=64)),
                ('size', fields.IntField()),
                ('content_type', fields.CharField(max_length=32)),
                ('latitude', fields.FloatField(null=True)),
                ('longitude', fields.FloatField(null=True)),
                ('taken_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('observed_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('recorded_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('user', fields.ForeignKeyField('models.User', source_field='user_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.RESTRICT)),
            ],
            options={'table': 'inspection_photo', 'app': 'models', 'pk_attr': 'id', 'table_description': 'A photo attached to a checklist item as evidence: stored without its metadata (resolvers/\nstorage.py, content-addressed), its GPS position and time taken kept here.'},
            bases=['Model'],
        ),
        ops.AlterField(
            model_name='OrderPublication',
            name='legal_order',
            field=fields.CharEnumField(unique=True, description='ORDER_169: ORDER_169\nORDER_95: ORDER_95\nORDER_331: ORDER_331\nORDER_404: ORDER_404\nORDER_662: ORDER_662\nORDER_373: ORDER_373', enum_type=LegalOrder, max_length=16),
        ),
    ]
