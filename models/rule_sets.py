"""Publication dates of the orders that date the rule sets (rules.rule_sets), set by an admin."""

from __future__ import annotations

from tortoise import fields

from models.timestamps import TimestampedModel
from rules.rule_sets import LegalOrder


class OrderPublication(TimestampedModel):
    """The day an order was first officially published, and where, one row per order.

    An order without a row keeps its documented default (rules.rule_sets.DEFAULT_PUBLICATIONS).
    """

    id = fields.IntField(primary_key=True)
    legal_order = fields.CharEnumField(LegalOrder, max_length=16, unique=True)
    published_on = fields.DateField()
    source = fields.CharField(max_length=500)  # where it was published, e.g. "ЭКБ НПА РК"

    class Meta:
        table = "order_publication"
