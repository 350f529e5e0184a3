"""Web forms: the list, and a form's HTML (the contract's ``Webforms`` operations).

The forms are the ones WebFormService serves (server.domain.crm.webforms): a form's HTML is
``WebFormService.getHTML``'s, posting to the sandbox's public form page (``/app/form/process/<xid>``), and
its ``webform_url`` is the page hosting it (``/app/form/<xid>``, the real path). v2 wire rules of this
family: ``webform_type`` is LEGACY for a web form, LANDING_PAGE for a landing page's form, INTERNAL for an
in-app form, TWITTER for a Twitter lead card, UNKNOWN for a GroSocial form (the contract's enum has none); a
submission is a duplicate by email (``duplicate_check_option`` EMAIL, what a submission does);
``exit_option`` is REDIRECT for a form with its own thank-you address, else HOSTED_PAGE (the sandbox's
thank-you page). The store keeps no creation or update time of a form: ``create_time`` orders by
id (ids are given in creation order), and so does ``update_time`` (a form is never changed once added: its
last update is its creation); the time filters are refused.
"""
from __future__ import annotations

from server.domain.account import public_urls
from server.domain.crm import webforms as domain

from .api import Reply, Request, operation
from .errors import not_found
from .filters import Choice, Text
from .paging import Listing

WEBFORM_TYPES = ("LEGACY", "STANDALONE", "FUNNEL", "LANDING_PAGE", "SURVEY", "INTERNAL", "TWITTER", "UNKNOWN")
WEBFORMS = Listing(filters={"name": Text(), "webform_type": Choice(WEBFORM_TYPES)},
                   order_by={"name": "name", "webform_type": "webform_type", "create_time": "id",
                             "update_time": "id"})


def webform_json(r: Request, w: domain.WebformRecord) -> dict:
    return {"id": str(w.id), "xid": public_urls.token(r.s.app, "webform", w.id), "name": w.name,
            "webform_url": public_urls.form_page(r.s, w.id),
            "thank_you_page_url": w.thank_you_url or public_urls.form_thank_you(r.s, w.id),
            "duplicate_check_option": "EMAIL", "exit_option": "REDIRECT" if w.thank_you_url else "HOSTED_PAGE",
            "webform_type": domain.TYPES.get(w.kind, "UNKNOWN")}


@operation("listWebforms")
def list_webforms(r: Request) -> dict:
    page = domain.page_webforms(r.s, r.list_query(WEBFORMS))
    return r.page("webforms", [webform_json(r, w) for w in page.items], page)


@operation("getHtml")
def get_html(r: Request, webform_id: int) -> Reply:
    if domain.get_webform(r.s, webform_id) is None:
        raise not_found("Webform", webform_id)
    return Reply(domain.form_html(r.s, webform_id), media_type="text/html")
