"""The real hostnames: `sandbox serve --tls --hostnames` serves a certificate for api.infusionsoft.com,
*.infusionsoft.com … from a CA of the data dir, and routes the legacy endpoint by host. Tested without touching
the hosts file: the clients connect to 127.0.0.1 while sending the real name (SNI, Host, certificate check), as
`curl --resolve` does."""
from __future__ import annotations

import http.client
import os
import shutil
import socket
import ssl
import subprocess
import sys
import time
import xmlrpc.client
from pathlib import Path

import pytest
import requests
import urllib3
from click.testing import CliRunner
from requests.adapters import HTTPAdapter
from werkzeug.serving import make_server

from server.auth.hosts import app_of_host
from server.cli import main
from server.sandbox.tls import ensure_hostname_certificate
from tests.conftest import ROOT, serve_in_thread, start_server

SANDBOX = Path(sys.executable).parent / "sandbox"
LOOPBACK = "127.0.0.1"


# --- clients that resolve every name to 127.0.0.1 ----------------------------------------------------------

class _LoopbackConnection(urllib3.connection.HTTPSConnection):
    def _new_conn(self):  # the socket goes to 127.0.0.1; the URL's host stays the name sent (SNI, Host) and checked
        return socket.create_connection((LOOPBACK, self.port), self.timeout)


class _LoopbackPool(urllib3.HTTPSConnectionPool):
    ConnectionCls = _LoopbackConnection


def resolving_session(ca: Path) -> requests.Session:
    adapter = HTTPAdapter()
    adapter.poolmanager.pool_classes_by_scheme = {"http": urllib3.HTTPConnectionPool, "https": _LoopbackPool}
    session = requests.Session()
    session.mount("https://", adapter)
    session.verify = str(ca)
    session.trust_env = False  # the CA given here, not REQUESTS_CA_BUNDLE or CURL_CA_BUNDLE of the environment
    return session


class _LoopbackHTTPS(http.client.HTTPSConnection):
    def connect(self):
        sock = socket.create_connection((LOOPBACK, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


class ResolvingTransport(xmlrpc.client.SafeTransport):
    """xmlrpc.client over HTTPS to 127.0.0.1, whatever the URL's host."""

    def make_connection(self, host):
        name, _, port = self.get_host_info(host)[0].partition(":")
        self._connection = host, _LoopbackHTTPS(name, int(port or 443), context=self.context, timeout=30)
        return self._connection[1]


def proxy(url: str, ca: Path) -> xmlrpc.client.ServerProxy:
    return xmlrpc.client.ServerProxy(url, transport=ResolvingTransport(context=ssl.create_default_context(
        cafile=str(ca))))


# --- the tests ------------------------------------------------------------------------------------------

def test_which_hosts_name_an_app():
    assert app_of_host("acme.infusionsoft.com") == "acme"
    assert app_of_host("Acme.Infusionsoft.com:8443") == "acme"
    assert app_of_host("acme.infusionsoft.com.") == "acme"
    for host in ("api.infusionsoft.com", "accounts.infusionsoft.com", "signin.infusionsoft.com", "api.keap.com",
                 "infusionsoft.com", "a.b.infusionsoft.com", "127.0.0.1:8000", "localhost", "[::1]:8443",
                 "acme.infusionsoft.com.example.org", ""):
        assert app_of_host(host) is None, host


def _port() -> int:
    with socket.socket() as s:
        s.bind((LOOPBACK, 0))
        return s.getsockname()[1]


def _serve_hostnames(tmp_path: Path) -> tuple[subprocess.Popen, str, int]:
    """`sandbox serve --hostnames` as a process: it, its HTTP base and its HTTPS port."""
    port, tls_port = _port(), _port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("SANDBOX_") and k != "DATABASE_URL"}
    env["PYTHONPATH"] = str(ROOT)
    proc = subprocess.Popen([str(SANDBOX), "serve", "--hostnames", "--port", str(port), "--tls-port", str(tls_port),
                             "--data-dir", str(tmp_path)], cwd=tmp_path, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    base = f"http://{LOOPBACK}:{port}"
    deadline = time.monotonic() + 90  # a bound on start-up, not a speed check
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            if requests.get(base + "/sandbox/readyz", timeout=2).status_code == 200:
                break
        except requests.RequestException:
            time.sleep(0.05)
    if proc.poll() is not None:
        raise AssertionError(proc.stdout.read())
    return proc, base, tls_port


def test_the_real_names_over_tls(tmp_path):
    proc, base, tls_port = _serve_hostnames(tmp_path)
    try:
        _check_the_real_names(base, tls_port, tmp_path)
    finally:
        proc.terminate()
        out = proc.communicate(timeout=30)[0]
    assert f"https://sandbox.infusionsoft.com:{tls_port}/api/xmlrpc" in out  # the banner
    assert f"export SSL_CERT_FILE={tmp_path / 'tls' / 'ca-cert.pem'}" in out and "sandbox trust" in out


def _check_the_real_names(base: str, tls_port: int, data_dir: Path) -> None:
    ca = data_dir / "tls" / "ca-cert.pem"
    key = (data_dir / "api_key").read_text().strip()
    acme = requests.post(base + "/sandbox/apps", json={"name": "acme", "seed": False}, timeout=30).json()
    http = resolving_session(ca)

    # the certificate covers every real name, and was issued by the data dir's CA
    for name in ("api.infusionsoft.com", "api.keap.com", "signin.infusionsoft.com", "acme.infusionsoft.com"):
        assert http.get(f"https://{name}:{tls_port}/sandbox/livez", timeout=10).status_code == 200, name
    with pytest.raises(requests.exceptions.SSLError):  # a name it does not cover
        http.get(f"https://example.com:{tls_port}/sandbox/livez", timeout=10)
    with pytest.raises(requests.exceptions.SSLError):  # without the CA, nothing trusts it
        http.get(f"https://api.infusionsoft.com:{tls_port}/sandbox/livez", timeout=10, verify=True)

    # accounts.infusionsoft.com: the OAuth consent page; api.infusionsoft.com: the gateway's REST
    page = http.get(f"https://accounts.infusionsoft.com:{tls_port}/app/oauth/authorize", timeout=10, params={
        "client_id": "sandbox-client", "redirect_uri": "http://127.0.0.1:9000/callback", "response_type": "code"})
    assert page.status_code == 200 and "acme.infusionsoft.com" in page.text
    pat = requests.post(base + "/sandbox/apps/acme/api-keys", json={"kind": "pat"}, timeout=30).json()["key"]
    contacts = http.get(f"https://api.infusionsoft.com:{tls_port}/crm/rest/v1/contacts", timeout=10,
                        headers={"X-Keap-API-Key": pat})
    assert contacts.status_code == 200 and contacts.json()["contacts"] == []

    # {app}.infusionsoft.com/api/xmlrpc is that app's legacy endpoint
    own = proxy(f"https://sandbox.infusionsoft.com:{tls_port}/api/xmlrpc", ca)
    assert own.DataService.echo(key, "hello") == "hello"
    assert own.DataService.count(key, "Contact", {}) > 0  # the seeded app
    with pytest.raises(xmlrpc.client.Fault) as fault:  # another app's key on this app's host
        own.DataService.count(acme["legacy_api_key"], "Contact", {})
    assert "InvalidKey" in fault.value.faultString
    theirs = proxy(f"https://acme.infusionsoft.com:{tls_port}/api/xmlrpc", ca)
    assert theirs.DataService.count(acme["legacy_api_key"], "Contact", {}) == 0
    with pytest.raises(xmlrpc.client.Fault):
        theirs.DataService.count(key, "Contact", {})

    if shutil.which("curl"):
        done = subprocess.run(["curl", "-fsS", "--resolve", f"api.infusionsoft.com:{tls_port}:{LOOPBACK}",
                               "--cacert", str(ca), f"https://api.infusionsoft.com:{tls_port}/sandbox/livez"],
                              capture_output=True, text=True, timeout=30)
        assert done.returncode == 0 and '"alive"' in done.stdout, done.stderr

    told = CliRunner().invoke(main, ["trust", "--data-dir", str(data_dir), "--tls-port", str(tls_port)])
    assert told.exit_code == 0, told.output
    for text in (f"CA certificate: {ca.resolve()}",
                 "127.0.0.1 api.infusionsoft.com accounts.infusionsoft.com api.keap.com signin.infusionsoft.com "
                 "sandbox.infusionsoft.com acme.infusionsoft.com",
                 f"REQUESTS_CA_BUNDLE={ca.resolve()}", f"SSL_CERT_FILE={ca.resolve()}",
                 f"NODE_EXTRA_CA_CERTS={ca.resolve()}", f"CURL_CA_BUNDLE={ca.resolve()}",
                 f"openssl.cafile={ca.resolve()}",
                 "keytool -importcert", f"--resolve api.infusionsoft.com:{tls_port}:127.0.0.1"):
        assert text in told.output, text


def test_on_port_443_where_it_can_be_bound(tmp_path):
    """The port clients with https://api.infusionsoft.com hard-coded use; skipped where it cannot be bound."""
    live, stop = start_server(tmp_path)
    cert, key = ensure_hostname_certificate(tmp_path)
    try:
        try:
            server = make_server(LOOPBACK, 443, live.app, threaded=True, ssl_context=(str(cert), str(key)))
        except OSError as exc:
            pytest.skip(f"port 443 cannot be bound here: {exc}")
        serve_in_thread(server)
        try:
            ca = tmp_path / "tls" / "ca-cert.pem"
            api_key = (tmp_path / "api_key").read_text().strip()
            assert proxy("https://sandbox.infusionsoft.com/api/xmlrpc", ca).DataService.echo(api_key, "x") == "x"
            assert resolving_session(ca).get("https://api.infusionsoft.com/sandbox/readyz", timeout=10).ok
        finally:
            server.shutdown()
            server.server_close()
    finally:
        stop()
