"""The local storage: content-addressed, atomic, and keys that cannot leave its directory."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from resolvers.storage import LocalStorage, storage_for
from settings import Settings


async def test_put_is_content_addressed_and_round_trips(tmp_path: Path) -> None:
    store = LocalStorage(tmp_path)
    data = "Қазақстан — ӘҒҚҢӨҰҮҺІ".encode()
    first = await store.put(data, prefix="photos")
    again = await store.put(data, prefix="photos")
    digest = hashlib.sha256(data).hexdigest()
    assert first == again and first.sha256 == digest and first.size == len(data)
    assert first.key == f"photos/{digest[:2]}/{digest}"
    assert await store.get(first.key) == data and await store.exists(first.key)
    assert [p.name for p in tmp_path.rglob("*") if p.is_file()] == [digest]  # once, no temporary left


@pytest.mark.parametrize("key", ["../etc/passwd", "photos/../../x", "photos/ab/" + "a" * 64, "Photos/aa/" + "a" * 64, ""])
async def test_keys_outside_the_scheme_are_refused(tmp_path: Path, key: str) -> None:
    with pytest.raises(KeyError):
        await LocalStorage(tmp_path).get(key)


async def test_bad_prefix_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        await LocalStorage(tmp_path).put(b"x", prefix="../up")


def test_settings_name_the_directory(tmp_path: Path) -> None:
    store = storage_for(Settings(database_url="sqlite://:memory:", storage_dir=str(tmp_path)))
    assert isinstance(store, LocalStorage) and store.root == tmp_path
