"""Outgoing documents as data: their kinds, languages, the template each renders from, and the
key that makes issuing one idempotent (DOMAIN.md §6; templates/README.md)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
from enum import Enum

__all__ = [
    "DOCUMENT_LINK",
    "DOWNLOAD_TTL_SECONDS",
    "INSPECTION_PHOTO_LINK",
    "DocumentKind",
    "DocumentState",
    "DocumentStatus",
    "Language",
    "document_of_token",
    "download_token",
    "is_verification_code",
    "new_verification_code",
    "template_name",
    "unique_key",
]


class DocumentKind(str, Enum):
    LICENCE = "LICENCE"  # 001 App.4/5
    APPENDIX = "APPENDIX"  # 001 App.6/7
    REFUSAL = "REFUSAL"  # 001 App.8, 002 App.6, 004 App.4
    HEARING_NOTICE = "HEARING_NOTICE"  # preliminary refusal and hearing (001 §10)
    INCLUSION_NOTICE = "INCLUSION_NOTICE"  # 000 App.7
    EXCLUSION_NOTICE = "EXCLUSION_NOTICE"  # 002 App.8
    POOL_CERTIFICATE = "POOL_CERTIFICATE"  # 004 App.3
    INSPECTION_ACT = "INSPECTION_ACT"  # 003: the checklist as completed on site


class Language(str, Enum):
    KK = "kk"
    RU = "ru"


class DocumentStatus(str, Enum):
    """The legal status shown on the public verification page."""

    ISSUED = "ISSUED"
    REVOKED = "REVOKED"
    SUPERSEDED = "SUPERSEDED"


class DocumentState(str, Enum):
    """Where its production stands: the decision never waits for the PDF."""

    PENDING = "PENDING"
    READY = "READY"
    FAILED = "FAILED"


_TEMPLATES = {
    DocumentKind.LICENCE: "licence",
    DocumentKind.APPENDIX: "appendix",
    DocumentKind.REFUSAL: "refusal",
    DocumentKind.HEARING_NOTICE: "hearing_notice",
    DocumentKind.INCLUSION_NOTICE: "inclusion_notice",
    DocumentKind.EXCLUSION_NOTICE: "exclusion_notice",
    DocumentKind.POOL_CERTIFICATE: "pool_certificate",
    DocumentKind.INSPECTION_ACT: "inspection_act",
}


def template_name(kind: DocumentKind, language: Language) -> str:
    """`<document>.<kk|ru>.html` under templates/."""
    return f"{_TEMPLATES[kind]}.{language.value}.html"


def unique_key(entity_type: str, entity_id: int, kind: DocumentKind, language: Language, version: int) -> str:
    """One document per entity, kind, language and version: a job run twice finds it."""
    return f"{entity_type}:{entity_id}:{kind.value}:{language.value}:v{version}"


_CODE = re.compile(r"^[A-Z2-7]{16}$")
_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"  # base32: no 0/1/8/9 to confuse with O/I/B/g


def new_verification_code() -> str:
    """The short code printed under the QR code (80 random bits): unguessable, so the public page
    is reachable only from the document itself."""
    return "".join(secrets.choice(_ALPHABET) for _ in range(16))


def is_verification_code(text: str) -> bool:
    return bool(_CODE.match(text))


# --- download links -----------------------------------------------------------------------------

DOWNLOAD_TTL_SECONDS = 300


# What a link opens: the MAC covers it, so a token for one kind of file never opens another.
DOCUMENT_LINK, INSPECTION_PHOTO_LINK = "document-download", "inspection-photo"


def _signature(document_id: int, expires: int, key: bytes, purpose: str = DOCUMENT_LINK) -> str:
    mac = hmac.new(key, f"{purpose}:{document_id}:{expires}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac[:18]).decode()


def download_token(document_id: int, now: int, key: bytes, ttl: int = DOWNLOAD_TTL_SECONDS,
                   purpose: str = DOCUMENT_LINK) -> str:
    """A short-lived link token for one stored file (the GraphQL `downloadUrl`, given only to those
    who may read the record it belongs to): `<id>.<expiry>.<HMAC of purpose, id, expiry>`."""
    expires = now + ttl
    return f"{document_id}.{expires}.{_signature(document_id, expires, key, purpose)}"


def document_of_token(token: str, now: int, key: bytes, purpose: str = DOCUMENT_LINK) -> int | None:
    """The record a token opens, or None when it is malformed, forged, for another purpose or expired."""
    parts = token.split(".")
    if len(parts) != 3 or not parts[0].isdigit() or not parts[1].isdigit() or len(token) > 80:
        return None
    document_id, expires = int(parts[0]), int(parts[1])
    if expires < now or not hmac.compare_digest(parts[2], _signature(document_id, expires, key, purpose)):
        return None
    return document_id
