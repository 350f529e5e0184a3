"""Legacy follow-up sequences (the API's "Campaign" tables, named before Campaign Builder existed), legacy
action sets, and templates (email templates and other marketing pieces).

Field lists, types and access: spec xmlrpc-api.md §3.4. Campaign Builder campaigns are not DataService tables
in the real API (they are reached through FunnelService and REST); these tables are the follow-up sequences that
ContactService.addToCampaign and its siblings act on (spec campaign-engine.md §1.11).
"""
from __future__ import annotations

from .model import Join, table

FOLLOWUP_SEQUENCE = table(
    "Campaign", entity="followup_sequence", access="R",
    description="Legacy follow-up sequences (ContactService.addToCampaign acts on these, not on Campaign Builder).",
    fields="""
Id int R
Name string R
Status string R
""",
)

FOLLOWUP_STEP = table(
    "CampaignStep", entity="followup_step", access="R",
    description="One row per step of a follow-up sequence.",
    fields="""
Id int R
CampaignId int R
TemplateId int R
StepStatus string R
StepTitle string R
""",
    column_map={"CampaignId": "sequence_id"},
)

FOLLOWUP_MEMBER = table(
    "Campaignee", entity="followup_member", access="R",
    description="One row per contact in a follow-up sequence.",
    fields="""
CampaignId int R
Status string R
Campaign string R
ContactId int R
Id int R   # added after 2014 (2016-2018 lists)
""",
    column_map={"CampaignId": "sequence_id"},
    joins={"Campaign": Join(entity="followup_sequence", local="sequence_id", column="name")},
)

ACTION_SEQUENCE = table(
    "ActionSequence", entity="action_set", access="R", internal_name="ContactTemplate",
    description="Legacy action sets (ContactService.runActionSequence).",
    fields="""
Id int R
TemplateName string R
VisibleToTheseUsers string R
""",
)

TEMPLATE = table(
    "Template", entity="template", access="R", internal_name="MarketingPiece",
    description="Email templates (APIEmailService.addEmailTemplate) and other marketing pieces.",
    fields="""
Id int R
PieceType string R
PieceTitle string R
Categories string R
""",
)

TABLES = (FOLLOWUP_SEQUENCE, FOLLOWUP_STEP, FOLLOWUP_MEMBER, ACTION_SEQUENCE, TEMPLATE)
