"""The sandbox's TLS certificates, made once and kept in the data dir's ``tls/`` folder:

- ``ensure_certificate``: a self-signed certificate for 127.0.0.1 and localhost (``sandbox serve --tls``):
  several real clients accept only https:// URLs (infusionsoft-client's front door, for one).
- ``ensure_hostname_certificate``: a certificate for the real service's names (server.auth.hosts:
  api.infusionsoft.com, *.infusionsoft.com, api.keap.com …) issued by a certificate authority of this data dir
  (``ensure_ca``), for ``sandbox serve --tls --hostnames``: clients with the real host baked in reach the sandbox
  once their resolver points the names at it and they trust the CA (``sandbox trust`` says how).
"""
from __future__ import annotations

import datetime
import ipaddress
import os
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from server.auth.hosts import CERTIFICATE_NAMES
from server.clock import UTC, wall

TLS_DIR = "tls"
LEAF_DAYS = 800  # under the 825 days Apple's clients accept for a server certificate issued by a local CA

def ensure_certificate(data_dir: Path) -> tuple[Path, Path]:
    folder = Path(data_dir) / "tls"
    cert_path, key_path = folder / "sandbox-cert.pem", folder / "sandbox-key.pem"
    if cert_path.exists() and key_path.exists():
        return cert_path, key_path
    folder.mkdir(parents=True, exist_ok=True)
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Infusionsoft sandbox (127.0.0.1)")])
    now = datetime.datetime.fromtimestamp(wall(), UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=3650))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost"),
                                                    x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                       critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    key_path.chmod(0o600)
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return cert_path, key_path


def _now() -> datetime.datetime:
    return datetime.datetime.fromtimestamp(wall(), UTC)


def _write(cert: x509.Certificate, key, cert_path: Path, key_path: Path) -> None:
    cert_path.parent.mkdir(parents=True, exist_ok=True)
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    key_path.chmod(0o600)
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))


def ca_paths(data_dir: Path) -> tuple[Path, Path]:
    folder = Path(data_dir) / TLS_DIR
    return folder / "ca-cert.pem", folder / "ca-key.pem"


def ensure_ca(data_dir: Path) -> tuple[Path, Path]:
    """The data dir's certificate authority (10 years): the one certificate a client is told to trust."""
    cert_path, key_path = ca_paths(data_dir)
    if cert_path.exists() and key_path.exists():
        return cert_path, key_path
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Infusionsoft sandbox"),
                      x509.NameAttribute(NameOID.COMMON_NAME, f"Infusionsoft sandbox local CA {os.urandom(4).hex()}")])
    now = _now()
    cert = (
        x509.CertificateBuilder()
        .subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=True, crl_sign=True,
                                     content_commitment=False, key_encipherment=False, data_encipherment=False,
                                     key_agreement=False, encipher_only=False, decipher_only=False), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    _write(cert, key, cert_path, key_path)
    return cert_path, key_path


def ensure_hostname_certificate(data_dir: Path) -> tuple[Path, Path]:
    """A certificate for the real names (and localhost, 127.0.0.1) issued by the data dir's CA; made again when
    it is missing, expires within a month, or was issued by another CA."""
    ca_cert_path, ca_key_path = ensure_ca(data_dir)
    folder = Path(data_dir) / TLS_DIR
    cert_path, key_path = folder / "hostnames-cert.pem", folder / "hostnames-key.pem"
    ca_cert = x509.load_pem_x509_certificate(ca_cert_path.read_bytes())
    now = _now()
    if cert_path.exists() and key_path.exists():
        current = x509.load_pem_x509_certificate(cert_path.read_bytes())
        if current.issuer == ca_cert.subject and current.not_valid_after_utc > now + datetime.timedelta(days=30):
            return cert_path, key_path
    ca_key = serialization.load_pem_private_key(ca_key_path.read_bytes(), password=None)
    key = ec.generate_private_key(ec.SECP256R1())
    names = [x509.DNSName(n) for n in (*CERTIFICATE_NAMES, "localhost")]
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, CERTIFICATE_NAMES[0])]))
        .issuer_name(ca_cert.subject).public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=LEAF_DAYS))
        .add_extension(x509.SubjectAlternativeName([*names, x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                       critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    _write(cert, key, cert_path, key_path)
    return cert_path, key_path
