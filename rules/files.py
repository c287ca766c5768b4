"""Files attached to applications: what is accepted, judged by the content, never by the name.

A scanned document is a PDF or an image (JPEG, PNG); the first bytes say which (the formats'
signatures), so an HTML page or an executable renamed `.pdf` is refused whatever its name says.
"""

from __future__ import annotations

from enum import Enum

__all__ = ["DOCUMENT_TYPES", "MAX_DOCUMENT_BYTES", "DocumentContentType", "sniff_document"]

MAX_DOCUMENT_BYTES = 10 * 1024 * 1024  # one scanned document


class DocumentContentType(str, Enum):
    PDF = "application/pdf"
    JPEG = "image/jpeg"
    PNG = "image/png"


# Each accepted type's signature at offset 0.
DOCUMENT_TYPES: dict[DocumentContentType, bytes] = {
    DocumentContentType.PDF: b"%PDF-",
    DocumentContentType.JPEG: b"\xff\xd8\xff",
    DocumentContentType.PNG: b"\x89PNG\r\n\x1a\n",
}


def sniff_document(data: bytes) -> DocumentContentType | None:
    """The content type of an accepted document, or None."""
    for content_type, signature in DOCUMENT_TYPES.items():
        if data.startswith(signature):
            return content_type
    return None
