"""File boxes (FileService and the FileBox table): metadata in the database, bytes in the session's
FileStore (``<data_dir>/files/<app id>/…``).

FileService takes and gives file contents as base64 *strings* (spec §2.11), not ``<base64>`` values; a
``<base64>`` value is accepted too. Contact 0 means a file of the app's own file box.
"""
from __future__ import annotations

import base64
import binascii
import mimetypes
from datetime import datetime
from typing import NamedTuple

import sqlalchemy as sa

from server.domain.account import public_urls
from server.domain.data import listing
from server.domain.errors import InvalidParameter, MethodFailed, RecordNotFound, Unexpected
from server.domain.mail.emails import contact_exists
from server.store import schema
from server.store.session import AppSession

_F = schema.file_box


class FileRecord(NamedTuple):
    """A file of a file box, as the REST APIs show it. ``association`` is REST's file_association (CONTACT,
    USER, COMPANY); files XML-RPC uploaded have none: a contact's file is CONTACT, the app's COMPANY."""

    id: int
    file_name: str
    file_size: int
    contact_id: int | None
    created_by: int | None
    created: datetime | None
    updated: datetime | None
    public: bool
    association: str
    content_type: str | None

    @property
    def in_contact_box(self) -> bool:
        return self.association == "CONTACT"


_ASSOCIATION = sa.case((sa.func.coalesce(_F.c.association, "") != "", _F.c.association),
                       (sa.func.coalesce(_F.c.contact_id, 0) != 0, "CONTACT"), else_="COMPANY")
# v2's file_box_type: a contact's box or the application's (the other boxes, e.g. TICKET or WEB_FORM, are not
# modelled); its category: every file the API uploads is a document
BOX_TYPE = sa.case((_ASSOCIATION == "CONTACT", "CONTACT"), else_="APPLICATION")
FIELDS = listing.Fields({
    "id": _F.c.id, "file_name": _F.c.file_name, "contact_id": _F.c.contact_id, "user_id": _F.c.created_by,
    "is_public": sa.case((_F.c.public == 1, "true"), else_="false"), "association": _ASSOCIATION,
    "file_box_type": BOX_TYPE, "category": sa.literal("DOCUMENTS", sa.Text), "create_time": _F.c.date_created,
    "update_time": _F.c.last_updated}, text=frozenset({"file_name"}))
_COLUMNS = (_F.c.id, _F.c.file_name, _F.c.file_size, _F.c.contact_id, _F.c.created_by, _F.c.date_created,
            _F.c.last_updated, _F.c.public, _ASSOCIATION.label("association"), _F.c.content_type)


def _record(row) -> FileRecord:
    return FileRecord(row.id, row.file_name, row.file_size or 0, row.contact_id or None, row.created_by,
                      row.date_created, row.last_updated, bool(row.public), row.association, row.content_type)


def get(s: AppSession, file_id: int) -> FileRecord | None:
    row = s.execute(s.select(_F, *_COLUMNS).where(_F.c.id == file_id)).first()
    return None if row is None else _record(row)


def page_files(s: AppSession, q: listing.ListQuery) -> listing.Page[FileRecord]:
    return listing.page(s, s.select(_F, *_COLUMNS), FIELDS, q, _record)


def find(s: AppSession, *, contact_id: int | None = None, name: str | None = None, public: bool | None = None,
         user_files: bool | None = None, box: str | None = None, limit: int, offset: int
         ) -> tuple[list[FileRecord], int]:
    """REST v1's ``GET /files``: a page by offset, in id order, and the total. ``name`` matches whole, or as a
    prefix/suffix/substring where it starts or ends with ``*``; ``user_files`` True keeps USER files, False the
    others; ``box`` is "contact" or "application" (any other box holds nothing here)."""
    where = []
    if contact_id is not None:
        where.append(_F.c.contact_id == contact_id)
    if name:
        text = name.strip()
        pattern = ("%" if text.startswith("*") else "") + text.strip("*").lower() + ("%" if text.endswith("*") else "")
        where.append(sa.func.lower(_F.c.file_name).like(pattern))
    if public is not None:
        where.append(_F.c.public == (1 if public else 0))
    if user_files is not None:
        where.append(_ASSOCIATION == "USER" if user_files else _ASSOCIATION != "USER")
    if box is not None:
        where.append(box.strip().upper() == BOX_TYPE if box.strip().lower() in ("contact", "application")
                     else sa.false())
    total = s.execute(s.select(_F, sa.func.count()).where(*where)).scalar_one()
    rows = s.execute(s.select(_F, *_COLUMNS).where(*where).order_by(_F.c.id).limit(limit).offset(offset)).all()
    return [_record(r) for r in rows], total


def _decode(data) -> bytes:
    if isinstance(data, bytes):
        return data
    text = "".join(str(data).split())  # clients wrap base64 in lines
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise InvalidParameter("The file data is not valid base64") from None


def _check_size(s: AppSession, size: int) -> None:
    limit = int(s.app.option("max_file_bytes"))
    if size > limit:
        raise InvalidParameter(f"File is too large: {size} bytes; the limit is {limit} bytes")


def _name(file_name: str) -> str:
    name = (file_name or "").strip().replace("\\", "/").rsplit("/", 1)[-1]
    if not name:
        raise InvalidParameter("A file name is required")
    return name


def _extension(name: str) -> str:
    return name.rsplit(".", 1)[1].lower() if "." in name.strip(".") else ""


def _store(s: AppSession):
    if s.files is None:
        raise Unexpected("No file store is configured")
    return s.files


def _row(s: AppSession, file_id: int):
    row = s.get(schema.file_box, file_id)
    if row is None:
        raise RecordNotFound(f"Record not found for Id:{file_id}")
    return row


def upload(s: AppSession, file_name: str, data, contact_id: int = 0, *, public: bool = False,
           association: str | None = None) -> int:
    """A new file in a contact's file box (or the app's, contact 0). ``association`` is REST's
    file_association (CONTACT, USER, COMPANY); XML-RPC leaves it unset."""
    name = _name(file_name)
    content = _decode(data)
    _check_size(s, len(content))
    if contact_id and not contact_exists(s, contact_id):
        raise MethodFailed("contactId must be a valid id")
    key = _store(s).put(s.app.id, content)
    file_id = s.next_id("file_box")
    now = s.now_local()
    s.insert(schema.file_box, dict(
        id=file_id, file_name=name, extension=_extension(name), file_size=len(content),
        contact_id=contact_id or 0, public=1 if public else 0, storage_key=key,
        content_type=mimetypes.guess_type(name)[0] or "application/octet-stream", created_by=s.user_id,
        date_created=now, last_updated=now, association=association))
    s.emit("file.added", "file_box", file_id, contact_id=contact_id or None, file_name=name, file_size=len(content))
    return file_id


def content(s: AppSession, file_id: int) -> bytes:
    row = _row(s, file_id)
    data = _store(s).get(row.storage_key)
    if data is None:
        raise Unexpected(f"The bytes of file {file_id} are missing from the file store")
    return data


def get_base64(s: AppSession, file_id: int) -> str:
    return base64.b64encode(content(s, file_id)).decode("ascii")


def download_url(s: AppSession, file_id: int) -> str:
    row = _row(s, file_id)
    return public_urls.download(s, file_id, row.file_name)


def replace(s: AppSession, file_id: int, data) -> bool:
    row = _row(s, file_id)
    new = _decode(data)
    _check_size(s, len(new))
    key = _store(s).put(s.app.id, new)
    s.update(schema.file_box, schema.file_box.c.id == file_id, storage_key=key, file_size=len(new),
             last_updated=s.now_local())
    s.emit("file.replaced", "file_box", file_id, contact_id=row.contact_id or None, file_size=len(new))
    return True


def rename(s: AppSession, file_id: int, file_name: str) -> bool:
    row = _row(s, file_id)
    name = _name(file_name)
    s.update(schema.file_box, schema.file_box.c.id == file_id, file_name=name, extension=_extension(name),
             content_type=mimetypes.guess_type(name)[0] or row.content_type, last_updated=s.now_local())
    s.emit("file.renamed", "file_box", file_id, contact_id=row.contact_id or None, file_name=name,
           old_name=row.file_name)
    return True


def reassociate(s: AppSession, file_id: int, contact_id: int, association: str) -> bool:
    """Move a file to another box: a contact's (CONTACT with its id) or the app's (USER or COMPANY, contact 0).
    Emits ``file.updated`` (the change log, REST hooks) when anything changed."""
    current = get(s, file_id)
    if current is None:
        raise RecordNotFound(f"Record not found for Id:{file_id}")
    if contact_id and not contact_exists(s, contact_id):
        raise InvalidParameter(f"Invalid contact id: {contact_id}")
    if (current.contact_id or 0) == (contact_id or 0) and current.association == association:
        return False
    s.update(schema.file_box, schema.file_box.c.id == file_id, contact_id=contact_id or 0, association=association,
             last_updated=s.now_local())
    s.emit("file.updated", "file_box", file_id, contact_id=contact_id or None, association=association)
    return True


def set_public(s: AppSession, file_id: int, public: bool) -> None:
    row = _row(s, file_id)
    if bool(row.public) != bool(public):
        s.update(schema.file_box, schema.file_box.c.id == file_id, public=1 if public else 0,
                 last_updated=s.now_local())
        s.emit("file.updated", "file_box", file_id, contact_id=row.contact_id or None, public=bool(public))


def delete(s: AppSession, file_id: int) -> None:
    """Delete a file (REST ``DELETE /files/{id}``). Its bytes stay in the content-addressed store, where
    snapshots of the app may still point at them."""
    row = _row(s, file_id)
    s.delete(schema.file_box, schema.file_box.c.id == file_id)
    s.emit("file.deleted", "file_box", file_id, contact_id=row.contact_id or None, file_name=row.file_name)


def for_download(s: AppSession, file_id: int):
    """``(row, bytes)`` of a file, or None (the public download URL)."""
    row = s.get(schema.file_box, file_id)
    if row is None or s.files is None:
        return None
    data = s.files.get(row.storage_key)
    return None if data is None else (row, data)
