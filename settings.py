"""Configuration from the environment, with embedded defaults (SQLite file, in-process jobs)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent


def _default_database_url() -> str:
    data_dir = Path(os.environ.get("DATA_DIR", ROOT / "data"))
    data_dir.mkdir(parents=True, exist_ok=True)
    return f"sqlite://{data_dir / 'registry.sqlite3'}"


@dataclass(frozen=True)
class Settings:
    database_url: str = field(default_factory=_default_database_url)
    redis_url: str | None = None
    environment: str = "development"  # development | production
    max_query_depth: int = 10
    max_aliases: int = 30
    max_tokens: int = 5000
    max_query_cost: int = 25_000  # objects a query may ask for (schema/cost.py)
    # -- the HTTP edge (web/, README "Security model") ----------------------------------------
    # A GraphQL JSON request (or any non-multipart body). Lists longer than fit (inline `units`)
    # go as a file (multipart).
    max_body_bytes: int = 2 * 1024 * 1024
    # A multipart request (App.3 unit lists), streamed: room above the 20 MiB file limit
    # (resolvers/registry/common.py), so a file just over it gets its typed FILE_TOO_LARGE.
    max_upload_bytes: int = 25 * 1024 * 1024
    request_timeout_seconds: float = 30.0  # until the response starts; 503 TIMEOUT after it
    # Rate limits in the notation of `limits` ("100/minute;1000/hour"); "" turns one off.
    rate_limit_per_ip: str = "600/minute"
    rate_limit_per_token: str = "300/minute"
    auth_failure_limit: str = "10/minute"  # unknown or invalid tokens per IP, then a lockout
    cors_origins: tuple[str, ...] = ()  # browser origins allowed to call the API

    @property
    def development(self) -> bool:
        return self.environment == "development"

    @classmethod
    def from_env(cls) -> Settings:
        kwargs: dict[str, object] = {}
        if url := os.environ.get("DATABASE_URL"):
            kwargs["database_url"] = url
        if redis := os.environ.get("REDIS_URL"):
            kwargs["redis_url"] = redis
        if env := os.environ.get("APP_ENV"):
            kwargs["environment"] = env
        kwargs.update(_edge_from_env())
        return cls(**kwargs)  # type: ignore[arg-type]


# Environment variable -> (setting, type) of the HTTP edge.
_EDGE_ENV = {
    "MAX_BODY_BYTES": ("max_body_bytes", int),
    "MAX_UPLOAD_BYTES": ("max_upload_bytes", int),
    "REQUEST_TIMEOUT_SECONDS": ("request_timeout_seconds", float),
    "RATE_LIMIT_PER_IP": ("rate_limit_per_ip", str),
    "RATE_LIMIT_PER_TOKEN": ("rate_limit_per_token", str),
    "AUTH_FAILURE_LIMIT": ("auth_failure_limit", str),
}


def _edge_from_env() -> dict[str, object]:
    kwargs: dict[str, object] = {}
    for name, (setting, kind) in _EDGE_ENV.items():
        if (value := os.environ.get(name)) is not None:
            kwargs[setting] = kind(value)
    if origins := os.environ.get("CORS_ORIGINS"):
        kwargs["cors_origins"] = tuple(o.strip() for o in origins.split(",") if o.strip())
    return kwargs
