"""The real service's host names, and which one selects an app.

Infusionsoft served each account on a host of its own, ``APPNAME.infusionsoft.com`` (its legacy XML-RPC endpoint
was ``https://APPNAME.infusionsoft.com/api/xmlrpc``, the key of that account as the first parameter); the API
gateway is ``api.infusionsoft.com`` (``api.keap.com`` today), the OAuth consent page ``accounts.infusionsoft.com``
and sign-in ``signin.infusionsoft.com``. The sandbox serves all its paths on every host (they never collide), so
only the legacy endpoint reads the host: on an app's own host the key must be that app's, as on the real
service (``Gate.legacy_host``).
"""
from __future__ import annotations

DOMAIN = ".infusionsoft.com"
# the names `sandbox serve --tls --hostnames` serves a certificate for (server.sandbox.tls)
CERTIFICATE_NAMES = ("api.infusionsoft.com", "*.infusionsoft.com", "accounts.infusionsoft.com", "api.keap.com",
                     "signin.infusionsoft.com")
SERVICE_HOSTS = frozenset({"api", "accounts", "signin", "www"})  # hosts of the service, not of an app


def app_of_host(host: str) -> str | None:
    """The app a Host header names (``acme.infusionsoft.com:8443`` → ``acme``), or None for any other host."""
    if host.startswith("["):  # an IPv6 address
        return None
    name = host.rsplit(":", 1)[0] if host.count(":") == 1 else host
    name = name.rstrip(".").lower()
    if not name.endswith(DOMAIN):
        return None
    label = name[: -len(DOMAIN)]
    if not label or "." in label or label in SERVICE_HOSTS:
        return None
    return label
