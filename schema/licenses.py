"""TEMPORARY STUB written by the lead so the engine's tests can run; the licences helper
replaces this whole file with the real License types, queries and life-cycle mutations."""

from __future__ import annotations

from datetime import date
from typing import Any

import strawberry

from models import licensing as m
from models.licensing import LicenseStatus
from rules.workflow import LicenseSubtype
from schema.ids import to_global_id
from schema.relay import Node


@strawberry.type
class LicenseAppendix:
    number: str
    subtype: LicenseSubtype


@strawberry.type
class License(Node):
    number: str
    subtype: LicenseSubtype
    status: LicenseStatus
    first_issued_on: date

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(to_global_id("License", self.pk))  # type: ignore[attr-defined]

    @strawberry.field
    async def appendices(self) -> list[LicenseAppendix]:
        return await m.LicenseAppendix.filter(license_id=self.pk).order_by("id")  # type: ignore[attr-defined,return-value]

    @classmethod
    def is_type_of(cls, obj: Any, _info: Any) -> bool:
        return isinstance(obj, m.License)
