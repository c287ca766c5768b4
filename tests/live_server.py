"""A real server for the tests that need one: `uvicorn main:create_app` in a subprocess on a fresh,
migrated SQLite database under a temporary directory (tests/web/test_server.py, the browser test
of tests/documents/)."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx

from settings import ROOT

__all__ = ["free_port", "migrated_env", "serve"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def migrated_env(data: Path, **extra: str) -> dict[str, str]:
    """The environment of a development server on `data`/registry.sqlite3, migrated."""
    env = {**os.environ, "DATABASE_URL": f"sqlite://{data / 'registry.sqlite3'}", "APP_ENV": "development", **extra}
    for name in ("REDIS_URL", "TEST_DATABASE_URL", "TEST_REDIS_URL"):
        env.pop(name, None)
    subprocess.run([sys.executable, "manage.py", "migrate"], cwd=ROOT, env=env, check=True,
                   capture_output=True, timeout=120)
    return env


@contextlib.contextmanager
def serve(env: dict[str, str], data: Path) -> Iterator[tuple[int, int]]:
    """(port, pid) of the server, up (its /healthz answers) until the block ends."""
    port = free_port()
    log = (data / "server.log").open("wb")
    proc = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "main:create_app", "--factory", "--host", "127.0.0.1",
         "--port", str(port), "--log-level", "warning"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200:
                    break
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the server did not start: {(data / 'server.log').read_text()[-2000:]}")
            time.sleep(0.2)
        yield port, proc.pid
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()
