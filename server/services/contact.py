"""ContactService.* (the campaign methods come with the campaign engine)."""
from __future__ import annotations

from server.domain import contacts, links, subscriptions, tags
from server.store.session import AppSession
from server.xmlrpc.methods import P, xmlrpc


@xmlrpc("ContactService.add", P.STRUCT)
def add(s: AppSession, data: dict) -> int:
    return contacts.add(s, data)


@xmlrpc("ContactService.addWithDupCheck", P.STRUCT, P.STRING)
def add_with_dup_check(s: AppSession, data: dict, dup_check_type: str) -> int:
    return contacts.add_with_dup_check(s, data, dup_check_type)


@xmlrpc("ContactService.update", P.INT, P.STRUCT)
def update(s: AppSession, contact_id: int, data: dict) -> int:
    return contacts.update(s, contact_id, data)


@xmlrpc("ContactService.load", P.INT, P.ARRAY, writes=False)
def load(s: AppSession, contact_id: int, fields: list) -> dict:
    return contacts.load(s, contact_id, fields)


@xmlrpc("ContactService.findByEmail", P.STRING, P.ARRAY, writes=False)
def find_by_email(s: AppSession, email: str, fields: list) -> list:
    return contacts.find_by_email(s, email, fields)


@xmlrpc("ContactService.merge", P.INT, P.INT)
def merge(s: AppSession, contact_id: int, duplicate_id: int) -> bool:
    return contacts.merge(s, contact_id, duplicate_id)


# Undocumented (Ruby gem): the older home of InvoiceService.addRecurringOrder's 7-argument form.
@xmlrpc("ContactService.addRecurringOrder", P.INT, P.BOOL, P.INT, P.INT, P.INT, P.INT, P.INT)
def add_recurring_order(s: AppSession, contact_id: int, allow_duplicate: bool, plan_id: int, merchant_account_id: int,
                        card_id: int, affiliate_id: int, days_till_charge: int) -> int:
    return subscriptions.add(s, contact_id, plan_id, allow_duplicate=allow_duplicate,
                             merchant_account_id=merchant_account_id, credit_card_id=card_id,
                             affiliate_id=affiliate_id, days_till_charge=days_till_charge)


@xmlrpc("ContactService.addToGroup", P.INT, P.INT)
def add_to_group(s: AppSession, contact_id: int, tag_id: int) -> bool:
    return tags.apply(s, contact_id, tag_id)


@xmlrpc("ContactService.removeFromGroup", P.INT, P.INT)
def remove_from_group(s: AppSession, contact_id: int, tag_id: int) -> bool:
    return tags.remove(s, contact_id, tag_id)


@xmlrpc("ContactService.linkContacts", P.INT, P.INT, P.INT)
def link_contacts(s: AppSession, contact_id1: int, contact_id2: int, link_type_id: int) -> bool:
    return links.link(s, contact_id1, contact_id2, link_type_id)


@xmlrpc("ContactService.unlinkContacts", P.INT, P.INT, P.INT)
def unlink_contacts(s: AppSession, contact_id1: int, contact_id2: int, link_type_id: int) -> bool:
    return links.unlink(s, contact_id1, contact_id2, link_type_id)


@xmlrpc("ContactService.listLinkedContacts", P.INT, writes=False)
def list_linked_contacts(s: AppSession, contact_id: int) -> list:
    return links.linked(s, contact_id)
