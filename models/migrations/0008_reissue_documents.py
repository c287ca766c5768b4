from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields
from rules.reissue import ReissueScope

_ISSUED_BY = ('licensor_ru', 'licensor_kk', 'signer_position', 'signer_name')


class Migration(migrations.Migration):
    dependencies = [('models', '0007_pools')]

    initial = False

    operations = [
        # Re-issue of the licence or of one appendix, with the appendix the change concerns.
        ops.AddField(
            model_name='LicenseApplication',
            name='reissue_scope',
            field=fields.CharEnumField(null=True, description='LICENSE: LICENSE\nAPPENDIX: APPENDIX', enum_type=ReissueScope, max_length=16),
        ),
        ops.AddField(
            model_name='LicenseApplication',
            name='reissue_appendix',
            field=fields.ForeignKeyField('models.LicenseAppendix', source_field='reissue_appendix_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.RESTRICT),
        ),
        # Who issued each licence document (001 App.4-7), frozen at issue.
        *(
            ops.AddField(model_name=model, name=name, field=fields.CharField(default='', db_default='', max_length=300))
            for model in ('License', 'LicenseAppendix')
            for name in _ISSUED_BY
        ),
        # The refusal document's number and date (001 App.8).
        ops.AddField(
            model_name='Application',
            name='refusal_number',
            field=fields.CharField(null=True, unique=True, max_length=40),
        ),
        ops.AddField(
            model_name='Application',
            name='refused_on',
            field=fields.DateField(null=True),
        ),
    ]
