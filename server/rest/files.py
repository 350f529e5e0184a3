"""/files: list with its filters, upload, get (``optional_properties=file_data``), replace and delete, over
server.domain.crm.files (the FileBox rows and bytes FileService uses), so a file uploaded here is
``FileService.getFile``'s and the other way round."""
from __future__ import annotations

from typing import Literal

from pydantic import Field, StrictBool

from server.domain.account import public_urls
from server.domain.crm import files as domain
from server.domain.mail.emails import contact_exists
from server.domain.session import AppSession

from .api import (
    Body,
    Int,
    Paging,
    Query,
    Request,
    Shape,
    asked_for,
    envelope,
    list_shape,
    offering,
    page,
    route,
)
from .errors import bad_request, not_found
from .wire import Base64Text, from_base64, out_datetime, to_base64

OPTIONAL = ["file_data"]
Association = Literal["CONTACT", "USER", "COMPANY"]


class FileUpload(Body):
    """FileUpload [doc S1]: ``contact_id`` names the contact of a CONTACT file."""

    file_name: str = Field(min_length=1)
    file_data: Base64Text
    is_public: StrictBool | None = None
    public: StrictBool | None = None  # the 2022 spec's spelling of is_public
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


FileList = list_shape("FileList", "files", FileDescriptor)


class ListFiles(Paging):
    contact_id: Int | None = None
    name: str | None = None
    permission: Literal["USER", "COMPANY", "BOTH"] | None = None
    type: Literal["Application", "Image", "Fax", "Attachment", "Ticket", "Contact", "DigitalProduct", "Import",
                  "Hidden", "WebForm", "StyledCart", "ReSampledImage", "TemplateThumbnail", "Funnel",
                  "LogoThumbnail", "Unlayer", "BrandingCenterLogo"] | None = None  # the document's enum
    viewable: Literal["PUBLIC", "PRIVATE", "BOTH"] | None = None


class GetFile(Query):
    optional_properties: offering(OPTIONAL) | None = None


def box_type(f: domain.FileRecord) -> str:
    return "Contact" if f.in_contact_box else "Application"


def category(f: domain.FileRecord) -> str:
    kind = (f.content_type or "").split("/")[0]
    return {"image": "Images", "audio": "Audio", "video": "Video"}.get(kind, "Documents")


def descriptor(s: AppSession, f: domain.FileRecord) -> dict:
    clock = s.clock
    return {"id": f.id, "file_name": f.file_name, "file_size": f.file_size, "contact_id": f.contact_id,
            "created_by": f.created_by, "date_created": out_datetime(f.created, clock),
            "last_updated": out_datetime(f.updated, clock), "public": f.public,
            "category": category(f), "file_box_type": box_type(f),
            "download_url": public_urls.download(s, f.id, f.file_name), "remote_file_key": None}


def information(s: AppSession, file_id: int, *, with_data: bool) -> dict:
    f = require(s, file_id)
    return {"file_descriptor": descriptor(s, f),
            "file_data": to_base64(domain.content(s, file_id)) if with_data else None}


def require(s: AppSession, file_id: int) -> domain.FileRecord:
    found = domain.get(s, file_id)
    if found is None:
        raise not_found("File")
    return found


def _target(s: AppSession, body: FileUpload) -> tuple[int, str]:
    """``(contact id, association)`` of an upload; a CONTACT file needs a contact that exists."""
    kind = body.file_association or ("CONTACT" if body.contact_id else "COMPANY")
    if kind == "CONTACT":
        if not body.contact_id:
            raise bad_request("contact_id is required when file_association is CONTACT")
        if not contact_exists(s, body.contact_id):
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
    public = {"PUBLIC": True, "PRIVATE": False}.get(q.viewable or "")
    user_files = {"USER": True, "COMPANY": False}.get(q.permission or "")
    found, total = domain.find(s, contact_id=q.contact_id, name=q.name, public=public, user_files=user_files,
                               box=q.type, limit=limit, offset=offset)
    carry = {"contact_id": q.contact_id, "name": q.name, "permission": q.permission, "type": q.type,
             "viewable": q.viewable}
    return envelope(r, "files", [descriptor(s, f) for f in found], total, limit, offset, path="/files",
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
    wanted = asked_for(r.query.optional_properties, OPTIONAL)
    return information(r.s, fileId, with_data="file_data" in wanted)


@route("PUT", "/files/{fileId}", summary="Replace a file", tag="File", body=FileUpload, response=FileInformation)
def replace_file(r: Request, fileId: int):
    s = r.s
    f = require(s, fileId)
    body: FileUpload = r.body
    contact_id, kind = _target(s, body) if (body.file_association or body.contact_id) else (
        f.contact_id or 0, f.association)
    domain.replace(s, fileId, _data(body))
    if body.file_name != f.file_name:
        domain.rename(s, fileId, body.file_name)
    if body.is_public is not None or body.public is not None:
        domain.set_public(s, fileId, _public(body))
    domain.reassociate(s, fileId, contact_id, kind)
    return information(s, fileId, with_data=False)


@route("DELETE", "/files/{fileId}", summary="Delete a file", tag="File", status=204)
def delete_file(r: Request, fileId: int):
    require(r.s, fileId)
    domain.delete(r.s, fileId)
