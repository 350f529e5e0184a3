"""Pages of v2 lists: ``page_size``, ``page_token``, ``next_page_token``, and the one declaration of a list
operation's filter and order fields (``Listing``).

- ``page_size``: 0 to 1000 (the contract's bounds, checked by validation); 0 or none means the default,
  1000 (the real default is unrecorded; 1000 is v1's default and v2's maximum).
- Tokens are keysets (server.domain.data.listing): for a list in id order the token is the last id of the page,
  as the one captured answer shows (``"page_token=91"`` after tag 91, rest-oauth-throttle.md §12); in any
  other order it is an opaque base64url text holding the order, the last row's value and id.
- ``next_page_token`` is, by default, the full URL of the next page (the captured form:
  ``https://api.infusionsoft.com/crm/rest/v2/tags/?page_size=1&page_token=91``; here on the host the client
  called, carrying its ``filter`` and ``order_by``), or the bare token with the app option
  ``rest_v2_page_token: "token"``. A ``page_token`` is accepted in either form.
- The last page has no ``next_page_token`` (the option ``rest_v2_last_page: "empty"`` sends ``""``
  instead); a page is the last when nothing follows it, so a walk never ends on an empty extra page.
"""
from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlencode, urlsplit

from server.domain.data.listing import ListQuery, Page

from . import filters
from .errors import invalid_field

DEFAULT_PAGE_SIZE = 1000
MAX_PAGE_SIZE = 1000


@dataclass(frozen=True)
class Listing:
    """A list operation's conventions, declared once in its family module: the filter fields it accepts (wire
    name -> kind), the ``order_by`` fields (wire name -> domain field), and its default order."""

    filters: dict[str, filters.Kind] = field(default_factory=dict)
    order_by: dict[str, str] = field(default_factory=dict)
    default_order: tuple[str, bool] = ("id", False)
    key: str = "id"  # the domain field that orders rows uniquely (server.domain.data.listing.Fields.key)


def page_size(value: int | None) -> int:
    return min(value or DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE)


def token_value(raw: str | None) -> str | None:
    """The token itself, from a bare token or a next-page URL carrying it."""
    if raw is None or not raw.strip():
        return None
    raw = raw.strip()
    if "://" in raw or raw.startswith("/") or "?" in raw:
        query = dict(parse_qsl(urlsplit(raw).query, keep_blank_values=True))
        if not query.get("page_token"):
            raise invalid_field("page_token", "the URL carries no page_token")
        return query["page_token"]
    return raw


def cursor(raw: str | None, order: str, descending: bool, key: str = "id") -> tuple | None:
    """The keyset ``(value, id)`` a ``page_token`` continues after, for a list in ``order``."""
    token = token_value(raw)
    if token is None:
        return None
    if token.isascii() and token.isdigit():
        if order != key:
            raise invalid_field("page_token", "this token belongs to a list in id order; order_by changed")
        return int(token), int(token)
    try:
        data = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
        o, d, value, last_id = data["o"], data["d"], data["v"], data["id"]
    except (binascii.Error, ValueError, TypeError, KeyError):
        raise invalid_field("page_token", "not a token this list issued") from None
    if (o, bool(d)) != (order, descending) or not isinstance(last_id, int):
        raise invalid_field("page_token", "this token belongs to another order_by")
    return value, last_id


def encode(page: Page) -> str | None:
    if page.next_key is None:
        return None
    value, last_id = page.next_key
    if page.order == page.key:
        return str(last_id)
    data = json.dumps({"o": page.order, "d": page.descending, "v": value, "id": last_id}, separators=(",", ":"))
    return base64.urlsafe_b64encode(data.encode()).decode().rstrip("=")


def next_page_url(base: str, path: str, args, declared, token: str, size: int) -> str:
    """The next page's URL: the request's own values of the operation's ``declared`` query parameters (its
    filter, order_by …; not the ones it ignores), the page size, the token."""
    carried = [(k, v) for k, v in args.items(multi=True) if k in declared and k not in ("page_token", "page_size")]
    return f"{base}{path.rstrip('/')}/?" + urlencode([*carried, ("page_size", size), ("page_token", token)])


def list_query(listing: Listing, query: dict, clock) -> ListQuery:
    """The domain's query for a list request's validated query parameters."""
    order, descending = filters.order(query.get("order_by"), listing.order_by, listing.default_order)
    return ListQuery(where=filters.conditions(query.get("filter"), listing.filters, clock), order=order,
                     descending=descending, after=cursor(query.get("page_token"), order, descending, listing.key),
                     limit=page_size(query.get("page_size")))
