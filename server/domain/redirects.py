"""Where the public pages send a browser: a tracked link's URL, an affiliate redirect link's, a confirmation
link's, the card-entry page's success and failure URLs, a web form's thank-you address. The APIs set them
(``problem`` says why one cannot be set); the pages redirect with ``location``, the Location header a URL makes.

A newline in a header value, a host name IDNA refuses (``a..b``) or a port out of range made every one of those
pages answer 500 (Werkzeug refuses the header, or fails making it a URI as the answer goes out, past any
handler). A URL stored before these checks, or loaded from an export, may still be one: ``location`` is None
for it and the page answers without redirecting."""
from __future__ import annotations

import re

from werkzeug.urls import iri_to_uri

_CONTROL = re.compile(r"[\x00-\x20\x7f]")  # control characters and the space: never raw in a URL
_REFUSED = re.compile(r"[\x00-\x1f\x7f]")  # what an API refuses in a URL it is given (a space is encoded)


def escape_controls(url: str) -> str:
    """``url`` with control characters and spaces percent-encoded, as a browser does."""
    return _CONTROL.sub(lambda c: f"%{ord(c.group()):02X}", url)


def location(url: str) -> str | None:
    """The Location header of a redirect to ``url``, as Werkzeug sends it (a URI), or None when it cannot be
    one."""
    try:
        return iri_to_uri(escape_controls(url))
    except ValueError:  # UnicodeError included: a label IDNA refuses; a port out of range; a bad IPv6 address
        return None


def problem(url: str) -> str | None:
    """Why ``url`` cannot be a redirect's target (a control character, a host or port no Location header can
    carry), or None when it can."""
    if _REFUSED.search(url):
        return "a URL may not hold a control character (a newline, a tab)"
    if location(url) is None:
        return "not a URL a browser can be redirected to (its host name or port is not valid)"
    return None
