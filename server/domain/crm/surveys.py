"""Survey results: one contact's answers to a legacy survey, what ContactService.submitSurveyAndApplyActionSets
submits (server.engine.legacy.submit_survey).

The API cannot make one (no DataService table of the real API holds them): the seed has some, and the control
API adds more (``POST /sandbox/apps/<app>/survey-results``). A merge gives the duplicate's results to the contact
kept.
"""
from __future__ import annotations

from server.domain.errors import InvalidParameter, LoadingError, MethodFailed
from server.domain.mail import emails
from server.store import schema
from server.store.session import AppSession, Event


def require(s: AppSession, survey_result_id: int):
    row = s.get(schema.survey_result, survey_result_id)
    if row is None:
        raise LoadingError("Error loading survey result")  # by analogy with the follow-up sequence fault
    return row


def add(s: AppSession, contact_id: int, survey: str, answers: dict) -> int:
    """A contact's answers (question → answer) to the survey named ``survey``; returns the result's id."""
    if not emails.contact_exists(s, contact_id):
        raise MethodFailed("contactId must be a valid id")
    if not survey.strip():
        raise InvalidParameter("a survey result names its survey")
    result_id = s.next_id("survey_result")
    s.insert(schema.survey_result, dict(id=result_id, contact_id=contact_id, survey=survey.strip(),
                                        answers=answers, date_created=s.now_local(), date_submitted=None))
    s.emit("survey_result.added", "survey_result", result_id, contact_id=contact_id, survey=survey.strip())
    return result_id


def mark_submitted(s: AppSession, row, action_set_ids: list[int]) -> None:
    sr = schema.survey_result
    s.update(sr, sr.c.id == row.id, date_submitted=s.now_local())
    s.emit("survey_result.submitted", "survey_result", row.id, contact_id=row.contact_id, survey=row.survey,
           action_set_ids=action_set_ids)


def listing(s: AppSession, *, contact_id: int | None = None) -> list[dict]:
    sr = schema.survey_result
    q = s.select(sr)
    if contact_id is not None:
        q = q.where(sr.c.contact_id == contact_id)
    return [{"id": r.id, "contact_id": r.contact_id, "survey": r.survey, "answers": r.answers,
             "date_created": r.date_created.isoformat(),
             "date_submitted": r.date_submitted.isoformat() if r.date_submitted else None}
            for r in s.execute(q.order_by(sr.c.id))]


def follow_merge(s: AppSession, event: Event) -> None:
    """On ``contact.merged``: the duplicate's survey results belong to the contact kept."""
    sr = schema.survey_result
    s.update(sr, sr.c.contact_id == event.payload["duplicate_id"], contact_id=event.entity_id)
