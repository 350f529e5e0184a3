"""Errors of the campaign engine's own surfaces (the control API, REST), beside the domain's."""
from __future__ import annotations

from server.domain.errors import RecordNotFound


class CampaignNotFound(RecordNotFound):
    def __init__(self, campaign_id: int):
        super().__init__(f"Record not found for Id:{campaign_id}")
        self.campaign_id = campaign_id


class PublishError(Exception):
    """A campaign that does not hold together: every problem, with where it is."""

    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


class ItemNotFound(RecordNotFound):
    def __init__(self, campaign_id: int, item_id: int):
        super().__init__(f"Record not found for Id:{item_id}")
        self.campaign_id, self.item_id = campaign_id, item_id
