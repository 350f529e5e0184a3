"""What a starting sandbox prints: its endpoints, the store and the default app's key, and the warning for
several workers whose throttle state and request journal are not shared. ``sandbox serve``, ``sandbox serve
--workers N`` and a plain ``gunicorn wsgi:app`` (through ``gunicorn.conf.py``'s ``when_ready``) print the same lines."""
from __future__ import annotations

from pathlib import Path

from server.config import Config
from server.sandbox.client_trust import client_trust
from server.sandbox.seeding.bootstrap import ensure_default_app
from server.store.session import AppRecord
from server.wiring import build_environment


def lines(config: Config, base: str, store: str, default_app: AppRecord | None,
          tls: tuple[str, Path] | None = None) -> list[str]:
    """``base``: where it listens (http://host:port); ``tls``: the HTTPS base and the certificate to trust."""
    out = [f"Infusionsoft sandbox on {base}  (store: {store})",
           f"  legacy XML-RPC   POST {base}/api/xmlrpc       (API key as the first parameter)",
           f"  gateway XML-RPC  POST {base}/crm/xmlrpc/v1    (X-Keap-API-Key header)",
           f"  control API           {base}/sandbox/health, /sandbox/apps/<app>/clock, .../reset"]
    if tls is not None:
        https, cert = tls
        out.append(f"  HTTPS                 {https}/api/xmlrpc")
        out.append(f"  certificate           {cert}; trust it with")
        out.extend(client_trust(cert, indent="    ", width=22))
    if default_app is not None:
        out.append(f"  app '{default_app.name}' legacy API key: {default_app.legacy_key}")
    return out


def hostname_lines(tls_port: int, default_app: AppRecord | None) -> list[str]:
    port = "" if tls_port == 443 else f":{tls_port}"
    app = default_app.name.lower() if default_app is not None else "APPNAME"
    return [f"  real names            https://{app}.infusionsoft.com{port}/api/xmlrpc, "
            f"https://api.infusionsoft.com{port}/crm/rest/v1, https://accounts.infusionsoft.com{port}/app/oauth/authorize",
            "  trust                 `sandbox trust` prints the hosts-file lines and each client's CA setting"]


def workers_warning(config: Config, workers: int) -> str | None:
    if workers > 1 and not config.redis_url:
        return (f"warning: {workers} workers without SANDBOX_REDIS_URL: each worker throttles on its own (its own "
                f"legacy bucket and quotas, so an app gets up to {workers} times its limits) and keeps its own request "
                "journal (GET /sandbox/apps/<app>/journal lists only the calls of the worker that answers it); set "
                "SANDBOX_REDIS_URL to share them")
    return None


def prepare(config: Config) -> tuple[str, AppRecord | None]:
    """Migrate the store and seed the default app before workers start (they then find both done): the store's
    kind and the default app."""
    env = build_environment(config)
    try:
        return env.engine.dialect.name, ensure_default_app(env, config) if config.seed_on_start else None
    finally:
        env.engine.dispose()


def gunicorn_base(server) -> str:
    """The first address a gunicorn arbiter listens on, as a URL."""
    address = str(server.LISTENERS[0]) if server.LISTENERS else str(server.cfg.bind[0])
    return address if "://" in address else "http://" + address
