"""What links in a call's answers start with when the sandbox has no public URL set: the scheme and host the
client called, as werkzeug's ``host_url`` makes them (``http://127.0.0.1:8000/``), remembered per host, since
computing it through werkzeug on every call was a sixth of a ``ContactService.load``'s CPU."""
from __future__ import annotations

import functools

from werkzeug.wsgi import get_current_url


def host_url(environ) -> str:
    return _host_url(environ.get("wsgi.url_scheme", "http"), environ.get("HTTP_HOST"), environ.get("SERVER_NAME"),
                     environ.get("SERVER_PORT"))


@functools.lru_cache(maxsize=256)  # bounded: the Host header is the client's to choose
def _host_url(scheme: str, host: str | None, server_name: str | None, server_port: str | None) -> str:
    environ = {"wsgi.url_scheme": scheme, "HTTP_HOST": host, "SERVER_NAME": server_name, "SERVER_PORT": server_port}
    return get_current_url({k: v for k, v in environ.items() if v is not None}, host_only=True)
