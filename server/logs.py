"""The sandbox's log: configured once by the process that serves (``sandbox serve``, each gunicorn worker,
``wsgi.py``), on stderr, as plain text or as JSON lines (issue 17 §3).

One line per API call, from the one place every transport reports a call's end (server.journal's
``Journal.record``): the app, the protocol, the XML-RPC method or ``VERB /path``, the credential's kind, the
outcome (``ok``, ``fault 2`` or an HTTP status) and the duration. Werkzeug's own access line is quieted, so a call
is one line. Work that gives up (a REST hook or a campaign HTTP post out of attempts) is a WARNING from its module.

No colour, ever: a log is read from files and pipes as often as from a terminal. On the hot path the level is
checked before anything is formatted (``ACCESS.isEnabledFor``), so a sandbox run with ``--log-level warning``
pays one comparison a call.
"""
from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime

ACCESS = logging.getLogger("sandbox.access")
LEVELS = ("debug", "info", "warning", "error")
FORMATS = ("text", "json")
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
# libraries whose INFO lines are noise to a sandbox's user (a migration step each)
QUIET_BELOW_DEBUG = ("alembic",)


def level(text: str) -> str:
    """A log level as SANDBOX_LOG_LEVEL or --log-level gives it (any case); ValueError names the choices."""
    if text.strip().lower() not in LEVELS:
        raise ValueError(f"{text!r} is not a log level: use one of {', '.join(LEVELS)}")
    return text.strip().lower()


def log_format(text: str) -> str:
    if text.strip().lower() not in FORMATS:
        raise ValueError(f"{text!r} is not a log format: use one of {', '.join(FORMATS)}")
    return text.strip().lower()


class JsonLines(logging.Formatter):
    """One JSON object a line: time (UTC, ISO 8601), level, logger, message, and a call's fields by name."""

    def format(self, record: logging.LogRecord) -> str:
        out = {"time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
               "level": record.levelname.lower(), "logger": record.name, "message": record.getMessage()}
        out.update(getattr(record, "call", None) or {})
        if record.exc_info:
            out["exception"] = self.formatException(record.exc_info)
        return json.dumps(out, default=str)


def configure(log_level: str = "info", fmt: str = "text", stream=None) -> None:
    """Send every logger's records at ``log_level`` and above to ``stream`` (stderr) in ``fmt``; the process's
    one handler (calling it again replaces it)."""
    handler = logging.StreamHandler(stream if stream is not None else sys.stderr)
    handler.setFormatter(JsonLines() if fmt == "json" else logging.Formatter(TEXT_FORMAT))
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(log_level.upper())
    # werkzeug's access line (coloured on a terminal) says less than ours: keep only its warnings and errors
    logging.getLogger("werkzeug").setLevel(max(logging.WARNING, root.level))
    for chatty in QUIET_BELOW_DEBUG:
        logging.getLogger(chatty).setLevel(root.level if root.level <= logging.DEBUG else max(logging.WARNING,
                                                                                              root.level))


def wanted() -> bool:
    """Whether a call's line would be written (checked before anything is built for it)."""
    return ACCESS.isEnabledFor(logging.INFO)


def call(app: str | None, protocol: str, method: str | None, credential: str | None, outcome: dict,
         duration: float) -> None:
    """The line of one API call that has just been answered (``outcome`` as server.journal.entry makes it)."""
    if not ACCESS.isEnabledFor(logging.INFO):
        return
    kind = outcome.get("kind")
    if kind == "fault":
        result = f"fault {outcome.get('fault_code')}"
    elif "status" in outcome:
        result = str(outcome["status"])
    else:
        result = kind or "-"
    ms = round(duration * 1000, 1)
    fields = {"app": app, "protocol": protocol, "method": method, "credential": credential, "outcome": result,
              "duration_ms": ms}
    ACCESS.info("%s %s %s credential=%s -> %s %.1fms", app or "-", protocol, method or "-", credential or "-",
                result, ms, extra={"call": fields})
