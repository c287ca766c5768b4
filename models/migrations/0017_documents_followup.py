from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields


class Migration(migrations.Migration):
    dependencies = [('models', '0016_inspections_followup')]

    initial = False

    operations = [
        # The hearing's time of day (Almaty), stated on the hearing notice with its day and place
        # (001 §10: "времени и месте (способе) проведения заслушивания"); null on hearings
        # scheduled before it existed (their place text carried the time). "HH:MM" text: a TIME
        # column does not bind on SQLite.
        ops.AddField(model_name='Application', name='hearing_time', field=fields.CharField(null=True, max_length=5)),
    ]
