"""Where the service keeps files (inspection photos, signed documents, ...): one small interface,
content-addressed by SHA-256, and its local-directory implementation (the embedded default).

An object-storage implementation (S3-compatible) plugs in behind the same `Storage` protocol;
`storage_for(settings)` picks the one the settings name. Keys are derived from the content
(`<prefix>/<sha256[:2]>/<sha256>`), so storing the same bytes twice stores them once, and a
key names exactly one content: a file cannot be swapped under a record that holds its hash.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from settings import Settings

__all__ = ["LocalStorage", "Storage", "StoredObject", "configure", "current", "storage_for"]

_PREFIX = re.compile(r"^[a-z0-9][a-z0-9_-]{0,40}$")


@dataclass(frozen=True)
class StoredObject:
    key: str  # where it is: "<prefix>/<sha256[:2]>/<sha256>"
    sha256: str  # hex digest of the bytes
    size: int


class Storage(Protocol):
    async def put(self, data: bytes, *, prefix: str) -> StoredObject: ...

    async def get(self, key: str) -> bytes: ...

    async def exists(self, key: str) -> bool: ...


def object_key(prefix: str, sha256: str) -> str:
    if not _PREFIX.match(prefix):
        raise ValueError(f"bad storage prefix {prefix!r}")
    return f"{prefix}/{sha256[:2]}/{sha256}"


class LocalStorage:
    """Files under one directory; writes are atomic (a temporary file renamed into place), so a
    crash leaves either the whole object or none."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def _path(self, key: str) -> Path:
        parts = key.split("/")
        if len(parts) != 3 or not _PREFIX.match(parts[0]) or not re.fullmatch(r"[0-9a-f]{64}", parts[2]) \
                or parts[1] != parts[2][:2]:
            raise KeyError(key)
        return self.root.joinpath(*parts)

    async def put(self, data: bytes, *, prefix: str) -> StoredObject:
        digest = hashlib.sha256(data).hexdigest()
        key = object_key(prefix, digest)
        await asyncio.to_thread(self._write, self._path(key), data)
        return StoredObject(key, digest, len(data))

    @staticmethod
    def _write(path: Path, data: bytes) -> None:
        if path.exists():
            return  # content-addressed: already there
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(data)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    async def get(self, key: str) -> bytes:
        return await asyncio.to_thread(self._path(key).read_bytes)

    async def exists(self, key: str) -> bool:
        return await asyncio.to_thread(self._path(key).exists)


def storage_for(settings: Settings) -> Storage:
    """The storage the settings name: a local directory (`storage_dir`) by default."""
    return LocalStorage(Path(settings.storage_dir))


_current: Storage | None = None


def configure(settings: Settings) -> None:
    """The storage of this process, from the app's settings (main.create_app)."""
    global _current
    _current = storage_for(settings)


def current() -> Storage:
    """The configured storage, else the one the environment names."""
    return _current if _current is not None else storage_for(Settings.from_env())
