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
        return cls(**kwargs)  # type: ignore[arg-type]
