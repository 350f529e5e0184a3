"""Files through REST v2 on a live server (every answer checked against Keap's contract by the ``v2`` fixture):
uploaded by v2, read back by XML-RPC ``FileService`` and REST v1; uploaded by XML-RPC, listed by v2."""
from __future__ import annotations

import base64
import json

from tests.rest.conftest import rest_for


def _upload(v2, name: str, data: bytes, status: int = 201, **parts):
    return v2.post("/files", files={"file": (name, data)}, data={"file_name": name, **parts})


def test_upload_read_update_delete_a_file_seen_by_every_protocol(v2):
    made = _upload(v2, "intake.txt", b"first", file_association="CONTACT", contact_id="6", is_public="false")
    assert made.status_code == 201, made.text
    f = made.json()
    assert f["file_name"] == "intake.txt" and f["file_size"] == 5 and f["contact_id"] == "6"
    assert f["is_public"] is False and f["file_box_type"] == "CONTACT" and f["category"] == "DOCUMENTS"
    assert f["created_time"].endswith("Z") and v2.ok("GET", f"/files/{f['id']}") == f
    assert base64.b64decode(v2.ok("GET", f"/files/{f['id']}:data")) == b"first"

    # the same file, read by XML-RPC and REST v1
    assert base64.b64decode(v2.app.call("FileService.getFile", int(f["id"]))) == b"first"
    v1 = rest_for(v2.app).ok("GET", f"/files/{f['id']}")["file_descriptor"]
    assert v1["file_name"] == "intake.txt" and v1["contact_id"] == 6 and v1["public"] is False

    # without a mask, the parts the form carries; with one, only the masked parts
    updated = v2.post(f"/files/{f['id']}", files={"file": ("x", b"second!")}, data={"is_public": "true"}).json()
    assert updated["file_size"] == 7 and updated["is_public"] is True and updated["file_name"] == "intake.txt"
    renamed = v2.post(f"/files/{f['id']}", params={"update_mask": "file_name"},
                      data={"file_name": "intake-v2.txt", "is_public": "false"}).json()
    assert renamed["file_name"] == "intake-v2.txt" and renamed["is_public"] is True
    assert base64.b64decode(v2.app.call("FileService.getFile", int(f["id"]))) == b"second!"
    assert v2.error("POST", f"/files/{f['id']}", 400, params={"update_mask": "file"})["details"] == [
        {"domain": "request", "resource": "file"}]

    assert v2.delete(f"/files/{f['id']}").status_code == 204
    assert v2.error("GET", f"/files/{f['id']}", 404)["details"] == [{"domain": "File", "resource": f["id"]}]
    assert v2.error("GET", f"/files/{f['id']}:data", 404)["status"] == "NOT_FOUND"


def test_bad_uploads_name_the_part(v2):
    def problem(**parts) -> str:
        answer = v2.post("/files", **parts)
        assert answer.status_code == 400, answer.text
        return answer.json()["details"][0]["resource"]

    assert problem(data={"file_name": "a.txt", "file_association": "USER"}) == "file"
    assert problem(files={"file": ("a", b"x")}, data={"file_association": "USER"}) == "file_name"
    assert problem(files={"file": ("a", b"x")}, data={"file_name": "a.txt", "file_association": "SHELF"}) == \
        "file_association"
    assert problem(files={"file": ("a", b"x")}, data={"file_name": "a.txt", "file_association": "CONTACT"}) == \
        "contact_id"
    assert problem(files={"file": ("a", b"x")}, data={"file_name": "a.txt", "file_association": "CONTACT",
                                                      "contact_id": "999999"}) == "contact_id"
    assert problem(files={"file": ("a", b"x")}, data={"file_name": "a.txt", "file_association": "USER",
                                                      "is_public": "maybe"}) == "is_public"


def test_list_filters_and_orders_files_of_every_protocol(v2):
    xml_id = v2.app.call("FileService.uploadFile", 0, "logo.png", base64.b64encode(b"\x89PNG").decode())
    contact = _upload(v2, "b-contact.txt", b"c", file_association="CONTACT", contact_id="6").json()
    public = _upload(v2, "a-public.pdf", b"%PDF", file_association="COMPANY", is_public="true").json()
    listed = v2.ok("GET", "/files")["files"]
    assert [f["id"] for f in listed] == [str(xml_id), contact["id"], public["id"]]

    def names(filter_: str, **params) -> list[str]:
        return [f["file_name"] for f in v2.ok("GET", "/files", params={"filter": filter_, **params})["files"]]

    assert names("is_public==true") == ["a-public.pdf"]
    assert names("file_box_type==CONTACT") == ["b-contact.txt"]
    assert names("file_box_type==APPLICATION;is_public==false") == ["logo.png"]
    assert names("contact_id==6") == ["b-contact.txt"]
    assert names("file_name==LOGO.PNG") == ["logo.png"] and names("category==INVOICE") == []
    assert names("category==DOCUMENTS", order_by="file_name desc") == ["logo.png", "b-contact.txt", "a-public.pdf"]
    walked = v2.walk("/files", "files", page_size=1, order_by="file_name")
    assert [f["file_name"] for f in walked] == ["a-public.pdf", "b-contact.txt", "logo.png"]
    assert v2.error("GET", "/files", 400, params={"filter": "is_public==yes"})["details"][0]["resource"] == \
        "filter.is_public"


def test_the_sdk_uploads_and_reads_files(sdk, v2):
    from keap_core_v2_client import FilesApi

    api = FilesApi(sdk)
    made = api.create_file(file=("sdk.txt", b"from the sdk"), file_name="sdk.txt", file_association="COMPANY",
                           is_public="true")
    assert made.file_name == "sdk.txt" and made.is_public is True and made.file_box_type == "APPLICATION"
    assert api.get_file(made.id) == made
    assert base64.b64decode(json.loads(bytes(api.get_file_data1(made.id)))) == b"from the sdk"
    updated = api.update_file(made.id, file_name="renamed.txt", update_mask=["file_name"])
    assert updated.file_name == "renamed.txt"
    assert [f.id for f in api.list_files(filter="file_name==renamed.txt").files] == [made.id]
    api.delete_file(made.id)
    assert api.list_files(filter="file_name==renamed.txt").files == []
