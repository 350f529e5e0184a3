"""/companies: list, create, get, patch and the model (no DELETE in v1 [doc S1]). Companies are Company rows
(contact-like, in the contact id space), written through the same DataService writer as XML-RPC's."""
from __future__ import annotations

from typing import Literal

from pydantic import Field

from server.domain.data import records
from server.domain.data.query import count_rows, select_rows
from server.domain.session import AppSession
from server.tables import FORM_COMPANY, REGISTRY

from . import custom, people
from .api import Body, Paging, Query, Request, Shape, asked_for, envelope, list_shape, offering, page, route
from .errors import bad_request, not_found

COMPANY = REGISTRY.get("Company")
FORM = FORM_COMPANY
OPTIONAL = ["notes", "fax_number", "custom_fields"]
FIELDS = ["Id", "Company", "Email", "Website", "ContactNotes", "Phone1", "Phone1Ext", "Phone1Type", "Fax1",
          "Fax1Type", "StreetAddress1", "StreetAddress2", "City", "State", "PostalCode", "ZipFour1", "Country",
          "DateCreated", "LastUpdated"]
ORDERS = {"id": "Id", "date_created": "DateCreated", "name": "Company", "email": "Email"}


class CompanyPhone(Body):
    number: str | None = None
    extension: str | None = None
    type: str | None = None


class CompanyFax(Body):
    number: str | None = None
    type: str | None = None


class CompanyAddress(people.AddressLines):
    pass


class CompanyBody(Body):
    company_name: str | None = Field(default=None, min_length=1, json_schema_extra={"type": "string"})
    email_address: str | None = None
    website: str | None = None
    notes: str | None = None
    phone_number: CompanyPhone | None = None
    fax_number: CompanyFax | None = None
    address: CompanyAddress | None = None
    custom_fields: list[custom.CustomFieldValue] | None = None
    opt_in_reason: str | None = None


class CompanyShape(Shape):
    id: int
    company_name: str | None = None
    email_address: str | None = None
    email_opted_in: bool | None = None
    email_status: str | None = None
    website: str | None = None
    phone_number: dict | None = None
    address: dict | None = None


CompanyList = list_shape("CompanyList", "companies", CompanyShape)


class ListCompanies(Paging):
    company_name: str | None = None
    optional_properties: offering(OPTIONAL) | None = None
    order: Literal["id", "date_created", "name", "email"] | None = None
    order_direction: Literal["ASCENDING", "DESCENDING"] | None = None


class GetCompany(Query):
    optional_properties: offering(OPTIONAL) | None = None


def render(s: AppSession, rows: list[dict], optional: set[str]) -> list[dict]:
    statuses = people.email_state(s, rows)
    customs = custom.read(s, FORM, [r["Id"] for r in rows]) if "custom_fields" in optional else {}
    out = []
    for row in rows:
        opted, status = people.opted_in(statuses, row.get("Email"))
        item = {"id": row["Id"], "company_name": row.get("Company"), "email_address": row.get("Email"),
                "email_opted_in": opted, "email_status": status, "website": row.get("Website"),
                "phone_number": {"number": row.get("Phone1"), "extension": row.get("Phone1Ext"),
                                 "type": row.get("Phone1Type")} if row.get("Phone1") else None,
                "address": people.address_of(row, "BILLING", with_field=False)}
        if item["address"] is not None:
            item["address"].pop("postal_code", None)
        if "notes" in optional:
            item["notes"] = row.get("ContactNotes")
        if "fax_number" in optional:
            item["fax_number"] = ({"number": row.get("Fax1"), "type": row.get("Fax1Type")}
                                  if row.get("Fax1") else None)
        if "custom_fields" in optional:
            item["custom_fields"] = customs.get(row["Id"], [])
        out.append(item)
    return out


def load(s: AppSession, company_id: int, optional: set[str] = frozenset()) -> dict:
    rows = select_rows(s, COMPANY, FIELDS, {"Id": company_id})
    if not rows:
        raise not_found("Company")
    return render(s, rows, set(optional))[0]


def to_fields(s: AppSession, body: CompanyBody) -> dict:
    data = {}
    names = body.model_fields_set
    simple = {"company_name": "Company", "email_address": "Email", "website": "Website", "notes": "ContactNotes"}
    for prop, field in simple.items():
        if prop in names:
            data[field] = getattr(body, prop)
    if "phone_number" in names:
        p = body.phone_number or CompanyPhone()
        data.update(Phone1=p.number, Phone1Ext=p.extension, Phone1Type=p.type)
    if "fax_number" in names:
        f = body.fax_number or CompanyFax()
        data.update(Fax1=f.number, Fax1Type=f.type)
    if "address" in names:
        data.update(people.address_fields(body.address or CompanyAddress(), "BILLING"))
    if "custom_fields" in names:
        data.update(custom.to_fields(s, FORM, body.custom_fields or []))
    return data


def _after_write(s: AppSession, body: CompanyBody) -> None:
    if body.opt_in_reason and body.email_address:
        people.opt_in_addresses(s, [body.email_address], body.opt_in_reason)


@route("GET", "/companies", summary="List companies", tag="Company", query=ListCompanies, response=CompanyList)
def list_companies(r: Request):
    q: ListCompanies = r.query
    optional = asked_for(q.optional_properties, OPTIONAL)
    limit, offset = page(q)
    criteria = {"Company": q.company_name} if q.company_name else {}
    rows = select_rows(r.s, COMPANY, FIELDS, criteria, limit=limit, offset=offset, order_by=ORDERS[q.order or "id"],
                       ascending=q.order_direction != "DESCENDING")
    total = count_rows(r.s, COMPANY, criteria)
    return envelope(r, "companies", render(r.s, rows, optional), total, limit, offset, path="/companies",
                    carry={"company_name": q.company_name, "order": q.order, "order_direction": q.order_direction})


@route("POST", "/companies", summary="Create a company", tag="Company", body=CompanyBody, response=CompanyShape,
       status=201)
def create_company(r: Request):
    if not r.body.company_name:
        raise bad_request("company_name is required")
    company_id = records.add(r.s, "Company", to_fields(r.s, r.body))
    _after_write(r.s, r.body)
    return load(r.s, company_id)


@route("GET", "/companies/model", summary="The company model", tag="Company", response=custom.ObjectModel)
def company_model(r: Request):
    return custom.model(r.s, FORM, OPTIONAL)


@route("POST", "/companies/model/customFields", summary="Create a company custom field", tag="Company",
       body=custom.CreateCustomField, response=custom.CustomFieldMeta, status=201)
def create_company_custom_field(r: Request):
    return custom.create(r.s, FORM, r.body)


@route("GET", "/companies/{companyId}", summary="Get a company", tag="Company", query=GetCompany,
       response=CompanyShape)
def get_company(r: Request, companyId: int):
    return load(r.s, companyId, asked_for(r.query.optional_properties, OPTIONAL))


@route("PATCH", "/companies/{companyId}", summary="Update a company", tag="Company", body=CompanyBody,
       response=CompanyShape)
def patch_company(r: Request, companyId: int):
    if not records.exists(r.s, COMPANY, companyId):
        raise not_found("Company")
    if "company_name" in r.body.model_fields_set and not r.body.company_name:
        raise bad_request("company_name is required")
    data = to_fields(r.s, r.body)
    if data:
        records.update(r.s, "Company", companyId, data)
    _after_write(r.s, r.body)
    return load(r.s, companyId)
