"""REST v2: Files: list, upload, metadata, update, delete, and the content (``:data``).

The files are the file boxes' rows and bytes that XML-RPC ``FileService`` and REST v1 ``/files`` use
(server.domain.crm.files): a file uploaded here is ``FileService.getFile``'s, and the other way round.
v2 wire rules of this family:
- Uploads and updates are ``multipart/form-data`` (the contract): a ``file`` part with the bytes, and text
  parts ``file_name``, ``file_association`` (CONTACT, USER or COMPANY), ``contact_id`` (required for CONTACT),
  ``is_public`` (``true``/``false``). A missing or bad part is a 400 naming it.
- ``file_box_type`` is CONTACT for a contact's file box and APPLICATION for the app's (the other boxes of the
  enum are not modelled); ``category`` is DOCUMENTS, the category of every file the API uploads.
- ``:data`` answers the bytes as the contract declares them: a JSON string, base64 (``format: byte``).
"""
from __future__ import annotations

from server.domain.crm import files as domain
from server.domain.mail.emails import contact_exists
from server.domain.session import AppSession

from .api import Reply, Request, operation
from .errors import existing, invalid_field
from .filters import Choice, Id, Text, Time
from .paging import Listing
from .wire import out_id, out_time

ASSOCIATIONS = ("CONTACT", "USER", "COMPANY")
FILES = Listing(
    filters={"is_public": Choice(("true", "false")), "contact_id": Id(), "user_id": Id(),
             "category": Choice(("ATTACHMENTS", "CART", "DOCUMENTS", "HIDDEN", "INVOICE", "LOGO", "TICKETS",
                                 "WEB_FORM", "FUNNEL")),
             "file_box_type": Choice(("APPLICATION", "IMAGE", "FAX", "ATTACHMENT", "TICKET", "CONTACT",
                                      "DIGITAL_PRODUCT", "IMPORT", "HIDDEN", "WEB_FORM", "STYLED_CART",
                                      "RESAMPLED_IMAGE", "TEMPLATE_THUMBNAIL", "FUNNEL", "LOGO_THUMBNAIL",
                                      "UNLAYER", "BRANDING_CENTER_LOGO")),
             "file_name": Text(), "created_time": Time("create_time"), "updated_time": Time("update_time")},
    order_by={"file_name": "file_name", "created_time": "create_time", "updated_time": "update_time"},
)


def file_json(s: AppSession, f: domain.FileRecord) -> dict:
    return {"id": out_id(f.id), "file_name": f.file_name, "file_size": f.file_size, "is_public": f.public,
            "contact_id": out_id(f.contact_id), "created_by_id": out_id(f.created_by),
            "category": "DOCUMENTS", "file_box_type": "CONTACT" if f.in_contact_box else "APPLICATION",
            "created_time": out_time(f.created, s.clock), "updated_time": out_time(f.updated, s.clock)}


def _file(s: AppSession, file_id: int) -> domain.FileRecord:
    return existing(domain.get(s, file_id), "File", file_id)


# --- the multipart parts ------------------------------------------------------------------------------

def _text(r: Request, name: str, *, required: bool = False) -> str | None:
    value = r.http.form.get(name)
    if value is None or not value.strip():
        if required:
            raise invalid_field(name, f"the part '{name}' is required")
        return None
    return value.strip()


def _content(r: Request) -> bytes:
    part = r.http.files.get("file")
    if part is None:
        raise invalid_field("file", "the part 'file' (the file's bytes) is required")
    return part.read()


def _flag(r: Request, name: str) -> bool | None:
    value = _text(r, name)
    if value is None:
        return None
    if value.lower() not in ("true", "false"):
        raise invalid_field(name, f"'{value}' is not true or false")
    return value.lower() == "true"


def _contact_id(r: Request) -> int:
    text = _text(r, "contact_id", required=True)
    if not text.isdigit():
        raise invalid_field("contact_id", f"'{text}' is not an id")
    if not contact_exists(r.s, int(text)):
        raise invalid_field("contact_id", f"no contact has the id {text}")
    return int(text)


# --- operations ---------------------------------------------------------------------------------------

@operation("listFiles")
def list_files(r: Request) -> dict:
    page = domain.page_files(r.s, r.list_query(FILES))
    return r.page("files", [file_json(r.s, f) for f in page.items], page)


@operation("createFile")
def create_file(r: Request) -> dict:
    data = _content(r)
    name = _text(r, "file_name", required=True)
    association = _text(r, "file_association", required=True).upper()
    if association not in ASSOCIATIONS:
        raise invalid_field("file_association", f"'{association}' is not one of {', '.join(ASSOCIATIONS)}")
    contact_id = _contact_id(r) if association == "CONTACT" else 0
    file_id = domain.upload(r.s, name, data, contact_id, public=bool(_flag(r, "is_public")),
                            association=association)
    return file_json(r.s, _file(r.s, file_id))


@operation("getFile")
def get_file(r: Request, file_id: int) -> dict:
    return file_json(r.s, _file(r.s, file_id))


@operation("updateFile")
def update_file(r: Request, file_id: int) -> dict:
    """A masked part missing from the form: the bytes and the name cannot be cleared (a 400); ``is_public``
    becomes false."""
    f = _file(r.s, file_id)
    mask = r.update_mask()
    present = {"file": "file" in r.http.files, "file_name": _text(r, "file_name") is not None,
               "is_public": _text(r, "is_public") is not None}
    changed = set(mask) if mask is not None else {k for k, there in present.items() if there}
    if "file" in changed:
        domain.replace(r.s, file_id, _content(r))
    if "file_name" in changed:
        name = _text(r, "file_name", required=True)
        if name != f.file_name:
            domain.rename(r.s, file_id, name)
    if "is_public" in changed:
        domain.set_public(r.s, file_id, bool(_flag(r, "is_public")))
    return file_json(r.s, _file(r.s, file_id))


@operation("deleteFile")
def delete_file(r: Request, file_id: int) -> None:
    _file(r.s, file_id)
    domain.delete(r.s, file_id)


@operation("getFileData_1")
def get_file_data(r: Request, file_id: int) -> Reply:
    _file(r.s, file_id)
    return Reply(domain.get_base64(r.s, file_id))
