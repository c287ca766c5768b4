from tortoise import fields, migrations
from tortoise.migrations import operations as ops


class Migration(migrations.Migration):
    dependencies = [('models', '0018_notifications_followup')]

    initial = False

    operations = [
        # A person's own e-mail address (setUserPreferences): the heads of the unit get their
        # escalations by e-mail too when SMTP is configured. Null: in-app notifications only.
        ops.AddField(model_name='User', name='email', field=fields.CharField(null=True, max_length=254)),
    ]
