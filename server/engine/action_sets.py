"""Legacy action sets (the ActionSequence table): a list of actions run on one contact at once.

ContactService.runActionSequence answers one struct per action run: ``{Action, Message, IsError}`` (the vendor
sample: ``{Action: "Apply/Remove Tag", Message: "tags applied to Contact: Nurture Subscriber", IsError: false}``,
``{Action: "Create Task", Message: "task1 (Task) sent successfully", IsError: false}``). Campaign Builder's
"legacy action set" process runs them too. Unlike Campaign Builder's HTTP post, a legacy action set's HTTP post
sends every field of the contact.
"""
from __future__ import annotations

from datetime import timedelta

from server.domain.crm import activities as contact_actions
from server.domain.crm import contacts, surveys, tags
from server.domain.data.query import select_rows
from server.domain.errors import LoadingError, MethodFailed, SandboxError
from server.domain.mail import emails
from server.store import schema
from server.store.session import AppSession
from server.tables import REGISTRY

ACTION_NAMES = {
    "apply_tag": "Apply/Remove Tag", "remove_tag": "Apply/Remove Tag", "create_task": "Create Task",
    "create_note": "Create Note", "send_email": "Send Email", "start_followup": "Start Follow-up Sequence",
    "stop_followup": "Stop Follow-up Sequence", "set_field": "Set Field Value", "assign_owner": "Assign Owner",
    "http_post": "Send an HTTP Post",
}


def load(s: AppSession, action_set_id: int):
    row = s.get(schema.action_set, action_set_id)
    if row is None:
        raise LoadingError("Error loading action set")  # by analogy with the follow-up sequence fault
    return row


def run(s: AppSession, contact_id: int, action_set_id: int) -> list[dict]:
    row = load(s, action_set_id)
    if not emails.contact_exists(s, contact_id):
        raise MethodFailed("contactId must be a valid id")
    results = []
    for action in row.actions or []:
        kind = action.get("type")
        name = ACTION_NAMES.get(kind, kind or "Unknown")
        try:
            message = run_action(s, contact_id, action)
            results.append({"Action": name, "Message": message, "IsError": False})
        except SandboxError as exc:
            results.append({"Action": name, "Message": exc.message, "IsError": True})
    s.emit("action_set.run", "contact", contact_id, action_set_id=action_set_id)
    return results


def submit_survey(s: AppSession, survey_result_id: int, action_set_ids: list[int]) -> bool:
    """ContactService.submitSurveyAndApplyActionSets (undocumented; the Novak SDK sends ``(int surveyResultId,
    array actionSetIds)`` and names the answer ``$success``): stamp the survey result submitted, then run the
    action sets on its contact in the order given. Every action set is loaded first, so a wrong id changes
    nothing; submitting again runs them again."""
    row = surveys.require(s, survey_result_id)
    for action_set_id in action_set_ids:
        load(s, action_set_id)
    surveys.mark_submitted(s, row, action_set_ids)
    for action_set_id in action_set_ids:
        run(s, row.contact_id, action_set_id)
    return True


def _tag_ids(s: AppSession, action: dict) -> list[int]:
    from .resources import Unresolved, tag_id

    out = []
    for ref in action.get("tags") or ([action["tag"]] if "tag" in action else []):
        try:
            out.append(tag_id(s, ref))
        except Unresolved as exc:
            raise SandboxError(str(exc)) from None
    return out


def run_action(s: AppSession, contact_id: int, action: dict) -> str:
    """One action on one contact; returns its message, raises a SandboxError when it fails."""
    from . import followups

    kind = action.get("type")
    if kind in ("apply_tag", "remove_tag"):
        ids = _tag_ids(s, action)
        for tag_id in ids:
            (tags.apply if kind == "apply_tag" else tags.remove)(s, contact_id, tag_id)
        names = ", ".join(s.get(schema.tag, i).group_name for i in ids)
        return f"tags {'applied to' if kind == 'apply_tag' else 'removed from'} Contact: {names}"
    if kind == "create_task":
        title = action.get("title", "Task")
        contact_actions.add_task(s, contact_id, {
            "ActionDescription": title, "CreationNotes": action.get("description", ""),
            "ActionDate": s.now_local() + timedelta(days=action.get("due_in_days", 0)), "ActionType": "Task"})
        return f"{title} (Task) sent successfully"
    if kind == "create_note":
        title = action.get("title", "Note")
        contact_actions.add_note(s, contact_id, {"ActionDescription": title, "CreationNotes": action.get("body", ""),
                                                 "ActionType": action.get("action_type", "Other")})
        return f"{title} (Note) sent successfully"
    if kind == "send_email":
        from .resources import Unresolved, template_id

        try:
            template = template_id(s, action["template"])
        except Unresolved as exc:
            raise SandboxError(str(exc)) from None
        draft = emails.Draft.of_template(s, template)
        [(_, reason)] = emails.send(s, [contact_id], draft, origin="action_set", marketing=True)
        if reason:
            return f"{draft.subject} was not sent: {reason}"
        return f"{draft.subject} (Email) sent successfully"
    if kind == "start_followup":
        followups.add(s, contact_id, int(action["sequence"]))
        return f"Contact added to follow-up sequence {action['sequence']}"
    if kind == "stop_followup":
        followups.remove(s, contact_id, int(action["sequence"]))
        return f"Contact removed from follow-up sequence {action['sequence']}"
    if kind == "set_field":
        contacts.update(s, contact_id, {action["field"]: action.get("value")})
        return f"{action['field']} set"
    if kind == "assign_owner":
        from .resources import Unresolved, user_id

        try:
            owner = user_id(s, action["user"])
        except Unresolved as exc:
            raise SandboxError(str(exc)) from None
        contacts.update(s, contact_id, {"OwnerID": owner})
        return f"Owner set to user {owner}"
    if kind == "http_post":
        _legacy_post(s, contact_id, action)
        return f"HTTP post to {action['url']} queued"
    raise SandboxError(f"unknown action {kind!r}")


def _legacy_post(s: AppSession, contact_id: int, action: dict) -> None:
    """A legacy action set's HTTP post sends all the contact's fields (unlike Campaign Builder's)."""
    contact = REGISTRY.get("Contact")
    names = [n for n, f in contact.fields.items() if f.readable and f.column]
    c = schema.contact
    row = select_rows(s, contact, names, {}, extra_where=[c.c.id == contact_id])
    fields = [[k, "" if v is None else str(v)] for k, v in (row[0] if row else {}).items()]
    now = s.clock.now().timestamp()
    post_id = s.next_id("http_post")
    s.insert(schema.http_post, dict(id=post_id, idempotency_key=f"actionset:{s.app.id}:{post_id}",
                                    url=action["url"], fields=fields, contact_id=contact_id, campaign_id=None,
                                    item_id=None, status="pending", attempts=0, next_attempt_at=now,
                                    lease_until=None, last_status=None, last_error=None, created_at=now,
                                    delivered_at=None, log=[]))
