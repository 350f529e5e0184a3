"""Contacts, companies, tags, notes/tasks/appointments, custom fields, users and email status.

Field lists, types and access: spec xmlrpc-api.md §3.4 (the vendor's 2014 table-schema scrape, with the
2012 field-access file's Java types). Fields "added after 2014" whose access was never published are read-only.
"""
from __future__ import annotations

from .model import FORM_COMPANY, FORM_CONTACT, FORM_CONTACT_ACTION, Join, JoinPrefix, table

# Contact and Company share one entity (companies share the contact id space: tags apply to company ids),
# so their common fields are declared once.
_PERSON = """
Address1Type string EDAR
Address2Street1 string EDAR
Address2Street2 string EDAR
Address2Type string EDAR
Address3Street1 string EDAR
Address3Street2 string EDAR
Address3Type string EDAR
Anniversary datetime EDAR
AssistantName string EDAR
AssistantPhone string EDAR
BillingInformation string EDAR
Birthday datetime EDAR
City string EDAR
City2 string EDAR
City3 string EDAR
Company string EDAR
AccountId int EDAR
CompanyID int EDAR
ContactNotes string EDAR
ContactType string EDAR
Country string EDAR
Country2 string EDAR
Country3 string EDAR
CreatedBy int R
DateCreated datetime R
Email string EDAR
EmailAddress2 string EDAR
EmailAddress3 string EDAR
Fax1 string EDAR
Fax1Type string EDAR
Fax2 string EDAR
Fax2Type string EDAR
FirstName string EDAR
Groups string R
Id int R
JobTitle string EDAR
LastName string EDAR
LastUpdated datetime R
LastUpdatedBy int R
MiddleName string EDAR
Nickname string EDAR
OwnerID int EDAR
Password string EDAR
Phone1 string EDAR
Phone1Ext string EDAR
Phone1Type string EDAR
Phone2 string EDAR
Phone2Ext string EDAR
Phone2Type string EDAR
Phone3 string EDAR
Phone3Ext string EDAR
Phone3Type string EDAR
Phone4 string EDAR
Phone4Ext string EDAR
Phone4Type string EDAR
Phone5 string EDAR
Phone5Ext string EDAR
Phone5Type string EDAR
PostalCode string EDAR
PostalCode2 string EDAR
PostalCode3 string EDAR
ReferralCode string EDAR
SpouseName string EDAR
State string EDAR
State2 string EDAR
State3 string EDAR
StreetAddress1 string EDAR
StreetAddress2 string EDAR
Suffix string EDAR
Title string EDAR
Username string EDAR
Validated string R
Website string EDAR
ZipFour1 string EDAR
ZipFour2 string EDAR
ZipFour3 string EDAR
"""

CONTACT = table(
    "Contact", entity="contact", access="EDAR", custom_form=FORM_CONTACT, kind="contact",
    description="Contact records and their custom fields (`_Name`).",
    fields=_PERSON + """
Leadsource string EAR
LeadSourceId int EAR
Language string EAR   # added ~2017 (novaksolutions SDK); type and access unpublished
TimeZone string EAR   # added ~2017; type and access unpublished
""",
)

COMPANY = table(
    "Company", entity="contact", access="EDAR", custom_form=FORM_COMPANY, kind="company",
    description="Companies: contact-like rows sharing the contact id space.",
    fields=_PERSON,
)

CONTACT_ACTION = table(
    "ContactAction", entity="contact_action", access="EDAR", custom_form=FORM_CONTACT_ACTION,
    description="Notes, tasks and appointments.",
    fields="""
Id int R
ContactId int EDAR
OpportunityId int EDAR
ActionType string EDAR
ActionDescription string EDAR
CreationDate datetime EDAR
CreationNotes string EDAR
CompletionDate datetime EDAR
ActionDate datetime EDAR
EndDate datetime EDAR
PopupDate datetime EDAR
UserID int EDAR
Accepted int EDAR
CreatedBy int EDAR
LastUpdated datetime R
LastUpdatedBy int R
Priority int EDAR
IsAppointment int EDAR
ObjectType string R   # added after 2014: Note, Task or Appointment
""",
)

CONTACT_GROUP = table(
    "ContactGroup", entity="tag", access="EAR",
    description="Tags (\"groups\" in the API's oldest vocabulary).",
    fields="""
Id int R
GroupName string EAR
GroupCategoryId int EAR
GroupDescription string EAR
""",
)

CONTACT_GROUP_CATEGORY = table(
    "ContactGroupCategory", entity="tag_category", access="EAR",
    description="Tag categories.",
    fields="""
Id int R
CategoryName string EAR
CategoryDescription string EAR
""",
)

CONTACT_GROUP_ASSIGN = table(
    "ContactGroupAssign", entity="tag_assignment", access="R", key=None,
    description="One row per tag on a contact; also exposes the contact's fields as `Contact.<Field>`.",
    fields="""
GroupId int R
ContactGroup string R
DateCreated datetime R
ContactId int R
""",
    column_map={"GroupId": "tag_id"},
    joins={"ContactGroup": Join(entity="tag", local="tag_id", column="group_name")},
    join_prefixes=(JoinPrefix(prefix="Contact.", table="Contact", local="contact_id"),),
)

DATA_FORM_FIELD = table(
    "DataFormField", entity="custom_field", access="ER",
    description="Custom fields; `_` + Name addresses one on its table.",
    fields="""
DataType int R
Id int R
FormId int R
GroupId int ER
Name string ER
Label string ER
DefaultValue string ER
Values string ER
ListRows int ER
""",
)

# The vendor's 2012 docs tell integrators to DataService.add a DataFormTab and a DataFormGroup before
# addCustomField on a new header, although the access file lists both tables as read-only: allow the add.
DATA_FORM_GROUP = table(
    "DataFormGroup", entity="custom_field_group", access="AR",
    description="Headers that custom fields sit under.",
    fields="""
Id int R
TabId int AR
Name string AR
""",
)

DATA_FORM_TAB = table(
    "DataFormTab", entity="custom_field_tab", access="AR",
    description="Tabs that custom-field headers sit on.",
    fields="""
Id int R
FormId int AR
TabName string AR
""",
)

USER = table(
    "User", entity="user", access="R",
    description="The app's users.",
    fields="""
City string R
Email string R
EmailAddress2 string R
EmailAddress3 string R
FirstName string R
HTMLSignature string R
Id int R
LastName string R
MiddleName string R
Nickname string R
Phone1 string R
Phone1Ext string R
Phone1Type string R
Phone2 string R
Phone2Ext string R
Phone2Type string R
PostalCode string R
Signature string R
SpouseName string R
State string R
StreetAddress1 string R
StreetAddress2 string R
Suffix string R
Title string R
ZipFour1 string R
GlobalUserId int R
Partner int R
""",
    column_map={"HTMLSignature": "html_signature"},
)

EMAIL_ADD_STATUS = table(
    "EmailAddStatus", entity="email_status", access="R",
    description="One row per email address: its opt-in status (seed 004: status belongs to the address).",
    fields="""
Id int R
Email string R
Type string R
DateCreated datetime R
LastSentDate datetime R
LastOpenDate datetime R
LastClickDate datetime R
""",
)

LINKED_CONTACT_TYPE = table(
    "LinkedContactType", entity="link_type", access="R",
    description="Types of links between contacts (ContactService.linkContacts).",
    fields="""
Id int R
TypeName string R
MaxLinked int R
""",
)

TABLES = (
    CONTACT, COMPANY, CONTACT_ACTION, CONTACT_GROUP, CONTACT_GROUP_CATEGORY, CONTACT_GROUP_ASSIGN,
    DATA_FORM_FIELD, DATA_FORM_GROUP, DATA_FORM_TAB, USER, EMAIL_ADD_STATUS, LINKED_CONTACT_TYPE,
)
