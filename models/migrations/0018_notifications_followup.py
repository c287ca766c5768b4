from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields


class Migration(migrations.Migration):
    dependencies = [('models', '0015_events')]

    initial = False

    operations = [
        # The circuit breaker of a webhook endpoint (rules/webhooks.Circuit).
        ops.AddField(model_name='WebhookEndpoint', name='consecutive_failures', field=fields.IntField(default=0)),
        ops.AddField(model_name='WebhookEndpoint', name='circuit_open_until',
                     field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
    ]
