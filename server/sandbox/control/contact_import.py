"""``POST /sandbox/apps/<app>/contacts:import``: many contacts in one request, as CSV (a header row of field
names) or JSON lines (one object a line), read as the body arrives (server.sandbox.contact_files) and added in
batches through the domain (server.domain.crm.contact_import), so each contact gets what ContactService.add
gives it: its email status row, its custom values, its ``contact.added`` event (REST hooks, goals).

The body is subject to the one body limit of every endpoint (``SANDBOX_MAX_BODY_BYTES``, 10 MiB by default:
about 60,000 contacts of a dozen fields); larger files go in several requests or through ``sandbox apps
import``. The import is one transaction: by default any bad line refuses the whole body with a 400 listing
the bad lines (line number, field, problem) and nothing is added; with ``?skip_invalid=true`` the good lines are
added and the bad ones listed in the answer.
"""
from __future__ import annotations

from flask import jsonify, request
from pydantic import Field

from server.domain.crm import contact_import
from server.sandbox import contact_files
from server.store.db import transaction

from .common import ControlError, app_named, current_sandbox
from .contract import Answer, ControlBlueprint, Document, Query

bp = ControlBlueprint("sandbox_contact_import", __name__)

CONTACTS = Document({"type": "string", "title": "Contacts: CSV with a header row, or JSON lines"},
                    contact_files.MEDIA_TYPES, streamed=True)


class ImportQuery(Query):
    skip_invalid: bool = Field(False, description="add the good lines and list the bad ones, instead of refusing "
                                                  "the whole body for one bad line")


class ImportAnswer(Answer):
    imported: int
    rejected: int
    first_id: int | None = Field(description="the id of the first contact added (ids are consecutive)")
    last_id: int | None
    errors: list[dict] = Field(description="the bad lines, at most 100: {line, field, problem}")


@bp.post("/apps/<name>/contacts:import", summary="Add many contacts from CSV or JSON lines", body=CONTACTS,
         query=ImportQuery, answer=ImportAnswer, errors=(404,))
def import_contacts(name: str, query: ImportQuery):
    record = app_named(name)
    if not request.content_length:
        problem = "the body must be contacts: CSV with a header row of field names, or JSON lines"
        raise ControlError(400, problem, [{"field": "body", "problem": "no contacts"}])
    sandbox = current_sandbox()
    try:
        with transaction(sandbox.engine, write=True) as conn:
            s = sandbox.env.session(conn, record)
            if request.mimetype == contact_files.CSV:
                names, records = contact_files.header(request.stream)
                unknown = contact_import.unknown_fields(s, names)
                if unknown:
                    raise contact_import.ImportRefused(contact_import.ImportResult(rejected=1, errors=unknown))
            else:
                records = contact_files.json_lines(request.stream)
            result = contact_import.import_contacts(s, records, skip_invalid=query.skip_invalid)
    except contact_files.BadFile as exc:
        where = "body" if exc.line is None else f"line {exc.line}"
        raise ControlError(400, str(exc), [{"field": where, "problem": exc.problem}]) from None
    except contact_import.ImportRefused as exc:
        errors = exc.result.errors
        lines = "the header" if errors[0].line == 1 and request.mimetype == contact_files.CSV else \
            f"{exc.result.rejected} line(s)"
        raise ControlError(400, f"{lines} cannot be imported, so nothing was: {exc}",
                           [{"field": _where(e), "problem": e.problem} for e in errors]) from None
    return jsonify({"imported": result.imported, "rejected": result.rejected, "first_id": result.first_id,
                    "last_id": result.last_id, "errors": [_error(e) for e in result.errors]})


def _where(error: contact_import.LineError) -> str:
    return f"line {error.line}" + (f": {error.field}" if error.field else "")


def _error(error: contact_import.LineError) -> dict:
    return {"line": error.line, "field": error.field, "problem": error.problem}
