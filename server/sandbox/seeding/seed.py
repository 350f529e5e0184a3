"""Seeding an app from sandbox_data/ (plain JSON), through the domain like any other write.

Files (all optional but app.json): app.json (name, time zone, business profile, getAppSetting values), users.json,
tags.json (categories with their tags), custom_fields.json (tabs, headers, fields), companies.json, contacts.json
(Infusionsoft field names, custom fields as ``_Name``, plus ``tags``, ``email_status`` and ``notes``; read a record at a
time, or contacts.jsonl with one contact a line), link_types.json, services.json (searches, affiliates, web forms …:
server.sandbox.seeding.services), commerce.json (server.sandbox.seeding.commerce), email_templates.json,
action_sets.json, followups.json and campaigns/ (server.sandbox.seeding.seed.seed_automation), surveys.json (survey
results). Records refer to each other by name, so the files stay readable; ids come out in file order, the same after
every reset.
"""
from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path

from server.clock import parse_duration
from server.domain.account import users
from server.domain.crm import activities, contact_import, contacts, links, surveys, tags
from server.domain.data import custom_fields, records
from server.domain.mail import email_status, templates
from server.engine import campaigns, document, legacy
from server.store import schema
from server.store.session import AppSession
from server.tables import CUSTOM_FORMS, REGISTRY
from server.tables.model import snake

from .commerce import seed_commerce
from .records import records as seed_records
from .services import seed_services

DEFAULT_LINK_TYPES = [{"TypeName": "Spouse", "MaxLinked": 1}, {"TypeName": "Business Partner", "MaxLinked": 0},
                      {"TypeName": "Referred By", "MaxLinked": 1}]


def read(seed_dir: Path, name: str, default=None):
    path = Path(seed_dir) / name
    if not path.exists():
        return default
    return json.loads(path.read_text(encoding="utf-8"))


def app_definition(seed_dir: Path) -> dict:
    return read(seed_dir, "app.json", {}) or {}


# progress(stage, done, total): told as seeding goes (the CLI draws a bar per stage)
Progress = Callable[[str, int, int], None]
EVERY = 100  # items between two progress reports


def _counted(progress: Progress | None, stage: str, items: list) -> Iterator:
    """``items``, telling ``progress`` every EVERY of them and at the end."""
    if progress is None:
        yield from items
        return
    progress(stage, 0, len(items))
    for n, item in enumerate(items, 1):
        yield item
        if n % EVERY == 0 or n == len(items):
            progress(stage, n, len(items))


def _stage(progress: Progress | None, stage: str) -> None:
    """A stage of one step: named when it starts."""
    if progress is not None:
        progress(stage, 0, 1)


def seed(s: AppSession, seed_dir: Path, progress: Progress | None = None) -> dict:
    """Load every seed file into the (empty) app of ``s``; returns counts of what was made."""
    counts: dict[str, int] = {}

    for user in _counted(progress, "users", read(seed_dir, "users.json", [])):
        data = {k: v for k, v in user.items() if k not in ("password", "admin")}
        users.add_user(s, _user_columns(data), password=user.get("password"), admin=bool(user.get("admin")))
        counts["users"] = counts.get("users", 0) + 1

    _stage(progress, "tags and custom fields")
    tag_file = read(seed_dir, "tags.json", {}) or {}
    for category in tag_file.get("categories", []):
        cat_id = records.add(s, "ContactGroupCategory", {
            "CategoryName": category["CategoryName"],
            "CategoryDescription": category.get("CategoryDescription", "")})
        for tag in category.get("tags", []):
            records.add(s, "ContactGroup", dict(tag, GroupCategoryId=cat_id))
            counts["tags"] = counts.get("tags", 0) + 1
    for tag in tag_file.get("uncategorized", []):
        records.add(s, "ContactGroup", tag)
        counts["tags"] = counts.get("tags", 0) + 1

    # Every custom-field form gets a default tab and header, as a new Infusionsoft app has.
    groups: dict[tuple[int, str, str], int] = {}
    for form_id in sorted(set(CUSTOM_FORMS.values()), reverse=True):
        tab = custom_fields.add_tab(s, form_id, "Custom Fields")
        groups[(form_id, "Custom Fields", "Custom Fields")] = custom_fields.add_group(s, tab, "Custom Fields")
    tabs: dict[tuple[int, str], int] = {}
    for block in read(seed_dir, "custom_fields.json", []):
        form_id = custom_fields.form_id_of(block["form"])
        key = (form_id, block.get("tab", "Custom Fields"), block.get("group", "Custom Fields"))
        if key not in groups:
            tab_key = key[:2]
            if tab_key not in tabs:
                tabs[tab_key] = custom_fields.add_tab(s, form_id, key[1])
            groups[key] = custom_fields.add_group(s, tabs[tab_key], key[2])
        for field in block.get("fields", []):
            field_id = custom_fields.add_custom_field(s, block["form"], field["label"], field["type"], groups[key])
            if field.get("values"):
                custom_fields.update_custom_field(s, field_id, {"Values": field["values"]})
            counts["custom_fields"] = counts.get("custom_fields", 0) + 1

    for link_type in read(seed_dir, "link_types.json", DEFAULT_LINK_TYPES):
        links.add_type(s, link_type["TypeName"], int(link_type.get("MaxLinked", 0)))

    company_ids: dict[str, int] = {}
    for company in _counted(progress, "companies", read(seed_dir, "companies.json", [])):
        company_ids[company["Company"].lower()] = records.add(s, "Company", company)
        counts["companies"] = counts.get("companies", 0) + 1

    _stage(progress, "contacts")
    seed_contacts(s, seed_dir, company_ids, counts)
    _stage(progress, "services and commerce")
    seed_services(s, read(seed_dir, "services.json", {}) or {}, counts)
    counts.update(seed_commerce(s, read(seed_dir, "commerce.json", {}) or {}))
    _stage(progress, "automation and campaigns")
    seed_automation(s, seed_dir, counts)  # last: campaigns name what the other seeds made
    seed_surveys(s, read(seed_dir, "surveys.json", []), counts)
    return counts


def seed_contacts(s: AppSession, seed_dir: Path, company_ids: dict[str, int], counts: dict) -> None:
    """contacts.json (or contacts.jsonl), read a record at a time and added in batches through the domain's bulk
    path (server.domain.crm.contact_import), then each batch's tags, email statuses and notes."""
    extras: dict[int, dict] = {}

    def people():
        for number, person in seed_records(seed_dir, "contacts"):
            if not isinstance(person, dict):
                raise ValueError(f"contacts.json: record {number} is not an object")
            extra = {k: person[k] for k in ("tags", "email_status", "notes") if k in person}
            data = {k: v for k, v in person.items() if k not in extra}
            if data.get("Company") and data["Company"].lower() in company_ids:
                data["CompanyID"] = company_ids[data["Company"].lower()]
            extras[number] = dict(extra, Email=data.get("Email"))
            yield number, data

    def finish(batch: list[tuple[int, int]]) -> None:
        for number, contact_id in batch:
            extra = extras.pop(number)
            for tag_name in extra.get("tags", []):
                tag = tags.find_tag(s, tag_name)
                if tag is None:
                    raise ValueError(f"contacts.json: unknown tag {tag_name!r}")
                tags.apply(s, contact_id, tag.id)
            if extra.get("email_status") and extra.get("Email"):
                email_status.set_status(s, extra["Email"], extra["email_status"], "Seeded")
            for note in extra.get("notes", []):
                activities.add_note(s, contact_id, note)
                counts["notes"] = counts.get("notes", 0) + 1

    try:
        result = contact_import.import_contacts(s, people(), added=finish)
    except contact_import.ImportRefused as exc:
        raise ValueError(f"contacts.json: {exc}".replace("line ", "record ")) from None
    if result.imported:
        counts["contacts"] = counts.get("contacts", 0) + result.imported


def seed_surveys(s: AppSession, results: list[dict], counts: dict) -> None:
    """Survey results (what ContactService.submitSurveyAndApplyActionSets submits), their contact by email."""

    for result in results:
        found = contacts.find_by_email(s, result["contact"], ["Id"])
        if not found:
            raise ValueError(f"surveys.json: no contact with the email {result['contact']!r}")
        surveys.add(s, found[0]["Id"], result["survey"], result.get("answers", {}))
        counts["survey_results"] = counts.get("survey_results", 0) + 1


def seed_automation(s: AppSession, seed_dir: Path, counts: dict) -> None:
    """Email templates, legacy action sets and follow-up sequences, and the example Campaign Builder campaigns
    of sandbox_data/campaigns/ (imported and published)."""

    for template in read(seed_dir, "email_templates.json", []):
        templates.add(s, template)
        counts["email_templates"] = counts.get("email_templates", 0) + 1
    for action_set in read(seed_dir, "action_sets.json", []):
        unknown = [a.get("type") for a in action_set.get("actions", []) if a.get("type") not in legacy.ACTION_NAMES]
        if unknown:
            raise ValueError(f"action_sets.json: {action_set['TemplateName']!r} has an unknown action type "
                             f"{unknown[0]!r} (known: {', '.join(legacy.ACTION_NAMES)})")
        s.insert(schema.action_set, dict(id=s.next_id("action_set"), template_name=action_set["TemplateName"],
                                         visible_to_these_users=action_set.get("VisibleToTheseUsers", "Everyone"),
                                         actions=action_set.get("actions", [])))
        counts["action_sets"] = counts.get("action_sets", 0) + 1
    for sequence in read(seed_dir, "followups.json", []):
        sequence_id = s.next_id("followup_sequence")
        s.insert(schema.followup_sequence, dict(id=sequence_id, name=sequence["Name"],
                                                status=sequence.get("Status", "Active")))
        for position, step in enumerate(sequence.get("steps", [])):
            action = step.get("action") or {}
            template = templates.find(s, action["template"]) if action.get("type") == "email" else None
            s.insert(schema.followup_step, dict(
                id=s.next_id("followup_step"), sequence_id=sequence_id, template_id=template.id if template else 0,
                step_status=step.get("StepStatus", "Active"), step_title=step.get("StepTitle", ""),
                position=position, delay_seconds=parse_duration(step.get("delay", 0)), action=action))
        counts["followup_sequences"] = counts.get("followup_sequences", 0) + 1
    folder = Path(seed_dir) / "campaigns"
    for path in sorted(folder.glob("*.json")) if folder.is_dir() else []:
        doc = document.parse(path.read_text(encoding="utf-8"))
        campaign_id = campaigns.import_document(s, doc).campaign_id
        campaigns.publish(s, campaign_id)
        counts["campaigns"] = counts.get("campaigns", 0) + 1


def _user_columns(data: dict) -> dict:

    user_table = REGISTRY.get("User")
    columns = {user_table.fields[k].column: v for k, v in data.items() if k in user_table.fields}
    # what only merge fields show (~Owner.Fax1~ …): Fax1 → fax1
    columns.update({snake(k): v for k, v in data.items() if snake(k) in schema.USER_MERGE_COLUMNS})
    return columns
