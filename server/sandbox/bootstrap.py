"""Start-up: the schema, and the seeded default app with its legacy key."""
from __future__ import annotations

import logging
from pathlib import Path

from sqlalchemy.engine import Engine

from server.config import DEFAULT_TIME_ZONE, Config
from server.store import apps
from server.store.db import transaction
from server.store.session import AppRecord, AppSession

from . import seed

log = logging.getLogger("sandbox")
KEY_FILE = "api_key"


def key_file(config: Config) -> Path:
    return Path(config.data_dir) / KEY_FILE


def remembered_key(config: Config) -> str | None:
    path = key_file(config)
    return path.read_text().strip() or None if path.exists() else None


def remember_key(config: Config, key: str) -> None:
    Path(config.data_dir).mkdir(parents=True, exist_ok=True)
    key_file(config).write_text(key + "\n")


def create_app_record(engine: Engine, name: str, *, seed_dir: Path | None, legacy_key: str | None = None,
                      time_zone: str | None = None) -> AppRecord:
    """Create an app and, with a seed directory, fill it from the seed files."""
    definition = seed.app_definition(seed_dir) if seed_dir else {}
    with transaction(engine, write=True) as conn:
        record = apps.create(conn, name, legacy_key=legacy_key,
                             time_zone=time_zone or definition.get("time_zone", DEFAULT_TIME_ZONE),
                             settings=definition.get("settings", {}), profile=definition.get("profile", {}),
                             options=definition.get("options", {}))
        if seed_dir:
            seed.seed(AppSession(conn, record), seed_dir)
    return record


def reset_app(engine: Engine, record: AppRecord, seed_dir: Path | None) -> dict:
    """Back to the seed: delete all the app's data, then load the seed files again. The app keeps its key,
    clock and options."""
    definition = seed.app_definition(seed_dir) if seed_dir else {}
    with transaction(engine, write=True) as conn:
        apps.wipe(conn, record.id)
        if definition:
            apps.update(conn, record.id, settings=definition.get("settings", {}),
                        profile=definition.get("profile", {}))
        fresh = apps.by_id(conn, record.id)
        return seed.seed(AppSession(conn, fresh), seed_dir) if seed_dir else {}


def ensure_seeded_clients(engine: Engine, seed_dir: Path) -> None:
    """The OAuth clients (developer apps) of sandbox_data/oauth_clients.json, made once."""
    from server.store import credentials

    with transaction(engine, write=True) as conn:
        for client in seed.read(seed_dir, "oauth_clients.json", []):
            if credentials.client(conn, client["client_id"]) is None:
                credentials.add_client(conn, client["name"], client["redirect_uris"], client_id=client["client_id"],
                                       client_secret=client["client_secret"])


def ensure_default_app(engine: Engine, config: Config) -> AppRecord:
    """The seeded default app, with the key given, remembered in the data dir, or generated once."""
    wanted = config.api_key or remembered_key(config)
    with transaction(engine, write=True) as conn:
        record = apps.by_name(conn, config.default_app)
        if record is not None and wanted and record.legacy_key != wanted:
            apps.rotate_legacy_key(conn, record.id, wanted)
            record = apps.by_id(conn, record.id)
    if record is None:
        record = create_app_record(engine, config.default_app, seed_dir=config.seed_dir, legacy_key=wanted)
        log.info("created and seeded app %s", record.name)
    ensure_seeded_clients(engine, config.seed_dir)
    remember_key(config, record.legacy_key)
    return record
