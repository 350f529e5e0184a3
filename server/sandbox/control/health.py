"""Health for people and orchestrators, unauthenticated even with SANDBOX_ADMIN_TOKEN (they say nothing about
any app's data):

- ``GET /sandbox/livez``: the process is up and answering; touches nothing else (a liveness probe).
- ``GET /sandbox/readyz``: the store answers, its schema is at this code's newest migration and, unless seeding
  on start is off, the default app is seeded; 200 when all hold, else 503 naming the checks that failed (a
  readiness probe, or what CI waits for before its tests start).
- ``GET /sandbox/health``: status, store kind, number of apps, version.

Each is a query or two at most: probes call them every few seconds.
"""
from __future__ import annotations

import os

import sqlalchemy.exc
from flask import jsonify

from server import __version__
from server.store import apps, revisions
from server.store.db import transaction

from .common import current_sandbox
from .endpoints import ControlBlueprint

bp = ControlBlueprint("sandbox_health", __name__, public=True)


def _answer(**properties: dict) -> dict:
    """An answer's JSON Schema (written out: the probes are served from a process's start, which loads no
    pydantic); fields not listed may be present."""
    return {"type": "object", "properties": properties, "required": list(properties)}


_TEXT, _NUMBER = {"type": "string"}, {"type": "integer"}
# process: the answering process's id, which of several gunicorn workers took the connection
ALIVE = _answer(status=_TEXT, version=_TEXT, process=_NUMBER)
READY = _answer(status=_TEXT, checks={"type": "object", "additionalProperties": _TEXT}, version=_TEXT)
HEALTH = _answer(status=_TEXT, database=_TEXT, apps=_NUMBER, version=_TEXT)


@bp.get("/livez", summary="The process is up and answering (a liveness probe)", answer=ALIVE)
def livez():
    return jsonify({"status": "alive", "version": __version__, "process": os.getpid()})


@bp.get("/readyz", summary="The store answers, is migrated and seeded (a readiness probe; 503 naming what is not)",
        answer=READY, errors=(503,))
def readyz():
    sandbox = current_sandbox()
    checks: dict[str, str] = {}
    try:
        with transaction(sandbox.engine, write=False) as conn:
            checks["store"] = "ok"
            checks["migrations"] = "ok" if revisions.at_head(conn) else "the schema is not at the newest migration"
            if sandbox.config.seed_on_start:
                seeded = apps.by_name(conn, sandbox.config.default_app) is not None
                checks["seed"] = "ok" if seeded else f"app {sandbox.config.default_app!r} is not seeded"
    except sqlalchemy.exc.SQLAlchemyError as exc:
        checks["store"] = "unreachable: " + str(exc.orig if getattr(exc, "orig", None) else exc).splitlines()[0]
    ready = all(value == "ok" for value in checks.values())
    body = {"status": "ready" if ready else "not ready", "checks": checks, "version": __version__}
    return jsonify(body), 200 if ready else 503


@bp.get("/health", summary="The sandbox is up: its store, how many apps it holds, its version", answer=HEALTH)
def health():
    sandbox = current_sandbox()
    with transaction(sandbox.engine, write=False) as conn:
        count = len(apps.all_apps(conn))
    return jsonify({"status": "ok", "database": sandbox.engine.dialect.name, "apps": count, "version": __version__})
