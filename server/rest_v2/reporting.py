"""Reports: the saved searches of SearchService (SavedFilter rows, server.domain.data.searches), listed,
read and run over the store's real rows.

``runReport`` takes its options as one query parameter, ``runReportRequest``: the JSON text of a
RunReportRequest (how the SDK sends the object) with ``fields`` (comma-joined report column names; the
saved search's own columns when absent), ``order_by`` (a column made of one field, ``asc``/``desc``),
``page_size`` (1 to 1000, default 1000) and ``page_token``. Each row is its columns as
``{field_name, value}``, values as text (times in UTC RFC 3339, empty ones ""), as getSavedSearchResults
gives them. The token is the offset of the next page (a report's rows have no key to page on). A report is
shared with ``user_ids``, or ``ALL_USERS``. The store keeps no creation time of a saved search: ``created_time``
orders by id (ids are given in creation order) and the time filters are refused.
"""
from __future__ import annotations

import json
from datetime import datetime

from server.domain.data import searches

from .api import Request, operation
from .errors import existing, invalid_field
from .filters import Text
from .paging import MAX_PAGE_SIZE, Listing
from .wire import out_time

REPORTS = Listing(filters={"name": Text()}, order_by={"name": "name", "created_time": "id"})
_REQUEST = "runReportRequest"


def report_json(x: searches.SavedSearchRecord) -> dict:
    users = ["ALL_USERS"] if 0 in x.user_ids else [str(i) for i in x.user_ids]
    return {"id": str(x.id), "name": x.name, "user_ids": users}


def _report(r: Request, report_id: int) -> searches.SavedSearchRecord:
    return existing(searches.get_saved_search(r.s, report_id), "Report", report_id)


def _options(r: Request) -> dict:
    try:
        options = json.loads(r.query[_REQUEST])
    except ValueError:
        raise invalid_field(_REQUEST, "not the JSON text of a RunReportRequest") from None
    if not isinstance(options, dict) or set(options) - {"page_token", "order_by", "page_size", "fields"}:
        raise invalid_field(_REQUEST, "a RunReportRequest has page_token, order_by, page_size and fields")
    return options


def _text(value, name: str) -> str:
    if value is not None and not isinstance(value, str):
        raise invalid_field(f"{_REQUEST}.{name}", "must be text")
    return (value or "").strip()


def _columns(r: Request, report_id: int, options: dict) -> tuple[list[str], str | None, bool]:
    """The columns asked for, and the column to order by (or None) and its direction."""
    own, catalog = searches.report_catalog(r.s, report_id)
    names = list(dict.fromkeys(n.strip() for n in _text(options.get("fields"), "fields").split(",") if n.strip()))
    names = names or own
    for name in names:
        if name not in catalog:
            raise invalid_field(f"{_REQUEST}.fields", f"'{name}' is not a column of this report")
    order = _text(options.get("order_by"), "order_by").replace(",", " ").split()
    if not order:
        return names, None, True
    if len(order) > 2 or order[0] not in catalog or not searches.orderable(catalog[order[0]]) or \
            (len(order) == 2 and order[1].lower() not in ("asc", "desc")):
        raise invalid_field(f"{_REQUEST}.order_by", f"'{options['order_by']}' is not '<column> asc|desc' of a "
                                                    "column made of one field")
    return names, order[0], len(order) == 1 or order[1].lower() == "asc"


def _paging(options: dict) -> tuple[int, int]:
    size = options.get("page_size") or MAX_PAGE_SIZE
    if not isinstance(size, int) or isinstance(size, bool) or not 0 < size <= MAX_PAGE_SIZE:
        raise invalid_field(f"{_REQUEST}.page_size", f"must be a number from 0 to {MAX_PAGE_SIZE} (0: {MAX_PAGE_SIZE})")
    token = _text(options.get("page_token"), "page_token")
    if token and not (token.isascii() and token.isdigit()):
        raise invalid_field(f"{_REQUEST}.page_token", "not a token this report issued")
    return int(token or 0), size


def _value(value, r: Request) -> str:
    if isinstance(value, datetime):
        return out_time(value, r.s.clock)
    return "" if value is None else str(value)


@operation("listReports")
def list_reports(r: Request) -> dict:
    page = searches.page_saved_searches(r.s, r.list_query(REPORTS))
    return r.page("reports", [report_json(x) for x in page.items], page)


@operation("retrieveReport")
def retrieve_report(r: Request, report_id: int) -> dict:
    return report_json(_report(r, report_id))


@operation("runReport", writes=False)
def run_report(r: Request, report_id: int) -> dict:
    _report(r, report_id)
    options = _options(r)
    names, order_by, ascending = _columns(r, report_id, options)
    offset, size = _paging(options)
    rows, more = searches.run_report(r.s, report_id, names, offset, size, order_by=order_by, ascending=ascending)
    results = [{"columns": [{"field_name": n, "value": _value(row.get(n), r)} for n in names]} for row in rows]
    return {"results": results, "page_token": str(offset + size) if more else None}
