"""Issue 10, defects 4 and 5 against a real server (uvicorn in a subprocess, as in production):
a 50 MB JSON body is refused with 413 before it is parsed, with or without Content-Length, and
the server process stays under 300 MB; malformed bodies get a 400, never a dropped connection.

The test streams the body from a small buffer (it never holds 50 MB) over a raw socket, reads
the answer while it sends, and prints what it measured: the server's peak resident memory
(VmHWM in /proc/<pid>/status) before and after, and how much of the body was sent before the
answer came.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest

from tests.live_server import migrated_env, serve

MB = 1024 * 1024
BODY = 50 * MB
CHUNK = 64 * 1024
MEMORY_CEILING = 300 * MB


def _peak_rss(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    raise AssertionError("no VmHWM")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[int, int]]:
    """(port, pid) of `uvicorn main:create_app` on a fresh, migrated SQLite database."""
    data = tmp_path_factory.mktemp("edge-server")
    with serve(migrated_env(data), data) as running:
        yield running


def _body_chunks(chunked: bool) -> Iterator[bytes]:
    filler = b" " * CHUNK  # JSON whitespace: the body would parse if it were ever read
    head = b'{"query": "{ __typename }", "variables": {}'
    count = (BODY - len(head) - 1) // CHUNK
    tail = b" " * (BODY - len(head) - 1 - count * CHUNK) + b"}"
    pieces = [head, *([filler] * count), tail]  # exactly BODY bytes
    for piece in pieces:
        yield (f"{len(piece):x}\r\n".encode() + piece + b"\r\n") if chunked else piece
    if chunked:
        yield b"0\r\n\r\n"


async def _exchange(port: int, head: bytes, chunks: Iterator[bytes]) -> tuple[int, dict, bytes, int]:
    """Send `head` then `chunks` while reading the answer; (status, headers, body, bytes sent)."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    sent = 0

    async def send() -> None:
        nonlocal sent
        writer.write(head)
        for chunk in chunks:
            writer.write(chunk)
            await writer.drain()
            sent += len(chunk)

    sender = asyncio.create_task(send())
    try:
        status_line = await asyncio.wait_for(reader.readline(), 60)
        assert status_line, f"connection dropped without an answer after {sent} bytes"
        headers = {}
        while (line := await reader.readline()) not in (b"\r\n", b""):
            name, _, value = line.decode("latin-1").partition(":")
            headers[name.strip().lower()] = value.strip()
        body = await reader.readexactly(int(headers.get("content-length", "0")))
        return int(status_line.split()[1]), headers, body, sent
    finally:
        sender.cancel()
        with contextlib.suppress(asyncio.CancelledError, ConnectionError):
            await sender
        writer.close()
        with contextlib.suppress(ConnectionError):
            await writer.wait_closed()


@contextlib.asynccontextmanager
async def _client(port: int) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=30) as c:
        yield c


@pytest.mark.parametrize("chunked", [False, True], ids=["content-length", "chunked"])
async def test_defect_5_a_50_mb_json_body_is_413_before_parsing_and_memory_stays_low(server, chunked):
    port, pid = server
    async with _client(port) as c:  # warm: the first request loads what it loads
        assert (await c.post("/graphql", json={"query": "{ __typename }"})).status_code == 200
    before = _peak_rss(pid)
    length = "Transfer-Encoding: chunked" if chunked else f"Content-Length: {BODY}"
    head = (f"POST /graphql HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            f"{length}\r\n\r\n").encode()
    started = time.monotonic()
    status, headers, body, sent = await _exchange(port, head, _body_chunks(chunked))
    elapsed = time.monotonic() - started
    after = _peak_rss(pid)
    print(f"\n50 MB JSON body ({'chunked' if chunked else 'Content-Length'}): HTTP {status} in "
          f"{elapsed * 1000:.0f} ms after {sent / MB:.2f} MB sent; server peak RSS "
          f"{before / MB:.1f} MB before, {after / MB:.1f} MB after")
    assert status == 413
    assert json.loads(body)["errors"][0]["extensions"]["code"] == "REQUEST_TOO_LARGE"
    assert headers["content-type"] == "application/json" and headers["cache-control"] == "no-store"
    assert after < MEMORY_CEILING
    assert after - before < 20 * MB  # the body was never held (it is 50 MB)
    async with _client(port) as c:  # and the server is still serving
        assert (await c.post("/graphql", json={"query": "{ __typename }"})).status_code == 200


@pytest.mark.parametrize(
    "body",
    [b"12", b"null", b'"a string"', b'{"query": "\xff"}', json.dumps({"query": "{ __typename }"}).encode("utf-16"),
     b"[]", b""],
    ids=["number", "null", "string", "non-utf8", "utf16", "empty-batch", "empty"],
)
async def test_defect_4_malformed_bodies_get_a_400_from_the_real_server(server, body):
    port, _ = server
    head = (f"POST /graphql HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\n\r\n").encode()
    status, headers, answer, _ = await _exchange(port, head, iter([body]))
    assert status == 400, answer
    assert json.loads(answer)["errors"][0]["extensions"]["code"] == "BAD_REQUEST"
    assert headers["content-type"] == "application/json"
