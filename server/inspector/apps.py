"""The inspector's pages of apps: the list (at ``/`` too), and an app's page with its keys and credentials,
its clock and its throttle state, and the actions on them."""
from __future__ import annotations

from flask import Blueprint, request

from server.clock import parse_duration
from server.sandbox.clocks import ClockChange
from server.sandbox.control import apps as control_apps
from server.sandbox.control import clock as control_clock
from server.sandbox.control import credentials as control_credentials

from .users import users_of
from .web import PAGE, Refused, act, back, bp, call, model, page_number, paged, record_or_404, render, require_login

root = Blueprint("inspector_root", __name__)
LONG_ADVANCE = 7 * 86400  # an advance longer than this runs in the background, its page showing its progress


@root.route("/")
def home():
    """``/``: the list of apps, as at /sandbox/ui/ (behind the admin token the same way)."""
    refused = require_login()
    return refused if refused is not None else apps()


@bp.route("/")
def apps():
    return apps_page()


def apps_page(**shown):
    page = paged(call(control_apps.list_apps)["apps"], page_number())
    clients = call(control_credentials.list_clients)["clients"]
    return render("apps.html", apps=page["rows"], number=page["number"], more=page["more"], clients=clients[:PAGE],
                  more_clients=len(clients) > PAGE, **shown)


@bp.post("/apps")
def create_app():
    def work():
        form = request.form
        body = model(control_apps.NewApp, {"name": form.get("name", "").strip(), "seed": form.get("seed") == "on",
                                           "time_zone": form.get("time_zone", "").strip()})
        made = call(control_apps.create_app, body=body)
        return back("inspector.app", name=made["name"], notice=f"app {made['name']} created")
    return act("inspector.apps", work)


def context(name: str) -> dict:
    """What every page of an app shows: the app (its clock in the header)."""
    record_or_404(name)
    return {"app": call(control_apps.get_app, name=name)}


@bp.route("/apps/<name>")
def app(name: str):
    return _app_page(name)


def _app_page(name: str, **shown):
    ctx = context(name)
    keys = call(control_credentials.list_api_keys, name=name)["keys"]
    throttle = call(control_apps.get_throttle, name=name)
    return render("app.html", keys=keys, throttle=throttle, users=users_of(name), tab="app", **ctx, **shown)


# --- the clock ----------------------------------------------------------------------------------------

def _ran(ran: dict) -> str:
    """What an advance ran (server.tally's summary, nested), the counts that are not zero."""
    def counts(summary: dict, prefix: str = ""):
        for k, v in summary.items():
            label = f"{prefix}{k.replace('_', ' ')}"
            if isinstance(v, dict):
                yield from counts(v, label + " ")
            elif v:
                yield f"{label}: {v}"
    return ", ".join(counts(ran)) or "nothing was due"


@bp.post("/apps/<name>/clock")
def clock(name: str):
    form = request.form
    action = form.get("action")
    values: dict = {"action": action, "force": form.get("force") == "on"}

    def work():
        if action == "set":
            values["time"] = form.get("time", "").strip()
        elif action == "advance":
            values["by"] = form.get("by", "").strip()
            values["async"] = form.get("background") == "on" or _seconds(values["by"]) > LONG_ADVANCE
        elif action == "rate":
            text = form.get("rate", "").strip()
            try:
                values["rate"] = float(text)
            except ValueError:
                raise Refused(400, f"rate must be a number of app seconds per wall second, not {text!r}") from None
        moved = call(control_clock.set_clock, name=name, body=model(ClockChange, values))
        if values.get("async"):
            return back("inspector.advance", name=name, advance_id=moved["id"])
        return f"clock {action}: now {moved['local']} ({moved['time_zone']}); ran {_ran(moved['ran'])}"
    return act("inspector.app", work, name=name)


def _seconds(by: str) -> float:
    try:
        return parse_duration(by)
    except ValueError:
        return 0  # not a duration: the control API says so


@bp.route("/apps/<name>/clock/advances/<int:advance_id>")
def advance(name: str, advance_id: int):
    """An advance running in the background: its progress (the page asks for it every second), then what ran."""
    found = call(control_clock.advance_status, name=name, advance_id=advance_id)
    ctx = context(name)  # (after the status: an advance found done has moved the clock the header shows)
    return render("advance.html", tab="app", advance=found, ran=_ran(found["ran"]), **ctx)


@bp.route("/apps/<name>/clock/advances/<int:advance_id>/status")
def advance_progress(name: str, advance_id: int):
    """The advance's status as the control API answers it, for the page's script."""
    record_or_404(name)
    return call(control_clock.advance_status, name=name, advance_id=advance_id)


# --- keys and credentials --------------------------------------------------------------------------------

@bp.post("/apps/<name>/legacy-key")
def rotate_legacy_key(name: str):
    def work():
        body = model(control_credentials.LegacyKey, {"key": request.form.get("key", "").strip()})
        rotated = call(control_credentials.rotate_legacy_key, name=name, body=body)
        return f"the legacy key is now {rotated['legacy_api_key']}"
    return act("inspector.app", work, name=name)


@bp.post("/apps/<name>/api-keys")
def create_api_key(name: str):
    def work():
        body = model(control_credentials.NewApiKey, {"kind": request.form.get("kind", "pat"),
                                                     "name": request.form.get("name", "").strip()})
        made = call(control_credentials.create_api_key, name=name, body=body)
        # shown on this answer, never in an address (a redirect's would stay in the history and the logs)
        return _app_page(name, notice=f"{made['kind'].upper()} {made['name']} made; its key, shown this once: "
                                      f"{made['key']}")
    return act("inspector.app", work, name=name)


@bp.post("/apps/<name>/api-keys/<int:key_id>/revoke")
def revoke_api_key(name: str, key_id: int):
    return act("inspector.app", lambda: call(control_credentials.revoke_api_key, name=name, key_id=key_id),
               notice=f"API key {key_id} revoked", name=name)


# --- the throttle ------------------------------------------------------------------------------------------

@bp.post("/apps/<name>/throttle/reset")
def reset_throttle(name: str):
    return act("inspector.app", lambda: call(control_apps.reset_throttle, name=name),
               notice="throttle reset: the bucket is full and the quota windows empty", name=name)


# --- OAuth clients (developer apps: they are not one app's) -------------------------------------------------

@bp.post("/oauth/clients")
def create_client():
    form = request.form
    uris = [u.strip() for u in form.get("redirect_uris", "").split() if u.strip()]

    def work():
        body = model(control_credentials.NewClient, {"name": form.get("name", "").strip(), "redirect_uris": uris})
        made = call(control_credentials.create_client, body=body)
        return f"OAuth client {made['name']} registered: {made['client_id']}"
    return act("inspector.apps", work)


@bp.post("/oauth/clients/<client_id>/delete")
def delete_client(client_id: str):
    return act("inspector.apps", lambda: call(control_credentials.delete_client, client_id=client_id),
               notice=f"OAuth client {client_id} deleted, with its grants")


@bp.post("/oauth/consent")
def approve_consent():
    """Consent approved on the app's first user's behalf; the code is shown on this answer (never in an address)."""
    form = request.form

    def work():
        body = model(control_credentials.Consent, {k: form.get(k, "").strip() for k in ("client_id", "redirect_uri",
                                                                                         "app", "scope")})
        made = call(control_credentials.approve, body=body)
        if "code" not in made:
            raise Refused(400, f"no code: redirected to {made['redirect_to']}")
        return apps_page(notice=f"consent approved; the code: {made['code']}")
    return act("inspector.apps", work)


@bp.post("/oauth/token")
def token_action():
    """Revoke the grant a token belongs to, or run out its access or refresh token's lifetime now."""
    form = request.form
    action = form.get("action", "revoke")
    token = form.get("token", "").strip()

    def work():
        if action == "revoke":
            done = call(control_credentials.revoke, body=model(control_credentials.Token, {"token": token}))
            return f"grant revoked: {done['revoked']} tokens stop working"
        done = call(control_credentials.expire_token, body=model(control_credentials.ExpireToken,
                                                                 {"token": token, "which": action}))
        return f"expired now ({done['at']}): {' and '.join(done['expired'])}"
    return act("inspector.apps", work)
