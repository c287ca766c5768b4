"""Files sent with a mutation (GraphQL multipart requests): read at most a limit + 1 bytes, so an
oversized file is refused by its size rule, not read whole. The HTTP edge (web/) bounds the
request and closes the spooled files once it is answered."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from resolvers.applications import DocumentItem
from rules.errors import DomainError, ErrorCode
from rules.files import MAX_DOCUMENT_BYTES
from rules.limits import check_unicode

__all__ = ["document_items", "read_upload"]


async def read_upload(file: Any, *, limit: int, field: str) -> tuple[bytes, str]:
    """The uploaded bytes (at most `limit` + 1) and the file's name as sent (checked text)."""
    read = getattr(file, "read", None)
    if read is None:
        raise DomainError(ErrorCode.VALIDATION, field=field, detail="not a file upload")
    data = await read(limit + 1)
    filename = check_unicode(str(getattr(file, "filename", "") or ""), field)  # it is stored
    return bytes(data), filename


async def document_items(items: Sequence[Any]) -> tuple[DocumentItem, ...]:
    """A filing's documents from their inputs (kind, title, number, dates and an optional `file`)."""
    out = []
    for i, d in enumerate(items):
        data, filename = (None, "")
        if getattr(d, "file", None) is not None:
            data, filename = await read_upload(d.file, limit=MAX_DOCUMENT_BYTES, field=f"documents[{i}].file")
        out.append(DocumentItem(kind=d.kind, title=d.title, number=d.number or "", issued_on=d.issued_on,
                                valid_until=getattr(d, "valid_until", None), file=data, filename=filename))
    return tuple(out)
