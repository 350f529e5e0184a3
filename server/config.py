"""Settings, from the environment, with defaults that work on a laptop (the embedded mode)."""
from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from pathlib import Path

DEFAULT_DATA_DIR = ".sandbox"
DEFAULT_APP = "sandbox"
DEFAULT_TIME_ZONE = "America/New_York"  # clients assume US Eastern (the PHP SDK formats dates in it)


@dataclass(frozen=True)
class Config:
    host: str = "127.0.0.1"
    port: int = 8000
    tls_port: int = 8443
    tls: bool = False
    data_dir: Path = Path(DEFAULT_DATA_DIR)
    database_url: str | None = None  # None: a SQLite file in the data dir
    api_key: str | None = None  # the seeded app's legacy key; generated and kept in the data dir if None
    admin_token: str | None = None  # when set, /sandbox/* requires it as a bearer token
    redis_url: str | None = None
    redis_prefix: str = "sandbox:throttle:"  # namespace of this sandbox's keys in a shared Redis
    seed_dir: Path = field(default_factory=lambda: Path(__file__).resolve().parent.parent / "sandbox_data")
    default_app: str = DEFAULT_APP
    max_body_bytes: int = 10 * 1024 * 1024  # XML-RPC request bodies above this get a fault
    seed_on_start: bool = True
    tick_seconds: float = 1.0  # the heartbeat that runs due timers, posts and hook deliveries; 0: none
    # what the app's public URLs (forms, downloads, links) start with; None: the host the request came to
    public_url: str | None = None

    @property
    def sqlalchemy_url(self) -> str:
        if self.database_url:
            url = self.database_url
            if url.startswith("postgres://"):
                url = "postgresql://" + url[len("postgres://"):]
            if url.startswith("postgresql://"):
                url = "postgresql+psycopg://" + url[len("postgresql://"):]
            return url
        return f"sqlite:///{(self.data_dir / 'sandbox.db').resolve()}"

    @property
    def default_base_url(self) -> str:
        """What the app's public URLs start with when no request tells (work the heartbeat runs)."""
        return (self.public_url or f"http://{self.host}:{self.port}").rstrip("/")

    def with_(self, **changes) -> "Config":
        return replace(self, **changes)


def _env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def from_env(**overrides) -> Config:
    """Build the configuration from the environment; explicit overrides (CLI flags) win."""
    env = os.environ
    values: dict = {
        "host": env.get("SANDBOX_HOST", "127.0.0.1"),
        "port": int(env.get("SANDBOX_PORT", "8000")),
        "tls_port": int(env.get("SANDBOX_TLS_PORT", "8443")),
        "tls": _env_bool("SANDBOX_TLS", False),
        "data_dir": Path(env.get("SANDBOX_DATA_DIR", DEFAULT_DATA_DIR)),
        "database_url": env.get("DATABASE_URL") or None,
        "api_key": env.get("SANDBOX_API_KEY") or None,
        "admin_token": env.get("SANDBOX_ADMIN_TOKEN") or None,
        "redis_url": env.get("SANDBOX_REDIS_URL") or None,
        "redis_prefix": env.get("SANDBOX_REDIS_PREFIX", "sandbox:throttle:"),
        "max_body_bytes": int(env.get("SANDBOX_MAX_BODY_BYTES", str(10 * 1024 * 1024))),
        "seed_on_start": _env_bool("SANDBOX_SEED_ON_START", True),
        "tick_seconds": float(env.get("SANDBOX_TICK_SECONDS", "1")),
        "public_url": env.get("SANDBOX_PUBLIC_URL") or None,
    }
    if env.get("SANDBOX_SEED_DIR"):
        values["seed_dir"] = Path(env["SANDBOX_SEED_DIR"])
    values.update({k: v for k, v in overrides.items() if v is not None})
    if isinstance(values.get("data_dir"), str):
        values["data_dir"] = Path(values["data_dir"])
    return Config(**values)
