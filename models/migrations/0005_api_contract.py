from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0004_obligation_notice_text')]

    initial = False

    operations = [
        ops.CreateModel(
            name='IdempotencyKey',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('user_id', fields.IntField()),
                ('key', fields.CharField(max_length=100)),
                ('mutation', fields.CharField(max_length=100)),
                ('input_hash', fields.CharField(max_length=64)),
                ('result_type', fields.CharField(default='', max_length=100)),
                ('result_id', fields.BigIntField(null=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'idempotency_key', 'app': 'models', 'unique_together': (('user_id', 'key'),), 'pk_attr': 'id', 'table_description': 'Written in the same transaction as the mutation it guards: a replay of the same key by'},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='Application',
            name='assignee',
            field=fields.ForeignKeyField('models.User', source_field='assignee_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.RESTRICT),
        ),
        ops.AddField(
            model_name='Application',
            name='next_due_at',
            field=fields.DatetimeField(null=True, db_index=True, auto_now=False, auto_now_add=False),
        ),
        # The term that applies in the current stage, for applications filed before this column.
        ops.RunSQL(
            "UPDATE application SET next_due_at = CASE"
            " WHEN stage = 'REGISTERED' AND completeness_due IS NOT NULL THEN completeness_due"
            " WHEN stage IN ('REGISTERED', 'UNDER_REVIEW', 'PRELIMINARY_REFUSAL', 'HEARING_SCHEDULED')"
            " THEN decision_due ELSE NULL END",
            reverse_sql="SELECT 1",
        ),
    ]
