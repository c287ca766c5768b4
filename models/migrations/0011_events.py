from tortoise import migrations
from tortoise.migrations import operations as ops
from enum import Enum
from tortoise import fields
import functools
from json import dumps, loads


# Frozen copy of the enum as it is at this migration (see 0002).
class PartnerKind(str, Enum):
    GRID_OPERATOR = 'GRID_OPERATOR'
    TAX_AUTHORITY = 'TAX_AUTHORITY'
    POOL = 'POOL'


class Migration(migrations.Migration):
    dependencies = [('models', '0010_legal_terms')]

    initial = False

    operations = [
        # A partner account's kind: which event types it is granted (rules/access.EVENT_GRANTS).
        ops.AddField(
            model_name='User',
            name='partner_kind',
            field=fields.CharEnumField(null=True, description='GRID_OPERATOR: GRID_OPERATOR\nTAX_AUTHORITY: TAX_AUTHORITY\nPOOL: POOL', enum_type=PartnerKind, max_length=16),
        ),
        # The public event log (models/events.py): id is the partners' cursor.
        ops.CreateModel(
            name='PartnerEvent',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('type', fields.CharField(db_index=True, max_length=64)),
                ('schema_version', fields.SmallIntField()),
                ('occurred_at', fields.DatetimeField(db_index=True, auto_now=False, auto_now_add=False)),
                ('entity_type', fields.CharField(max_length=64)),
                ('entity_id', fields.BigIntField()),
                ('miner_id', fields.IntField(null=True)),
                ('pool_id', fields.IntField(null=True, db_index=True)),
                ('data', fields.JSONField(encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('outbox_id', fields.BigIntField(unique=True)),
            ],
            options={'table': 'partner_event', 'app': 'models', 'pk_attr': 'id', 'table_description': 'The public event log partners read (rules/events.py), one row per public event.'},
            bases=['Model'],
        ),
    ]
