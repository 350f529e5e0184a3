"""Saved searches, file boxes, lead sources and their expenses, user groups, social accounts, and the
deprecated tables (legacy opportunity statuses, mortgage leads, the ticket system).

Field lists, types and access: spec xmlrpc-api.md §3.4. Where the 2012 access file and the 2014 per-field
lists disagree, the 2014 per-field access is used (spec §3.3); tables added after 2014 whose access was
never published are read-only (spec §7 #27).
"""
from __future__ import annotations

from .model import table

SAVED_FILTER = table(
    "SavedFilter", entity="saved_filter", access="R",
    description="Saved searches and reports of the users (run with SearchService).",
    # UserId is "number" in the scrape, but the vendor docs say it can hold several ids joined by commas
    # (hence the documented `{UserId: '6%'}` query) and a typed field list calls it a String: a string here.
    fields="""
Id int R
FilterName string R
ReportStoredName string R
UserId string R
""",
)

FILE_BOX = table(
    "FileBox", entity="file_box", access="R",
    description="Files in the app's and its contacts' file boxes (written by FileService).",
    fields="""
Id int R
FileName string R
Extension string R
FileSize int R
ContactId int R
Public int R
""",
)

EXPENSE = table(
    "Expense", entity="expense", access="R",
    description="Expenses incurred by lead sources (one per LeadSourceExpense) and opportunities.",
    fields="""
Id int R
ContactId int R
ExpenseType string R
TypeId int R
ExpenseAmt double R
DateIncurred datetime R
""",
)

GROUP_ASSIGN = table(
    "GroupAssign", entity="group_assign", access="R",
    description="Which user groups each user belongs to.",
    fields="""
Id int R
UserId int R
GroupId int R
Admin int R
""",
)

USER_GROUP = table(
    "UserGroup", entity="user_group", access="R",
    description="User groups (of the app's users, not contacts).",
    fields="""
Id int R
Name string R
OwnerId int R
""",
)

LEAD_SOURCE = table(
    "LeadSource", entity="lead_source", access="EAR",
    description="Lead sources (Contact.LeadSourceId points here).",
    fields="""
Id int R
Name string EAR
Description string EAR
StartDate datetime EAR
EndDate datetime EAR
CostPerLead string EAR
Vendor string EAR
Medium string EAR
Message string EAR
LeadSourceCategoryId int EAR
Status string EAR
""",
)

LEAD_SOURCE_CATEGORY = table(
    "LeadSourceCategory", entity="lead_source_category", access="EAR",
    description="Categories of lead sources.",
    fields="""
Id int R
Name string EAR
Description string EAR
""",
)

LEAD_SOURCE_EXPENSE = table(
    "LeadSourceExpense", entity="lead_source_expense", access="EDAR",
    description="One-off expenses of a lead source (each also shows as an Expense row).",
    fields="""
Id int R
LeadSourceRecurringExpenseId int EDAR
LeadSourceId int EDAR
Title string EDAR
Notes string EDAR
Amount double EDAR
DateIncurred datetime EDAR
""",
)

LEAD_SOURCE_RECURRING_EXPENSE = table(
    "LeadSourceRecurringExpense", entity="lead_source_recurring_expense", access="EDAR",
    description="Recurring expenses of a lead source.",
    fields="""
Id int R
LeadSourceId int EDAR
Title string EDAR
Notes string EDAR
Amount double EDAR
StartDate datetime EDAR
EndDate datetime EDAR
NextExpenseDate datetime EDAR
""",
)

# 2012 access file: EDAR; 2014 per-field lists: every field R. The 2014 lists win (spec §3.3).
MTG_LEAD = table(
    "MtgLead", entity="mtg_lead", access="R",
    description="Mortgage-lead milestone dates (deprecated MortgagePro CRM data).",
    fields="""
Id int R
DateAppraisalOrdered datetime R
DateAppraisalDone datetime R
DateAppraisalReceived datetime R
DateTitleOrdered datetime R
DateTitleReceived datetime R
DateRateLocked datetime R
DateRateLockExpires datetime R
CreditReportDate datetime R
ApplicationDate datetime R
ActualCloseDate datetime R
FundingDate datetime R
""",
)

SOCIAL_ACCOUNT = table(
    "SocialAccount", entity="social_account", access="R",
    description="Contacts' social network accounts (fields listed after 2014; types and access unpublished).",
    fields="""
Id int R
ContactId int R
AccountName string R
AccountType string R
DateCreated datetime R
LastUpdated datetime R
""",
)

STATUS = table(
    "Status", entity="opportunity_status", access="R",
    description="Deprecated: the legacy opportunities' status values.",
    fields="""
Id int R
StatusName string R
StatusOrder string R
TargetNumDays string R
""",
)

TICKET = table(
    "Ticket", entity="ticket", access="EDAR", internal_name="ServiceCall",
    description="Deprecated: service tickets (ServiceCallService moves them between stages).",
    fields="""
Id int R
IssueId int EDAR
ContactId int EDAR
UserId int EDAR
DevId int EDAR
TicketTitle string EDAR
TicketApplication string EDAR
TicketCategory int EDAR
TicketTypeId int EDAR
Summary string EDAR
Stage int EDAR
Priority int EDAR
Ordering int EDAR
DateCreated datetime R
CreatedBy int EDAR
LastUpdated datetime R
LastUpdatedBy int EDAR
CloseDate datetime EDAR
FolowUpDate datetime EDAR   # sic: the vendor's spelling
TargetCompletionDate datetime EDAR
DateInStage datetime EDAR
TimeSpent int EDAR
HasCustomerCalled int EDAR
""",
)

TICKET_STAGE = table(
    "TicketStage", entity="ticket_stage", access="R",
    description="Deprecated: the stages of the ticket system.",
    fields="""
Id int R
StageName string R
""",
)

TICKET_TYPE = table(
    "TicketType", entity="ticket_type", access="R",
    description="Deprecated: the types of the ticket system.",
    fields="""
Id int R
CategoryId int R
Label string R
""",
)

TABLES = (
    SAVED_FILTER, FILE_BOX, EXPENSE, GROUP_ASSIGN, USER_GROUP, LEAD_SOURCE, LEAD_SOURCE_CATEGORY,
    LEAD_SOURCE_EXPENSE, LEAD_SOURCE_RECURRING_EXPENSE, MTG_LEAD, SOCIAL_ACCOUNT, STATUS, TICKET, TICKET_STAGE,
    TICKET_TYPE,
)
