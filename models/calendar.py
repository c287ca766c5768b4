"""Decree overrides of the working-day calendar (Labour Code art. 85), editable without a release."""

from __future__ import annotations

from tortoise import fields

from models.timestamps import TimestampedModel


class CalendarOverrideRow(TimestampedModel):
    id = fields.IntField(primary_key=True)
    day = fields.DateField(unique=True)
    working = fields.BooleanField()  # True: extra working day; False: extra day off
    decree = fields.CharField(max_length=500)

    class Meta:
        table = "calendar_override"
