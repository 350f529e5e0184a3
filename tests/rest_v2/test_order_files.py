"""REST v2 orders/{id}:attachFile and :detachFile: a file of the app's file box (uploaded through XML-RPC's
FileService) attached to an order shows in the order's ``files``, in a list too, and can be detached."""
from __future__ import annotations

import base64

from tests.commerce.util import BANDS, EMMA
from tests.rest_v2.test_orders import _order


def test_attach_and_detach_a_file(v2):
    order = _order(v2, EMMA, [{"product_id": str(BANDS), "quantity": 1}])
    assert not order.get("files")
    file_id = v2.app.call("FileService.uploadFile", EMMA, "receipt.pdf", base64.b64encode(b"%PDF-1.4").decode())
    path = f"/orders/{order['id']}"
    attached = v2.ok("POST", path + ":attachFile", json={"file_id": str(file_id)})
    assert attached["files"] == [{"file_id": str(file_id)}]
    assert v2.ok("POST", path + ":attachFile", json={"file_id": str(file_id)})["files"] == attached["files"]
    listed = {o["id"]: o for o in v2.walk("/orders", "orders")}
    assert listed[order["id"]]["files"] == [{"file_id": str(file_id)}]
    assert v2.error("POST", path + ":attachFile", 404, json={"file_id": "999999"})["code"] == 404
    assert v2.error("POST", "/orders/999999:attachFile", 404, json={"file_id": str(file_id)})["code"] == 404
    assert v2.error("POST", path + ":attachFile", 400, json={"file_id": 5})["code"] == 400
    detached = v2.ok("POST", path + ":detachFile", json={"file_id": str(file_id)})
    assert detached.get("files", []) == []
