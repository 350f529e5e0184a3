"""/files: list with its filters, upload, get (``optional_properties=file_data``), replace and delete, over
server.domain.crm.files (the FileBox rows and bytes FileService uses), so a file uploaded here is
``FileService.getFile``'s and the other way round."""
from __future__ import annotations

from typing import Literal

import sqlalchemy as sa
from pydantic import Field

from server.domain.account import public_urls
from server.domain.crm import files as domain
from server.domain.session import AppSession
from server.store import schema

from .api import Body, Int, Paging, Query, Request, Shape, envelope, page, route
from .errors import bad_request, not_found
from .wire import from_base64, out_datetime, to_base64

F = schema.file_box
OPTIONAL = ["file_data"]
Association = Literal["CONTACT", "USER", "COMPANY"]


class FileUpload(Body):
    """FileUpload [doc S1]: ``contact_id`` names the contact of a CONTACT file."""

    file_name: str = Field(min_length=1)
    file_data: str
    is_public: bool | None = None
    public: bool | None = None  # the 2022 spec's spelling of is_public
    file_association: Association | None = None
    contact_id: Int | None = None


class FileDescriptor(Shape):
    id: int
    file_name: str | None = None
    file_size: int | None = None
    contact_id: int | None = None
    created_by: int | None = None
    date_created: str | None = None
    last_updated: str | None = None
    public: bool | None = None
    category: str | None = None
    file_box_type: str | None = None
    download_url: str | None = None
    remote_file_key: str | None = None


class FileInformation(Shape):
    file_descriptor: FileDescriptor
    file_data: str | None = None


class FileList(Shape):
    files: list[FileDescriptor]
    count: int
    next: str | None = None
    previous: str | None = None


class ListFiles(Paging):
    contact_id: Int | None = None
    name: str | None = None
    permission: Literal["USER", "COMPANY", "BOTH"] | None = None
    type: str | None = None
    viewable: Literal["PUBLIC", "PRIVATE", "BOTH"] | None = None


class GetFile(Query):
    optional_properties: list[str] | None = None


def association(row) -> str:
    return row.association or ("CONTACT" if row.contact_id else "COMPANY")


def box_type(row) -> str:
    # the file box a file is in: a contact's, or the application's (the enum's other boxes, e.g. Ticket or
    # WebForm, are not modelled)
    return "Contact" if association(row) == "CONTACT" else "Application"


def category(row) -> str:
    kind = (row.content_type or "").split("/")[0]
    return {"image": "Images", "audio": "Audio", "video": "Video"}.get(kind, "Documents")


def descriptor(s: AppSession, row) -> dict:
    clock = s.clock
    return {"id": row.id, "file_name": row.file_name, "file_size": row.file_size, "contact_id": row.contact_id or None,
            "created_by": row.created_by, "date_created": out_datetime(row.date_created, clock),
            "last_updated": out_datetime(row.last_updated, clock), "public": bool(row.public),
            "category": category(row), "file_box_type": box_type(row),
            "download_url": public_urls.download(s, row.id, row.file_name), "remote_file_key": None}


def information(s: AppSession, file_id: int, *, with_data: bool) -> dict:
    row = require(s, file_id)
    return {"file_descriptor": descriptor(s, row),
            "file_data": to_base64(domain.content(s, file_id)) if with_data else None}


def require(s: AppSession, file_id: int):
    row = s.get(F, file_id)
    if row is None:
        raise not_found("File")
    return row


def _target(s: AppSession, body: FileUpload) -> tuple[int, str]:
    """``(contact id, association)`` of an upload; a CONTACT file needs a contact that exists."""
    kind = body.file_association or ("CONTACT" if body.contact_id else "COMPANY")
    if kind == "CONTACT":
        if not body.contact_id:
            raise bad_request("contact_id is required when file_association is CONTACT")
        c = schema.contact
        if s.execute(s.select(c, c.c.id).where(c.c.id == body.contact_id)).first() is None:
            raise bad_request(f"Invalid contact id: {body.contact_id}")
        return body.contact_id, kind
    return 0, kind


def _data(body: FileUpload) -> bytes:
    try:
        return from_base64(body.file_data, "file_data")
    except ValueError as exc:
        raise bad_request(str(exc)) from None


def _public(body: FileUpload) -> bool:
    return bool(body.is_public if body.is_public is not None else body.public)


@route("GET", "/files", summary="List files", tag="File", query=ListFiles, response=FileList)
def list_files(r: Request):
    q: ListFiles = r.query
    s = r.s
    limit, offset = page(q)
    where = []
    if q.contact_id is not None:
        where.append(F.c.contact_id == q.contact_id)
    if q.name:
        # '*' before or after the name asks for a LIKE match [doc S1]
        text = q.name.strip()
        pattern = ("%" if text.startswith("*") else "") + text.strip("*").lower() + ("%" if text.endswith("*") else "")
        where.append(sa.func.lower(F.c.file_name).like(pattern))
    if q.viewable in ("PUBLIC", "PRIVATE"):
        where.append(F.c.public == (1 if q.viewable == "PUBLIC" else 0))
    if q.permission == "USER":
        where.append(F.c.association == "USER")
    elif q.permission == "COMPANY":
        where.append(sa.or_(F.c.association.is_(None), F.c.association != "USER"))
    if q.type:
        in_contact_box = sa.or_(sa.func.coalesce(F.c.association, "") == "CONTACT",
                                sa.and_(F.c.association.is_(None), sa.func.coalesce(F.c.contact_id, 0) != 0))
        kind = q.type.strip().lower()
        boxes = {"contact": in_contact_box, "application": ~in_contact_box}
        where.append(boxes.get(kind, sa.false()))
    total = s.execute(s.select(F, sa.func.count()).where(*where)).scalar_one()
    rows = s.execute(s.select(F).where(*where).order_by(F.c.id).limit(limit).offset(offset)).all()
    carry = {"contact_id": q.contact_id, "name": q.name, "permission": q.permission, "type": q.type,
             "viewable": q.viewable}
    return envelope(r, "files", [descriptor(s, row) for row in rows], total, limit, offset, path="/files",
                    carry=carry)


@route("POST", "/files", summary="Upload a file", tag="File", body=FileUpload, response=FileInformation)
def upload_file(r: Request):
    body: FileUpload = r.body
    contact_id, kind = _target(r.s, body)
    file_id = domain.upload(r.s, body.file_name, _data(body), contact_id, public=_public(body), association=kind)
    return information(r.s, file_id, with_data=False)  # 200, not 201 [doc S1]


@route("GET", "/files/{fileId}", summary="Get a file (its content with optional_properties=file_data)",
       tag="File", query=GetFile, response=FileInformation)
def get_file(r: Request, fileId: int):
    wanted = set(r.query.optional_properties or [])
    unknown = sorted(wanted - set(OPTIONAL))
    if unknown:
        raise bad_request(f"The following optional-properties are unrecognized: {', '.join(unknown)}")
    return information(r.s, fileId, with_data="file_data" in wanted)


@route("PUT", "/files/{fileId}", summary="Replace a file", tag="File", body=FileUpload, response=FileInformation)
def replace_file(r: Request, fileId: int):
    s = r.s
    row = require(s, fileId)
    body: FileUpload = r.body
    contact_id, kind = _target(s, body) if (body.file_association or body.contact_id) else (
        row.contact_id or 0, association(row))
    domain.replace(s, fileId, _data(body))
    if body.file_name != row.file_name:
        domain.rename(s, fileId, body.file_name)
    if body.is_public is not None or body.public is not None:
        domain.set_public(s, fileId, _public(body))
    if contact_id != (row.contact_id or 0) or kind != association(row):
        s.update(F, F.c.id == fileId, contact_id=contact_id, association=kind)
        s.emit("file.updated", "file_box", fileId, contact_id=contact_id or None, association=kind)
    return information(s, fileId, with_data=False)


@route("DELETE", "/files/{fileId}", summary="Delete a file", tag="File", status=204)
def delete_file(r: Request, fileId: int):
    require(r.s, fileId)
    domain.delete(r.s, fileId)
