"""Docs that run (issue 17 §4): every fenced block of README.md and docs/*.md that a user would paste runs here,
in document order, against a live sandbox, each document in a fresh app named ``sandbox``.

The conventions the documents write in, substituted or provided here:

- the server is ``http://127.0.0.1:8000`` (or ``localhost:8000``): rewritten to the live test server's address;
- the app is ``sandbox`` (the default app of ``sandbox serve``): deleted and made again, seeded, before each
  document, so no document sees what another left behind (a frozen clock, a smaller bucket);
- in ``python`` blocks, ``KEY`` is that app's legacy API key, ``URL`` the server's address and ``SAK`` a Service
  Account Key of the app; the blocks of one document share one namespace, the way a reader pastes them into one
  session; the environment has ``SANDBOX_URL``, ``SANDBOX_APP``, ``SANDBOX_KEY`` and ``KEAP_SANDBOX_URL``;
- ``sh``/``bash``/``console`` blocks run under ``bash -e`` (of a ``console`` block, the lines after ``$ ``); a
  ``curl`` that gets an HTTP error (``--fail-with-body``) fails the block even inside a pipe; ``sandbox`` is the
  CLI, working on the live server's store (``SANDBOX_DATA_DIR``), run in this process through a one-line shim
  (``CliShim``) because a new interpreter importing the server costs seconds a command on a shared machine;
- a ``python`` block that defines ``test_`` functions is a test file: pytest runs it (in this process), its
  plugin pointed at the live server by ``KEAP_SANDBOX_URL``;
- ``yaml``/``json`` blocks are campaign documents: imported and published (``?publish=1``);
- a block with no language, or ``text``, is output or a diagram and is not run.

Marks, an HTML comment on the line before the block: ``<!-- not run: why -->`` for a block that cannot run here
(it needs an outside host, it starts a server that runs until stopped, it is a fragment of the server's source,
it is an answer rather than a request), and ``<!-- run: errors expected -->`` for a shell block whose point is an
error answer (curl then reports HTTP errors without failing). An unmarked block that fails fails the test."""
from __future__ import annotations

import contextlib
import io
import json
import os
import re
import shlex
import socketserver
import subprocess
import sys
import tempfile
import threading
import traceback
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests
from click.testing import CliRunner
from markdown_it import MarkdownIt

from server.cli import main as cli
from tests.conftest import ROOT, start_server

DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
APP = "sandbox"
HOST = re.compile(r"(?:127\.0\.0\.1|localhost):8000\b")
MARK = re.compile(r"^\s*<!--\s*(not run|run):\s*(.*?)\s*-->\s*$")
SHELL = {"sh", "bash", "console", "shell"}
TIMEOUT = 120  # seconds a block may take before it counts as hung


OUTPUT = ("", "text")  # what a reader reads, not runs

@dataclass
class Block:
    doc: Path
    line: int  # 1-based line of the opening fence
    language: str
    code: str
    mark: tuple[str, str] | None  # ("not run", why) or ("run", what)

    @property
    def where(self) -> str:
        return f"{self.doc.relative_to(ROOT) if self.doc.is_relative_to(ROOT) else self.doc.name}:{self.line}"


def blocks(doc: Path) -> list[Block]:
    lines = doc.read_text().splitlines()
    found = []
    for token in MarkdownIt("commonmark").parse("\n".join(lines)):
        if token.type != "fence":
            continue
        start = token.map[0]
        before = next((lines[i] for i in range(start - 1, -1, -1) if lines[i].strip()), "")
        match = MARK.match(before)
        found.append(Block(doc, start + 1, (token.info.split() or [""])[0].lower(), token.content,
                           (match.group(1), match.group(2)) if match else None))
    return found


@pytest.fixture(scope="module")
def docs_server(tmp_path_factory):
    live, stop = start_server(tmp_path_factory.mktemp("docs"))
    yield live
    stop()


class CliShim(socketserver.UnixStreamServer):
    """``sandbox ARGS`` in a shell block: a bare interpreter sends ARGS (and the block's SANDBOX_* variables)
    here, the CLI runs in this process under click's runner, and the output and exit code go back."""

    CLIENT = ("import json, os, socket, sys; s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); "
              "env = {k: v for k, v in os.environ.items() if k.startswith('SANDBOX_')}; "
              "s.sendall(json.dumps([sys.argv[2:], env]).encode()); s.shutdown(socket.SHUT_WR); "
              "a = json.loads(b''.join(iter(lambda: s.recv(65536), b''))); "
              "sys.stdout.write(a['output']); sys.exit(a['code'])")

    class Handler(socketserver.StreamRequestHandler):
        def handle(self):
            argv, env = json.loads(self.rfile.read())
            result = CliRunner().invoke(cli, argv, env=env, prog_name="sandbox")
            output = result.output
            if result.exception and not isinstance(result.exception, SystemExit):
                output += "".join(traceback.format_exception(result.exception))
            self.wfile.write(json.dumps({"output": output, "code": result.exit_code}).encode())

    def __init__(self, path: Path):
        super().__init__(str(path), self.Handler)

    def bash_function(self) -> str:
        return f"sandbox() {{ {shlex.quote(sys.executable)} -S -c {shlex.quote(self.CLIENT)} " \
               f"{shlex.quote(self.server_address)} \"$@\"; }}\n"


@pytest.fixture(scope="module")
def cli_shim():
    path = Path(os.environ.get("TMPDIR", "/tmp")) / f"sandbox-docs-cli-{os.getpid()}.sock"
    path.unlink(missing_ok=True)
    shim = CliShim(path)
    thread = threading.Thread(target=shim.serve_forever, daemon=True)
    thread.start()
    yield shim
    shim.shutdown()
    shim.server_close()
    path.unlink(missing_ok=True)


@dataclass
class Run:
    """One document's run: the server, a scratch directory, the namespace its python blocks share."""
    url: str
    cwd: Path
    namespace: dict
    cli: CliShim

    def rewrite(self, code: str) -> str:
        return HOST.sub(self.url.removeprefix("http://"), code)


def fresh_app(live) -> tuple[str, str]:
    live.control("DELETE", f"/apps/{APP}")
    made = live.control("POST", "/apps", json={"name": APP, "seed": True})
    assert made.status_code == 201, made.text
    sak = live.control("POST", f"/apps/{APP}/api-keys", json={"kind": "sak"})
    assert sak.status_code == 201, sak.text
    return made.json()["legacy_api_key"], sak.json()["key"]


def run_python(block: Block, run: Run) -> str | None:
    """exec in the document's namespace, compiled against the document's own line numbers."""
    source = "\n" * block.line + run.rewrite(block.code)
    outcome: list[str] = []

    def target():
        try:
            exec(compile(source, str(block.doc), "exec"), run.namespace)
        except BaseException:  # noqa: BLE001 - reported as the block's failure
            outcome.append(traceback.format_exc())

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    thread.join(TIMEOUT)
    if thread.is_alive():
        return f"still running after {TIMEOUT} s"
    return outcome[0] if outcome else None


def run_pytest(block: Block, run: Run) -> str | None:
    folder = run.cwd / f"pytest_{block.line}"
    folder.mkdir()
    path = folder / f"test_{block.doc.stem.replace('-', '_')}_{block.line}.py"
    path.write_text(run.rewrite(block.code))
    output = io.StringIO()
    with contextlib.redirect_stdout(output):
        code = pytest.main(["-q", "-p", "no:cacheprovider", "-p", "no:xdist", "-p", "no:randomly",
                            "--rootdir", str(folder), str(path)])
    return None if code == 0 else f"pytest exit {code}\n{output.getvalue()}"


def run_shell(block: Block, run: Run) -> str | None:
    failed = run.cwd / f"curl-failed-{block.line}"
    prelude = "set -e\n" + run.cli.bash_function()
    if block.mark != ("run", "errors expected"):
        prelude += f'curl() {{ command curl -S --fail-with-body "$@" || {{ echo "$*" >> {failed}; return 22; }}; }}\n'
    code = block.code
    if block.language == "console":  # a session: the commands after "$ ", the rest is what they printed
        code = "".join(line[2:] + "\n" for line in code.splitlines() if line.startswith("$ "))
    done = subprocess.run(["bash", "-c", prelude + run.rewrite(code)], cwd=run.cwd, capture_output=True,
                          text=True, timeout=TIMEOUT)
    if done.returncode == 0 and not failed.exists():
        return None
    curls = f"curl failed: {failed.read_text()}" if failed.exists() else ""
    return f"exit {done.returncode}\n{curls}{done.stdout}\n{done.stderr}"


def run_campaign(block: Block, run: Run) -> str | None:
    kind = "application/json" if block.language == "json" else "application/yaml"
    r = requests.post(f"{run.url}/sandbox/apps/{APP}/campaigns", params={"publish": "1"}, data=block.code.encode(),
                      headers={"Content-Type": kind}, timeout=TIMEOUT)
    return None if r.status_code == 201 else f"{r.status_code} {r.text}"


def runner(block: Block):
    if block.language == "python":
        return run_pytest if re.search(r"^def test_", block.code, re.M) else run_python
    if block.language in SHELL:
        return run_shell
    if block.language in ("yaml", "json"):
        return run_campaign
    return None


def run_document(doc: Path, live, cli: CliShim, scratch: Path) -> str | None:
    """Run the blocks of ``doc`` in order in a fresh app ``sandbox``; the first failure, or None. What the blocks
    write (files, temporary directories) lands in ``scratch``; what they set in os.environ
    (OAUTHLIB_INSECURE_TRANSPORT, say) is undone."""
    key, sak = fresh_app(live)
    run = Run(live.url, scratch, {"__name__": "__main__", "KEY": key, "URL": live.url, "SAK": sak}, cli)
    environment, cwd = dict(os.environ), os.getcwd()
    os.environ.update({"SANDBOX_URL": live.url, "SANDBOX_APP": APP, "SANDBOX_KEY": key, "KEAP_SANDBOX_URL": live.url,
                       "SANDBOX_DATA_DIR": str(live.data_dir),
                       "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"})
    scratch.mkdir(parents=True, exist_ok=True)
    os.chdir(scratch)
    tempdir, tempfile.tempdir = tempfile.tempdir, str(scratch)  # a block's mkdtemp() too
    try:
        for block in blocks(doc):
            if block.mark and block.mark[0] == "not run" or block.language in OUTPUT:
                continue
            run_block = runner(block)
            if run_block is None:
                return f"{block.where}: a ```{block.language} block: mark it <!-- not run: why --> or run it"
            failure = run_block(block, run)
            if failure is not None:
                return f"{block.where}: the ```{block.language} block failed:\n{failure}"
        return None
    finally:
        tempfile.tempdir = tempdir
        os.chdir(cwd)
        os.environ.clear()
        os.environ.update(environment)


@pytest.mark.parametrize("doc", DOCS, ids=[str(d.relative_to(ROOT)) for d in DOCS])
def test_the_documents_examples_run(doc, docs_server, cli_shim, tmp_path):
    failure = run_document(doc, docs_server, cli_shim, tmp_path)
    assert failure is None, failure


def test_a_failing_block_fails_the_document_and_a_marked_one_is_left_alone(docs_server, cli_shim, tmp_path):
    doc = tmp_path / "doc.md"
    doc.write_text(
        "```python\nimport requests\nr = requests.get('http://127.0.0.1:8000/sandbox/apps/sandbox')\n"
        "assert r.json()['legacy_api_key'] == KEY\n```\n\n"  # lines 1-5: the fresh app, its key given
        "<!-- not run: needs an outside host -->\n```sh\nexit 1\n```\n\n"  # 7-10
        "<!-- run: errors expected -->\n```sh\ncurl -s localhost:8000/sandbox/apps/nowhere\n```\n\n"  # 12-15
        "```console\n$ sandbox clock show sandbox | grep -c 'app sandbox'\n1\n```\n"  # 17-20: the CLI on the live store
        "```sh\ncurl -s localhost:8000/sandbox/apps/nowhere | cat\necho after\n```\n")  # 21: a 404 in a pipe
    failure = run_document(doc, docs_server, cli_shim, tmp_path / "one")
    assert failure.startswith("doc.md:21: the ```sh block failed") and "no app named 'nowhere'" in failure

    doc.write_text("```python\nx = 1\nraise ValueError('boom')\n```\n\n```yaml\nname: never imported\n```\n")
    failure = run_document(doc, docs_server, cli_shim, tmp_path / "two")
    assert failure.startswith("doc.md:1: the ```python block failed") and 'doc.md", line 3' in failure
    assert failure.rstrip().endswith("ValueError: boom")

    doc.write_text("```ruby\nputs 1\n```\n")
    assert run_document(doc, docs_server, cli_shim, tmp_path / "three").startswith("doc.md:1: a ```ruby block")


def test_every_mark_says_why_and_is_one_the_runner_knows():
    for doc in DOCS:
        for block in blocks(doc):
            if block.mark is None:
                continue
            kind, what = block.mark
            assert what, f"{block.where}: <!-- {kind}: … --> says why"
            assert kind == "not run" or (what == "errors expected" and block.language in SHELL), block.where


def test_the_block_parser_reads_marks_languages_and_indented_fences(tmp_path):
    doc = tmp_path / "x.md"
    doc.write_text("text\n\n<!-- not run: needs an outside host -->\n```sh\ncurl example.com\n```\n\n"
                   "1. a list\n\n   ```python\n   print(1)\n   ```\n\n```\noutput\n```\n")
    found = blocks(doc)
    assert [(b.line, b.language, b.code, b.mark) for b in found] == [
        (4, "sh", "curl example.com\n", ("not run", "needs an outside host")),
        (10, "python", "print(1)\n", None),
        (14, "", "output\n", None)]
