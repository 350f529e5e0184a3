"""Opportunities (the API's Lead table; internally "Opportunity"), pipeline stages and stage moves.

Field lists, types and access: spec xmlrpc-api.md §3.4. Fields added after 2014 are read-only.
"""
from __future__ import annotations

from .model import FORM_OPPORTUNITY, table

LEAD = table(
    "Lead", entity="opportunity", access="EDAR", custom_form=FORM_OPPORTUNITY, internal_name="Opportunity",
    description="Opportunities; moving `StageID` records a StageMove and fires the opportunity-moved event.",
    fields="""
Id int R
OpportunityTitle string EDAR
ContactID int EDAR
AffiliateId int EDAR
UserID int EDAR
StageID int EDAR
StatusID int EDAR
Leadsource string AR
Objection string EDAR
ProjectedRevenueLow double EDAR
ProjectedRevenueHigh double EDAR
OpportunityNotes string EDAR
DateCreated datetime EDR
LastUpdated datetime EDR
LastUpdatedBy int EDAR
CreatedBy int EDAR
EstimatedCloseDate datetime EDAR
NextActionDate datetime EDAR
NextActionNotes string EDAR
DateInStage datetime R         # added after 2014
IncludeInForecast int R        # added after 2014
MonthlyRevenue double R        # added after 2014
OrderRevenue double R          # added after 2014
""",
)

STAGE = table(
    "Stage", entity="stage", access="R",
    description="The sales pipeline's stages (set up in the app, read-only through the API).",
    fields="""
Id int R
StageName string R
StageOrder int R
TargetNumDays int R
""",
)

STAGE_MOVE = table(
    "StageMove", entity="stage_move", access="R",
    description="History of opportunities moved from one stage to another.",
    fields="""
Id int R
OpportunityId int R
MoveDate datetime R
MoveToStage int R
MoveFromStage int R
PrevStageMoveDate datetime R
CreatedBy int R
DateCreated datetime R
UserId int R
""",
)

TABLES = (LEAD, STAGE, STAGE_MOVE)
