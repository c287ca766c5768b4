"""Issue 14, "what it must show": Redis goes down while API processes keep committing events, then
comes back; the subscriber on the other process gets every event written during the outage, in
order, once, woken through Redis again (the poll is set to a minute so that only Redis can bring
them within the test). Needs TEST_REDIS_URL; Redis is reached through a local TCP proxy that the
test cuts and restores."""

from __future__ import annotations

import asyncio
import contextlib
import os
from urllib.parse import urlsplit

import pytest

from tests.api.test_event_subscription import _across_processes

pytestmark = pytest.mark.skipif(not os.environ.get("TEST_REDIS_URL"), reason="needs TEST_REDIS_URL (CI sets it)")


class RedisProxy:
    """A TCP proxy to Redis that can be cut (every connection dropped, new ones refused) and restored
    on the same port."""

    def __init__(self, url: str) -> None:
        parts = urlsplit(url)
        self.target = (parts.hostname or "127.0.0.1", parts.port or 6379)
        self.path = parts.path
        self.port = 0
        self.writers: list[asyncio.StreamWriter] = []

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}{self.path}"

    async def up(self) -> None:
        self.server = await asyncio.start_server(self._client, "127.0.0.1", self.port)
        self.port = self.server.sockets[0].getsockname()[1]

    async def down(self) -> None:
        self.server.close()
        for writer in self.writers:
            writer.close()
        self.writers.clear()
        await self.server.wait_closed()

    async def _client(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        upstream_reader, upstream_writer = await asyncio.open_connection(*self.target)
        self.writers += [writer, upstream_writer]

        async def pipe(source: asyncio.StreamReader, sink: asyncio.StreamWriter) -> None:
            with contextlib.suppress(Exception):
                while data := await source.read(65536):
                    sink.write(data)
                    await sink.drain()
            sink.close()

        await asyncio.gather(pipe(reader, upstream_writer), pipe(upstream_reader, writer))


async def test_events_written_while_redis_is_down_are_delivered_once_it_is_back_none_lost(client, settings):
    proxy = RedisProxy(os.environ["TEST_REDIS_URL"])
    await proxy.up()
    try:
        async with _across_processes(client, settings, proxy.url, 60.0) as (ws, change):
            assert await ws.nothing_more(0.5)  # subscribed through Redis, live
            await change()
            assert [e["type"] for e in await ws.events(1)] == ["data_center.registered"]
            await proxy.down()
            for _ in range(3):  # committed while Redis is away: the wake-ups are lost
                await change()
            assert await ws.nothing_more(1.5)
            await proxy.up()
            await asyncio.sleep(2.5)  # the feed's listener reconnects (it retries every second)
            await change()  # the first wake-up through Redis again brings the backlog
            events = await ws.events(4)
            keys = [e["entity"]["key"] for e in events]
            assert keys == sorted(keys) and len(set(keys)) == 4
            assert await ws.nothing_more()
    finally:
        with contextlib.suppress(Exception):
            await proxy.down()
