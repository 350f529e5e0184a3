"""FileService through a live server: both uploadFile orders, getFile, the download URL served by the
sandbox, replaceFile, renameFile, the FileBox table, the size limit and the faults."""
from __future__ import annotations

import base64
import xmlrpc.client

import pytest
import requests

from tests.conftest import fault_of

PDF = b"%PDF-1.4\n% sandbox test file\n" + bytes(range(256))


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def test_upload_in_both_orders_and_read_back(app):
    cid = app.call("ContactService.add", {"FirstName": "Filer"})
    contact_file = app.call("FileService.uploadFile", cid, "Intake Form.PDF", _b64(PDF))  # PHP SDK / Ruby order
    app_file = app.call("FileService.uploadFile", "notes.txt", _b64(b"hello"))  # 2012 docs order
    legacy = app.call("FileService.uploadFile", "plan.txt", _b64(b"plan"), cid)  # 2012 docs with a contact
    assert len({contact_file, app_file, legacy}) == 3
    assert base64.b64decode(app.call("FileService.getFile", contact_file)) == PDF
    rows = app.call("DataService.query", "FileBox", 10, 0, {"Id": [contact_file, app_file, legacy]},
                    ["Id", "FileName", "Extension", "FileSize", "ContactId", "Public"])
    assert rows == [
        {"Id": contact_file, "FileName": "Intake Form.PDF", "Extension": "pdf", "FileSize": len(PDF), "ContactId": cid,
         "Public": 0},
        {"Id": app_file, "FileName": "notes.txt", "Extension": "txt", "FileSize": 5, "ContactId": 0, "Public": 0},
        {"Id": legacy, "FileName": "plan.txt", "Extension": "txt", "FileSize": 4, "ContactId": cid, "Public": 0}]
    # a <base64> value is taken too
    raw = app.call("FileService.uploadFile", cid, "raw.bin", xmlrpc.client.Binary(b"\x00\x01"))
    assert base64.b64decode(app.call("FileService.getFile", raw)) == b"\x00\x01"


def test_download_url_serves_the_bytes(app):
    file_id = app.call("FileService.uploadFile", 0, "Intake Form.pdf", _b64(PDF))
    url = app.call("FileService.getDownloadUrl", file_id)
    assert url.startswith(app.live.url + "/filebox/")
    r = requests.get(url, timeout=30)
    assert r.status_code == 200 and r.content == PDF
    assert r.headers["Content-Type"] == "application/pdf"
    assert "Intake%20Form.pdf" in r.headers["Content-Disposition"]
    assert requests.get(url.replace("/filebox/", "/filebox/0"), timeout=30).status_code == 404
    tampered = url.split("/filebox/", 1)[0] + "/filebox/" + "f" * 32 + "/x.pdf"
    assert requests.get(tampered, timeout=30).status_code == 404


def test_replace_and_rename(app):
    file_id = app.call("FileService.uploadFile", "draft.txt", _b64(b"first"))
    url = app.call("FileService.getDownloadUrl", file_id)
    assert app.call("FileService.replaceFile", file_id, _b64(b"second version")) is True
    assert base64.b64decode(app.call("FileService.getFile", file_id)) == b"second version"
    assert requests.get(url, timeout=30).content == b"second version"
    assert app.call("FileService.renameFile", file_id, "final.md") is True
    assert app.call("DataService.load", "FileBox", file_id, ["FileName", "Extension", "FileSize"]) == {
        "FileName": "final.md", "Extension": "md", "FileSize": 14}
    events = app.live.control("GET", f"/apps/{app.name}/events?limit=1000").json()["events"]
    assert {"file.added", "file.replaced", "file.renamed"} <= {e["type"] for e in events}


def test_faults(app):
    with pytest.raises(xmlrpc.client.Fault) as exc:
        app.call("FileService.getFile", 4242)
    assert fault_of(exc) == (5, "[RecordNotFound]Record not found for Id:4242")
    for method, args in (("getDownloadUrl", (4242,)), ("replaceFile", (4242, "eA==")), ("renameFile", (4242, "x"))):
        with pytest.raises(xmlrpc.client.Fault) as exc:
            app.call(f"FileService.{method}", *args)
        assert fault_of(exc)[0] == 5
    with pytest.raises(xmlrpc.client.Fault) as exc:
        app.call("FileService.uploadFile", 4242, "x.txt", "eA==")
    assert fault_of(exc) == (0, "Failed to invoke method uploadFile in class "
                                "com.infusionsoft.api.xmlrpc.XmlRpcFileService: contactId must be a valid id")
    with pytest.raises(xmlrpc.client.Fault) as exc:
        app.call("FileService.uploadFile", "x.txt", "not base64!")
    assert fault_of(exc) == (12, "[InvalidParameter]The file data is not valid base64")
    with pytest.raises(xmlrpc.client.Fault) as exc:
        app.call("FileService.uploadFile", "  ", "eA==")
    assert fault_of(exc)[0] == 12
    with pytest.raises(xmlrpc.client.Fault) as exc:
        app.call("DataService.add", "FileBox", {"FileName": "x"})
    assert fault_of(exc)[0] == 7


def test_size_limit_is_a_per_app_option(app):
    r = app.live.control("PATCH", f"/apps/{app.name}/options", json={"max_file_bytes": 10})
    assert r.status_code == 200 and r.json()["max_file_bytes"] == 10
    assert app.call("FileService.uploadFile", "small.txt", _b64(b"0123456789"))
    with pytest.raises(xmlrpc.client.Fault) as exc:
        app.call("FileService.uploadFile", "big.txt", _b64(b"0123456789A"))
    assert fault_of(exc) == (12, "[InvalidParameter]File is too large: 11 bytes; the limit is 10 bytes")
    small = app.call("FileService.uploadFile", "small2.txt", _b64(b"x"))
    with pytest.raises(xmlrpc.client.Fault):
        app.call("FileService.replaceFile", small, _b64(b"y" * 11))


def test_files_stay_in_their_app(app, live):
    from tests.conftest import make_app

    other = make_app(live)
    file_id = app.call("FileService.uploadFile", "mine.txt", _b64(b"secret"))
    with pytest.raises(xmlrpc.client.Fault):
        other.call("FileService.getFile", file_id)
    assert (live.data_dir / "files").is_dir()
