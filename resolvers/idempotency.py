"""Idempotent filing with a client's `clientMutationId` (a double-click files one application).

The key is claimed in the same transaction as the mutation: the first request inserts it and
runs; a replay finds it and gets the first result; a concurrent replay waits on the unique
index (PostgreSQL) or on the single writer (SQLite) and then finds it. A failed mutation rolls
its key back with everything else, so the client may retry with the same key.
"""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from models.idempotency import IdempotencyKey
from rules.access import Actor
from rules.errors import DomainError, ErrorCode
from rules.limits import check_text

KEY_MAX = 100


def digest(canonical_input: str) -> str:
    return hashlib.sha256(canonical_input.encode("utf-8", "surrogatepass")).hexdigest()


@dataclass(frozen=True)
class Replay:
    """The stored outcome of the first request with this key."""

    result_type: str
    result_id: int | None


def _check_replay(row: IdempotencyKey, mutation: str, input_hash: str) -> Replay:
    if row.mutation != mutation or row.input_hash != input_hash:
        raise DomainError(
            ErrorCode.CONFLICT,
            field="clientMutationId",
            what="this clientMutationId was used with another input",
            detail=f"first used for {row.mutation}",
        )
    return Replay(row.result_type, row.result_id)


async def once(
    actor: Actor,
    key: str,
    mutation: str,
    input_hash: str,
    run: Callable[[], Awaitable[Any]],
    result_of: Callable[[Any], tuple[str, int | None]],
) -> tuple[Any, Replay | None]:
    """Run the mutation once per (user, key): (its result, None) the first time, (None, the
    stored replay) afterwards."""
    key = check_text(key, "clientMutationId", max_length=KEY_MAX)
    if actor.user_id is None:
        return await run(), None
    existing = await IdempotencyKey.get_or_none(user_id=actor.user_id, key=key)
    if existing is not None:
        return None, _check_replay(existing, mutation, input_hash)
    try:
        async with _claimed(actor.user_id, key, mutation, input_hash) as row:
            result = await run()
            row.result_type, row.result_id = result_of(result)
            await row.save(update_fields=["result_type", "result_id"])
        return result, None
    except IntegrityError:
        # A concurrent request with the same key committed first.
        row = await IdempotencyKey.get(user_id=actor.user_id, key=key)
        return None, _check_replay(row, mutation, input_hash)


@asynccontextmanager
async def _claimed(user_id: int, key: str, mutation: str, input_hash: str) -> AsyncIterator[IdempotencyKey]:
    async with in_transaction():
        row = await IdempotencyKey.create(user_id=user_id, key=key, mutation=mutation, input_hash=input_hash)
        yield row
