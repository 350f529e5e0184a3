"""ContactService.*: contacts, tags, links, and the legacy follow-up sequences and action sets."""
from __future__ import annotations

from server.domain import activity_templates, contacts, links, subscriptions, tags
from server.domain.errors import InvalidParameter
from server.engine import action_sets, followups
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


# --- legacy follow-up sequences ("campaigns" in the method names) and action sets ------------------------

@xmlrpc("ContactService.addToCampaign", P.INT, P.INT)
def add_to_campaign(s: AppSession, contact_id: int, sequence_id: int) -> bool:
    return followups.add(s, contact_id, sequence_id)


@xmlrpc("ContactService.removeFromCampaign", P.INT, P.INT)
def remove_from_campaign(s: AppSession, contact_id: int, sequence_id: int) -> bool:
    return followups.remove(s, contact_id, sequence_id)


@xmlrpc("ContactService.pauseCampaign", P.INT, P.INT)
def pause_campaign(s: AppSession, contact_id: int, sequence_id: int) -> bool:
    return followups.pause(s, contact_id, sequence_id)


@xmlrpc("ContactService.resumeCampaignForContact", P.INT, P.INT)
def resume_campaign_for_contact(s: AppSession, contact_id: int, sequence_id: int) -> bool:
    return followups.resume(s, contact_id, sequence_id)


@xmlrpc("ContactService.getNextCampaignStep", P.INT, P.INT, writes=False)
def get_next_campaign_step(s: AppSession, contact_id: int, sequence_id: int) -> int:
    return followups.next_step(s, contact_id, sequence_id)


@xmlrpc("ContactService.rescheduleCampaignStep", P.ARRAY, P.INT)
def reschedule_campaign_step(s: AppSession, contact_ids: list, step_id: int) -> int:
    ids = []
    for value in contact_ids:
        if isinstance(value, bool) or not (isinstance(value, int) or (isinstance(value, str) and value.isdigit())):
            raise InvalidParameter("contactIds must be contact ids")
        ids.append(int(value))
    return followups.reschedule(s, ids, step_id)


@xmlrpc("ContactService.runActionSequence", P.INT, P.INT)
def run_action_sequence(s: AppSession, contact_id: int, action_set_id: int) -> list:
    return action_sets.run(s, contact_id, action_set_id)
# ☆ (iSDK only): note, task and appointment templates.
@xmlrpc("ContactService.getActivityHistoryTemplateMap", writes=False)
def get_activity_history_template_map(s: AppSession) -> dict:
    return activity_templates.template_map(s)


@xmlrpc("ContactService.applyActivityHistoryTemplate", P.INT, P.INT, P.INT)
def apply_activity_history_template(s: AppSession, contact_id: int, template_id: int, user_id: int) -> int:
    return activity_templates.apply(s, contact_id, template_id, user_id)
