"""``sandbox serve``: what happens before the server starts, in the command's own process. The ports are checked
(a port another process holds is one line), the TLS certificate made, the store migrated and the default app
seeded (a store that cannot be reached is one line and exit status 1) and the banner composed; then the process
becomes gunicorn's master (server.master, by ``exec``: the same process id, without the memory this command's
imports and the migration took), whose workers serve.
"""
from __future__ import annotations

import socket
from pathlib import Path

import click

from server import logs, master
from server.config import Config
from server.master import THREADS, TLSListener

from . import banner


def run(config: Config, workers: int, *, hostnames: bool = False) -> None:
    """Serve until interrupted: the banner once the listeners are bound, then the workers' calls."""
    logs.configure(config.log_level, config.log_format)
    if config.tls and config.tls_port == config.port:
        raise click.ClickException(f"the HTTP and HTTPS ports are both {config.port}: give --tls-port another one")
    for port in (config.port, config.tls_port) if config.tls else (config.port,):
        _check_free(config.host, port)
    tls, tls_lines = None, None
    if config.tls:
        # cryptography (8 MiB resident) loaded only by a server that makes certificates (issue 18 item 8)
        from server.sandbox.tls import ensure_ca, ensure_certificate, ensure_hostname_certificate  # noqa: PLC0415

        data_dir = Path(config.data_dir)
        cert, key = (ensure_hostname_certificate if hostnames else ensure_certificate)(data_dir)
        tls = TLSListener(config.tls_port, cert, key)
        tls_lines = (f"https://{config.host}:{config.tls_port}", ensure_ca(data_dir)[0] if hostnames else cert)
    store, default_app = banner.prepare(config)
    printed = banner.lines(config, f"http://{config.host}:{config.port}", store, default_app, tls_lines)
    if hostnames:
        printed.extend(banner.hostname_lines(config.tls_port, default_app))
    printed.append(f"  workers               {workers} (gunicorn, {THREADS} threads each)")
    warning = banner.workers_warning(config, workers)
    if warning:
        click.echo(warning, err=True)
    master.exec_master(config, workers, printed, tls)


def _check_free(host: str, port: int) -> None:
    """A port another process holds is one line (gunicorn would retry for five seconds, then log it)."""
    try:
        infos = socket.getaddrinfo(host.strip("[]"), port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise click.ClickException(f"cannot listen on {host}: {exc.strerror}") from None
    family, kind, proto, _, address = infos[0]
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as gunicorn binds
        try:
            probe.bind(address)
        except OSError as exc:
            raise click.ClickException(f"cannot listen on {host}:{port}: {exc.strerror}") from None
