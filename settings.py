"""Configuration from the environment, with embedded defaults (SQLite file, in-process jobs)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent


def _data_dir() -> Path:
    data_dir = Path(os.environ.get("DATA_DIR", ROOT / "data"))
    data_dir.mkdir(parents=True, exist_ok=True)
    return data_dir


def _default_database_url() -> str:
    return f"sqlite://{_data_dir() / 'registry.sqlite3'}"


def _default_storage_dir() -> str:
    return str(Path(os.environ.get("STORAGE_DIR") or Path(os.environ.get("DATA_DIR", ROOT / "data")) / "objects"))


def _default_checkpoint_file() -> str:
    return str(Path(os.environ.get("DATA_DIR", ROOT / "data")) / "audit-checkpoints.jsonl")


# Development only: the audit chain's HMAC key when AUDIT_HMAC_KEY is unset. Anyone who reads
# this file can forge the chain, so production must set its own (resolvers/audit_key.py warns).
DEV_AUDIT_KEY = "dev-audit-key-not-a-secret"


@dataclass(frozen=True)
class Settings:
    database_url: str = field(default_factory=_default_database_url)
    redis_url: str | None = None
    environment: str = "development"  # development | production
    max_query_depth: int = 10
    max_aliases: int = 30
    max_tokens: int = 5000
    max_query_cost: int = 25_000  # objects a query may ask for (schema/cost.py)
    # API tokens (resolvers/tokens.py): lifetime of a new token unless its issuer gives one;
    # partner systems' tokens may be given up to `partner_token_max_days` by an admin.
    token_ttl_days: int = 90
    partner_token_max_days: int = 730
    # How often an open websocket re-checks its token (revoked, expired: the socket closes).
    ws_token_check_seconds: float = 30.0
    # The audit chain (rules/audit_chain.py): HMAC-SHA256 key, kept outside the database.
    audit_key: str | None = None
    # Signed checkpoints of the chain's head, appended as JSON lines (keep a copy elsewhere).
    audit_checkpoint_file: str = field(default_factory=_default_checkpoint_file)
    # Files (photos, signed documents): a local directory (resolvers/storage.py).
    storage_dir: str = field(default_factory=_default_storage_dir)
    # Signed documents (resolvers/documents/signing.py): a key on an HSM (PKCS#11 module path,
    # token label, user PIN, label of the key and of its certificate), else a PKCS#12 file and its
    # passphrase; without either, a development chain generated at first use under the data dir
    # (never in production). With a TSA URL, every signature carries an RFC 3161 timestamp.
    signing_pkcs11_module: str | None = None
    signing_pkcs11_token: str | None = None
    signing_pkcs11_pin: str | None = None
    signing_pkcs11_key: str | None = None
    signing_pkcs12: str | None = None
    signing_passphrase: str | None = None
    signing_tsa_url: str | None = None
    dev_signing_dir: str = field(default_factory=lambda: str(Path(os.environ.get("DATA_DIR", ROOT / "data")) / "dev-signing"))
    # Where the public verification page lives (printed on every document and in its QR code).
    public_base_url: str = "http://127.0.0.1:8000"
    # The partners' event log (models/events.py): how far back a cursor may resume.
    event_retention_days: int = 90
    # The retention purge (jobs/tasks.purge_expired) deletes the events older than the window
    # (with their webhook deliveries) and the notifications read longer ago than this.
    notification_retention_days: int = 365
    # The live feed (resolvers/event_feed.py): how often each process looks for new events when
    # nothing woke it, and how many undelivered events a subscriber may hold before it is cut off.
    event_poll_seconds: float = 0.5
    event_queue_size: int = 1000
    # Subscribers of one selection and scope get each event rendered once (schema/multiplex.py);
    # off: each subscriber's selection is executed for it (the benchmark compares both).
    event_multiplex: bool = True
    # Webhooks (resolvers/webhooks.py): seconds to wait after each failed attempt (the Standard
    # Webhooks schedule), the request timeout, and (tests, development only) whether endpoints
    # on private or loopback addresses are allowed.
    webhook_retry_schedule: tuple[float, ...] = (5, 300, 1800, 7200, 18000, 36000, 36000)
    webhook_timeout_seconds: float = 10.0
    webhook_allow_private: bool = False
    # The circuit breaker of a dead endpoint (rules/webhooks.Circuit): after this many failed
    # attempts in a row nothing is attempted for the cool-down, then one probe.
    webhook_circuit_failures: int = 5
    webhook_circuit_cooldown_seconds: float = 3600.0
    # E-mail of notifications (resolvers/notifications.py): off without SMTP_HOST.
    smtp_host: str | None = None
    smtp_port: int = 25
    smtp_sender: str = "registry@localhost"
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
        if key := os.environ.get("AUDIT_HMAC_KEY"):
            kwargs["audit_key"] = key
        if smtp := os.environ.get("SMTP_HOST"):
            kwargs["smtp_host"] = smtp
            kwargs["smtp_port"] = int(os.environ.get("SMTP_PORT", "25"))
            kwargs["smtp_sender"] = os.environ.get("SMTP_SENDER", "registry@localhost")
        if path := os.environ.get("AUDIT_CHECKPOINT_FILE"):
            kwargs["audit_checkpoint_file"] = path
        for name, env_name in (("signing_pkcs12", "SIGNING_PKCS12"), ("signing_passphrase", "SIGNING_PASSPHRASE"),
                               ("signing_pkcs11_module", "SIGNING_PKCS11_MODULE"),
                               ("signing_pkcs11_token", "SIGNING_PKCS11_TOKEN"),
                               ("signing_pkcs11_pin", "SIGNING_PKCS11_PIN"), ("signing_pkcs11_key", "SIGNING_PKCS11_KEY"),
                               ("signing_tsa_url", "SIGNING_TSA_URL"), ("public_base_url", "PUBLIC_BASE_URL")):
            if value := os.environ.get(env_name):
                kwargs[name] = value
        for name, env_name in (("token_ttl_days", "TOKEN_TTL_DAYS"), ("partner_token_max_days", "PARTNER_TOKEN_MAX_DAYS"),
                               ("event_retention_days", "EVENT_RETENTION_DAYS"),
                               ("notification_retention_days", "NOTIFICATION_RETENTION_DAYS")):
            if value := os.environ.get(env_name):
                kwargs[name] = int(value)
        if (multiplex := os.environ.get("EVENT_MULTIPLEX")) is not None:
            kwargs["event_multiplex"] = multiplex.strip().lower() not in ("0", "false", "no", "off")
        kwargs.update(_edge_from_env())
        return cls(**kwargs)  # type: ignore[arg-type]


_MINISTRY_RU = "Министерство цифрового развития, инноваций и аэрокосмической промышленности Республики Казахстан"
_MINISTRY_KK = "Қазақстан Республикасының Цифрлық даму, инновациялар және аэроғарыш өнеркәсібі министрлігі"


@dataclass(frozen=True)
class Licensor:
    """Who issues licences and appendices (001 App.4-7 "Услугодатель", "Руководитель
    (уполномоченное лицо)"): the authority's name in Russian and Kazakh (§17: licences are issued
    in both) and the authorised person who signs. Set by the environment (LICENSOR_NAME_RU,
    LICENSOR_NAME_KK, LICENSOR_SIGNER_POSITION, LICENSOR_SIGNER_NAME); the name defaults to the
    ministry of the seeds' orders, the signer has no default. Each licence and appendix keeps the
    values of its issue day."""

    name_ru: str = _MINISTRY_RU
    name_kk: str = _MINISTRY_KK
    signer_position: str = ""
    signer_name: str = ""

    @classmethod
    def from_env(cls) -> Licensor:
        env = {
            "name_ru": "LICENSOR_NAME_RU", "name_kk": "LICENSOR_NAME_KK",
            "signer_position": "LICENSOR_SIGNER_POSITION", "signer_name": "LICENSOR_SIGNER_NAME",
        }
        return cls(**{key: os.environ[var].strip() for key, var in env.items() if os.environ.get(var, "").strip()})

    def columns(self) -> dict[str, str]:
        """As stored on a licence or appendix (models.licensing.IssuedBy)."""
        return {
            "licensor_ru": self.name_ru, "licensor_kk": self.name_kk,
            "signer_position": self.signer_position, "signer_name": self.signer_name,
        }


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
