"""ContactService.*: contacts, tags, links, and the legacy follow-up sequences and action sets."""
from __future__ import annotations

import re

from server.domain.account import settings
from server.domain.commerce import subscriptions
from server.domain.crm import activity_templates, contacts, links, remote_links, tags
from server.domain.errors import InvalidParameter, NoFields
from server.domain.session import AppSession
from server.engine import legacy
from server.xmlrpc.methods import P, xmlrpc


@xmlrpc("ContactService.add", P.STRUCT)
def add(s: AppSession, data: dict) -> int:
    return contacts.add(s, data)


@xmlrpc("ContactService.addWithDupCheck", P.STRUCT, P.STRING)
def add_with_dup_check(s: AppSession, data: dict, dup_check_type: str) -> int:
    return contacts.add_with_dup_check(s, data, dup_check_type)


@xmlrpc("ContactService.update", P.INT, P.STRUCT)
def update(s: AppSession, contact_id: int, data: dict) -> int:
    if not data:  # "you must have at least one member of your struct" (2012 docs), as DataService.update says
        raise NoFields("No fields were supplied to update")
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
    return legacy.add(s, contact_id, sequence_id)


@xmlrpc("ContactService.removeFromCampaign", P.INT, P.INT)
def remove_from_campaign(s: AppSession, contact_id: int, sequence_id: int) -> bool:
    return legacy.remove(s, contact_id, sequence_id)


@xmlrpc("ContactService.pauseCampaign", P.INT, P.INT)
def pause_campaign(s: AppSession, contact_id: int, sequence_id: int) -> bool:
    return legacy.pause(s, contact_id, sequence_id)


@xmlrpc("ContactService.resumeCampaignForContact", P.INT, P.INT)
def resume_campaign_for_contact(s: AppSession, contact_id: int, sequence_id: int) -> bool:
    return legacy.resume(s, contact_id, sequence_id)


@xmlrpc("ContactService.getNextCampaignStep", P.INT, P.INT, writes=False)
def get_next_campaign_step(s: AppSession, contact_id: int, sequence_id: int) -> int:
    return legacy.next_step(s, contact_id, sequence_id)


@xmlrpc("ContactService.rescheduleCampaignStep", P.ARRAY, P.INT)
def reschedule_campaign_step(s: AppSession, contact_ids: list, step_id: int) -> int:
    return legacy.reschedule(s, _ids(contact_ids, "contactIds must be contact ids"), step_id)


@xmlrpc("ContactService.runActionSequence", P.INT, P.INT)
def run_action_sequence(s: AppSession, contact_id: int, action_set_id: int) -> list:
    return legacy.run_action_set(s, contact_id, action_set_id)


# ☆ (iSDK, Novak): a contact's pass through a follow-up sequence, and the sequence's steps. The clients show the
# parameters only; the answers' shapes are the sandbox's (docs/divergences.md).
@xmlrpc("ContactService.getCampaigneeDetails", P.INT, P.INT, writes=False)
def get_campaignee_details(s: AppSession, contact_id: int, sequence_id: int) -> dict:
    return legacy.member_details(s, contact_id, sequence_id)


@xmlrpc("ContactService.getCampaigneeStepDetails", P.INT, P.INT, writes=False)
def get_campaignee_step_details(s: AppSession, contact_id: int, step_id: int) -> dict:
    return legacy.member_step_details(s, contact_id, step_id)


@xmlrpc("ContactService.getCampaignStepDetails", P.INT, writes=False)
def get_campaign_step_details(s: AppSession, step_id: int) -> dict:
    return legacy.step_info(s, step_id)


@xmlrpc("ContactService.getCampaignStepOrder", P.INT, writes=False)
def get_campaign_step_order(s: AppSession, sequence_id: int) -> list:
    return legacy.step_order(s, sequence_id)


# ☆ (Novak): a survey result's submission, then legacy action sets on its contact.
@xmlrpc("ContactService.submitSurveyAndApplyActionSets", P.INT, P.ARRAY)
def submit_survey_and_apply_action_sets(s: AppSession, survey_result_id: int, action_set_ids: list) -> bool:
    return legacy.submit_survey(s, survey_result_id, _ids(action_set_ids, "actionSetIds must be action set ids"))


# ☆ (Ruby gem, Novak): the map from contacts of another app to this app's contacts.
@xmlrpc("ContactService.linkContact", P.STRING, P.INT, P.INT)
def link_contact(s: AppSession, remote_app: str, remote_id: int, local_id: int) -> int:
    return remote_links.link(s, remote_app, remote_id, local_id)


@xmlrpc("ContactService.locateContactLink", P.INT, writes=False)
def locate_contact_link(s: AppSession, locate_map_id: int) -> int:
    return remote_links.locate(s, locate_map_id)


@xmlrpc("ContactService.markLinkUpdated", P.INT)
def mark_link_updated(s: AppSession, locate_map_id: int) -> bool:
    return remote_links.mark_updated(s, locate_map_id)


def _ids(values: list, message: str) -> list[int]:
    ids = []
    for value in values:
        if isinstance(value, bool) or not (isinstance(value, int) or (isinstance(value, str) and value.isdigit())):
            raise InvalidParameter(message)
        ids.append(int(value))
    return ids


# ☆ (iSDK only): note, task and appointment templates.
@xmlrpc("ContactService.getActivityHistoryTemplateMap", writes=False)
def get_activity_history_template_map(s: AppSession) -> dict:
    return activity_templates.template_map(s)


@xmlrpc("ContactService.applyActivityHistoryTemplate", P.INT, P.INT, P.INT)
def apply_activity_history_template(s: AppSession, contact_id: int, template_id: int, user_id: int) -> int:
    return activity_templates.apply(s, contact_id, template_id, user_id)


# ☆ (Novak only, "internal"; spec §2.1): the application settings under ContactService's name. Their real answers
# are unrecorded: served as DataService.getAppSetting answers (the string, or its whole number), and refreshApp
# as a no-op that succeeds, so an integration calling them through Novak does not break (docs/divergences.md).
@xmlrpc("ContactService.getAppSetting", P.STRING, P.STRING, writes=False)
def get_app_setting(s: AppSession, module: str, setting: str) -> str:
    return settings.app_setting(s, module, setting)


@xmlrpc("ContactService.getAppSettingInt", P.STRING, P.STRING, writes=False)
def get_app_setting_int(s: AppSession, module: str, setting: str) -> int:
    value = settings.app_setting(s, module, setting).strip()
    return int(value) if re.fullmatch(r"-?[0-9]{1,9}", value) else 0


@xmlrpc("ContactService.refreshApp", writes=False)
def refresh_app(s: AppSession) -> bool:
    return True
