"""The installable package: a wheel built from the source, installed into a fresh virtualenv, serves from an
empty directory with its seed data and migrations.

Offline, on any machine that runs the suite: the wheel is built in this venv without build isolation (the
build backend, setuptools, is a test dependency), and the fresh venv gets its dependencies with
``pip install --no-index --find-links WHEELHOUSE``, where the wheelhouse holds this venv's own installed
distributions packed back into wheels (the exact versions the suite runs on). The fresh venv shares no
site-packages with this one: pip resolves and installs every requirement of the wheel into it.
"""
from __future__ import annotations

import base64
import email
import hashlib
import importlib.metadata
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import xmlrpc.client
import zipfile
from pathlib import Path

import pytest
import requests
from packaging.requirements import Requirement

from server import __version__
from tests.conftest import ROOT

pytestmark = pytest.mark.slow

SOURCES = ("server", "sandbox_data", "infusionsoft_sandbox", "pyproject.toml", "setup.py", "MANIFEST.in")
_SKIPPED = {"RECORD", "INSTALLER", "REQUESTED", "direct_url.json"}  # what pip wrote at install, not the wheel


def _run(*args, **kwargs) -> str:
    done = subprocess.run([str(a) for a in args], capture_output=True, text=True, **kwargs)
    assert done.returncode == 0, f"{args}\n{done.stdout}\n{done.stderr}"
    return done.stdout


def _build_wheel(tmp: Path) -> Path:
    """The wheel of a copy of the source (so no stale build/ of the checkout slips in)."""
    source = tmp / "source"
    for name in SOURCES:
        path = ROOT / name
        if path.is_dir():
            shutil.copytree(path, source / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        elif path.exists():
            shutil.copy(path, source / name)
    _run(sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--no-index",
         "-w", tmp / "dist", source)
    (wheel,) = (tmp / "dist").glob("infusionsoft_sandbox-*.whl")
    return wheel


def _requirements(lines: list[str]) -> list[Requirement]:
    found = []
    for line in lines:
        requirement = Requirement(line)
        if requirement.marker is None or requirement.marker.evaluate({"extra": ""}):
            found.append(requirement)
    return found


def _repack(dist: importlib.metadata.Distribution, wheelhouse: Path) -> None:
    """An installed distribution as a wheel again: the files its RECORD lists inside site-packages, with a
    new RECORD. Scripts and data outside site-packages are left out (pip makes the scripts again from the
    entry points)."""
    files = [f for f in dist.files or [] if f.parts[0] != ".." and "__pycache__" not in f.parts]
    info = next(f.parts[0] for f in files if f.parts[0].endswith(".dist-info") and f.name == "METADATA")
    tags = [line.split(":", 1)[1].strip() for line in dist.read_text("WHEEL").splitlines()
            if line.startswith("Tag:")]
    parts = [".".join(dict.fromkeys(tag.split("-")[i] for tag in tags)) for i in range(3)]
    name = re.sub(r"[-_.]+", "_", dist.metadata["Name"])
    target = wheelhouse / f"{name}-{dist.version}-{'-'.join(parts)}.whl"
    record = []
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as wheel:
        for file in files:
            if file.parts[0] == info and file.name in _SKIPPED:
                continue
            data = Path(dist.locate_file(file)).read_bytes()
            wheel.writestr(str(file), data)
            digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
            record.append(f"{file},sha256={digest},{len(data)}")
        record.append(f"{info}/RECORD,,")
        wheel.writestr(f"{info}/RECORD", "\n".join(record) + "\n")


def _wheelhouse(wheel: Path, folder: Path) -> Path:
    """Every distribution the wheel needs, transitively, as installed in this venv, packed as wheels."""
    folder.mkdir()
    with zipfile.ZipFile(wheel) as z:
        metadata = z.read(next(n for n in z.namelist() if n.endswith(".dist-info/METADATA"))).decode()
    pending, done = _requirements(email.message_from_string(metadata).get_all("Requires-Dist") or []), set()
    while pending:
        requirement = pending.pop()
        dist = importlib.metadata.distribution(requirement.name)
        key = dist.metadata["Name"].lower()
        if key in done:
            continue
        done.add(key)
        _repack(dist, folder)
        pending.extend(_requirements(dist.requires or []))
    return folder


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_the_wheel_installs_into_a_fresh_venv_and_serves(tmp_path):
    wheel = _build_wheel(tmp_path)
    wheelhouse = _wheelhouse(wheel, tmp_path / "wheelhouse")
    venv = tmp_path / "venv"
    _run(sys.executable, "-m", "venv", "--without-pip", venv)
    python = venv / "bin" / "python"
    _run(sys.executable, "-m", "pip", "--python", python, "install", "--no-index", "--find-links", wheelhouse, wheel)

    empty = tmp_path / "empty"
    empty.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith("SANDBOX_") and k not in ("DATABASE_URL",
                                                                                          "PYTHONPATH")}
    located = _run(python, "-c", "import server, sys; print(server.__file__); print(sys.prefix)", cwd=empty, env=env)
    assert located.splitlines()[0].startswith(str(venv))  # the installed copy, not the checkout
    assert _run(venv / "bin" / "sandbox", "--version", cwd=empty, env=env).strip() == f"sandbox, version {__version__}"
    plugins = _run(python, "-c", "import importlib.metadata as m, server.testing.client; "
                                 "print(*(e.value for e in m.entry_points(group='pytest11')))", cwd=empty, env=env)
    assert plugins.split() == ["infusionsoft_sandbox"]  # the pytest plugin, registered; its helpers need no pytest

    port = _free_port()
    proc = subprocess.Popen([str(venv / "bin" / "sandbox"), "serve", "--port", str(port)], cwd=empty, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120  # a bound on start-up, not a speed check
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                if requests.get(base + "/sandbox/readyz", timeout=2).status_code == 200:
                    break
            except requests.RequestException:
                pass
            time.sleep(0.05)
        assert proc.poll() is None, proc.stdout.read()
        health = requests.get(base + "/sandbox/health", timeout=10).json()
        assert health["version"] == __version__ and health["database"] == "sqlite"
        inspector = requests.get(base + "/", timeout=10)  # the inspector's templates and static files are shipped
        assert inspector.status_code == 200 and "Sandbox inspector" in inspector.text
        assert requests.get(base + "/sandbox/ui/static/inspector.css", timeout=10).status_code == 200
        key = (empty / ".sandbox" / "api_key").read_text().strip()  # the default data dir, in the empty directory
        proxy = xmlrpc.client.ServerProxy(base + "/api/xmlrpc")
        seeded = json.loads((ROOT / "sandbox_data" / "contacts.json").read_text())
        found = proxy.DataService.query(key, "Contact", 1000, 0, {"Id": "%"}, ["Email"])
        assert {c["Email"] for c in seeded if c.get("Email")} <= {c.get("Email") for c in found}
    finally:
        proc.terminate()
        out, _ = proc.communicate(timeout=30)
    assert f"Infusionsoft sandbox on {base}" in out
