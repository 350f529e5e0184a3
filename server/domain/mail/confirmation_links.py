"""The app's double opt-in links (its ``email.confirmation_links`` option, set through the control API), as
pydantic describes them: loaded by the first confirmation an app sends or the control API's first look, not by
every server (server.domain.mail.confirmations sends and confirms)."""
from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from server.domain import redirects
from server.domain.errors import RecordNotFound
from server.store.session import AppSession

from .confirmations import LINK_PLACEHOLDER, stored_links

STORED = {"stored": True}  # the validation context of links read back from the app's options


class ConfirmationLink(BaseModel):
    """One double opt-in link: the email that carries it, where a click leads, the forms that send it."""

    model_config = ConfigDict(extra="forbid", strict=True)  # values as typed, as every control body
    id: int = 0
    name: str = Field(default="Email confirmation", min_length=1, max_length=200)
    subject: str = Field(default="Please confirm your subscription", min_length=1, max_length=500)
    text: str = Field(default=f"Please confirm your email address: {LINK_PLACEHOLDER}", max_length=20000)
    redirect_url: str | None = Field(default=None, pattern=r"^https?://\S+$", max_length=2000)
    webform_ids: list[int] = Field(default_factory=list, max_length=1000)

    @field_validator("redirect_url")
    @classmethod
    def _redirectable(cls, url: str | None, info: ValidationInfo) -> str | None:
        """A URL no Location header can carry (server.domain.redirects) is refused where a link is set; a link
        stored before this check still loads (``STORED``), and its confirmation page does not redirect."""
        problem = None if url is None or (info.context or {}).get("stored") else redirects.problem(url)
        if problem is not None:
            raise ValueError(problem)
        return url


DEFAULT = ConfirmationLink()


def stored(s: AppSession) -> list[ConfirmationLink]:
    return [ConfirmationLink.model_validate(x, context=STORED) for x in stored_links(s)]


def links(s: AppSession) -> list[ConfirmationLink]:
    return [DEFAULT, *stored(s)]


def link(s: AppSession, link_id: int) -> ConfirmationLink:
    found = next((x for x in links(s) if x.id == link_id), None)
    if found is None:
        raise RecordNotFound(f"no confirmation link {link_id}")
    return found


def with_link(stored: list[dict], new: ConfirmationLink) -> tuple[list[dict], ConfirmationLink]:
    """The app's stored links with ``new`` added under the next id."""
    new = new.model_copy(update={"id": max([x.get("id", 0) for x in stored] + [0]) + 1})
    return [*stored, new.model_dump()], new
