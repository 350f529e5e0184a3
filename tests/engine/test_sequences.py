"""Sequence items and the path rules of seed 001, through a live server."""
from __future__ import annotations

import csv
import io

from tests.engine.test_goals import email

GO = {"key": "go", "type": "api_call", "call_name": "go"}


def one_sequence(*items, name="Rules", **extra) -> dict:
    return {"name": name, "goals": [GO], "sequences": [{"key": "s", "items": list(items)}], "links": [["go", "s"]],
            **extra}


def go(app, campaigns, email_address="rules@example.com", **fields) -> int:
    cid = campaigns.contact(email_address, **fields)
    app.call("FunnelService.achieveGoal", app.name, "go", cid)
    return cid


def subjects(campaigns, cid):
    return [m["subject"] for m in campaigns.outbox(contact_id=cid)]


def test_drafts_are_skipped_unconfigured_timers_block_and_timers_add_up(app, campaigns):
    app.clock(time="2026-03-02T08:00:00", frozen=True)
    created = campaigns.load(one_sequence(
        email("first"), dict(email("draft"), ready=False), email("second"),
        {"type": "delay_timer", "wait": 1, "unit": "days"}, {"type": "delay_timer", "wait": 2, "unit": "hours"},
        email("after 1d+2h"), {"type": "delay_timer"}, email("never")))
    cid = go(app, campaigns)
    assert subjects(campaigns, cid) == ["first", "second"]  # no timer between: at once; the draft skipped
    app.clock(time="2026-03-03T01:59:00")  # 1 day = the next calendar date (00:00), then + 2 hours
    assert subjects(campaigns, cid) == ["first", "second"]
    app.clock(time="2026-03-03T02:00:00")
    assert subjects(campaigns, cid) == ["first", "second", "after 1d+2h"]
    app.clock(by="30d")
    assert subjects(campaigns, cid) == ["first", "second", "after 1d+2h"]  # behind an unconfigured timer
    report = campaigns.report(created["id"])
    items = {i["name"] or i["type"]: i for i in report["sequences"][0]["items"]}
    assert items["draft"]["skipped"] == 1 and items["first"]["done"] == 1
    [waiting] = [i for i in report["sequences"][0]["items"] if i["waiting"]]
    assert waiting["type"] == "delay_timer" and report["sequences"][0]["active"] == 1


def test_delay_timer_on_weekdays_at_a_time_of_day(app, campaigns):
    app.clock(time="2026-03-06T09:00:00", frozen=True)  # a Friday
    campaigns.load(one_sequence({"type": "delay_timer", "wait": 3, "unit": "days", "at": "08:00", "weekdays": True},
                                email("monday")))
    cid = go(app, campaigns)
    app.clock(time="2026-03-09T07:59:00")
    assert subjects(campaigns, cid) == []
    app.clock(time="2026-03-09T08:00:00")
    [m] = campaigns.outbox(contact_id=cid)
    assert m["sent_date"] == "2026-03-09T08:00:00"


def test_a_passed_date_timer_jumps_to_the_next_live_timer_or_out(app, campaigns):
    app.clock(time="2026-03-02T08:00:00", frozen=True)
    created = campaigns.load(one_sequence(
        {"type": "date_timer", "date": "2026-01-01"}, email("skipped, the date passed"),
        {"type": "date_timer", "date": "2026-03-10", "at": "12:00"}, email("on the tenth"),
        {"type": "date_timer", "date": "2026-03-01"}, email("never")))
    cid = go(app, campaigns)
    assert subjects(campaigns, cid) == []
    app.clock(time="2026-03-10T12:00:00")
    assert subjects(campaigns, cid) == ["on the tenth"]
    [enrollment] = campaigns.enrollments(contact_id=cid, campaign_id=created["id"])
    assert enrollment["state"] == "fell_out"


def test_field_timer_on_the_birthday_every_year(app, campaigns):
    """The seeded Birthday club campaign: tag Newsletter, then an email at 9am on each birthday."""
    app.clock(time="2026-03-02T08:00:00", frozen=True)
    [newsletter] = app.call("DataService.query", "ContactGroup", 10, 0, {"GroupName": "Newsletter"}, ["Id"])
    cid = campaigns.contact("bday@example.com", FirstName="Bea", Birthday="1990-03-05")
    app.call("ContactService.addToGroup", cid, newsletter["Id"])
    app.clock(time="2026-03-05T08:59:00")
    assert subjects(campaigns, cid) == []
    app.clock(time="2026-03-05T09:00:00")
    assert subjects(campaigns, cid) == ["Happy birthday, Bea!"]
    app.clock(time="2027-03-05T10:00:00")
    messages = campaigns.outbox(contact_id=cid)
    assert [m["sent_date"] for m in messages] == ["2026-03-05T09:00:00", "2027-03-05T09:00:00"]


def test_set_field_overwrite_only_if_blank_and_today(app, campaigns):
    app.clock(time="2026-03-02T08:00:00", frozen=True)
    campaigns.load(one_sequence(
        {"type": "set_field", "field": "JobTitle", "value": "Runner"},
        {"type": "set_field", "field": "Website", "value": "https://kept.example.com", "mode": "if_blank"},
        {"type": "set_field", "field": "Anniversary", "value": "today"},
        {"type": "set_field", "field": "_ReferralCode", "value": "~Contact.FirstName~"}))
    cid = go(app, campaigns, FirstName="Cy", JobTitle="Walker", Website="https://mine.example.com")
    row = app.call("ContactService.load", cid, ["JobTitle", "Website", "Anniversary", "_ReferralCode"])
    assert row["JobTitle"] == "Runner" and row["Website"] == "https://mine.example.com"
    assert str(row["Anniversary"]) == "20260302T00:00:00"
    assert row["_ReferralCode"] == "~Contact.FirstName~"  # merge fields do not work in Set Field Value


def test_publishing_refuses_what_the_builder_refuses(app, campaigns):
    r = campaigns.control("POST", "/campaigns", params={"publish": "1"}, json=one_sequence(
        {"type": "set_field", "field": "Email", "value": "x@example.com"},
        {"type": "delay_timer", "wait": 1, "unit": "days"}, {"type": "date_timer", "date": "2027-01-01"},
        {"type": "http_post", "url": "http://hooks.example.com:8080/x", "fields": [["id", "~Contact.Id~"]]},
        {"type": "email", "subject": "~Contact.NoSuchField~"}))
    assert r.status_code == 400
    problems = " | ".join(r.json()["problems"])
    assert "cannot change Email" in problems and "only one type of timer" in problems
    assert "ports 80 and 443" in problems and "NoSuchField" in problems


def test_tasks_appointments_notes_owner_round_robin(app, campaigns):
    app.clock(time="2026-03-02T08:00:00", frozen=True)
    created = campaigns.load({
        "name": "Sales", "goals": [GO, {"key": "done", "type": "task_completed", "task": "call"}],
        "sequences": [
            {"key": "s", "items": [
                {"type": "assign_owner", "round_robin": ["morgan.reyes@example.com", "devin.okafor@example.com"]},
                {"key": "call", "type": "task", "title": "Call ~Contact.FirstName~", "due_in_days": 2},
                {"type": "appointment", "title": "Intro session", "offset_days": 3, "at": "10:00",
                 "duration_minutes": 45},
                {"type": "note", "title": "Entered the sales campaign", "body": "From the API goal"}]},
            {"key": "after", "items": [email("thanks for the call")]}],
        "links": [["go", "s"], ["s", "done"], ["done", "after"]]})
    first = go(app, campaigns, "rr1@example.com", FirstName="Di")
    second = go(app, campaigns, "rr2@example.com", FirstName="Ed")
    owners = [app.call("ContactService.load", c, ["OwnerID"])["OwnerID"] for c in (first, second)]
    assert owners == [1, 2]
    actions = app.call("DataService.query", "ContactAction", 100, 0, {"ContactId": first},
                       ["Id", "ObjectType", "ActionDescription", "ActionDate", "EndDate", "UserID"])
    by_type = {a["ObjectType"]: a for a in actions}
    assert by_type["Task"]["ActionDescription"] == "Call Di" and by_type["Task"]["UserID"] == 1
    assert str(by_type["Appointment"]["ActionDate"]) == "20260305T10:00:00"
    assert str(by_type["Appointment"]["EndDate"]) == "20260305T10:45:00"
    assert by_type["Note"]["ActionDescription"] == "Entered the sales campaign"
    app.call("DataService.update", "ContactAction", by_type["Task"]["Id"], {"CompletionDate": "2026-03-02 09:00:00"})
    assert subjects(campaigns, first) == ["thanks for the call"]  # the task-completed goal
    assert subjects(campaigns, second) == []
    assert campaigns.report(created["id"])["goals"][1]["achieved"] == 1


def test_fulfillment_list_queues_until_enough_rows_and_is_downloadable(app, campaigns):
    campaigns.load(one_sequence({"type": "fulfillment_list", "name": "Kits", "fields": ["FirstName", "City"],
                                 "deliver_to": {"email": "warehouse@example.com"}, "queue": {"min_rows": 2}}))
    go(app, campaigns, "k1@example.com", FirstName="Flo", City="Lyons")
    assert campaigns.control("GET", "/fulfillment").json()["jobs"] == []
    go(app, campaigns, "k2@example.com", FirstName="Gus", City="Ouray")
    [job] = campaigns.control("GET", "/fulfillment").json()["jobs"]
    assert job["row_count"] == 2 and job["status"] == "delivered"
    r = campaigns.control("GET", f"/fulfillment/{job['id']}.csv")
    assert list(csv.reader(io.StringIO(r.text))) == [["FirstName", "City"], ["Flo", "Lyons"], ["Gus", "Ouray"]]
    [sent] = [m for m in campaigns.outbox() if m["to_address"] == "warehouse@example.com"]
    assert "Kits.csv" in sent["text_body"]  # seed 001: "automatically attached to the email (.csv file type)"
    assert sent["attachments"] == [{"index": 0, "file_name": "Kits.csv", "content_type": "text/csv",
                                    "size": len(r.content)}]
    attached = campaigns.control("GET", f"/outbox/{sent['id']}/attachments/0")
    assert attached.status_code == 200 and attached.content == r.content
    assert attached.headers["Content-Type"].startswith("text/csv")
    assert 'filename="Kits.csv"' in attached.headers["Content-Disposition"]
    assert campaigns.control("GET", f"/outbox/{sent['id']}/attachments/1").status_code == 404
    assert campaigns.control("GET", "/outbox/999999/attachments/0").status_code == 404
    assert all(m["attachments"] == [] for m in campaigns.outbox() if m["id"] != sent["id"])


def test_the_seeded_api_goal_campaign_routes_and_converts(app, campaigns):
    app.clock(time="2026-03-02T08:00:00", frozen=True)
    [corporate] = app.call("DataService.query", "ContactGroup", 10, 0, {"GroupName": "Corporate Wellness"}, ["Id"])
    cid = campaigns.contact("trial@example.com", FirstName="Hal")
    app.call("ContactService.addToGroup", cid, corporate["Id"])
    [started] = app.call("FunnelService.achieveGoal", "sandbox", "trial_started", cid)
    assert started["success"] is True
    assert subjects(campaigns, cid) == ["Your team's 14 days trial"]  # the corporate branch, a campaign merge field
    [converted] = app.call("FunnelService.achieveGoal", "sandbox", "trial_converted", cid)
    assert [f["success"] for f in converted["flowStop"]] == [True]
    app.clock(by="8d")
    assert subjects(campaigns, cid) == ["Your team's 14 days trial", "Welcome aboard, Hal!"]


def test_lead_score_goal_and_a_legacy_action_set_item(app, campaigns):
    campaigns.load({
        "name": "Hot leads",
        "goals": [{"key": "hot", "type": "lead_score_reached", "score": 3}],
        "sequences": [{"key": "s", "items": [{"type": "action_set", "action_set": "Nurture signup"}]}],
        "links": [["hot", "s"]]})
    cid = campaigns.contact("score@example.com")
    set_score = lambda n: campaigns.control("POST", f"/contacts/{cid}/lead-score", json={"score": n})  # noqa: E731
    assert set_score(2).status_code == 200
    groups = lambda: app.call("ContactService.load", cid, ["Groups"]).get("Groups", "")  # noqa: E731
    assert groups() == ""
    assert set_score(4).json()["previous"] == 2  # crossed 3 upward: the goal
    [nurture] = app.call("DataService.query", "ContactGroup", 10, 0, {"GroupName": "Nurture Subscriber"}, ["Id"])
    assert str(nurture["Id"]) in groups().split(",")
    assert campaigns.control("POST", "/contacts/999999/lead-score", json={"score": 1}).status_code == 404


def test_add_to_customerhub_creates_the_contacts_login(app, campaigns):
    """Seed 001: "Add to CustomerHub: Creates the Contact's login information (Username and Password)"; a contact
    who already has a Username (a member) keeps it, and the welcome in the outbox merges both."""
    campaigns.load(one_sequence({"type": "customerhub", "name": "Welcome to the hub",
                                 "body": "Log in as ~Contact.Username~ with ~Contact.Password~"}))
    cid = go(app, campaigns, "hubby@example.com")
    login = app.call("ContactService.load", cid, ["Username", "Password"])
    assert login["Username"] == "hubby@example.com" and len(login["Password"]) >= 12
    [welcome] = [m for m in campaigns.outbox(contact_id=cid) if m["kind"] == "customerhub"]
    assert welcome["text_body"] == f"Log in as hubby@example.com with {login['Password']}"

    member = campaigns.contact("member@example.com", Username="already", Password="secret")
    app.call("FunnelService.achieveGoal", app.name, "go", member)
    assert app.call("ContactService.load", member, ["Username", "Password"]) == {"Username": "already",
                                                                               "Password": "secret"}
    no_email = app.call("ContactService.add", {"FirstName": "Nomail"})
    app.call("FunnelService.achieveGoal", app.name, "go", no_email)
    assert app.call("ContactService.load", no_email, ["Username"]) == {"Username": f"contact{no_email}"}


def test_the_subject_preview_line_or_the_first_words(app, campaigns):
    """Seed 000: the subject preview line "appears in the recipient's inbox, directly under the email subject.
    You can add different text or we will automatically include the first few words from your email message"."""
    long = "Welcome aboard! " + " ".join(f"word{i}" for i in range(40))
    campaigns.load(one_sequence(
        {"type": "email", "name": "with", "subject": "Hi", "html": "<p>Body &amp; more</p>",
         "preview": "Your week, ~Contact.FirstName~ & co"},
        {"type": "email", "name": "without", "subject": "Hello", "html": f"<h1>Hi</h1><p>{long}</p>"},
        {"type": "email", "name": "text", "subject": "Plain", "text": "Short and plain.",
         "preview": "ignored: a text email has no HTML to carry it"}))
    cid = go(app, campaigns, "preview@example.com", FirstName="Tess")
    given, first_words, plain = campaigns.outbox(contact_id=cid)
    assert given["preview"] == "Your week, Tess & co"
    assert given["html_body"].startswith('<div data-preview style="display:none')
    assert "<p>Body &amp; more</p>" in given["html_body"]
    assert first_words["preview"].startswith("Hi Welcome aboard! word0 word1")
    assert len(first_words["preview"]) <= 90 and first_words["preview"].endswith(("0", "1", "2", "3", "4", "5",
                                                                                 "6", "7", "8", "9"))
    assert plain["preview"].startswith("Short and plain. ") and plain["html_body"] is None  # then the footer


def test_a_round_robin_of_the_account_is_shared_by_every_item_naming_it(app, campaigns):
    """Seed 001: "Round robins are created outside of the campaign builder (CRM>Settings>Round Robins)", "a set of
    distribution rules based on numeric logic": one round robin, its turns shared by an Assign Owner item and a
    Create Opportunity item of two campaigns, Morgan taking two turns in a row for Devin's one."""
    put = campaigns.control("PUT", "/round-robins/Sales floor", json={"users": [
        {"user": "morgan.reyes@example.com", "weight": 2}, {"user": 2}]})
    assert put.status_code == 200, put.text
    assert put.json() == {"name": "Sales floor", "next_user_id": 1,
                          "users": [{"user_id": 1, "weight": 2}, {"user_id": 2, "weight": 1}]}
    owner = {"name": "Owners", "goals": [{"key": "own", "type": "api_call", "call_name": "own"}],
             "sequences": [{"key": "s", "items": [{"type": "assign_owner", "round_robin": "Sales floor"}]}],
             "links": [["own", "s"]]}
    deal = {"name": "Deals", "goals": [{"key": "deal", "type": "api_call", "call_name": "deal"}],
            "sequences": [{"key": "s", "items": [{"type": "create_opportunity", "title": "Deal",
                                                  "stage": "New Lead", "round_robin": "Sales floor"}]}],
            "links": [["deal", "s"]]}
    campaigns.load(owner)
    campaigns.load(deal)
    turns = []
    for n, goal in enumerate(["own", "deal", "own", "deal", "own", "deal"]):
        cid = campaigns.contact(f"turn{n}@example.com")
        app.call("FunnelService.achieveGoal", app.name, goal, cid)
        if goal == "own":
            turns.append(app.call("ContactService.load", cid, ["OwnerID"])["OwnerID"])
        else:
            [lead] = app.call("DataService.query", "Lead", 1, 0, {"ContactID": cid}, ["UserID"])
            turns.append(lead["UserID"])
    assert turns == [1, 1, 2, 1, 1, 2]  # one counter across both items, two turns for Morgan
    assert campaigns.control("GET", "/round-robins").json()["round_robins"][0]["next_user_id"] == 1

    unknown = campaigns.control("POST", "/campaigns", json={**owner, "sequences": [{"key": "s", "items": [
        {"type": "assign_owner", "round_robin": "Nobody"}]}]}, params={"publish": "1"})
    assert unknown.status_code == 400 and "no round robin 'Nobody'" in " ".join(unknown.json()["problems"])
    bad_user = campaigns.control("PUT", "/round-robins/Odd", json={"users": [{"user": "nobody@example.com"}]})
    assert bad_user.status_code == 400 and bad_user.json()["fields"][0]["field"] == "users.0.user"
    assert campaigns.control("PUT", "/round-robins/Odd", json={"users": [{"user": 1, "weight": 0}]}).status_code == 400
    assert campaigns.control("PUT", "/round-robins/Odd", json={"users": []}).status_code == 400

    assert campaigns.control("DELETE", "/round-robins/Sales floor").status_code == 204
    assert campaigns.control("DELETE", "/round-robins/Sales floor").status_code == 404
    cid = campaigns.contact("orphan@example.com")
    app.call("FunnelService.achieveGoal", app.name, "own", cid)  # the item fails, saying why
    assert app.call("ContactService.load", cid, ["OwnerID"]).get("OwnerID") in (None, 0)
    # defined again under the same name: the published items that name it use it
    assert campaigns.control("PUT", "/round-robins/Sales floor", json={"users": [{"user": 2}]}).status_code == 200
    cid = campaigns.contact("adopted@example.com")
    app.call("FunnelService.achieveGoal", app.name, "own", cid)
    assert app.call("ContactService.load", cid, ["OwnerID"]) == {"OwnerID": 2}


def test_an_attachment_named_beyond_ascii_or_with_quotes_downloads(app, campaigns):
    """A file name with a quote or beyond Latin-1 is no valid header as it is: the download names it in
    ``filename*`` (RFC 6266), with an ASCII ``filename`` beside it."""
    from urllib.parse import unquote

    name = 'Orders "Q1" — 日本'
    campaigns.load(one_sequence({"type": "fulfillment_list", "name": name, "fields": ["FirstName"],
                                 "deliver_to": {"email": "warehouse@example.com"}}))
    go(app, campaigns, "q1@example.com", FirstName="Flo")
    [sent] = [m for m in campaigns.outbox() if m["to_address"] == "warehouse@example.com"]
    got = campaigns.control("GET", f"/outbox/{sent['id']}/attachments/0")
    assert got.status_code == 200 and got.text.splitlines() == ["FirstName", "Flo"]
    disposition = got.headers["Content-Disposition"]
    assert 'filename="Orders _Q1_ _ __.csv"' in disposition
    assert unquote(disposition.split("filename*=UTF-8''", 1)[1]) == f"{name}.csv"
    [job] = campaigns.control("GET", "/fulfillment").json()["jobs"]
    assert campaigns.control("GET", f"/fulfillment/{job['id']}.csv").status_code == 200
