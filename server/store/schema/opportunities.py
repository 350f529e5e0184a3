"""Opportunities, their stages and stage moves."""
from __future__ import annotations

import sqlalchemy as sa

from .base import entity

opportunity = entity("opportunity")
sa.Index("ix_opportunity_contact", opportunity.c.app_id, opportunity.c.contact_id)
sa.Index("ix_opportunity_stage", opportunity.c.app_id, opportunity.c.stage_id)
stage = entity("stage")
stage_move = entity("stage_move")
sa.Index("ix_stage_move_opportunity", stage_move.c.app_id, stage_move.c.opportunity_id)
