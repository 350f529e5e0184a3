"""How each common client stack is told to trust the sandbox's certificate: the banner of ``sandbox serve --tls``
and ``sandbox trust`` print these (apart from server.sandbox.tls, so printing them loads no cryptography)."""
from __future__ import annotations

from pathlib import Path

CLIENT_TRUST = (
    ("Python requests", "export REQUESTS_CA_BUNDLE={ca}"),
    ("Python ssl, httpx, Ruby, Go, OpenSSL", "export SSL_CERT_FILE={ca}"),
    ("Node.js", "export NODE_EXTRA_CA_CERTS={ca}"),
    ("curl", "curl --cacert {ca} …  (or export CURL_CA_BUNDLE={ca})"),
)


def client_trust(ca: Path, indent: str = "  ", width: int = 20) -> list[str]:
    """CLIENT_TRUST for ``ca`` as aligned lines (a label too long for its column on a line of its own)."""
    out = []
    for label, setting in CLIENT_TRUST:
        if len(label) >= width:
            out += [indent + label, indent + " " * width + setting.format(ca=ca)]
        else:
            out.append(indent + label.ljust(width) + setting.format(ca=ca))
    return out
