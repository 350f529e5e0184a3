"""Opportunities, their stages and stage moves."""
from __future__ import annotations

import sqlalchemy as sa

from .base import entity

opportunity = entity("opportunity")
sa.Index("ix_opportunity_contact", opportunity.c.app_id, opportunity.c.contact_id)
sa.Index("ix_opportunity_stage", opportunity.c.app_id, opportunity.c.stage_id)
# What REST v2 keeps of a stage that DataService's Stage does not show: its win probability (0-100), its
# checklist items ([{"id", "description", "required", "order"}]) and when it was created and last changed.
stage = entity("stage", sa.Column("probability", sa.Integer, nullable=True),
               sa.Column("checklist", sa.JSON, nullable=True), sa.Column("date_created", sa.DateTime, nullable=True),
               sa.Column("last_updated", sa.DateTime, nullable=True))
stage_move = entity("stage_move")
sa.Index("ix_stage_move_opportunity", stage_move.c.app_id, stage_move.c.opportunity_id)
