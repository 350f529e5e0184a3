"""XML-RPC calls translated to their REST v2 equivalents, for the side-by-side compare (issue 19 §3): for each
method it knows, the v2 request its parameters become (operation id, path parameters, query, body), following
the method's entry in mapping.yaml, and the pairs of values that must agree between the two answers.

Only the methods listed in ``TRANSLATORS`` are translated; the compare tool answers a clear 400 for the others
(their mapping entry says by hand what to call)."""
from __future__ import annotations

from collections.abc import Callable

from . import translate_tables as tables
from .translate_commerce import COMMERCE_TRANSLATORS
from .translate_crm import CRM_TRANSLATORS
from .translate_services import SERVICE_TRANSLATORS
from .v2call import CONTACT_FIELDS, After, CannotTranslate, V2Call, dig, record_pairs
from .v2call import arg as _arg

_V2_MASK = {"FirstName": "given_name", "LastName": "family_name", "Email": "email_addresses",
            "JobTitle": "job_title"}


def contact_body(data: dict) -> dict:
    """An XML-RPC contact struct as a v2 contact body (the fields of CONTACT_FIELDS but Id and Company)."""
    unknown = set(data) - set(_V2_MASK)
    if unknown:
        raise CannotTranslate(f"the compare tool translates only the fields {sorted(_V2_MASK)}, not "
                              f"{sorted(unknown)}")
    body: dict = {}
    for name, value in data.items():
        if name == "Email":
            body["email_addresses"] = [{"email": value, "field": "EMAIL1"}]
        else:
            body[_V2_MASK[name]] = value
    return body


def _add(p: list) -> V2Call:
    return V2Call("createContact", body=contact_body(_arg(p, 0, dict, "data")))


def _load(p: list) -> V2Call:
    fields = _arg(p, 1, list, "selectedFields")
    v2 = [CONTACT_FIELDS[f][0] for f in fields if f in CONTACT_FIELDS and f != "Id"]
    return V2Call("getContact", path={"contact_id": str(_arg(p, 0, int, "id"))},
                  query={"fields": ",".join(v2)} if v2 else {})


def _update(p: list) -> V2Call:
    body = contact_body(_arg(p, 1, dict, "data"))
    return V2Call("updateContact", path={"contact_id": str(_arg(p, 0, int, "contactId"))},
                  query={"update_mask": ",".join(body)}, body=body)


def _find_by_email(p: list) -> V2Call:
    return V2Call("listContacts", query={"filter": f"email=={_arg(p, 0, str, 'email')}"})


def _tags(operation_id: str) -> Callable[[list], V2Call]:
    def translate(p: list) -> V2Call:
        contact_id, tag_id = _arg(p, 0, int, "contactId"), _arg(p, 1, int, "groupId")
        return V2Call(operation_id, path={"tag_id": str(tag_id)}, body={"contact_ids": [str(contact_id)]})
    return translate


def _achieve(p: list) -> V2Call:
    return V2Call("achieveGoal", body={"integration": _arg(p, 0, str, "integration"),
                                       "call_name": _arg(p, 1, str, "callName"),
                                       "contact_id": _arg(p, 2, int, "contactId")})


def _opt(opted_in: bool) -> Callable[[list], V2Call]:
    def translate(p: list) -> V2Call:
        return V2Call("updateEmailAddressOptStatus", path={"email": _arg(p, 0, str, "email")},
                      body={"opted_in": opted_in, "reason": _arg(p, 1, str, "reason")})
    return translate


def _opt_status(p: list) -> V2Call:
    return V2Call("getEmailAddressStatus", path={"email": _arg(p, 0, str, "email")})


def _product(p: list) -> V2Call:
    return V2Call("getProduct", path={"product_id": str(_arg(p, 0, int, "productId"))})


def _add_with_dup_check(p: list) -> V2Call:
    option = _arg(p, 1, str, "dupCheckType")
    if option not in DUP_CHECK_TYPES:
        raise CannotTranslate(f"params[1] (dupCheckType) must be one of {', '.join(DUP_CHECK_TYPES)}")
    return V2Call("createContact", query={"duplicate_option": option}, body=contact_body(_arg(p, 0, dict, "data")))


DUP_CHECK_TYPES = ("Email", "EmailAndName", "EmailAndNameAndCompany")  # v2's duplicate_option takes the same words


def _merge(p: list) -> V2Call:
    return V2Call("mergeContacts", body={"contact_id": str(_arg(p, 0, int, "contactId")),
                                         "duplicate_contact_id": str(_arg(p, 1, int, "duplicateContactId"))})


# DataService: on Contact the same v2 operations as ContactService's; on the tables of translate_tables theirs
def _data(contact: Callable[[list], V2Call], other: Callable) -> Callable[[list], V2Call]:
    def translate(p: list) -> V2Call:
        if p and p[0] == "Contact":
            return contact(After(p, 1))
        return other(*tables.table(p))
    return translate


def _find_by_field(p: list) -> V2Call:
    table, rest, limit = tables.listing(p)
    field_name = _arg(rest, 2, str, "fieldName")
    value = _arg(rest, 3, str, "fieldValue") if not (len(rest) > 3 and isinstance(rest[3], int)) else rest[3]
    return tables.filtered(table, field_name, value, limit, "params[3] (fieldName)")


def _query(p: list) -> V2Call:
    table, rest, limit = tables.listing(p)
    data = _arg(rest, 2, dict, "queryData")
    if len(data) != 1:
        raise CannotTranslate("params[3] (queryData): the compare tool translates a query on one field")
    (field_name, value), = data.items()
    return tables.filtered(table, field_name, value, limit, "params[3] (queryData)")


def _contact_delete(p: list) -> V2Call:
    return V2Call("deleteContact", path={"contact_id": str(_arg(p, 0, int, "id"))})


TRANSLATORS: dict[str, Callable[[list], V2Call]] = {
    "ContactService.addWithDupCheck": _add_with_dup_check,
    "ContactService.merge": _merge,
    "DataService.load": _data(_load, tables.load),
    "DataService.add": _data(_add, tables.add),
    "DataService.update": _data(_update, tables.update),
    "DataService.delete": _data(_contact_delete, tables.delete),
    "DataService.findByField": _find_by_field,
    "DataService.query": _query,
    "ContactService.add": _add,
    "ContactService.load": _load,
    "ContactService.update": _update,
    "ContactService.findByEmail": _find_by_email,
    "ContactService.addToGroup": _tags("applyTags"),
    "ContactService.removeFromGroup": _tags("removeTags"),
    "FunnelService.achieveGoal": _achieve,
    "APIEmailService.optIn": _opt(True),
    "APIEmailService.optOut": _opt(False),
    "APIEmailService.getOptStatus": _opt_status,
    "ProductService.getInventory": _product,
    **SERVICE_TRANSLATORS,
    **COMMERCE_TRANSLATORS,
    **CRM_TRANSLATORS,
}


def contact_pairs(xmlrpc_result, v2_result) -> list[tuple[str, object, object]]:
    """(field, XML-RPC value, v2 value) for each contact field both answers hold."""
    return record_pairs(CONTACT_FIELDS, xmlrpc_result, v2_result)


__all__ = ["CONTACT_FIELDS", "TRANSLATORS", "CannotTranslate", "V2Call", "contact_pairs", "dig"]
