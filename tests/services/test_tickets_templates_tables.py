"""ServiceCallService, ContactService's activity-history templates, and the remaining tables (lead sources
and their expenses, user groups, legacy statuses, social accounts, mortgage leads) with their access."""
from __future__ import annotations

import xmlrpc.client
from datetime import datetime, timedelta

import pytest

from tests.conftest import fault_of


def _stages(app) -> dict[str, int]:
    rows = app.call("DataService.query", "TicketStage", 10, 0, {}, ["Id", "StageName"])
    return {r["StageName"]: r["Id"] for r in rows}


def _events(app, type_):
    events = app.live.control("GET", f"/apps/{app.name}/events?limit=1000").json()["events"]
    return [e for e in events if e["type"] == type_]


def test_move_tickets_between_stages(app):
    stages = _stages(app)
    tickets = app.call("DataService.query", "Ticket", 10, 0, {}, ["Id", "Stage", "TicketTitle", "TicketTypeId"])
    assert [t["TicketTitle"] for t in tickets] == ["Double charge in March", "Move Thursday session"]
    first, second = tickets[0]["Id"], tickets[1]["Id"]
    assert app.call("ServiceCallService.moveTicketStage", first, stages["In Progress"], "Looking into it", "1") is True
    assert app.call("DataService.load", "Ticket", first, ["Stage"]) == {"Stage": stages["In Progress"]}
    assert app.call("ServiceCallService.addMoveNotes", [first, second], "Resolved", stages["Closed"], 2) is True
    assert [t["Stage"] for t in app.call("DataService.query", "Ticket", 10, 0, {}, ["Stage"])] == [stages["Closed"]] * 2
    moves = _events(app, "ticket.stage_moved")
    assert [(m["entity_id"], m["payload"]["to_stage_id"]) for m in moves] == [
        (first, stages["In Progress"]), (first, stages["Closed"]), (second, stages["Closed"])]
    assert all(m["payload"]["contact_id"] for m in moves)
    with pytest.raises(xmlrpc.client.Fault) as exc:
        app.call("ServiceCallService.moveTicketStage", 999, stages["Closed"], "", "")
    assert fault_of(exc) == (5, "[RecordNotFound]Record not found for Id:999")
    with pytest.raises(xmlrpc.client.Fault) as exc:
        app.call("ServiceCallService.addMoveNotes", [first], "", 999, "")
    assert fault_of(exc)[0] == 5
    ticket = app.call("DataService.add", "Ticket", {"ContactId": 3, "TicketTitle": "New one", "Stage": stages["New"]})
    assert app.call("DataService.delete", "Ticket", ticket) is True
    with pytest.raises(xmlrpc.client.Fault) as exc:
        app.call("DataService.add", "TicketStage", {"StageName": "x"})
    assert fault_of(exc)[0] == 7


def test_activity_history_templates(app):
    app.clock(action="set", time="2026-06-01T09:00:00", frozen=True)
    templates = app.call("ContactService.getActivityHistoryTemplateMap")
    assert list(templates.values()) == ["Discovery call notes", "Follow up in 3 days", "Assessment session"]
    ids = {name: int(i) for i, name in templates.items()}
    cid = app.call("ContactService.add", {"FirstName": "Temp", "LastName": "Plate"})
    note = app.call("ContactService.applyActivityHistoryTemplate", cid, ids["Discovery call notes"], 2)
    task = app.call("ContactService.applyActivityHistoryTemplate", cid, ids["Follow up in 3 days"], 2)
    appt = app.call("ContactService.applyActivityHistoryTemplate", cid, ids["Assessment session"], 1)
    fields = ["ContactId", "ObjectType", "ActionDescription", "ActionDate", "EndDate", "UserID", "CreationNotes"]
    assert app.call("DataService.load", "ContactAction", note, fields) == {
        "ContactId": cid, "ObjectType": "Note", "ActionDescription": "Discovery call", "UserID": 2,
        "CreationNotes": "Goals:\nCurrent routine:\nInjuries or limits:\nNext step:"}
    loaded = app.call("DataService.load", "ContactAction", task, fields)
    assert loaded["ObjectType"] == "Task" and loaded["ActionDate"] == datetime(2026, 6, 4, 9, 0)
    loaded = app.call("DataService.load", "ContactAction", appt, fields)
    assert loaded["ObjectType"] == "Appointment" and loaded["ActionDate"] == datetime(2026, 6, 8, 9, 0)
    assert loaded["EndDate"] == datetime(2026, 6, 8, 9, 0) + timedelta(hours=1)
    assert "BEGIN:VEVENT" in app.call("DataService.getAppointmentICal", appt)
    applied = _events(app, "note.template_applied")
    assert [(e["payload"]["contact_id"], e["payload"]["template_id"], e["payload"]["action_id"]) for e in applied] == [
        (cid, ids["Discovery call notes"], note), (cid, ids["Follow up in 3 days"], task),
        (cid, ids["Assessment session"], appt)]
    assert {"note.added", "task.added", "appointment.added"} <= {e["type"] for e in _events(app, "note.added")
                                                                 + _events(app, "task.added")
                                                                 + _events(app, "appointment.added")}
    with pytest.raises(xmlrpc.client.Fault) as exc:
        app.call("ContactService.applyActivityHistoryTemplate", cid, 999, 1)
    assert fault_of(exc) == (5, "[RecordNotFound]Record not found for Id:999")
    with pytest.raises(xmlrpc.client.Fault) as exc:
        app.call("ContactService.applyActivityHistoryTemplate", 999999, ids["Discovery call notes"], 1)
    assert fault_of(exc)[1].endswith("contactId must be a valid id")


def test_lead_source_expenses_show_as_expenses(app):
    sources = app.call("DataService.query", "LeadSource", 10, 0, {}, ["Id", "Name", "LeadSourceCategoryId"])
    assert [s["Name"] for s in sources] == ["Google Ads", "Corporate Partner", "Trail Run Meetup"]
    google = sources[0]["Id"]
    seeded = app.call("DataService.query", "Expense", 10, 0, {"TypeId": google}, ["ExpenseAmt", "ExpenseType"])
    assert seeded == [{"ExpenseAmt": 450.0, "ExpenseType": "LeadSource"},
                      {"ExpenseAmt": 520.0, "ExpenseType": "LeadSource"}]
    new = app.call("DataService.add", "LeadSourceExpense", {"LeadSourceId": google, "Title": "March", "Amount": 610.5,
                                                             "DateIncurred": "2026-03-31"})
    assert app.call("DataService.count", "Expense", {"TypeId": google}) == 3
    app.call("DataService.update", "LeadSourceExpense", new, {"Amount": 600.0})
    assert app.call("DataService.query", "Expense", 10, 0, {"ExpenseAmt": 600.0}, ["TypeId", "DateIncurred"]) == [
        {"TypeId": google, "DateIncurred": datetime(2026, 3, 31)}]
    assert app.call("DataService.delete", "LeadSourceExpense", new) is True
    assert app.call("DataService.count", "Expense", {"TypeId": google}) == 2
    recurring = app.call("DataService.query", "LeadSourceRecurringExpense", 10, 0, {}, ["Title", "Amount"])
    assert recurring == [{"Title": "Monthly ads budget", "Amount": 500.0}]
    cat = app.call("DataService.add", "LeadSourceCategory", {"Name": "Print", "Description": "Flyers"})
    assert app.call("DataService.update", "LeadSource", google, {"LeadSourceCategoryId": cat}) == google
    with pytest.raises(xmlrpc.client.Fault) as exc:  # LeadSource is EAR: no delete
        app.call("DataService.delete", "LeadSource", google)
    assert fault_of(exc)[0] == 7
    with pytest.raises(xmlrpc.client.Fault) as exc:
        app.call("DataService.add", "Expense", {"ExpenseAmt": 1.0})
    assert fault_of(exc)[0] == 7


def test_read_only_tables(app):
    groups = app.call("DataService.query", "UserGroup", 10, 0, {}, ["Id", "Name", "OwnerId"])
    assert [g["Name"] for g in groups] == ["Coaches", "Front Desk"]
    members = app.call("DataService.query", "GroupAssign", 10, 0, {"GroupId": groups[0]["Id"]}, ["UserId", "Admin"])
    assert members == [{"UserId": 1, "Admin": 1}, {"UserId": 2, "Admin": 0}]
    assert [s["StatusName"] for s in app.call("DataService.query", "Status", 10, 0, {}, ["StatusName"])] == [
        "Open", "Won", "Lost"]
    accounts = app.call("DataService.query", "SocialAccount", 10, 0, {"AccountType": "Instagram"},
                        ["AccountName", "ContactId", "DateCreated"])
    assert accounts[0]["AccountName"] == "avakim.runs" and accounts[0]["ContactId"]
    assert app.call("DataService.query", "MtgLead", 10, 0, {}, ["Id"]) == []
    assert len(app.call("DataService.query", "TicketType", 10, 0, {}, ["Label", "CategoryId"])) == 3
    for table, values in (("UserGroup", {"Name": "x"}), ("GroupAssign", {"UserId": 1}), ("Status", {"StatusName": "x"}),
                          ("SocialAccount", {"AccountName": "x"}), ("MtgLead", {"FundingDate": "2026-01-01"}),
                          ("TicketType", {"Label": "x"})):
        with pytest.raises(xmlrpc.client.Fault) as exc:
            app.call("DataService.add", table, values)
        assert fault_of(exc)[0] == 7, table
