"""Affiliates (referral partners), their referrals and the resources of their programs.

Field lists, types and access: spec xmlrpc-api.md §3.4 (the vendor's 2014 table-schema scrape with the 2012
field-access file's Java types). Commissions, payouts and clawbacks are not tables of the real API (only the
APIAffiliateService reports show them), so they are the sandbox's own store tables
(server/store/schema/affiliates.py).
"""
from __future__ import annotations

from .model import FORM_AFFILIATE, table

AFFILIATE = table(
    "Affiliate", entity="affiliate", access="EDAR", custom_form=FORM_AFFILIATE,
    description="Affiliates (referral partners) and their commission rates; custom fields `_Name` (FormId -3).",
    fields="""
Id int R
ContactId int EDAR
ParentId int EDAR
LeadAmt double EDAR
LeadPercent double EDAR   # "number" in the scrape; a percentage (may be fractional)
SaleAmt double EDAR
SalePercent double EDAR   # "number" in the scrape; a percentage
PayoutType int EDAR
DefCommissionType int EDAR
Status int EDAR
AffName string EDAR
Password string EDAR
AffCode string EDAR
NotifyLead int EDAR
NotifySale int EDAR
LeadCookieFor int EDAR
""",
)

REFERRAL = table(
    "Referral", entity="referral", access="AR",
    description="Which affiliate referred which contact (set by the affiliate's links, or added).",
    fields="""
Id int R
ContactId int AR
AffiliateId int AR
DateSet datetime AR
DateExpires datetime AR
IPAddress string AR
Source string AR
Info string AR
Type int AR
""",
)

AFF_RESOURCE = table(
    "AffResource", entity="aff_resource", access="EDAR",
    description="Resources (banners, links, copy) offered to the affiliates of programs (`ProgramIds`).",
    fields="""
Id int R
Title string EDAR
ResourceType string EDAR
ResourceOrder string EDAR
ResourceHTML string EDAR
ResourceHREF string EDAR
Notes string EDAR
ProgramIds string EDAR
""",
    column_map={"ResourceHTML": "resource_html", "ResourceHREF": "resource_href"},
)

TABLES = (AFFILIATE, REFERRAL, AFF_RESOURCE)
