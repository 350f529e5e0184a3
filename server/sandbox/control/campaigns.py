"""The control API of the campaign engine: campaigns (import, edit, publish, unpublish, export, report),
contacts in sequences, the outbox, HTTP posts, fulfillment lists, follow-up sequences, lead scores, survey results,
and running what is due now. Reads never consume anything (listing the outbox leaves it as it is)."""
from __future__ import annotations

import contextlib

import yaml
from flask import Blueprint, Response, jsonify, request

from server import jobs, json_input
from server.domain.account import public_urls
from server.domain.crm import surveys, webforms
from server.domain.errors import SandboxError
from server.domain.mail import emails, messages
from server.engine import campaigns, delivery, document, fulfillment, lead_scores, legacy, manual, reporting
from server.engine.errors import CampaignNotFound, PublishError
from server.store.db import transaction

from .common import (
    ControlError,
    app_named,
    control_error,
    current_sandbox,
    json_body,
    page_args,
    paged,
    require_admin,
)

bp = Blueprint("sandbox_campaigns", __name__, url_prefix="/sandbox")
bp.before_request(require_admin)
bp.register_error_handler(ControlError, control_error)


@bp.errorhandler(document.DocumentError)
def _document_error(exc: document.DocumentError):
    return jsonify({"error": "the campaign document is not valid", "problems": exc.problems}), 400


@bp.errorhandler(PublishError)
def _publish_error(exc: PublishError):
    return jsonify({"error": "the campaign cannot be published", "problems": exc.problems}), 400


@bp.errorhandler(CampaignNotFound)
def _not_found(exc: CampaignNotFound):
    return jsonify({"error": f"no campaign {exc.campaign_id}"}), 404


@bp.errorhandler(SandboxError)
def _domain_error(exc: SandboxError):
    return jsonify({"error": exc.message, "fault_code": exc.code}), 400


def _session(name: str, *, write: bool):
    """A transaction on the app ``name`` (a context manager yielding an AppSession); public links made in it
    (a form's address, an email's tracked links) start with the address the caller used, or SANDBOX_PUBLIC_URL."""

    record = app_named(name)
    sandbox = current_sandbox()
    base_url = (sandbox.config.public_url or request.host_url).rstrip("/")

    @contextlib.contextmanager
    def scope():
        with transaction(sandbox.engine, write=write) as conn:
            yield sandbox.env.session(conn, record, base_url=base_url)

    return scope()


def _document_body() -> dict:
    if request.is_json:
        try:
            body = json_input.loads(request.get_data())
        except json_input.BadJson as exc:
            raise document.DocumentError([exc.message]) from None
        if not isinstance(body, dict):
            raise document.DocumentError(["the body must be a JSON object"])
        return body
    return document.parse(request.get_data())


def _summary(row) -> dict:
    return {"id": row.id, "name": row.name, "status": row.status, "version": row.version,
            "published_date": row.published_date, "error_message": row.error_message}


@bp.get("/campaigns/schema")
def schema_document():
    return jsonify(document.SCHEMA)


@bp.post("/apps/<name>/campaigns")
def import_campaign(name: str):
    """Import a campaign document (JSON or YAML); ``?publish=1`` publishes it in the same transaction."""
    doc = _document_body()
    with _session(name, write=True) as s:
        campaign_id = campaigns.import_document(s, doc)
        if request.args.get("publish") in ("1", "true", "yes"):
            campaigns.publish(s, campaign_id)
        row = campaigns.get(s, campaign_id)
        return jsonify(dict(_summary(row), ids=row.ids)), 201


@bp.get("/apps/<name>/campaigns")
def list_campaigns(name: str):
    with _session(name, write=False) as s:
        return jsonify({"campaigns": [_summary(r) for r in campaigns.list_campaigns(s)]})


@bp.get("/apps/<name>/campaigns/<int:campaign_id>")
def get_campaign(name: str, campaign_id: int):
    with _session(name, write=False) as s:
        row = campaigns.get(s, campaign_id)
        return jsonify(dict(_summary(row), ids=row.ids, document=row.document))


@bp.put("/apps/<name>/campaigns/<int:campaign_id>")
def replace_campaign(name: str, campaign_id: int):
    doc = _document_body()
    with _session(name, write=True) as s:
        campaigns.replace_document(s, campaign_id, doc)
        if request.args.get("publish") in ("1", "true", "yes"):
            campaigns.publish(s, campaign_id)
        row = campaigns.get(s, campaign_id)
        return jsonify(dict(_summary(row), ids=row.ids))


@bp.delete("/apps/<name>/campaigns/<int:campaign_id>")
def delete_campaign(name: str, campaign_id: int):
    with _session(name, write=True) as s:
        campaigns.delete(s, campaign_id)
    return "", 204


@bp.post("/apps/<name>/campaigns/<int:campaign_id>/publish")
def publish_campaign(name: str, campaign_id: int):
    with _session(name, write=True) as s:
        return jsonify(campaigns.publish(s, campaign_id))


@bp.post("/apps/<name>/campaigns/<int:campaign_id>/unpublish")
def unpublish_campaign(name: str, campaign_id: int):
    with _session(name, write=True) as s:
        campaigns.unpublish(s, campaign_id)
        return jsonify(_summary(campaigns.get(s, campaign_id)))


@bp.get("/apps/<name>/campaigns/<int:campaign_id>/export")
def export_campaign(name: str, campaign_id: int):
    with _session(name, write=False) as s:
        row = campaigns.get(s, campaign_id)
    if request.args.get("format") == "yaml":

        return Response(yaml.safe_dump(row.document, sort_keys=False), content_type="application/yaml")
    return jsonify(row.document)


@bp.get("/apps/<name>/campaigns/<int:campaign_id>/report")
def report(name: str, campaign_id: int):
    with _session(name, write=False) as s:
        return jsonify(reporting.report(s, campaign_id))


def _contact_ids(body: dict) -> list[int]:
    ids = body.get("contact_ids")
    if not isinstance(ids, list) or not ids or not all(isinstance(i, int) and not isinstance(i, bool) for i in ids):
        raise ControlError(400, "contact_ids must be a non-empty list of contact ids")
    return ids


@bp.post("/apps/<name>/campaigns/<int:campaign_id>/sequences/<int:sequence_id>/contacts")
def start_in_sequence(name: str, campaign_id: int, sequence_id: int):
    ids = _contact_ids(json_body())
    with _session(name, write=True) as s:
        return jsonify({str(k): v for k, v in manual.add_to_sequence(s, campaign_id, sequence_id, ids).items()})


@bp.delete("/apps/<name>/campaigns/<int:campaign_id>/sequences/<int:sequence_id>/contacts")
def stop_in_sequence(name: str, campaign_id: int, sequence_id: int):
    ids = _contact_ids(json_body())
    with _session(name, write=True) as s:
        return jsonify({"removed": manual.remove_from_sequence(s, campaign_id, sequence_id, ids)})


@bp.get("/apps/<name>/enrollments")
def enrollments(name: str):
    """Enrollments, oldest first: ``?contact_id=…&campaign_id=…&live=1&count=…&next=…``."""
    contact_id = request.args.get("contact_id", type=int)
    campaign_id = request.args.get("campaign_id", type=int)
    args = page_args(default=500)
    with _session(name, write=False) as s:
        rows = reporting.enrollments(s, contact_id=contact_id, campaign_id=campaign_id,
                                     live_only=request.args.get("live") in ("1", "true"), after=args.after,
                                     limit=args.fetch)
        return jsonify(paged("enrollments", [dict(r._mapping) for r in rows], args, lambda e: e["id"]))


@bp.post("/apps/<name>/engine/run")
def run_now(name: str):
    """Run everything due now on the app's clock (timers, HTTP posts, follow-up steps), as the heartbeat would."""
    record = app_named(name)
    env = current_sandbox().env
    with jobs.lock_for(env.engine, record.id):
        ran = jobs.run_due(env, record)
    return jsonify({"ran": ran})


# --- what the engine sent -------------------------------------------------------------------------------

def _message_json(row) -> dict:
    out = dict(row._mapping)
    out.pop("app_id", None)
    for key in ("sent_date", "received_date", "opened_date", "clicked_date", "delivery_date"):
        if out.get(key) is not None:
            out[key] = out[key].isoformat()
    return out


@bp.get("/apps/<name>/outbox")
def outbox(name: str):
    """Every email, fax, letter and voice message, captured or skipped (with its reason), oldest first:
    ``?kind=email&status=skipped&contact_id=…&origin=sequence&count=…&next=…``."""
    args = request.args
    page = page_args()
    with _session(name, write=False) as s:
        rows = messages.list_messages(s, contact_id=args.get("contact_id", type=int), kind=args.get("kind"),
                                      status=args.get("status"), origin=args.get("origin"),
                                      after=page.after, limit=page.fetch)
        return jsonify(paged("messages", [_message_json(r) for r in rows], page, lambda m: m["id"]))


@bp.get("/apps/<name>/http-posts")
def http_posts(name: str):
    """Campaign HTTP posts and their attempts, oldest first: ``?status=…&count=…&next=…``."""
    page = page_args()
    with _session(name, write=False) as s:
        rows = delivery.list_posts(s, status=request.args.get("status"), after=page.after, limit=page.fetch)
        items = [{k: v for k, v in r._mapping.items() if k != "app_id"} for r in rows]
        return jsonify(paged("http_posts", items, page, lambda p: p["id"]))


@bp.get("/apps/<name>/fulfillment")
def fulfillment_jobs(name: str):
    with _session(name, write=False) as s:
        return jsonify({"jobs": [{k: v for k, v in r._mapping.items() if k not in ("app_id", "csv")}
                                 for r in fulfillment.list_jobs(s)]})


@bp.get("/apps/<name>/fulfillment/<int:job_id>.csv")
def fulfillment_csv(name: str, job_id: int):
    with _session(name, write=False) as s:
        row = fulfillment.job(s, job_id)
    if row is None:
        raise ControlError(404, f"no fulfillment job {job_id}")
    return Response(row.csv, content_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{row.name}.csv"'})


@bp.post("/apps/<name>/fulfillment/<int:job_id>/complete")
def fulfillment_complete(name: str, job_id: int):
    with _session(name, write=True) as s:
        if not fulfillment.complete(s, job_id):
            raise ControlError(404, f"no fulfillment job {job_id}")
    return jsonify({"id": job_id, "status": "completed"})


@bp.get("/apps/<name>/followups/<int:sequence_id>/report")
def followup_report(name: str, sequence_id: int):
    with _session(name, write=False) as s:
        return jsonify(legacy.report(s, sequence_id))


@bp.post("/apps/<name>/contacts/<int:contact_id>/lead-score")
def lead_score(name: str, contact_id: int):
    body = json_body()
    score = body.get("score")
    if not isinstance(score, int) or isinstance(score, bool):
        raise ControlError(400, "score must be an integer")
    with _session(name, write=True) as s:

        if not emails.contact_exists(s, contact_id):
            raise ControlError(404, f"no contact {contact_id}")
        old = lead_scores.set_lead_score(s, contact_id, score)
    return jsonify({"contact_id": contact_id, "score": score, "previous": old})


@bp.post("/apps/<name>/webforms")
def add_webform(name: str):
    """A form of any kind (``web``, ``landing``, ``internal``, ``grosocial``, ``twitter``), to post to the
    sandbox's public form page: ``{"name", "kind", "fields": [{"name", "label", "type", "required"}], "tag_ids",
    "opt_in"}``. Posting it fires the goals of its kind (a GroSocial form fires ``grosocial_form_submitted``)."""
    body = json_body()
    form_name, kind, fields = body.get("name"), body.get("kind", "web"), body.get("fields")
    if not isinstance(form_name, str) or not form_name.strip():
        raise ControlError(400, "name: a form needs a name")
    if kind not in webforms.KINDS:
        raise ControlError(400, f"kind must be one of {', '.join(webforms.KINDS)}")
    if not isinstance(fields, list) or not fields or not all(isinstance(f, dict) and f.get("name") for f in fields):
        raise ControlError(400, "fields: a list of {name, label, type, required}, at least one")
    tag_ids = body.get("tag_ids", [])
    if not isinstance(tag_ids, list) or not all(isinstance(t, int) and not isinstance(t, bool) for t in tag_ids):
        raise ControlError(400, "tag_ids must be a list of tag ids")
    with _session(name, write=True) as s:
        form_id = webforms.add_form(s, form_name.strip(), fields, kind=kind, tag_ids=tag_ids,
                                    opt_in=bool(body.get("opt_in", True)), title=body.get("title"))
        return jsonify({"id": form_id, "kind": kind, "action": public_urls.form_action(s, form_id),
                        "page": public_urls.form_page(s, form_id)}), 201


@bp.get("/apps/<name>/survey-results")
def survey_results(name: str):
    """Survey results (what ContactService.submitSurveyAndApplyActionSets submits): ``?contact_id=<id>``."""
    contact_id = request.args.get("contact_id", type=int)
    with _session(name, write=False) as s:
        return jsonify({"survey_results": surveys.listing(s, contact_id=contact_id)})


@bp.post("/apps/<name>/survey-results")
def add_survey_result(name: str):
    """``{"contact_id": 7, "survey": "Customer satisfaction", "answers": {"question": "answer"}}`` → its id."""
    body = json_body()
    contact_id, survey, answers = body.get("contact_id"), body.get("survey"), body.get("answers", {})
    if not isinstance(contact_id, int) or isinstance(contact_id, bool):
        raise ControlError(400, "contact_id must be an integer")
    if not isinstance(survey, str) or not isinstance(answers, dict):
        raise ControlError(400, "survey must be a string and answers an object")
    with _session(name, write=True) as s:
        result_id = surveys.add(s, contact_id, survey, answers)
    return jsonify({"id": result_id}), 201
