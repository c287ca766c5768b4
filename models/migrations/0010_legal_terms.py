from tortoise import migrations
from tortoise.migrations import operations as ops
from enum import Enum
from tortoise import fields


# Frozen copies of the enums as they are at this migration (see 0002).
class ComplaintSubject(str, Enum):
    DECISION = 'DECISION'
    ACTION = 'ACTION'
    INACTION = 'INACTION'


class LegalOrder(str, Enum):
    ORDER_169 = 'ORDER_169'
    ORDER_95 = 'ORDER_95'
    ORDER_331 = 'ORDER_331'
    ORDER_404 = 'ORDER_404'


class Migration(migrations.Migration):
    dependencies = [('models', '0009_audit_tokens')]

    initial = False

    operations = [
        # 001 §19-20, 002 §17: a complaint is about a decision, an action or the inaction; the
        # complaints filed before this column were about decisions.
        ops.AddField(
            model_name='Complaint',
            name='subject',
            field=fields.CharEnumField(default=ComplaintSubject.DECISION, db_default='DECISION', description='DECISION: DECISION\nACTION: ACTION\nINACTION: INACTION', enum_type=ComplaintSubject, max_length=16),
        ),
        ops.AlterModelOptions(
            name='Complaint',
            options={'table': 'complaint', 'app': 'models', 'pk_attr': 'id', 'table_description': 'A complaint about a decision, an action or the inaction of the provider (001 §19-23).'},
        ),
        # The orders' publication dates, which date the rule sets (rules/rule_sets.py).
        ops.CreateModel(
            name='OrderPublication',
            fields=[
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('legal_order', fields.CharEnumField(description='ORDER_169: ORDER_169\nORDER_95: ORDER_95\nORDER_331: ORDER_331\nORDER_404: ORDER_404', enum_type=LegalOrder, unique=True, max_length=16)),
                ('published_on', fields.DateField()),
                ('source', fields.CharField(max_length=500)),
            ],
            options={'table': 'order_publication', 'app': 'models', 'pk_attr': 'id', 'table_description': 'The day an order was first officially published, and where, one row per order.'},
            bases=['TimestampedModel'],
        ),
    ]
