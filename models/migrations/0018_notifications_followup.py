from tortoise import migrations
from tortoise.migrations import operations as ops
from enum import Enum
from tortoise import fields
from tortoise.fields.base import OnDelete


# Frozen copy of the enum as it is at this migration (see 0002).
class BreachKind(str, Enum):
    APPLICATION = 'APPLICATION'
    COMPLAINT = 'COMPLAINT'
    OBLIGATION = 'OBLIGATION'


class Migration(migrations.Migration):
    dependencies = [('models', '0017_documents_followup')]

    initial = False

    operations = [
        # The circuit breaker of a webhook endpoint (rules/webhooks.Circuit).
        ops.AddField(model_name='WebhookEndpoint', name='consecutive_failures',
                     field=fields.IntField(default=0, db_default=0)),
        ops.AddField(model_name='WebhookEndpoint', name='circuit_open_until',
                     field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
        # The supervisors' queue (models/notifications.Escalation).
        ops.CreateModel(
            name='Escalation',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('kind', fields.CharEnumField(description='APPLICATION: APPLICATION\nCOMPLAINT: COMPLAINT\nOBLIGATION: OBLIGATION', enum_type=BreachKind, max_length=16)),
                ('dedup_key', fields.CharField(unique=True, max_length=200)),
                ('what', fields.TextField(unique=False)),
                ('entity_type', fields.CharField(max_length=64)),
                ('entity_id', fields.BigIntField()),
                ('due_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('raised_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('acknowledged_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('acknowledged_by', fields.ForeignKeyField('models.User', source_field='acknowledged_by_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL)),
                ('resolved_at', fields.DatetimeField(null=True, db_index=True, auto_now=False, auto_now_add=False)),
                ('resolved_by', fields.ForeignKeyField('models.User', source_field='resolved_by_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL)),
            ],
            options={'table': 'escalation', 'app': 'models', 'pk_attr': 'id', 'table_description': "A breached term (application, complaint, obligation) in the heads' supervisors' queue."},
            bases=['Model'],
        ),
        # The retention purge's mark (models/events.EventLogHorizon).
        ops.CreateModel(
            name='EventLogHorizon',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('purged_through', fields.BigIntField(default=0)),
                ('purged_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'event_log_horizon', 'app': 'models', 'pk_attr': 'id', 'table_description': 'How far the retention purge deleted the public event log (one row).'},
            bases=['Model'],
        ),
    ]
