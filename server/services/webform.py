"""WebFormService.* (legacy web forms)."""
from __future__ import annotations

from server.domain.crm import webforms
from server.domain.session import AppSession
from server.xmlrpc.methods import P, xmlrpc


@xmlrpc("WebFormService.getMap", writes=False)
def get_map(s: AppSession) -> dict:
    return webforms.form_map(s)


@xmlrpc("WebFormService.getHTML", P.INT, writes=False)
def get_html(s: AppSession, form_id: int) -> str:
    return webforms.form_html(s, form_id)
