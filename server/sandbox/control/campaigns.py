"""The control API of the campaign engine: campaigns (import, edit, publish, unpublish, export, report),
contacts in sequences, the outbox, HTTP posts, fulfillment lists, follow-up sequences, lead scores, survey results,
and running what is due now. Reads never consume anything (listing the outbox leaves it as it is)."""
from __future__ import annotations

from typing import Any, Literal

import yaml
from flask import Response, jsonify, request
from pydantic import Field

from server import jobs, json_input
from server.domain.account import public_urls
from server.domain.crm import surveys, webforms
from server.domain.errors import SandboxError
from server.domain.mail import emails, messages, preview
from server.domain.outbox import http_posts as outbox_posts
from server.engine import (
    campaigns,
    document,
    fulfillment,
    lead_scores,
    legacy,
    manual,
    post_test,
    reporting,
    resources,
    round_robins,
)
from server.engine.errors import CampaignNotFound, ItemNotFound, PublishError
from server.tables import INT_MAX

from .common import ControlError, app_named, app_session, attachment, current_sandbox, paged
from .contract import Body, ControlBlueprint, Document, Page, Query

bp = ControlBlueprint("sandbox_campaigns", __name__)

Id = Field(None, ge=1, le=INT_MAX)
CAMPAIGN_DOCUMENT = Document(document.SCHEMA)


class Publishing(Query):
    publish: Literal["0", "1", "true", "false", "yes", "no"] = Field(None, description="1: publish it too")

    @property
    def wanted(self) -> bool:
        return self.publish in ("1", "true", "yes")


class ExportFormat(Query):
    format: Literal["json", "yaml"] = "json"


class ContactIds(Body):
    contact_ids: list[int] = Field(min_length=1, max_length=10000, description="contact ids")


class EnrollmentFilter(Page):
    contact_id: int = Id
    campaign_id: int = Id
    live: Literal["0", "1", "true", "false"] = Field(None, description="1: only enrollments still running")


class OutboxFilter(Page):
    contact_id: int = Id
    kind: str = Field(None, max_length=50, description=", ".join(messages.KINDS))
    status: str = Field(None, max_length=50, description=", ".join(messages.STATUSES))
    origin: str = Field(None, max_length=50, description=", ".join(messages.ORIGINS))


class PostFilter(Page):
    status: str = Field(None, max_length=50)


class JobFilter(Query):
    newest: int = Field(None, ge=1, le=10000, description="only the newest this many jobs")


class PostTest(Body):
    contact_id: int = Field(None, ge=1, le=INT_MAX, description="whose fields to merge (blank without one)")


class RoundRobinUser(Body):
    user: int | str = Field(description="a user's id or email address")
    weight: int = Field(1, ge=1, le=round_robins.MAX_WEIGHT, description="turns in a row")


class RoundRobin(Body):
    users: list[RoundRobinUser] = Field(min_length=1, max_length=100, description="in turn order")


class LeadScore(Body):
    score: int = Field(ge=-INT_MAX, le=INT_MAX)


class FormField(Body):
    name: str = Field(min_length=1, max_length=200, description="a Contact field, _Custom field, or a checkbox's")
    label: str = Field(None, max_length=200)
    type: Literal["text", "email", "tel", "date", "textarea", "select", "checkbox", "hidden"] = "text"
    required: bool = False
    options: list[str] = Field([], max_length=500)
    value: str = Field("", max_length=2000, description="a hidden field's value")
    consent: bool = Field(False, description="a checkbox giving permission to email")


class NewWebform(Body):
    name: str = Field(min_length=1, max_length=200, pattern=r"\S")
    kind: Literal[webforms.KINDS] = "web"
    fields: list[FormField] = Field(min_length=1, max_length=200)
    tag_ids: list[int] = Field([], max_length=1000)
    opt_in: bool = True
    title: str = Field(None, max_length=200)


class SurveyFilter(Query):
    contact_id: int = Id


class SurveyResult(Body):
    contact_id: int = Field(ge=1, le=INT_MAX)
    survey: str = Field(max_length=500)
    answers: dict[str, Any] = Field({}, description="question → answer")


@bp.errorhandler(document.DocumentError)
def _document_error(exc: document.DocumentError):
    return jsonify({"error": "the campaign document is not valid", "problems": exc.problems}), 400


@bp.errorhandler(PublishError)
def _publish_error(exc: PublishError):
    return jsonify({"error": "the campaign cannot be published", "problems": exc.problems}), 400


@bp.errorhandler(CampaignNotFound)
def _not_found(exc: CampaignNotFound):
    return jsonify({"error": f"no campaign {exc.campaign_id}"}), 404


@bp.errorhandler(ItemNotFound)
def _item_not_found(exc: ItemNotFound):
    return jsonify({"error": f"no item {exc.item_id} in campaign {exc.campaign_id}"}), 404


@bp.errorhandler(SandboxError)
def _domain_error(exc: SandboxError):
    return jsonify({"error": exc.message, "fault_code": exc.code}), 400


def _document_body() -> dict:
    """The campaign document sent, JSON or YAML (the contract checked its Content-Type)."""
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


@bp.get("/campaigns/schema", summary="The JSON Schema of a campaign document")
def schema_document():
    return jsonify(document.SCHEMA)


@bp.post("/apps/<name>/campaigns", summary="Import a campaign document (JSON or YAML); ?publish=1 publishes it",
         body=CAMPAIGN_DOCUMENT, query=Publishing, status=201)
def import_campaign(name: str, query: Publishing):
    """Import a campaign document (JSON or YAML); ``?publish=1`` publishes it in the same transaction."""
    doc = _document_body()
    with app_session(name, write=True) as s:
        campaign_id, created = campaigns.import_document(s, doc)
        if query.wanted:
            campaigns.publish(s, campaign_id)
        row = campaigns.get(s, campaign_id)
        return jsonify(dict(_summary(row), ids=row.ids, created=created)), 201


@bp.get("/apps/<name>/campaigns", summary="The app's campaigns")
def list_campaigns(name: str):
    with app_session(name, write=False) as s:
        return jsonify({"campaigns": [_summary(r) for r in campaigns.list_campaigns(s)]})


@bp.get("/apps/<name>/campaigns/<int:campaign_id>", summary="A campaign, with its document and ids")
def get_campaign(name: str, campaign_id: int):
    with app_session(name, write=False) as s:
        row = campaigns.get(s, campaign_id)
        return jsonify(dict(_summary(row), ids=row.ids, document=row.document))


@bp.put("/apps/<name>/campaigns/<int:campaign_id>", summary="Replace a campaign's document; ?publish=1 republishes",
        body=CAMPAIGN_DOCUMENT, query=Publishing)
def replace_campaign(name: str, campaign_id: int, query: Publishing):
    doc = _document_body()
    with app_session(name, write=True) as s:
        created = campaigns.replace_document(s, campaign_id, doc)
        if query.wanted:
            campaigns.publish(s, campaign_id)
        row = campaigns.get(s, campaign_id)
        return jsonify(dict(_summary(row), ids=row.ids, created=created))


@bp.delete("/apps/<name>/campaigns/<int:campaign_id>", summary="Delete a campaign", status=204)
def delete_campaign(name: str, campaign_id: int):
    with app_session(name, write=True) as s:
        campaigns.delete(s, campaign_id)
    return "", 204


@bp.post("/apps/<name>/campaigns/<int:campaign_id>/publish", summary="Publish a campaign")
def publish_campaign(name: str, campaign_id: int):
    with app_session(name, write=True) as s:
        return jsonify(campaigns.publish(s, campaign_id))


@bp.post("/apps/<name>/campaigns/<int:campaign_id>/unpublish", summary="Unpublish a campaign")
def unpublish_campaign(name: str, campaign_id: int):
    with app_session(name, write=True) as s:
        campaigns.unpublish(s, campaign_id)
        return jsonify(_summary(campaigns.get(s, campaign_id)))


@bp.get("/apps/<name>/campaigns/<int:campaign_id>/export", summary="A campaign's document, as JSON or ?format=yaml",
        query=ExportFormat)
def export_campaign(name: str, campaign_id: int, query: ExportFormat):
    with app_session(name, write=False) as s:
        row = campaigns.get(s, campaign_id)
    if query.format == "yaml":

        return Response(yaml.safe_dump(row.document, sort_keys=False), content_type="application/yaml")
    return jsonify(row.document)


@bp.get("/apps/<name>/campaigns/<int:campaign_id>/report", summary="A campaign's counts per goal and item")
def report(name: str, campaign_id: int):
    with app_session(name, write=False) as s:
        return jsonify(reporting.report(s, campaign_id))


def _contact_ids(body: ContactIds) -> list[int]:
    if not all(1 <= i <= INT_MAX for i in body.contact_ids):
        raise ControlError(400, "contact_ids must be contact ids", [{"field": "contact_ids",
                                                                    "problem": "not a contact id"}])
    return body.contact_ids


@bp.post("/apps/<name>/campaigns/<int:campaign_id>/sequences/<int:sequence_id>/contacts",
         summary="Start contacts in a sequence", body=ContactIds)
def start_in_sequence(name: str, campaign_id: int, sequence_id: int, body: ContactIds):
    ids = _contact_ids(body)
    with app_session(name, write=True) as s:
        return jsonify({str(k): v for k, v in manual.add_to_sequence(s, campaign_id, sequence_id, ids).items()})


@bp.delete("/apps/<name>/campaigns/<int:campaign_id>/sequences/<int:sequence_id>/contacts",
           summary="Take contacts out of a sequence", body=ContactIds)
def stop_in_sequence(name: str, campaign_id: int, sequence_id: int, body: ContactIds):
    ids = _contact_ids(body)
    with app_session(name, write=True) as s:
        return jsonify({"removed": manual.remove_from_sequence(s, campaign_id, sequence_id, ids)})


@bp.get("/apps/<name>/enrollments", summary="Where contacts are in campaigns, oldest first", query=EnrollmentFilter)
def enrollments(name: str, query: EnrollmentFilter):
    """Enrollments, oldest first: ``?contact_id=…&campaign_id=…&live=1&count=…&next=…``."""
    args = query.page(default=500)
    with app_session(name, write=False) as s:
        rows = reporting.enrollments(s, contact_id=query.contact_id, campaign_id=query.campaign_id,
                                     live_only=query.live in ("1", "true"), after=args.after,
                                     limit=args.fetch)
        return jsonify(paged("enrollments", [dict(r._mapping) for r in rows], args, lambda e: e["id"]))


@bp.post("/apps/<name>/engine/run", summary="Run what is due now on the app's clock")
def run_now(name: str):
    """Run everything due now on the app's clock (timers, HTTP posts, follow-up steps), as the heartbeat would."""
    record = app_named(name)
    env = current_sandbox().env
    with jobs.lock_for(env.engine, record.id):
        ran = jobs.run_due(env, record)
    return jsonify({"ran": ran})


# --- what the engine sent -------------------------------------------------------------------------------

def _decoded_size(content: str) -> int:
    """The bytes of an attachment's base64 ``content``, without decoding it (a list reads every row's)."""
    return len(content) * 3 // 4 - content[-2:].count("=")


def _message_json(row) -> dict:
    out = dict(row._mapping)
    out.pop("app_id", None)
    if out.get("kind") == "email":
        out["preview"] = preview.of(out.get("html_body"), out.get("text_body"))
    # what is attached, without the content (GET …/outbox/<id>/attachments/<n> has it)
    out["attachments"] = [{"index": n, "file_name": a["file_name"], "content_type": a["content_type"],
                           "size": _decoded_size(a["content"])}
                          for n, a in enumerate(out.get("attachments") or [])]
    for key in ("sent_date", "received_date", "opened_date", "clicked_date", "delivery_date"):
        if out.get(key) is not None:
            out[key] = out[key].isoformat()
    return out


@bp.get("/apps/<name>/outbox", summary="Every message sent or skipped, oldest first", query=OutboxFilter)
def outbox(name: str, query: OutboxFilter):
    """Every email, fax, letter and voice message, captured or skipped (with its reason), oldest first:
    ``?kind=email&status=skipped&contact_id=…&origin=sequence&count=…&next=…``."""
    page = query.page()
    with app_session(name, write=False) as s:
        rows = messages.list_messages(s, contact_id=query.contact_id, kind=query.kind,
                                      status=query.status, origin=query.origin,
                                      after=page.after, limit=page.fetch)
        return jsonify(paged("messages", [_message_json(r) for r in rows], page, lambda m: m["id"]))


@bp.get("/apps/<name>/outbox/<int:message_id>/attachments/<int:index>", summary="A file attached to a message",
        answer_type="application/octet-stream")
def outbox_attachment(name: str, message_id: int, index: int):
    with app_session(name, write=False) as s:
        found = messages.attachment(s, message_id, index)
    if found is None:
        raise ControlError(404, f"message {message_id} has no attachment {index}")
    file_name, content_type, content = found
    return attachment(content, content_type, file_name)


@bp.get("/apps/<name>/http-posts", summary="Campaign HTTP posts and their attempts, oldest first", query=PostFilter)
def http_posts(name: str, query: PostFilter):
    """Campaign HTTP posts and their attempts, oldest first: ``?status=…&count=…&next=…``."""
    page = query.page()
    with app_session(name, write=False) as s:
        rows = outbox_posts.list_posts(s, status=query.status, after=page.after, limit=page.fetch)
        items = [{k: v for k, v in r._mapping.items() if k != "app_id"} for r in rows]
        return jsonify(paged("http_posts", items, page, lambda p: p["id"]))


@bp.post("/apps/<name>/campaigns/<int:campaign_id>/items/<int:item_id>/test",
         summary="Test an HTTP post item: post it once now, merged for a contact, and answer what came back",
         body=PostTest)
def test_http_post(name: str, campaign_id: int, item_id: int, body: PostTest):
    """Campaign Builder's Test button of an HTTP post (seed 001): a 2xx ``status`` says the receiver works.
    Nothing is recorded; the campaign may be a draft."""
    with app_session(name, write=False) as s:
        post = post_test.prepare(s, campaign_id, item_id, body.contact_id)
    return jsonify(post_test.send(current_sandbox().env, post))


def _rule_json(row) -> dict:
    return {"name": row.name, "users": row.users, "next_user_id": round_robins.turn(row.users, row.next_index)}


@bp.get("/apps/<name>/round-robins", summary="The account's round robins (CRM > Settings > Round Robins)")
def list_round_robins(name: str):
    with app_session(name, write=False) as s:
        return jsonify({"round_robins": [_rule_json(r) for r in round_robins.rules(s)]})


@bp.put("/apps/<name>/round-robins/<rule>", summary="Define (or replace) a round robin of the account",
        body=RoundRobin)
def put_round_robin(name: str, rule: str, body: RoundRobin):
    """A round robin campaign items name in ``round_robin``: its users in turn order, each taking ``weight``
    turns in a row. Replacing one starts its turns again from the first user."""
    if len(rule) > 100 or not rule.strip():
        raise ControlError(400, "a round robin's name is 1 to 100 characters", [{"field": "name", "problem": rule}])
    with app_session(name, write=True) as s:
        users = []
        for n, u in enumerate(body.users):
            try:
                users.append((resources.user_id(s, u.user), u.weight))
            except resources.Unresolved as exc:
                raise ControlError(400, str(exc), [{"field": f"users.{n}.user", "problem": str(exc)}]) from None
        round_robins.define(s, rule, users)
        return jsonify(_rule_json(round_robins.rule_named(s, rule)))


@bp.delete("/apps/<name>/round-robins/<rule>", summary="Delete a round robin of the account", status=204)
def delete_round_robin(name: str, rule: str):
    """Items that name it fail (with the reason) until their campaign is changed: republishing names the
    problem."""
    with app_session(name, write=True) as s:
        if not round_robins.delete(s, rule):
            raise ControlError(404, f"no round robin {rule!r}")
    return "", 204


@bp.get("/apps/<name>/fulfillment", summary="Fulfillment list jobs, oldest first", query=JobFilter)
def fulfillment_jobs(name: str, query: JobFilter):
    with app_session(name, write=False) as s:
        return jsonify({"jobs": [dict(r._mapping) for r in fulfillment.list_jobs(s, newest=query.newest)]})


@bp.get("/apps/<name>/fulfillment/<int:job_id>.csv", summary="A fulfillment job's CSV", answer_type="text/csv")
def fulfillment_csv(name: str, job_id: int):
    with app_session(name, write=False) as s:
        row = fulfillment.job(s, job_id)
    if row is None:
        raise ControlError(404, f"no fulfillment job {job_id}")
    return attachment(row.csv, "text/csv; charset=utf-8", f"{row.name}.csv")


@bp.post("/apps/<name>/fulfillment/<int:job_id>/complete", summary="Mark a fulfillment job completed")
def fulfillment_complete(name: str, job_id: int):
    with app_session(name, write=True) as s:
        if not fulfillment.complete(s, job_id):
            raise ControlError(404, f"no fulfillment job {job_id}")
    return jsonify({"id": job_id, "status": "completed"})


@bp.get("/apps/<name>/followups/<int:sequence_id>/report", summary="A legacy follow-up sequence's steps")
def followup_report(name: str, sequence_id: int):
    with app_session(name, write=False) as s:
        return jsonify(legacy.report(s, sequence_id))


@bp.post("/apps/<name>/contacts/<int:contact_id>/lead-score", summary="Set a contact's lead score", body=LeadScore)
def lead_score(name: str, contact_id: int, body: LeadScore):
    score = body.score
    with app_session(name, write=True) as s:

        if not emails.contact_exists(s, contact_id):
            raise ControlError(404, f"no contact {contact_id}")
        old = lead_scores.set_lead_score(s, contact_id, score)
    return jsonify({"contact_id": contact_id, "score": score, "previous": old})


@bp.post("/apps/<name>/webforms", summary="A form to post to the sandbox's public form page", body=NewWebform,
         status=201)
def add_webform(name: str, body: NewWebform):
    """A form of any kind (``web``, ``landing``, ``internal``, ``grosocial``, ``twitter``), to post to the
    sandbox's public form page: ``{"name", "kind", "fields": [{"name", "label", "type", "required"}], "tag_ids",
    "opt_in"}``. Posting it fires the goals of its kind (a GroSocial form fires ``grosocial_form_submitted``)."""
    fields = [f.model_dump(exclude_unset=True) for f in body.fields]
    with app_session(name, write=True) as s:
        form_id = webforms.add_form(s, body.name.strip(), fields, kind=body.kind, tag_ids=body.tag_ids,
                                    opt_in=body.opt_in, title=body.title)
        return jsonify({"id": form_id, "kind": body.kind, "action": public_urls.form_action(s, form_id),
                        "page": public_urls.form_page(s, form_id)}), 201


@bp.get("/apps/<name>/survey-results", summary="Survey results, of one contact with ?contact_id=",
        query=SurveyFilter)
def survey_results(name: str, query: SurveyFilter):
    """Survey results (what ContactService.submitSurveyAndApplyActionSets submits): ``?contact_id=<id>``."""
    with app_session(name, write=False) as s:
        return jsonify({"survey_results": surveys.listing(s, contact_id=query.contact_id)})


@bp.post("/apps/<name>/survey-results", summary="Record a contact's survey result", body=SurveyResult, status=201)
def add_survey_result(name: str, body: SurveyResult):
    """``{"contact_id": 7, "survey": "Customer satisfaction", "answers": {"question": "answer"}}`` → its id."""
    with app_session(name, write=True) as s:
        result_id = surveys.add(s, body.contact_id, body.survey, body.answers)
    return jsonify({"id": result_id}), 201
