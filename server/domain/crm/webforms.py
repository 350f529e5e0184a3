"""Legacy web forms (WebFormService): forms as data, their HTML, and what a submission does.

A form's HTML posts to the sandbox itself (``/app/form/process/<xid>``, the real path); a submission
creates or updates the contact (duplicate check by email), opts the address in when the form asks for
permission, applies the form's tags, and emits ``webform.submitted`` so the campaign engine's web-form goal
fires. Input names follow the real forms: ``inf_field_<ContactField>``, ``inf_custom_<CustomFieldName>``,
``inf_option_<Name>`` for checkboxes, and the hidden ``inf_form_xid``, ``inf_form_name``,
``infusionsoft_version`` (spec §2.13; forms in the wild).
"""
from __future__ import annotations

import html
import re
import zoneinfo
from dataclasses import dataclass
from typing import NamedTuple

import sqlalchemy as sa

from server.domain import redirects
from server.domain.account import public_urls
from server.domain.affiliates import referrals
from server.domain.data import listing
from server.domain.errors import RecordNotFound, SandboxError
from server.domain.mail import confirmations, email_status
from server.store import schema
from server.store.session import AppSession

from . import contacts, origins, tags

# web, landing-page and in-app forms, and the social lead forms of seed 002's goals ("GroSocial Form is Submitted",
# "Twitter Lead Gen Card is Submitted"): in the sandbox those are forms of their own kind, posted like any other
KINDS = ("web", "landing", "internal", "grosocial", "twitter")
# the source type of a contact a form's post creates (FullContact.source_type); a social lead form: WEBFORM
SOURCE_TYPES = {"landing": "LANDINGPAGE", "internal": "INTERNALFORM"}
INFUSIONSOFT_VERSION = "1.70.0.0"  # the hidden infusionsoft_version value real forms carry (1.70.0.486160 …)


@dataclass(frozen=True)
class FormField:
    name: str  # a Contact field (FirstName), a custom field (_Name), or a checkbox's own name
    label: str
    type: str = "text"  # text | email | tel | date | textarea | select | checkbox | hidden
    required: bool = False
    options: tuple[str, ...] = ()
    value: str = ""  # hidden fields: their value
    consent: bool = False  # a checkbox giving permission to email: the address is opted in only if ticked

    @property
    def input_name(self) -> str:
        if self.type == "checkbox":
            return "inf_option_" + self.name.lstrip("_")
        if self.name.startswith("_"):
            return "inf_custom_" + self.name[1:]
        return "inf_field_" + self.name

    @classmethod
    def of(cls, data: dict) -> FormField:
        return cls(name=data["name"], label=data.get("label", data["name"]), type=data.get("type", "text"),
                   required=bool(data.get("required")), options=tuple(data.get("options", ())),
                   value=str(data.get("value", "")), consent=bool(data.get("consent")))


def _form(s: AppSession, form_id: int):
    row = s.get(schema.webform, form_id)
    if row is None:
        raise RecordNotFound(f"Record not found for Id:{form_id}")
    return row


def add_form(s: AppSession, name: str, fields: list[dict], *, kind: str = "web", title: str | None = None,
             tag_ids: list[int] | None = None, opt_in: bool = True, submit_label: str | None = None,
             thank_you_url: str | None = None) -> int:
    if kind not in KINDS:
        raise ValueError(f"form kind must be one of {KINDS}")
    for f in fields:
        FormField.of(f)  # checks the shape
    if thank_you_url and (problem := redirects.problem(thank_you_url)) is not None:
        raise ValueError(f"thank_you_url: {problem}")
    form_id = s.next_id("webform")
    s.insert(schema.webform, dict(id=form_id, name=name, kind=kind, title=title, fields=list(fields),
                                  tag_ids=list(tag_ids or []), opt_in=opt_in, submit_label=submit_label,
                                  thank_you_url=thank_you_url))
    s.emit("webform.added", "webform", form_id, name=name, kind=kind)
    return form_id


def form_map(s: AppSession) -> dict[str, str]:
    """WebFormService.getMap: form Id (as the member name, a string) -> form name, for the web and landing-page
    forms (internal forms are submitted by users in the app, social lead forms by their networks; vendor sample
    ``{"6": "test"}``)."""
    wf = schema.webform
    q = s.select(wf, wf.c.id, wf.c.name).where(wf.c.kind.in_(("web", "landing"))).order_by(wf.c.id)
    return {str(r.id): r.name for r in s.execute(q)}


def _esc(text) -> str:
    return html.escape(str(text), quote=True)


def _field_html(f: FormField) -> str:
    label = f.label + (" *" if f.required else "")
    name = f.input_name
    if f.type == "hidden":
        return f'<input name="{_esc(name)}" type="hidden" value="{_esc(f.value)}" />'
    if f.type == "checkbox":
        return ('<div class="infusion-field">'
                f'<span class="infusion-checkbox"><input class="infusion-field-input" id="{_esc(name)}" '
                f'name="{_esc(name)}" type="checkbox" value="yes" />'
                f'<label for="{_esc(name)}">{_esc(label)}</label></span></div>')
    head = f'<div class="infusion-field"><label for="{_esc(name)}">{_esc(label)}</label>'
    if f.type == "textarea":
        control = f'<textarea cols="24" id="{_esc(name)}" name="{_esc(name)}" rows="5"></textarea>'
    elif f.type == "select":
        options = "".join(f'<option value="{_esc(o)}">{_esc(o)}</option>' for o in f.options)
        control = (f'<select id="{_esc(name)}" name="{_esc(name)}"><option value="">Please select one</option>'
                   f"{options}</select>")
    else:
        kind = f.type if f.type in ("email", "tel", "date") else "text"
        control = (f'<input class="infusion-field-input" id="{_esc(name)}" name="{_esc(name)}" '
                   f'placeholder="{_esc(label)}" type="{kind}" />')
    return head + control + "</div>"


def form_html(s: AppSession, form_id: int) -> str:
    """WebFormService.getHTML: a standalone page like the real one, posting to the sandbox."""
    row = _form(s, form_id)
    xid = public_urls.token(s.app, "webform", form_id)
    fields = "\n".join("    " + _field_html(FormField.of(f)) for f in row.fields)
    title = row.title or row.name
    return f"""<!DOCTYPE html>
<html>
<head>
<meta http-equiv="Content-Type" content="text/html; charset=UTF-8" />
<title>{_esc(title)}</title>
</head>
<body>
<form accept-charset="UTF-8" action="{_esc(public_urls.form_action(s, form_id))}" class="infusion-form" \
id="inf_form_{xid}" method="POST">
    <input name="inf_form_xid" type="hidden" value="{xid}" />
    <input name="inf_form_name" type="hidden" value="{_esc(row.name)}" />
    <input name="infusionsoft_version" type="hidden" value="{INFUSIONSOFT_VERSION}" />
{fields}
    <input name="{TIME_ZONE_INPUT}" type="hidden" value="" />
    <input name="{LANGUAGE_INPUT}" type="hidden" value="" />
    <div class="infusion-submit"><button class="infusion-recaptcha" id="recaptcha_{xid}" type="submit">\
{_esc(row.submit_label or "Submit")}</button></div>
</form>
<script type="text/javascript" src="{_esc(public_urls.tracking_script(s))}"></script>
<script type="text/javascript">{_CAPTURE_SCRIPT.replace("XID", xid)}</script>
</body>
</html>
"""


# Seed 000 "Contact Time Zone": a web form captures the contact's time zone and language from the browser. The
# served form has two hidden fields, filled by this line of script; the submission stores them on the contact
# (Contact.TimeZone, an IANA name; Contact.Language, a locale like REST's preferred_locale "en_US").
TIME_ZONE_INPUT, LANGUAGE_INPUT = "inf_field_TimeZone", "inf_field_Language"
_CAPTURE_SCRIPT = ('(function(f){if(!f)return;try{f.inf_field_TimeZone.value='
                   'Intl.DateTimeFormat().resolvedOptions().timeZone||"";}catch(e){}'
                   'f.inf_field_Language.value=(navigator.language||"").replace("-","_");})'
                   '(document.getElementById("inf_form_XID"));')
_LOCALE = re.compile(r"^[A-Za-z]{2,3}([_-][A-Za-z0-9]{2,8}){0,2}$")


def _browser_fields(posted: dict[str, str]) -> tuple[dict[str, str], list[str]]:
    """The time zone and language the form's script captured (blank when the browser ran no script)."""
    data, problems = {}, []
    zone = (posted.get(TIME_ZONE_INPUT) or "").strip()
    if zone:
        if zone in _TIME_ZONES:
            data["TimeZone"] = zone
        else:
            problems.append(f"{zone[:100]} is not a time zone")
    language = (posted.get(LANGUAGE_INPUT) or "").strip()
    if language:
        if _LOCALE.match(language):
            data["Language"] = language.replace("-", "_")
        else:
            problems.append(f"{language[:100]} is not a language")
    return data, problems


_TIME_ZONES = frozenset(zoneinfo.available_timezones())


class InvalidSubmission(SandboxError):
    """A submission missing a required field, or with a value the field cannot hold (shown on a page)."""

    code, tag = 12, "InvalidParameter"

    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class Submission:
    contact_id: int
    created: bool
    redirect_to: str


def submit(s: AppSession, form_id: int, posted: dict[str, str], *, referral=None, ip: str | None = None) -> Submission:
    """Process a post of form ``form_id``. ``referral``: an ``(affiliate_id, ip)`` the visitor's affiliate
    cookie carried, recorded as the contact's referral; ``ip``: the visitor's address, a new contact's origin."""
    row = _form(s, form_id)
    fields = [FormField.of(f) for f in row.fields]
    data: dict[str, str] = {}
    problems: list[str] = []
    consent = None
    for f in fields:
        raw = posted.get(f.input_name)
        value = (raw or "").strip() if f.type != "hidden" else (raw if raw is not None else f.value)
        if f.type == "checkbox":
            ticked = bool(value)
            if f.consent:
                consent = ticked
            if f.name.startswith("_"):
                data[f.name] = "1" if ticked else "0"
            elif f.required and not ticked:
                problems.append(f"{f.label} is required")
            continue
        if f.required and not value:
            problems.append(f"{f.label} is required")
            continue
        if value:
            data[f.name] = value
    browser, browser_problems = _browser_fields(posted)
    problems += browser_problems
    data.update({k: v for k, v in browser.items() if k not in data})
    email = data.get("Email")
    if email is not None and not email_status.is_valid(email):
        problems.append(f"{email} is not a valid email address")
    if problems:
        raise InvalidSubmission(problems)
    try:
        existing = contacts.find_duplicate(s, data, "Email") if email else None
        if existing is None:
            contact_id, created = contacts.add(s, data, SOURCE_TYPES.get(row.kind, origins.WEBFORM)), True
            if ip:
                origins.record(s, contact_id, ip_address=ip[:origins.MAX_IP_LENGTH])
        else:
            contact_id, created = contacts.update(s, existing, data), False
    except SandboxError as exc:
        raise InvalidSubmission([exc.message]) from None
    if email and row.opt_in and consent is not False:
        email_status.opt_in(s, email, f"Web Form: {row.name}")
    confirmation = confirmations.for_webform(s, form_id) if email and consent is not False else None
    if confirmation is not None:  # the form asks for double opt-in: the confirmation email goes out
        confirmations.request(s, email, confirmation.id, contact_id=contact_id)
    for tag_id in row.tag_ids or []:
        if s.get(schema.tag, tag_id) is not None:
            tags.apply(s, contact_id, tag_id)
    if referral is not None:
        referrals.record_referral(s, contact_id, referral[0], ip=referral[1], source=f"Web Form: {row.name}")
    s.emit("webform.submitted", "contact", contact_id, contact_id=contact_id, form_id=form_id,
           form_name=row.name, form_kind=row.kind, created=created)
    # the form's own thank-you address as a Location header; one that cannot be (loaded from an export or a seed
    # file before add_form checked it): the sandbox's thank-you page
    own = redirects.location(row.thank_you_url) if row.thank_you_url else None
    return Submission(contact_id, created, own or public_urls.form_thank_you(s, form_id))


def thank_you_page(s: AppSession, form_id: int) -> str:
    row = _form(s, form_id)
    return ("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>Thank you</title></head>"
            f"<body><h1 id=\"thank-you\">Thank you!</h1><p>{_esc(row.name)} was submitted.</p></body></html>\n")


# --- reads for the protocols that page (REST v2) ------------------------------------------------------

class WebformRecord(NamedTuple):
    id: int
    name: str
    kind: str  # web | landing | internal
    thank_you_url: str | None  # the form's own, else None (the sandbox's thank-you page)


_wf = schema.webform
# REST v2's webform_type of each kind, within the contract's enum: a legacy web form, a landing page's form, an
# in-app (internal) form, a Twitter lead card; the enum has no GroSocial form (UNKNOWN, as any other kind)
TYPES = {"web": "LEGACY", "landing": "LANDING_PAGE", "internal": "INTERNAL", "twitter": "TWITTER"}
WEBFORM_FIELDS = listing.Fields(
    {"id": _wf.c.id, "name": _wf.c.name,
     "webform_type": sa.case(*((_wf.c.kind == k, v) for k, v in TYPES.items()), else_="UNKNOWN")},
    text=frozenset({"name"}))


def _webform_record(row) -> WebformRecord:
    return WebformRecord(row.id, row.name, row.kind, row.thank_you_url)


def get_webform(s: AppSession, form_id: int) -> WebformRecord | None:
    row = s.get(_wf, form_id)
    return None if row is None else _webform_record(row)


def page_webforms(s: AppSession, q: listing.ListQuery) -> listing.Page[WebformRecord]:
    return listing.page(s, s.select(_wf), WEBFORM_FIELDS, q, _webform_record)
