from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from enum import Enum
from json import dumps, loads
from tortoise import fields


# Enums as they were when this migration was written: a migration never imports live code.
class HearingOutcome(str, Enum):
    HELD = 'HELD'
    APPLICANT_ABSENT = 'APPLICANT_ABSENT'
    OBJECTIONS_RECEIVED = 'OBJECTIONS_RECEIVED'


class Migration(migrations.Migration):
    dependencies = [('models', '0005_api_contract')]

    initial = False

    operations = [
        ops.AddField(
            model_name='Application',
            name='hearing_outcome',
            field=fields.CharEnumField(null=True, description='HELD: HELD\nAPPLICANT_ABSENT: APPLICANT_ABSENT\nOBJECTIONS_RECEIVED: OBJECTIONS_RECEIVED', enum_type=HearingOutcome, max_length=32),
        ),
        ops.AddField(
            model_name='Application',
            name='further_review_reasons',
            field=fields.JSONField(default=list, db_default='[]', encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads),
        ),
        ops.AddField(
            model_name='Application',
            name='further_review_problems',
            field=fields.JSONField(default=list, db_default='[]', encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads),
        ),
        ops.AddField(
            model_name='LicenseApplication',
            name='paid_amount',
            field=fields.DecimalField(null=True, max_digits=14, decimal_places=2),
        ),
    ]
