from __future__ import annotations

from tortoise import fields
from tortoise.models import Model


class TimestampedModel(Model):
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        abstract = True


class SearchableName(TimestampedModel):
    """Keeps a case-folded copy of `name` for search.

    SQLite's LIKE folds only ASCII letters, and our names are Cyrillic: comparing case-folded
    text gives the same answer on SQLite and PostgreSQL.
    """

    search_name = fields.CharField(max_length=500, db_index=True, default="")

    class Meta:
        abstract = True

    async def save(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        self.search_name = fold(getattr(self, "name", ""))
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "name" in update_fields:
            kwargs["update_fields"] = [*update_fields, "search_name"]
        await super().save(*args, **kwargs)


def fold(text: str) -> str:
    return " ".join(text.casefold().split())
