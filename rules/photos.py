"""Photos as inspection evidence (issue 12 item 6): the kind of image by its content (magic
bytes, never the file name), the size limit, and what of its EXIF is kept (GPS position and the
time taken) while everything else is stripped before storage.

Pure except for Pillow's decoding, which works on the bytes in memory. HEIC/HEIF (iPhones'
default) is decoded and re-encoded by `pillow-heif`, whose wheels bundle libheif (libde265 to
decode, x265 to encode): a HEIC photo is stored as HEIC, without its metadata.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import datetime
from enum import Enum
from fractions import Fraction
from functools import cache
from typing import Any

__all__ = ["MAX_PHOTO_BYTES", "ImageKind", "PhotoRefused", "StrippedPhoto", "sniff", "strip"]

MAX_PHOTO_BYTES = 10 * 1024 * 1024


class ImageKind(str, Enum):
    JPEG = "image/jpeg"
    PNG = "image/png"
    HEIC = "image/heic"


# The ISO BMFF `ftyp` major brands of HEIF images and sequences (ISO/IEC 23008-12 Annex B).
_HEIC_BRANDS = (b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"hevm", b"hevs", b"mif1", b"msf1")


@cache
def _heif_opener() -> None:
    """Teach Pillow to open (and save) HEIF, once."""
    from pillow_heif import register_heif_opener

    register_heif_opener()


def sniff(data: bytes) -> ImageKind | None:
    """The image kind the bytes are, by their signature; None for anything else (an HTML page
    named `.jpg` included)."""
    if data.startswith(b"\xff\xd8\xff"):
        return ImageKind.JPEG
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return ImageKind.PNG
    if len(data) >= 12 and data[4:8] == b"ftyp" and data[8:12] in _HEIC_BRANDS:
        return ImageKind.HEIC
    return None


class PhotoRefused(ValueError):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class StrippedPhoto:
    kind: ImageKind
    data: bytes  # re-encoded without any metadata
    latitude: float | None
    longitude: float | None
    taken_at: datetime | None  # EXIF DateTimeOriginal (the camera's local time, no zone)


_GPS_IFD, _EXIF_IFD = 0x8825, 0x8769
_DATETIME_ORIGINAL, _DATETIME = 0x9003, 0x0132


def _degrees(value: Any, ref: Any) -> float | None:
    try:
        d, m, s = (float(Fraction(str(v))) if not isinstance(v, int | float) else float(v) for v in value)
    except (TypeError, ValueError, ZeroDivisionError):
        return None
    out = d + m / 60 + s / 3600
    return -out if str(ref).upper() in ("S", "W") else out


def _taken_at(text: Any) -> datetime | None:
    try:
        return datetime.strptime(str(text).strip("\x00 "), "%Y:%m:%d %H:%M:%S")
    except ValueError:
        return None


def strip(data: bytes) -> StrippedPhoto:
    """The photo re-encoded without metadata, with its GPS position and time taken read first.
    PhotoRefused when it is too large, not a JPEG/PNG/HEIC by content, or cannot be decoded."""
    from PIL import Image, UnidentifiedImageError

    if len(data) > MAX_PHOTO_BYTES:
        raise PhotoRefused(f"larger than {MAX_PHOTO_BYTES // (1024 * 1024)} MB")
    kind = sniff(data)
    if kind is None:
        raise PhotoRefused("not a JPEG, PNG or HEIC image by its content")
    if kind is ImageKind.HEIC:
        _heif_opener()
    try:
        with Image.open(io.BytesIO(data)) as image:
            image.load()
            exif = image.getexif()
            gps = exif.get_ifd(_GPS_IFD)
            when = exif.get_ifd(_EXIF_IFD).get(_DATETIME_ORIGINAL) or exif.get(_DATETIME)
            latitude = _degrees(gps[2], gps.get(1)) if 2 in gps else None
            longitude = _degrees(gps[4], gps.get(3)) if 4 in gps else None
            clean = Image.new(image.mode, image.size)  # the pixels only: no EXIF, XMP, ICC or text chunks
            clean.paste(image)
            if image.mode == "P" and image.getpalette():
                clean.putpalette(image.getpalette())
            out = io.BytesIO()
            if kind is ImageKind.JPEG:
                clean.save(out, format="JPEG", quality=95)
            elif kind is ImageKind.HEIC:
                clean.save(out, format="HEIF", quality=90)  # no exif/xmp given: none written
            else:
                clean.save(out, format="PNG")
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError) as exc:
        raise PhotoRefused("the image cannot be decoded") from exc
    return StrippedPhoto(kind, out.getvalue(), latitude, longitude, None if when is None else _taken_at(when))
