from tortoise import migrations
from tortoise.migrations import operations as ops
from enum import Enum
from tortoise import fields
from tortoise.fields.base import OnDelete
import functools
from json import dumps, loads


# Frozen copy of the enum as it is at this migration (see 0002).
class PartnerKind(str, Enum):
    GRID_OPERATOR = 'GRID_OPERATOR'
    TAX_AUTHORITY = 'TAX_AUTHORITY'
    POOL = 'POOL'


class DeliveryStatus(str, Enum):
    PENDING = 'PENDING'
    DELIVERED = 'DELIVERED'
    DEAD = 'DEAD'


class NotificationKind(str, Enum):
    POOL_CHANGE_OPENED = 'POOL_CHANGE_OPENED'
    POOL_CHANGE_DUE_TOMORROW = 'POOL_CHANGE_DUE_TOMORROW'
    POOL_CHANGE_OVERDUE = 'POOL_CHANGE_OVERDUE'
    HEARING_SCHEDULED = 'HEARING_SCHEDULED'
    DECISION = 'DECISION'
    ESCALATION = 'ESCALATION'


class Migration(migrations.Migration):
    dependencies = [('models', '0014_documents')]

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
        # Partners' webhook endpoints and the deliveries to them (models/events.py).
        ops.CreateModel(
            name='WebhookEndpoint',
            fields=[
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('owner', fields.ForeignKeyField('models.User', source_field='owner_id', db_constraint=True, to_field='id', related_name='webhook_endpoints', on_delete=OnDelete.CASCADE)),
                ('url', fields.CharField(max_length=2000)),
                ('event_types', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('secret', fields.CharField(max_length=100)),
                ('active', fields.BooleanField(default=True)),
                ('cursor', fields.BigIntField(default=0)),
            ],
            options={'table': 'webhook_endpoint', 'app': 'models', 'pk_attr': 'id', 'table_description': "A partner's webhook endpoint: where its granted events are delivered, signed."},
            bases=['TimestampedModel'],
        ),
        ops.CreateModel(
            name='WebhookDelivery',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('endpoint', fields.ForeignKeyField('models.WebhookEndpoint', source_field='endpoint_id', db_constraint=True, to_field='id', related_name='deliveries', on_delete=OnDelete.CASCADE)),
                ('event', fields.ForeignKeyField('models.PartnerEvent', source_field='event_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('status', fields.CharEnumField(default=DeliveryStatus.PENDING, description='PENDING: PENDING\nDELIVERED: DELIVERED\nDEAD: DEAD', enum_type=DeliveryStatus, max_length=16)),
                ('attempts', fields.IntField(default=0)),
                ('next_attempt_at', fields.DatetimeField(null=True, db_index=True, auto_now=False, auto_now_add=False)),
                ('last_status_code', fields.IntField(null=True)),
                ('last_error', fields.TextField(null=True, unique=False)),
                ('delivered_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'webhook_delivery', 'app': 'models', 'pk_attr': 'id', 'unique_together': (('endpoint', 'event'),), 'table_description': "One event's delivery to one webhook endpoint, with its retries."},
            bases=['Model'],
        ),
        # Notifications to people: the recipient's language, the head of the unit, the messages.
        ops.AddField(model_name='User', name='language', field=fields.CharField(default='ru', db_default='ru', max_length=2)),
        ops.AddField(model_name='User', name='is_head', field=fields.BooleanField(default=False, db_default=False)),
        ops.CreateModel(
            name='Notification',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('recipient', fields.ForeignKeyField('models.User', source_field='recipient_id', db_constraint=True, to_field='id', related_name='notifications', on_delete=OnDelete.CASCADE)),
                ('kind', fields.CharEnumField(description='', enum_type=NotificationKind, max_length=32)),
                ('dedup_key', fields.CharField(unique=True, max_length=200)),
                ('language', fields.CharField(max_length=2)),
                ('subject', fields.CharField(max_length=300)),
                ('body', fields.TextField(unique=False)),
                ('entity_type', fields.CharField(max_length=64)),
                ('entity_id', fields.BigIntField()),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('read_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('emailed_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'notification', 'app': 'models', 'pk_attr': 'id', 'table_description': 'An alert to one person: in-app, and by e-mail when SMTP is configured.'},
            bases=['Model'],
        ),
    ]
