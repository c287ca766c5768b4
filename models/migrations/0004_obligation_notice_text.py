from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0003_registry')]

    initial = False

    operations = [
        ops.AddField(
            model_name='NotificationObligation',
            name='notice_text',
            field=fields.TextField(null=True, unique=False),
        ),
    ]
