"""Start-up: the schema, and the seeded default app with its legacy key."""
from __future__ import annotations

import functools
import hashlib
import logging
from pathlib import Path

import sqlalchemy.exc
from sqlalchemy.engine import Engine

from server import jobs
from server.config import DEFAULT_TIME_ZONE, Config
from server.environment import Environment
from server.sandbox import inputs
from server.store import advances, apps, credentials
from server.store.db import transaction
from server.store.session import AppRecord

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


def create_app_record(env: Environment, name: str, *, seed_dir: Path | None, legacy_key: str | None = None,
                      time_zone: str | None = None, progress: seed.Progress | None = None) -> AppRecord:
    """Create an app and, with a seed directory, fill it from the seed files: seeded once through the domain
    into a hidden template app, then copied, so that every new app gets the same rows cheaply. ``progress`` is
    told how seeding the template goes (server.sandbox.seeding.seed)."""
    definition = seed.app_definition(seed_dir) if seed_dir else {}
    stored = (definition.get("options") or {}).get("retirement")
    if stored:  # (a ValueError naming the field; pydantic's settings loaded for a seed that has some)
        from server.migration.retirement_settings import parse  # noqa: PLC0415

        parse(stored)
    inputs.app_name(name)  # the control API checked them already; the CLI and the seed files did not
    time_zone = inputs.time_zone(time_zone or definition.get("time_zone", DEFAULT_TIME_ZONE))
    template = _seed_template(env, seed_dir, time_zone, progress) if seed_dir else None
    with transaction(env.engine, write=True) as conn:
        record = apps.create(conn, name, legacy_key=legacy_key, time_zone=time_zone,
                             settings=definition.get("settings", {}), profile=definition.get("profile", {}),
                             options=definition.get("options", {}))
        if template is not None:
            apps.copy_data(conn, template.id, record.id)
    return record


def _seed_template(env: Environment, seed_dir: Path, time_zone: str,
                   progress: seed.Progress | None = None) -> AppRecord:
    """The hidden app holding ``seed_dir`` seeded in ``time_zone`` (dates are stored in the app's zone),
    made on first use; named by a digest of the seed files and the schema, so an edit makes a new one."""
    name = f"{apps.INTERNAL_PREFIX}seed-{_fingerprint(seed_dir, time_zone)}"
    engine = env.engine
    with transaction(engine, write=False) as conn:
        found = apps.by_name(conn, name, internal=True)
    if found is not None:
        return found
    definition = seed.app_definition(seed_dir)
    try:
        with transaction(engine, write=True) as conn:
            for stale in apps.internal_apps(conn, "seed-"):
                apps.delete(conn, stale.id)
            record = apps.create(conn, name, legacy_key=None, time_zone=time_zone,
                                 settings=definition.get("settings", {}), profile=definition.get("profile", {}),
                                 options=definition.get("options", {}), callable_=False)
            seed.seed(env.session(conn, record), seed_dir, progress)
        return record
    except sqlalchemy.exc.IntegrityError:  # another worker made it first
        with transaction(engine, write=False) as conn:
            return apps.by_name(conn, name, internal=True)


def _fingerprint(seed_dir: Path, time_zone: str) -> str:
    digest = hashlib.sha256(time_zone.encode())
    digest.update(_code_digest())
    for path in sorted(Path(seed_dir).rglob("*")):
        if path.is_file():
            digest.update(str(path.relative_to(seed_dir)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


@functools.cache
def _code_digest() -> bytes:
    """The package's source: a new version of the seeding code (or the schema) makes a new template."""
    digest = hashlib.sha256()
    package = Path(__file__).resolve().parent.parent
    for path in sorted(package.rglob("*.py")):
        digest.update(path.read_bytes())
    return digest.digest()


def reset_app(env: Environment, record: AppRecord, seed_dir: Path | None,
              progress: seed.Progress | None = None) -> dict:
    """Back to the seed: delete all the app's data, then load the seed files again. The app keeps its key,
    clock and options. advances.Busy while an advance of the app runs (it would go on over the fresh seed)."""
    definition = seed.app_definition(seed_dir) if seed_dir else {}
    with transaction(env.engine, write=False) as conn:
        advances.refuse_while_running(conn, record.id)  # first: this process's advance holds the lock below
    with jobs.lock_for(env.engine, record.id), transaction(env.engine, write=True) as conn:
        advances.refuse_while_running(conn, record.id)
        apps.wipe(conn, record.id)
        if definition:
            apps.update(conn, record.id, settings=definition.get("settings", {}),
                        profile=definition.get("profile", {}))
        fresh = apps.by_id(conn, record.id)
        return seed.seed(env.session(conn, fresh), seed_dir, progress) if seed_dir else {}


def ensure_seeded_clients(engine: Engine, seed_dir: Path) -> None:
    """The OAuth clients (developer apps) of sandbox_data/oauth_clients.json, made once."""
    with transaction(engine, write=True) as conn:
        for client in seed.read(seed_dir, "oauth_clients.json", []):
            if credentials.client(conn, client["client_id"]) is None:
                credentials.add_client(conn, client["name"], client["redirect_uris"], client_id=client["client_id"],
                                       client_secret=client["client_secret"])


def ensure_default_app(env: Environment, config: Config) -> AppRecord:
    """The seeded default app. Only an explicit key (``--api-key``, ``SANDBOX_API_KEY``) changes the key of an
    app that exists: otherwise the stored key wins (a rotation through the control API or ``sandbox apps
    rotate-key`` survives a restart) and the key file in the data dir follows it. A new app takes the
    explicit key, else the one remembered in the data dir, else a generated one."""
    with transaction(env.engine, write=True) as conn:
        record = apps.by_name(conn, config.default_app)
        if record is not None and config.api_key and record.legacy_key != config.api_key:
            _check_key_free(conn, config.api_key, config.default_app)
            apps.rotate_legacy_key(conn, record.id, config.api_key)
            record = apps.by_id(conn, record.id)
        wanted = None
        if record is None:
            wanted = config.api_key or remembered_key(config)
            if wanted and wanted != config.api_key and apps.by_legacy_key(conn, wanted) is not None:
                wanted = None  # the remembered key belongs to another app now: make a new one
            elif config.api_key:
                _check_key_free(conn, config.api_key, config.default_app)
    if record is None:
        record = create_app_record(env, config.default_app, seed_dir=config.seed_dir, legacy_key=wanted)
        log.info("created and seeded app %s", record.name)
    ensure_seeded_clients(env.engine, config.seed_dir)
    remember_key(config, record.legacy_key)
    return record


class KeyInUse(ValueError):
    """The explicit key asked for is the legacy key of another app."""


def _check_key_free(conn, key: str, name: str) -> None:
    owner = apps.by_legacy_key(conn, key)
    if owner is not None and owner.name != name:
        raise KeyInUse(f"the API key given for app {name!r} is the legacy key of app {owner.name!r}")
