"""The subject preview line of an email (seed 000: "This appears in the recipient's inbox, directly under the
email subject. You can add different text or we will automatically include the first few words from your email
message"). Text the sender gives is written as the HTML body's first element, hidden (a preheader, which inboxes
show after the subject); without it, an inbox shows the message's first words. ``of`` reads back what an inbox
would show."""
from __future__ import annotations

import html
import re

_HIDDEN = '<div data-preview style="display:none;max-height:0;overflow:hidden;mso-hide:all">'
_READ = re.compile(r'<div data-preview [^>]*>(.*?)</div>', re.S)
_TAG = re.compile(r"<(script|style)\b.*?</\1>|<[^>]+>", re.S | re.I)
FIRST_WORDS = 90  # characters of the message's opening an inbox shows when no preview line is given


def with_preview(html_body: str, preview: str) -> str:
    """``html_body`` opening with ``preview`` as its hidden preheader (merge fields in it stay tokens)."""
    return f"{_HIDDEN}{html.escape(preview, quote=False)}</div>{html_body}"


def of(html_body: str | None, text_body: str | None) -> str:
    """What an inbox shows under the subject: the preheader's text, else the message's first words."""
    if html_body:
        given = _READ.match(html_body)
        if given:
            return html.unescape(given.group(1)).strip()
    source = text_body if text_body else html.unescape(_TAG.sub(" ", html_body or ""))
    words = " ".join(source.split())
    if len(words) <= FIRST_WORDS:
        return words
    cut = words[:FIRST_WORDS + 1].rsplit(" ", 1)[0]
    return cut if cut else words[:FIRST_WORDS]
