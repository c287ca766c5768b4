from tortoise import fields, migrations
from tortoise.migrations import operations as ops


class Migration(migrations.Migration):
    dependencies = [('models', '0019_staff_email')]

    initial = False

    operations = [
        # The regions of the data centers an event concerns, for the partners' region filter on
        # `events` (query and subscription). Events written before it have none.
        ops.AddField(model_name='PartnerEvent', name='regions',
                     field=fields.CharField(default='', db_default='', max_length=400)),
    ]
