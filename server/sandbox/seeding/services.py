"""Seeding sandbox_data/services.json: user groups, saved searches, affiliates (programs, resources, redirect
links, referrals, commissions and payouts), web forms, lead sources and their expenses, legacy statuses,
the ticket system, note/task/appointment templates and social accounts. Records refer to users, contacts,
tags and each other by email, code or name. No files are seeded: new apps are copied from a seeded
template row by row, and file bytes live on disk."""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa

from server.domain.affiliates import programs
from server.domain.crm import activity_templates, tags, webforms
from server.domain.data import records, searches
from server.store import schema
from server.store.session import AppSession


def _by_email(s: AppSession, table, email: str) -> int:
    row = s.execute(s.select(table, table.c.id).where(sa.func.lower(table.c.email) == email.lower())
                    .order_by(table.c.id).limit(1)).first()
    if row is None:
        raise ValueError(f"services.json: nobody has the email {email!r}")
    return row.id


def _user(s, email):
    return _by_email(s, schema.user, email)


def _contact(s, email):
    return _by_email(s, schema.contact, email)


def _date(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


def _tag_ids(s: AppSession, names: list[str]) -> list[int]:
    out = []
    for name in names:
        tag = tags.find_tag(s, name)
        if tag is None:
            raise ValueError(f"services.json: unknown tag {name!r}")
        out.append(tag.id)
    return out


def seed_services(s: AppSession, data: dict, counts: dict) -> None:
    def count(name, n=1):
        counts[name] = counts.get(name, 0) + n

    for group in data.get("user_groups", []):
        group_id = s.next_id("user_group")
        s.insert(schema.user_group, dict(id=group_id, name=group["Name"], owner_id=_user(s, group["owner"])))
        for member in group.get("members", []):
            s.insert(schema.group_assign, dict(id=s.next_id("group_assign"), user_id=_user(s, member["user"]),
                                               group_id=group_id, admin=int(member.get("admin", 0))))
        count("user_groups")

    for search in data.get("saved_searches", []):
        criteria = dict(search.get("criteria", {}))
        if search.get("tags"):
            criteria["tag_ids"] = _tag_ids(s, search["tags"])
        searches.add_saved_search(s, search["FilterName"], [_user(s, u) for u in search["users"]],
                                  report=search.get("report", "contact"), criteria=criteria, columns=search["columns"])
        count("saved_searches")

    program_ids = {p["name"]: programs.add_program(s, p["name"], p.get("notes", ""), p.get("priority", 0))
                   for p in data.get("affiliate_programs", [])}
    aff_ids: dict[str, int] = {}
    for aff in data.get("affiliates", []):
        values = {k: v for k, v in aff.items() if k not in ("contact", "programs")}
        values["ContactId"] = _contact(s, aff["contact"])
        aff_ids[aff["AffCode"]] = records.add(s, "Affiliate", values)
        for name in aff.get("programs", []):
            programs.join_program(s, aff_ids[aff["AffCode"]], program_ids[name])
        count("affiliates")
    for res in data.get("affiliate_resources", []):
        values = {k: v for k, v in res.items() if k != "programs"}
        values["ProgramIds"] = ",".join(str(program_ids[p]) for p in res.get("programs", []))
        records.add(s, "AffResource", values)
    for link in data.get("affiliate_redirects", []):
        programs.add_redirect(s, link["name"], link["code"], link["url"],
                              affiliate_id=aff_ids.get(link.get("affiliate"), 0),
                              program_ids=[program_ids[p] for p in link.get("programs", [])])
    for ref in data.get("referrals", []):
        records.add(s, "Referral", {"ContactId": _contact(s, ref["contact"]), "AffiliateId": aff_ids[ref["affiliate"]],
                                    "DateSet": ref["DateSet"], "Source": ref.get("Source", ""),
                                    "IPAddress": ref.get("IPAddress", ""), "Info": ref.get("Info", ""), "Type": 0})
    for entry in data.get("affiliate_ledger", []):
        s.insert(schema.affiliate_ledger, dict(
            id=s.next_id("affiliate_ledger"), affiliate_id=aff_ids[entry["affiliate"]], kind=entry["kind"],
            amount=float(entry["amount"]), date_earned=_date(entry["date"]),
            contact_id=_contact(s, entry["contact"]) if entry.get("contact") else None,
            invoice_id=entry.get("invoice_id"), product_name=entry.get("product_name"),
            description=entry.get("description", ""), commission_type=entry.get("commission_type"),
            sale_affiliate_id=aff_ids.get(entry.get("sale_affiliate")), payout_type=entry.get("payout_type")))

    for form in data.get("webforms", []):
        webforms.add_form(s, form["name"], form["fields"], kind=form.get("kind", "web"), title=form.get("title"),
                          tag_ids=_tag_ids(s, form.get("tags", [])), opt_in=form.get("opt_in", True),
                          submit_label=form.get("submit_label"), thank_you_url=form.get("thank_you_url"))
        count("webforms")

    categories = {c["Name"]: records.add(s, "LeadSourceCategory", c) for c in data.get("lead_source_categories", [])}
    for source in data.get("lead_sources", []):
        values = {k: v for k, v in source.items() if k not in ("category", "expenses", "recurring")}
        values["LeadSourceCategoryId"] = categories.get(source.get("category"), 0)
        source_id = records.add(s, "LeadSource", values)
        for rec in source.get("recurring", []):
            records.add(s, "LeadSourceRecurringExpense", dict(rec, LeadSourceId=source_id))
        for expense in source.get("expenses", []):
            records.add(s, "LeadSourceExpense", dict(expense, LeadSourceId=source_id))
        count("lead_sources")

    for status in data.get("statuses", []):
        s.insert(schema.opportunity_status, dict(id=s.next_id("opportunity_status"), status_name=status["StatusName"],
                                                 status_order=status["StatusOrder"],
                                                 target_num_days=status["TargetNumDays"]))
    types = {}
    for t in data.get("ticket_types", []):
        types[t["Label"]] = s.next_id("ticket_type")
        s.insert(schema.ticket_type, dict(id=types[t["Label"]], category_id=t["CategoryId"], label=t["Label"]))
    stages = {}
    for name in data.get("ticket_stages", []):
        stages[name] = s.next_id("ticket_stage")
        s.insert(schema.ticket_stage, dict(id=stages[name], stage_name=name))
    for ticket in data.get("tickets", []):
        user_id = _user(s, ticket["user"])
        records.add(s, "Ticket", {
            "ContactId": _contact(s, ticket["contact"]), "UserId": user_id, "CreatedBy": user_id,
            "TicketTitle": ticket["TicketTitle"], "TicketTypeId": types[ticket["type"]],
            "Stage": stages[ticket["stage"]], "Priority": ticket.get("Priority", 1),
            "Summary": ticket.get("Summary", ""), "DateInStage": s.now_local()})
        count("tickets")

    for template in data.get("activity_templates", []):
        activity_templates.add_template(s, template["name"], template.get("kind", "Note"),
                                        action_type=template.get("action_type"),
                                        description=template.get("description"), notes=template.get("notes"),
                                        due_in_days=template.get("due_in_days"),
                                        duration_minutes=template.get("duration_minutes"),
                                        priority=template.get("priority"))
    now = s.now_local()
    for account in data.get("social_accounts", []):
        s.insert(schema.social_account, dict(id=s.next_id("social_account"), contact_id=_contact(s, account["contact"]),
                                             account_type=account["AccountType"], account_name=account["AccountName"],
                                             date_created=now, last_updated=now))
