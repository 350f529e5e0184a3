"""The app's public addresses (file downloads, web forms, the tracking script) cannot be computed by someone who
knows only ids and the app's name: their tokens are keyed by a secret of the app's own, kept in the store, so they
survive a restart; a forged or altered token is a 404."""
from __future__ import annotations

import base64
import hashlib
import re

import requests

from tests.conftest import make_app, start_server


def _unkeyed(token: str, app_name: str, kind: str) -> str:
    """What the address was before the fix: a digest of the app's id and name, the kind and the record id."""
    app_id, record_id = int(token[16:24], 16), int(token[24:], 16)
    check = hashlib.sha256(f"{app_id}:{app_name}:{kind}:{record_id}".encode()).hexdigest()[:16]
    return check + token[16:]


def _altered(token: str) -> str:
    return ("0" if token[0] != "0" else "1") + token[1:]


def _upload(app, name: str, data: bytes) -> str:
    file_id = app.call("FileService.uploadFile", 0, name, base64.b64encode(data).decode())
    return app.call("FileService.getDownloadUrl", file_id)


def test_a_file_address_cannot_be_forged(app, live):
    url = _upload(app, "secret.pdf", b"%PDF top secret")
    assert requests.get(url, timeout=30).content == b"%PDF top secret"
    token = url.split("/filebox/", 1)[1].split("/", 1)[0]
    for forged in (_unkeyed(token, app.name, "file"), _altered(token)):
        assert forged != token
        r = requests.get(f"{live.url}/filebox/{forged}/secret.pdf", timeout=30)
        assert r.status_code == 404 and b"top secret" not in r.content

    # another app's file with the same record id: its token does not open this one, nor the other way round
    other = make_app(live, seed=False)
    other_url = _upload(other, "mine.txt", b"other app")
    other_token = other_url.split("/filebox/", 1)[1].split("/", 1)[0]
    swapped = other_token[:16] + token[16:]  # the other app's check with this app's ids
    assert requests.get(f"{live.url}/filebox/{swapped}/x", timeout=30).status_code == 404


def test_web_form_and_tracking_addresses_cannot_be_forged(app, live):
    form_id = next(int(i) for i, name in app.call("WebFormService.getMap").items() if name == "Free Guide Download")
    action = re.search(r'action="([^"]+)"', app.call("WebFormService.getHTML", form_id)).group(1)
    xid = action.rsplit("/", 1)[1]
    for forged in (_unkeyed(xid, app.name, "webform"), _altered(xid)):
        r = requests.post(f"{live.url}/app/form/process/{forged}", data={"inf_field_Email": "x@example.com"},
                          allow_redirects=False, timeout=30)
        assert r.status_code == 404
        assert requests.get(f"{live.url}/app/form/thankyou/{forged}", timeout=30).status_code == 404

    url = app.call("WebTrackingService.getWebTrackingScriptUrl")
    tracking = url.split("trackingId=", 1)[1]
    forged = _unkeyed(tracking, app.name, "tracking")
    r = requests.get(f"{live.url}/app/webTracking/getTrackingCode?trackingId={forged}", timeout=30)
    assert r.status_code == 404


def test_addresses_survive_a_restart_and_differ_between_apps(tmp_path, store_url):
    live, stop = start_server(tmp_path, store_url)
    try:
        first = make_app(live, seed=False)
        second = make_app(live, seed=False)
        url = _upload(first, "keep.txt", b"kept")
        other = _upload(second, "keep.txt", b"kept")
        assert url.split("/filebox/")[1][:16] != other.split("/filebox/")[1][:16]
    finally:
        stop()
    live, stop = start_server(tmp_path, store_url)
    try:
        again = url.replace(url.split("/filebox/")[0], live.url)
        assert requests.get(again, timeout=30).content == b"kept"
    finally:
        stop()


def test_a_download_address_from_before_a_reset_serves_no_later_file(app, live):
    """A reset starts the app's ids again, so the file uploaded next takes the old file's id: the old address
    (its token signs the app's epoch, drawn again by the reset) finds nothing, and the new file has a new one."""
    old_id = app.call("FileService.uploadFile", 0, "secret-a.txt", base64.b64encode(b"TOP SECRET A").decode())
    old_url = app.call("FileService.getDownloadUrl", old_id)
    assert requests.get(old_url, timeout=30).content == b"TOP SECRET A"
    assert live.control("POST", f"/apps/{app.name}/reset").status_code == 200
    assert requests.get(old_url, timeout=30).status_code == 404
    new_id = app.call("FileService.uploadFile", 0, "other.txt", base64.b64encode(b"NEW FILE B").decode())
    assert new_id == old_id  # the id is used again
    r = requests.get(old_url, timeout=30)
    assert r.status_code == 404 and b"NEW FILE B" not in r.content
    new_url = app.call("FileService.getDownloadUrl", new_id)
    assert new_url != old_url and requests.get(new_url, timeout=30).content == b"NEW FILE B"
    assert requests.get(new_url, timeout=30).content == b"NEW FILE B"  # stable while the data stays
