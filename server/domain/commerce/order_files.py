"""Files of the app's file box attached to an order (REST v2's ``orders/{id}:attachFile`` and ``:detachFile``;
an order's ``files``). Attaching a file that is already attached, or detaching one that is not, changes
nothing; a file that does not exist is a RecordNotFound."""
from __future__ import annotations

from server.domain.crm import files
from server.domain.errors import not_found
from server.store import schema
from server.store.session import AppSession

_of = schema.order_file


def attach(s: AppSession, order_id: int, file_id: int) -> None:
    if files.get(s, file_id) is None:
        raise not_found("File", file_id)
    if s.execute(s.select(_of, _of.c.file_id).where(_of.c.order_id == order_id, _of.c.file_id == file_id)).first():
        return
    s.insert(_of, dict(order_id=order_id, file_id=file_id, attached_at=s.now_local()))
    s.emit("order.updated", "order", order_id, fields=["files"], file_id=file_id, attached=True)


def detach(s: AppSession, order_id: int, file_id: int) -> None:
    if files.get(s, file_id) is None:
        raise not_found("File", file_id)
    if s.delete(_of, _of.c.order_id == order_id, _of.c.file_id == file_id).rowcount:
        s.emit("order.updated", "order", order_id, fields=["files"], file_id=file_id, attached=False)


def of_orders(s: AppSession, order_ids) -> dict[int, list[int]]:
    """Each order's attached file ids, in the order they were attached."""
    ids = sorted({i for i in order_ids if i})
    out: dict[int, list[int]] = {}
    if ids:
        q = s.select(_of, _of.c.order_id, _of.c.file_id).where(_of.c.order_id.in_(ids)).order_by(
            _of.c.attached_at, _of.c.file_id)
        for row in s.execute(q):
            out.setdefault(row.order_id, []).append(row.file_id)
    return out
