from tortoise import migrations
from tortoise.migrations import operations as ops
from enum import Enum
from tortoise.fields.base import OnDelete
from tortoise import fields


# Enums as they were when this migration was written: a migration never imports live code.
class IncomeReportSource(str, Enum):
    INLINE = 'INLINE'
    CSV = 'CSV'
    XLSX = 'XLSX'
    NIL = 'NIL'


class Migration(migrations.Migration):
    dependencies = [('models', '0011_document_files')]

    initial = False

    operations = [
        ops.CreateModel(
            name='IncomeReport',
            fields=[
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('pool', fields.ForeignKeyField('models.Pool', source_field='pool_id', db_constraint=True, to_field='id', related_name='income_reports', on_delete=OnDelete.RESTRICT)),
                ('month', fields.DateField()),
                ('version', fields.IntField()),
                ('current', fields.BooleanField(default=True)),
                ('superseded_by_id', fields.IntField(null=True)),
                ('superseded_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('nil', fields.BooleanField(default=False)),
                ('source', fields.CharEnumField(description='INLINE: INLINE\nCSV: CSV\nXLSX: XLSX\nNIL: NIL', enum_type=IncomeReportSource, max_length=8)),
                ('filed_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('filed_on', fields.DateField()),
                ('due_on', fields.DateField()),
                ('late', fields.BooleanField(default=False)),
                ('filed_by_id', fields.IntField(null=True)),
                ('file_name', fields.CharField(default='', max_length=255)),
                ('file_sha256', fields.CharField(default='', max_length=64)),
                ('line_count', fields.IntField(default=0)),
            ],
            options={'table': 'income_report', 'app': 'models', 'unique_together': (('pool', 'month', 'version'),), 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='IncomeReportLine',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('report', fields.ForeignKeyField('models.IncomeReport', source_field='report_id', db_constraint=True, to_field='id', related_name='lines', on_delete=OnDelete.CASCADE)),
                ('line', fields.IntField()),
                ('bin_iin', fields.CharField(db_index=True, max_length=12)),
                ('miner_name', fields.CharField(max_length=500)),
                ('asset_code', fields.CharField(max_length=16)),
                ('quantity', fields.DecimalField(max_digits=38, decimal_places=18)),
            ],
            options={'table': 'income_report_line', 'app': 'models', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='IncomeReportOverdue',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('pool', fields.ForeignKeyField('models.Pool', source_field='pool_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('month', fields.DateField()),
                ('due_on', fields.DateField()),
                ('flagged_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'income_report_overdue', 'app': 'models', 'unique_together': (('pool', 'month'),), 'pk_attr': 'id', 'table_description': 'A month whose report was missing on the 26th: flagged once by the overdue job.'},
            bases=['Model'],
        ),
    ]
