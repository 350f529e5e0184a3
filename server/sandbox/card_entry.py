"""The card-entry page of CreditCardSubmissionService's flow, at the real path
``/app/creditCardSubmission/addCreditCard`` (the Novak SDK: "POST the credit card data to this URL:
https://appnamehere.infusionsoft.com/app/creditCardSubmission/addCreditCard").

POST the card with ``token`` (from requestSubmissionToken) and the CreditCard field names (``CardNumber``,
``ExpirationMonth``, ``ExpirationYear``, ``CVV2``, ``NameOnCard``, ``BillAddress1`` …): the card is saved for the
token's contact and the browser is sent to the success URL, or, when the card is refused, to the failure URL.
``GET …?token=…`` shows a small form that posts there: the sandbox's own convenience, for trying the flow in
a browser. The page needs no API key: the token is the credential, and names its app.
"""
from __future__ import annotations

from flask import Blueprint, Response, current_app, redirect, request
from markupsafe import escape

from server.domain import redirects
from server.domain.commerce import cards
from server.domain.errors import SandboxError
from server.store import apps
from server.store.db import transaction

bp = Blueprint("card_entry", __name__)
PATH = "/app/creditCardSubmission/addCreditCard"

_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Add a credit card</title>
<style>body{{font-family:sans-serif;max-width:28em;margin:2em auto}}label{{display:block;margin:.6em 0 .2em}}
input{{width:100%;padding:.3em}}button{{margin-top:1em;padding:.5em 1.2em}}p.note{{color:#666;font-size:.9em}}</style>
</head><body>
<h1>Add a credit card</h1>
<p class="note">Sandbox card entry for {app}. Test numbers: 4111111111111111 is approved,
4000000000000002 is declined (see docs/commerce.md).</p>
<form method="post" action="{action}">
<input type="hidden" name="token" value="{token}">
<label>Name on card<input name="NameOnCard" autocomplete="cc-name"></label>
<label>Card number<input name="CardNumber" autocomplete="cc-number" required></label>
<label>Expiration month<input name="ExpirationMonth" placeholder="MM" required></label>
<label>Expiration year<input name="ExpirationYear" placeholder="YYYY" required></label>
<label>Security code<input name="CVV2" autocomplete="cc-csc"></label>
<label>Billing address<input name="BillAddress1"></label>
<label>City<input name="BillCity"></label>
<label>State<input name="BillState"></label>
<label>Postal code<input name="BillZip"></label>
<label>Country<input name="BillCountry"></label>
<button type="submit">Save card</button>
</form></body></html>
"""


def _text(status: int, message: str) -> Response:
    return Response(message + "\n", status=status, content_type="text/plain; charset=utf-8")


def _app_for(token: str):
    app_id = cards.app_id_of(token)
    if app_id is None:
        return None
    with transaction(current_app.extensions["sandbox"].engine, write=False) as conn:
        record = apps.by_id(conn, app_id)
    if record is None or record.name.startswith(apps.INTERNAL_PREFIX):
        return None
    return record


@bp.get(PATH)
def form():
    token = request.args.get("token", "")
    record = _app_for(token)
    if record is None:
        return _text(404, "Unknown or expired card submission token")
    with transaction(current_app.extensions["sandbox"].engine, write=False) as conn:
        if cards.submission(current_app.extensions["sandbox"].env.session(conn, record), token) is None:
            return _text(404, "Unknown or expired card submission token")
    return Response(_PAGE.format(app=escape(record.name), action=escape(PATH), token=escape(token)),
                    content_type="text/html; charset=utf-8")


@bp.post(PATH)
def submit():
    token = request.form.get("token", "")
    record = _app_for(token)
    if record is None:
        return _text(400, "Unknown or expired card submission token")
    try:
        env = current_app.extensions["sandbox"].env
        with transaction(env.engine, write=True) as conn:
            saved, url, message = cards.submit(env.session(conn, record), token, request.form.to_dict())
    except SandboxError as exc:
        return _text(400, exc.message)
    to = redirects.location(url)
    if to is None:  # a URL stored before requestSubmissionToken checked it: say what happened instead
        return _text(200 if saved else 400, message)
    return redirect(to, code=302)
