"""``sandbox trust``: what a machine needs to reach ``sandbox serve --tls --hostnames`` under the real names: the
CA to trust, the hosts-file lines that point the names at the sandbox, and how each client stack is told to
trust the CA."""
from __future__ import annotations

from pathlib import Path

import click
import sqlalchemy.exc

from server.auth.hosts import CERTIFICATE_NAMES
from server.sandbox.client_trust import client_trust
from server.store import apps
from server.store.db import transaction

from .common import PORT, environment, options, settings, store_unreachable

TRUSTSTORE_PASSWORD = "changeit"  # Java's default truststore password; the store holds only a public certificate


def hosts_line(address: str, app_names: list[str]) -> str:
    """One hosts-file line: a hosts file has no wildcards, so each app's own host is named."""
    fixed = [n for n in CERTIFICATE_NAMES if not n.startswith("*")]
    return " ".join([address, *fixed, *(f"{name.lower()}.infusionsoft.com" for name in app_names)])


def instructions(ca: Path, address: str, app_names: list[str], port: int) -> str:
    truststore = ca.with_name("truststore.p12")
    port_note = ("" if port == 443 else
                 f"\nClients with https://api.infusionsoft.com hard-coded need port 443: serve with --tls-port 443 "
                 f"(as root, or after `setcap cap_net_bind_service=+ep` on the Python binary); the others can add "
                 f":{port} to their base URL.")
    clients = "\n".join(client_trust(ca))
    return f"""CA certificate: {ca}

Add to the hosts file (/etc/hosts; C:\\Windows\\System32\\drivers\\etc\\hosts), or to your resolver:
{hosts_line(address, app_names)}
(curl needs none of it: curl --resolve api.infusionsoft.com:{port}:{address} --cacert {ca} …)

Trust the CA, per client stack:
{clients}
  PHP                 openssl.cafile={ca}  and  curl.cainfo={ca}  (php.ini)
  Java                keytool -importcert -noprompt -alias infusionsoft-sandbox -file {ca} \\
                        -keystore {truststore} -storetype PKCS12 -storepass {TRUSTSTORE_PASSWORD}
                      java -Djavax.net.ssl.trustStore={truststore} \\
                        -Djavax.net.ssl.trustStorePassword={TRUSTSTORE_PASSWORD} …
SSL_CERT_FILE, REQUESTS_CA_BUNDLE and CURL_CA_BUNDLE replace the system's CAs for that process: a client that also
calls other real services needs a bundle of both (cat the system bundle and the CA into one file).{port_note}"""


@click.command("trust")
@click.option("--address", default="127.0.0.1", help="The address the names should resolve to [default: 127.0.0.1]")
@click.option("--tls-port", type=PORT, default=None, help="The HTTPS port the sandbox serves [env SANDBOX_TLS_PORT]")
@options
def trust(address, tls_port, data_dir, database_url):
    """Print the CA of `sandbox serve --tls --hostnames`, the hosts-file lines and how each client trusts it."""
    config = settings(data_dir=data_dir, database_url=database_url, tls_port=tls_port)
    from server.sandbox.tls import ensure_ca, ensure_hostname_certificate  # noqa: PLC0415  (see serve)

    ensure_hostname_certificate(Path(config.data_dir))
    ca, _ = ensure_ca(Path(config.data_dir))
    try:
        env = environment(config)
        with transaction(env.engine, write=False) as conn:
            names = [record.name for record in apps.all_apps(conn)]
        env.engine.dispose()
    except sqlalchemy.exc.SQLAlchemyError as exc:
        raise click.ClickException(store_unreachable(config, exc)) from None
    names = [config.default_app, *sorted(n for n in names if n != config.default_app)]  # the default one, seeded or not
    click.echo(instructions(ca.resolve(), address, names, config.tls_port))
