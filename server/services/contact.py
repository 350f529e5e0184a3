"""ContactService.* (the campaign methods come with the campaign engine)."""
from __future__ import annotations

from server.domain import activity_templates, contacts, links, tags
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


# ☆ (iSDK only): note, task and appointment templates.
@xmlrpc("ContactService.getActivityHistoryTemplateMap", writes=False)
def get_activity_history_template_map(s: AppSession) -> dict:
    return activity_templates.template_map(s)


@xmlrpc("ContactService.applyActivityHistoryTemplate", P.INT, P.INT, P.INT)
def apply_activity_history_template(s: AppSession, contact_id: int, template_id: int, user_id: int) -> int:
    return activity_templates.apply(s, contact_id, template_id, user_id)
