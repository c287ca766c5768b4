"""Numbers of the outgoing documents that are not licences: refusals ("Номер: [Номер документа]
[Дата выдачи]", 001 App.8; 002 App.6; 004 App.4). One gap-free sequence per kind and year
(Almaty), taken in the deciding transaction under the counter row's lock, so a rolled-back
decision gives its number back."""

from __future__ import annotations

from datetime import date
from enum import Enum

from tortoise.backends.base.client import BaseDBAsyncClient

from rules.licensing import incoming_number

__all__ = ["OutgoingDocument", "next_document_number"]


class OutgoingDocument(str, Enum):
    """The kinds of numbered refusals, each with its own sequence."""

    REFUSAL_OF_REVIEW = "ROR"  # refusal of further review (001 §7 ¶2, §14 ¶2; 002 §9; 004 §7)
    MOTIVATED_REFUSAL = "REF"  # motivated refusal of the service (001 §10, App.8)


async def next_document_number(conn: BaseDBAsyncClient, kind: OutgoingDocument, on: date) -> str:
    """The next number of ``kind`` in the year of ``on``, e.g. `REF-2025-000001`."""
    from resolvers.registry.approval import (
        take_record_numbers,  # the registry's counter rows; imported late
    )

    serial = (await take_record_numbers(conn, 1, name=f"DOC-{kind.value}-{on.year}"))[0]
    return incoming_number(kind.value, on.year, serial)
