"""The pools' monthly income reports (003 pool item 8): one report per pool and month, each
correction a new version that supersedes the previous one (kept), the lines, and the months
flagged OVERDUE by the overdue job."""

from __future__ import annotations

from decimal import Decimal, localcontext
from typing import Any

from tortoise import fields
from tortoise.models import Model

from models.parties import Pool
from models.timestamps import TimestampedModel
from rules.income_reports import IncomeReportSource


class ExactDecimalField(fields.DecimalField):  # type: ignore[type-arg]
    """A DecimalField whose rounding to its places runs with enough precision for all its digits:
    Tortoise quantizes in the default context (28 digits), which refuses numeric(38, 18)."""

    def to_python_value(self, value: Any) -> Decimal | None:
        with localcontext() as ctx:
            ctx.prec = self.max_digits + 2
            return super().to_python_value(value)


class IncomeReport(TimestampedModel):
    id = fields.IntField(primary_key=True)
    pool: fields.ForeignKeyRelation[Pool] = fields.ForeignKeyField(
        "models.Pool", related_name="income_reports", on_delete=fields.RESTRICT
    )
    month = fields.DateField()  # the first day of the month reported
    version = fields.IntField()  # 1, then 2, 3... for each correction
    current = fields.BooleanField(default=True)  # False once a correction supersedes it
    superseded_by_id = fields.IntField(null=True)
    superseded_at = fields.DatetimeField(null=True)
    nil = fields.BooleanField(default=False)  # no distribution that month
    source = fields.CharEnumField(IncomeReportSource, max_length=8)
    filed_at = fields.DatetimeField()
    filed_on = fields.DateField()  # Almaty date of filing: decides LATE
    due_on = fields.DateField()
    late = fields.BooleanField(default=False)
    filed_by_id = fields.IntField(null=True)  # the user
    file_name = fields.CharField(max_length=255, default="")
    file_sha256 = fields.CharField(max_length=64, default="")
    line_count = fields.IntField(default=0)

    class Meta:
        table = "income_report"
        unique_together = (("pool", "month", "version"),)


class IncomeReportLine(Model):
    id = fields.IntField(primary_key=True)
    report: fields.ForeignKeyRelation[IncomeReport] = fields.ForeignKeyField(
        "models.IncomeReport", related_name="lines", on_delete=fields.CASCADE
    )
    line = fields.IntField()  # 1-based position
    bin_iin = fields.CharField(max_length=12, db_index=True)
    miner_name = fields.CharField(max_length=500)
    asset_code = fields.CharField(max_length=16)
    # numeric(38, 18) on PostgreSQL; text on SQLite (Tortoise's VARCHAR(40)): exact either way.
    quantity = ExactDecimalField(max_digits=38, decimal_places=18)

    class Meta:
        table = "income_report_line"


class IncomeReportOverdue(Model):
    """A month whose report was missing on the 26th: flagged once by the overdue job."""

    id = fields.IntField(primary_key=True)
    pool: fields.ForeignKeyRelation[Pool] = fields.ForeignKeyField(
        "models.Pool", related_name=False, on_delete=fields.RESTRICT
    )
    month = fields.DateField()
    due_on = fields.DateField()
    flagged_at = fields.DatetimeField()

    class Meta:
        table = "income_report_overdue"
        unique_together = (("pool", "month"),)
