"""WebTrackingService.*: the app's web-tracking script (spec §2.13; the PHP SDK's getWebTrackingScriptUrl
takes a form id it never sends, so the method has no parameter but the key)."""
from __future__ import annotations

from server.domain.account import public_urls
from server.domain.session import AppSession
from server.xmlrpc.methods import xmlrpc


@xmlrpc("WebTrackingService.getWebTrackingScriptTag", writes=False)
def get_script_tag(s: AppSession) -> str:
    return f'<script type="text/javascript" src="{public_urls.tracking_script(s)}"></script>'


@xmlrpc("WebTrackingService.getWebTrackingScriptUrl", writes=False)
def get_script_url(s: AppSession) -> str:
    return public_urls.tracking_script(s)
