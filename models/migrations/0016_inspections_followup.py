from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields
from tortoise.fields.base import OnDelete


async def _backfill_reconciliation_counts(apps, schema_editor) -> None:  # type: ignore[no-untyped-def]
    """The lists' sizes of the reconciliations recorded before the count columns."""
    import json

    client = schema_editor.client
    rows = await client.execute_query_dict(
        "SELECT id, matched, unregistered, not_seen FROM inspection_reconciliation")
    for row in rows:
        matched, unregistered, not_seen = (json.loads(v) if isinstance(v, str) else (v or [])
                                           for v in (row["matched"], row["unregistered"], row["not_seen"]))
        not_registered = sum(1 for u in unregistered if u.get("why") != "ANOTHER_DATA_CENTER")
        await client.execute_query(
            "UPDATE inspection_reconciliation SET matched_count = {}, not_registered_count = {}, "
            "unregistered_count = {}, not_seen_count = {} WHERE id = {}".format(
                len(matched), not_registered, len(unregistered), len(not_seen), int(row["id"])))


class Migration(migrations.Migration):
    dependencies = [('models', '0015_events')]

    initial = False

    operations = [
        # The sizes of a reconciliation's lists, read without the lists (issue 12 follow-up).
        ops.AddField(model_name='InspectionReconciliation', name='matched_count', field=fields.IntField(default=0, db_default=0)),
        ops.AddField(model_name='InspectionReconciliation', name='not_registered_count',
                     field=fields.IntField(default=0, db_default=0)),
        ops.AddField(model_name='InspectionReconciliation', name='unregistered_count',
                     field=fields.IntField(default=0, db_default=0)),
        ops.AddField(model_name='InspectionReconciliation', name='not_seen_count', field=fields.IntField(default=0, db_default=0)),
        ops.RunPython(_backfill_reconciliation_counts, ops.RunPython.noop),
        # A violation marked remedied: the day, the comment, who, and the evidence file (issue 12 follow-up).
        ops.AddField(model_name='Violation', name='remedied_on', field=fields.DateField(null=True)),
        ops.AddField(model_name='Violation', name='remedied_late', field=fields.BooleanField(null=True)),
        ops.AddField(model_name='Violation', name='remedy_comment', field=fields.TextField(default='', db_default='')),
        ops.AddField(model_name='Violation', name='remedied_at', field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
        ops.AddField(model_name='Violation', name='remedied_by', field=fields.ForeignKeyField('models.User', source_field='remedied_by_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.RESTRICT)),
        ops.AddField(model_name='Violation', name='evidence_storage_key', field=fields.CharField(max_length=200, null=True)),
        ops.AddField(model_name='Violation', name='evidence_sha256', field=fields.CharField(max_length=64, null=True)),
        ops.AddField(model_name='Violation', name='evidence_size', field=fields.IntField(null=True)),
        ops.AddField(model_name='Violation', name='evidence_content_type', field=fields.CharField(max_length=32, null=True)),
    ]
