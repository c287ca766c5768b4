from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0008_reissue_documents')]

    initial = False

    operations = [
        ops.AddField(
            model_name='ApiToken',
            name='expires_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.CreateModel(
            name='AuditCheckpoint',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('kind', fields.CharField(max_length=16)),
                ('seq', fields.BigIntField()),
                ('head_hash', fields.CharField(max_length=64)),
                ('at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('signature', fields.CharField(max_length=64)),
            ],
            options={'table': 'audit_checkpoint', 'app': 'models', 'pk_attr': 'id', 'table_description': 'A signed checkpoint of the chain\'s head (rules/audit_chain.Checkpoint), also appended to'},
            bases=['Model'],
        ),
        # The chain is keyed from here on: events appended so far were hashed with plain SHA-256.
        # Their last one is recorded as the legacy boundary, unsigned (SQL has no key); the first
        # checkpoint run (`manage.py audit-checkpoint`, the job) signs it. Nothing on a new database.
        ops.RunSQL(
            "INSERT INTO audit_checkpoint (kind, seq, head_hash, at, signature)"
            " SELECT 'legacy', e.id, e.hash, CURRENT_TIMESTAMP, '' FROM audit_event e"
            " WHERE e.id = (SELECT MAX(id) FROM audit_event)",
            reverse_sql="DELETE FROM audit_checkpoint WHERE kind = 'legacy'",
        ),
    ]
