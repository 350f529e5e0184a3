"""Settings, from the environment, with defaults that work on a laptop (the embedded mode)."""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from server import call_slot, logs
from server.senders import Senders

DEFAULT_DATA_DIR = ".sandbox"
DEFAULT_APP = "sandbox"
DEFAULT_TIME_ZONE = "America/New_York"  # clients assume US Eastern (the PHP SDK formats dates in it)


def default_seed_dir() -> Path:
    """The seed data: inside the package once installed from a wheel (setup.py puts it there), else
    sandbox_data/ at the top of the checkout."""
    package = Path(__file__).resolve().parent
    installed = package / "sandbox_data"
    return installed if installed.is_dir() else package.parent / "sandbox_data"


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
    seed_dir: Path = field(default_factory=default_seed_dir)
    default_app: str = DEFAULT_APP
    max_body_bytes: int = 10 * 1024 * 1024  # XML-RPC request bodies above this get a fault
    seed_on_start: bool = True
    tick_seconds: float = 1.0  # the heartbeat that runs due timers, posts and hook deliveries; 0: none
    # what the app's public URLs (forms, downloads, links) start with; None: the host the request came to
    public_url: str | None = None
    # how effects leave the process (server.senders): "live" sends HTTP posts and REST hooks for real, "record"
    # keeps them in memory and sends nothing
    senders: str = "live"
    journal_size: int = 10_000  # calls kept per app in the request journal (server.journal), oldest out first; 0: none
    # server.call_slot: "auto" runs a worker's API calls one at a time on SQLite (not on PostgreSQL, not with Redis)
    serial_calls: str = "auto"
    log_level: str = "info"  # server.logs: info writes a line per API call; warning keeps only what went wrong
    log_format: str = "text"  # or "json": one JSON object a line

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


class ConfigError(ValueError):
    """A setting that cannot be read, named with its variable (``SANDBOX_PORT='abc' is not a port``)."""


def _port(text: str) -> int:
    port = int(text)
    if not 0 <= port <= 65535:
        raise ValueError(f"{port} is not a port")
    return port


def _env_bool(text: str) -> bool:
    return text.strip().lower() in {"1", "true", "yes", "on"}


def _serial_calls(text: str) -> str:
    mode = text.strip().lower()
    if mode not in call_slot.MODES:
        raise ValueError(mode)
    return mode


def _optional(text: str) -> str | None:
    return text or None


def _non_negative(text: str) -> int:
    value = int(text)
    if value < 0:
        raise ValueError(value)
    return value


def _senders(text: str) -> str:
    if text not in Senders.KINDS:
        raise ValueError(text)
    return text


REDIS_SCHEMES = ("redis", "rediss", "unix")  # what redis-py's from_url reads


def _redis_url(text: str) -> str | None:
    if not text:
        return None
    scheme, sep, rest = text.partition("://")
    if scheme not in REDIS_SCHEMES or not sep or not rest:
        raise ValueError(text)
    return text


def _optional_path(text: str) -> Path | None:
    return Path(text) if text else None


# Each setting's environment variable and how its text is read. A variable that is not set, or that reads as
# None, leaves the setting at its default in Config above (the one place defaults are written).
_ENVIRONMENT = {
    "host": ("SANDBOX_HOST", str),
    "port": ("SANDBOX_PORT", _port),
    "tls_port": ("SANDBOX_TLS_PORT", _port),
    "tls": ("SANDBOX_TLS", _env_bool),
    "data_dir": ("SANDBOX_DATA_DIR", Path),
    "database_url": ("DATABASE_URL", _optional),
    "api_key": ("SANDBOX_API_KEY", _optional),
    "admin_token": ("SANDBOX_ADMIN_TOKEN", _optional),
    "redis_url": ("SANDBOX_REDIS_URL", _redis_url),
    "redis_prefix": ("SANDBOX_REDIS_PREFIX", str),
    "seed_dir": ("SANDBOX_SEED_DIR", _optional_path),
    "max_body_bytes": ("SANDBOX_MAX_BODY_BYTES", int),
    "seed_on_start": ("SANDBOX_SEED_ON_START", _env_bool),
    "tick_seconds": ("SANDBOX_TICK_SECONDS", float),
    "public_url": ("SANDBOX_PUBLIC_URL", _optional),
    "senders": ("SANDBOX_SENDERS", _senders),
    "journal_size": ("SANDBOX_JOURNAL_SIZE", _non_negative),
    "serial_calls": ("SANDBOX_SERIAL_CALLS", _serial_calls),
    "log_level": ("SANDBOX_LOG_LEVEL", logs.level),
    "log_format": ("SANDBOX_LOG_FORMAT", logs.log_format),
}


def from_env(**overrides) -> Config:
    """Build the configuration from the environment; explicit overrides (CLI flags) win."""
    values: dict = {}
    for name, (variable, read) in _ENVIRONMENT.items():
        text = os.environ.get(variable)
        if text is None:
            continue
        try:
            value = read(text)
        except ValueError:
            expected = {int: "a whole number", float: "a number", _port: "a port (0 to 65535)",
                        _serial_calls: f"one of {', '.join(call_slot.MODES)}",
                        _non_negative: "a whole number, 0 or more", _senders: f"one of {', '.join(Senders.KINDS)}",
                        _redis_url: f"a Redis URL ({', '.join(s + '://…' for s in REDIS_SCHEMES)})",
                        logs.level: f"a log level ({', '.join(logs.LEVELS)})",
                        logs.log_format: f"a log format ({', '.join(logs.FORMATS)})"}.get(read, "valid")
            raise ConfigError(f"{variable}={text!r} is not {expected}") from None
        if value is not None:
            values[name] = value
    values.update({k: v for k, v in overrides.items() if v is not None})
    if isinstance(values.get("data_dir"), str):
        values["data_dir"] = Path(values["data_dir"])
    return Config(**values)
