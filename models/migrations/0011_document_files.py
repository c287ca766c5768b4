from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields


class Migration(migrations.Migration):
    dependencies = [('models', '0010_legal_terms')]

    initial = False

    operations = [
        ops.AddField(model_name='ApplicationDocument', name='file_key', field=fields.CharField(null=True, max_length=120)),
        ops.AddField(model_name='ApplicationDocument', name='file_sha256', field=fields.CharField(null=True, max_length=64)),
        ops.AddField(model_name='ApplicationDocument', name='file_size', field=fields.IntField(null=True)),
        ops.AddField(model_name='ApplicationDocument', name='file_type', field=fields.CharField(null=True, max_length=64)),
        ops.AddField(model_name='ApplicationDocument', name='file_name', field=fields.CharField(default='', db_default='', max_length=255)),
    ]
