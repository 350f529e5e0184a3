"""DataService calls on tables other than Contact, translated to the table's v2 operations (issue 19 §3):
Company -> companies, ContactGroup -> tags, Product -> products, Lead -> opportunities. Each table names its
five operations, the fields the compare tool translates and where a v2 record holds each, and the fields
findByField can filter on.
Contact is translate.py's own; other tables are refused with the list of those translated."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from .v2call import After, CannotTranslate, V2Call, arg


def _text(prop: str) -> Callable[[object], tuple[str, object]]:
    return lambda value: (prop, value)


def _email(prop: str) -> Callable[[object], tuple[str, object]]:
    return lambda value: (prop, {"email": value, "field": "EMAIL1"} if value else None)


def _cents(prop: str) -> Callable[[object], tuple[str, object]]:
    return lambda value: (prop, int(round(float(value) * 100)))  # v2 prices are in the smallest unit


def _id(prop: str) -> Callable[[object], tuple[str, object]]:
    return lambda value: (prop, str(value) if value else None)


def _ref(prop: str) -> Callable[[object], tuple[str, object]]:
    return lambda value: (prop, {"id": str(value)} if value else None)


@dataclass(frozen=True)
class Table:
    name: str
    get: str
    create: str
    update: str
    delete: str
    list: str
    id_param: str
    items: str  # the key of the list answer
    fields: dict  # XML-RPC field -> path into the v2 record
    writes: dict  # XML-RPC field -> its v2 body property and value
    filters: dict  # XML-RPC field -> the list operation's filter name
    required: dict = field(default_factory=dict)  # what create requires (the contract), as XML-RPC defaults it

    def body(self, data: dict, where: int) -> dict:
        unknown = set(data) - set(self.writes)
        if unknown:
            raise CannotTranslate(f"params[{where}] (data): the compare tool translates only the {self.name} fields "
                                  f"{sorted(self.writes)}, not {sorted(unknown)}")
        return dict(self.writes[name](value) for name, value in data.items())

    def call(self, operation_id: str, record_id: int | None = None, **kwargs) -> V2Call:
        path = {self.id_param: str(record_id)} if record_id is not None else {}
        return V2Call(operation_id, path=path, fields=self.fields, items=self.items, **kwargs)


TABLES = {t.name: t for t in (
    Table("Company", "getCompany", "createCompany", "updateCompany", "deleteCompany", "listCompanies",
          "company_id", "companies",
          fields={"Id": ("id",), "Company": ("company_name",), "Website": ("website",),
                  "Email": ("email_address", "email")},
          writes={"Company": _text("company_name"), "Website": _text("website"), "Email": _email("email_address")},
          filters={"Company": "company_name", "Email": "email"}),
    Table("ContactGroup", "getTag", "createTag", "updateTag", "deleteTag", "listTags", "tag_id", "tags",
          fields={"Id": ("id",), "GroupName": ("name",), "GroupDescription": ("description",),
                  "GroupCategoryId": ("category", "id")},
          writes={"GroupName": _text("name"), "GroupDescription": _text("description"),
                  "GroupCategoryId": _ref("category")},
          filters={"GroupName": "name", "GroupCategoryId": "category_id"}),
    Table("Product", "getProduct", "createProduct", "updateProduct", "deleteProduct", "listProducts",
          "product_id", "products",
          fields={"Id": ("id",), "ProductName": ("name",), "Sku": ("sku",), "Description": ("description",),
                  "ShortDescription": ("short_description",)},
          writes={"ProductName": _text("name"), "Sku": _text("sku"), "Description": _text("description"),
                  "ShortDescription": _text("short_description"), "ProductPrice": _cents("price")},
          filters={"ProductName": "name", "Sku": "sku"}, required={"price": 0, "short_description": ""}),
    Table("Lead", "getOpportunity", "createOpportunity", "updateOpportunity", "deleteOpportunity",
          "listOpportunities", "opportunity_id", "opportunities",
          fields={"Id": ("id",), "OpportunityTitle": ("opportunity_title",), "ContactID": ("contact", "id"),
                  "StageID": ("stage", "id"), "OpportunityNotes": ("opportunity_notes",),
                  "NextActionNotes": ("next_action_notes",)},
          writes={"OpportunityTitle": _text("opportunity_title"), "ContactID": _id("contact_id"),
                  "StageID": _id("stage_id"), "OpportunityNotes": _text("opportunity_notes"),
                  "NextActionNotes": _text("next_action_notes")},
          filters={"OpportunityTitle": "opportunity_title", "ContactID": "contact_id", "StageID": "stage_id"}),
)}


def table(params: list, others: tuple[str, ...] = ("Contact",)) -> tuple[Table, After]:
    name = arg(params, 0, str, "table")
    if name not in TABLES:
        raise CannotTranslate(f"params[0] (table): the compare tool translates DataService calls on "
                              f"{', '.join([*others, *TABLES])}, not {name}")
    return TABLES[name], After(params, 1)


def load(t: Table, p: After) -> V2Call:
    arg(p, 1, list, "selectedFields")
    return t.call(t.get, arg(p, 0, int, "id"))


def add(t: Table, p: After) -> V2Call:
    return t.call(t.create, body={**t.required, **t.body(arg(p, 0, dict, "data"), 1)})


def update(t: Table, p: After) -> V2Call:
    body = t.body(arg(p, 1, dict, "data"), 2)
    return t.call(t.update, arg(p, 0, int, "id"), query={"update_mask": ",".join(body)}, body=body)


def delete(t: Table, p: After) -> V2Call:
    return t.call(t.delete, arg(p, 0, int, "id"))


# the Contact fields DataService.findByField can search, as listContacts' filter names
CONTACT_FILTERS = {"Email": "email", "FirstName": "given_name", "LastName": "family_name", "Id": "contact_id"}


def listing(p: list) -> tuple[Table | None, After, int]:
    """A DataService listing's table (None for Contact), the parameters after it, and its limit (page 0 only)."""
    found, rest = table(p) if not (p and p[0] == "Contact") else (None, After(p, 1))
    limit, page = arg(rest, 0, int, "limit"), arg(rest, 1, int, "page")
    if page != 0:
        raise CannotTranslate("params[2] (page): v2 pages by token; the compare tool translates page 0 only")
    return found, rest, limit


def filtered(t: Table | None, field_name: str | None, value, limit: int, where: str, **query) -> V2Call:
    """The table's list operation (Contact's when ``t`` is None) filtered on ``field_name`` (on nothing when it is
    None), with ``query`` added (order_by)."""
    name, filters = ("Contact", CONTACT_FILTERS) if t is None else (t.name, t.filters)
    if field_name is not None:
        if field_name not in filters:
            raise CannotTranslate(f"{where}: the compare tool filters {name} on {sorted(filters)}, not {field_name}")
        if isinstance(value, str) and "%" in value:
            raise CannotTranslate(f"{where}: v2 filters match whole values; the compare tool translates no % "
                                  "wildcard")
        query["filter"] = f"{filters[field_name]}=={value}"
    query["page_size"] = str(min(max(limit, 1), 1000))
    return V2Call("listContacts", query=query) if t is None else t.call(t.list, query=query)
