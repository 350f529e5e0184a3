"""An enrollment while it moves: a contact on one path of a sequence, as the runner, goals and republishing
read and write it (the columns of ``enrollment`` but ``app_id``)."""
from __future__ import annotations

from dataclasses import dataclass, fields


@dataclass
class Row:
    """An enrollment while it moves."""

    id: int
    campaign_id: int
    sequence_id: int
    path: int
    contact_id: int
    run_no: int
    state: str
    cursor: int
    due_at: float | None
    waiting_item_id: int | None
    waiting_since: float | None
    replay_from: float | None
    entered_at: float
    last_step_at: float | None
    ended_at: float | None
    source: str
    source_id: int | None
    paused_remaining: float | None

    def values(self) -> dict:
        return {f.name: getattr(self, f.name) for f in fields(self)}

    @classmethod
    def of(cls, row) -> Row:
        """From a row of ``enrollment`` (all its columns, in table order: app_id first)."""
        return cls(*row[1:])
