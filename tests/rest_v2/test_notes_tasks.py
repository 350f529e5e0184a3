"""Notes, tasks and task appointments through REST v2, end to end on a live server: every answer is checked
against Keap's contract by the ``v2`` fixture; a note or task written through v2 is the ContactAction row
XML-RPC and REST v1 read, and fires the same ``note.add`` / ``task.add`` REST hooks."""
from __future__ import annotations

from tests.rest.conftest import rest_for
from tests.rest.test_hooks import Receiver, subscribe
from tests.rest_v2.test_companies import custom_field

USER = "1"  # the seeded admin user


def test_notes_of_a_contact_written_by_v2_read_by_every_protocol(v2):
    receiver = Receiver()
    try:
        subscribe(rest_for(v2.app), receiver, "note.add")
        note = v2.ok("POST", "/contacts/6/notes", 201, json={"title": "Call recap", "text": "Talked about goals",
                                                             "type": "Call", "user_id": USER, "is_pinned": True})
        assert note["contact_id"] == "6" and note["assigned_to_user"]["id"] == USER and note["pinned_at"]
        assert note["created_by_user_id"] == USER and note["create_time"].endswith("Z")
        assert v2.ok("GET", f"/contacts/6/notes/{note['id']}") == note
        row = v2.app.call("DataService.load", "ContactAction", int(note["id"]),
                          ["ContactId", "ActionDescription", "CreationNotes", "ActionType", "UserID", "ObjectType"])
        assert row == {"ContactId": 6, "ActionDescription": "Call recap", "CreationNotes": "Talked about goals",
                       "ActionType": "Call", "UserID": 1, "ObjectType": "Note"}
        v1 = rest_for(v2.app).ok("GET", f"/notes/{note['id']}")
        assert v1["title"] == "Call recap" and v1["contact_id"] == 6

        changed = v2.ok("PATCH", f"/contacts/6/notes/{note['id']}", params={"update_mask": "text,is_pinned"},
                        json={"text": "New text", "title": "ignored", "user_id": USER})
        assert changed["text"] == "New text" and changed["title"] == "Call recap" and "pinned_at" not in changed
        moved = v2.ok("PATCH", f"/contacts/6/notes/{note['id']}", json={"contact_id": "7", "user_id": USER})
        assert moved["contact_id"] == "7"
        assert v2.error("GET", f"/contacts/6/notes/{note['id']}", 404)["details"][0]["domain"] == "Note"
        assert note["id"] in [n["id"] for n in v2.ok("GET", "/contacts/7/notes")["notes"]]
        assert v2.delete(f"/contacts/7/notes/{note['id']}").status_code == 204
        assert v2.app.call("DataService.query", "ContactAction", 10, 0, {"Id": int(note["id"])}, ["Id"]) == []

        assert "title" in v2.error("POST", "/contacts/6/notes", 400, json={"text": "x", "user_id": USER})["message"]
        assert "user_id" in v2.error("POST", "/contacts/6/notes", 400, json={"title": "x"})["message"]
        assert "user_id" in v2.error("POST", "/contacts/6/notes", 400, json={"title": "x", "user_id": "999"})[
            "message"]
        assert v2.error("POST", "/contacts/999999/notes", 404, json={"title": "x", "user_id": USER})["code"] == 404
        v2.app.clock(by="6m")
        assert [d["event_key"] for d in receiver.deliveries] == ["note.add"]
    finally:
        receiver.close()


def test_listing_notes_filters_and_templates(v2):
    ids = [v2.app.call("DataService.add", "ContactAction",
                       {"ContactId": 8, "ActionDescription": title, "CreationNotes": "n", "UserID": 1})
           for title in ("Weekly check-in", "Billing call", "Check weights")]
    mine = v2.ok("GET", "/contacts/8/notes")["notes"]
    assert [n["id"] for n in mine if int(n["id"]) in ids] == [str(i) for i in ids]
    titles = lambda page: [n["title"] for n in page["notes"]]  # noqa: E731
    assert titles(v2.ok("GET", "/notes", params={"filter": "title==check;contact_id==8"})) == [
        "Weekly check-in", "Check weights"]  # anywhere in the title
    assert titles(v2.ok("GET", "/notes", params={"filter": "title==check*;contact_id==8"})) == ["Check weights"]
    assert titles(v2.ok("GET", "/notes", params={"filter": f"ids=={ids[0]},{ids[2]}"})) == [
        "Weekly check-in", "Check weights"]
    assert titles(v2.ok("GET", "/notes", params={"filter": f"id>{ids[1]};contact_id==8"})) == ["Check weights"]
    assert v2.ok("GET", "/notes", params={"filter": "assigned_to_user_id==1;contact_id==8",
                                          "order_by": "id desc"})["notes"][0]["id"] == str(ids[2])
    walked = v2.walk("/notes", "notes", page_size=2)
    assert len(walked) == len({n["id"] for n in walked}) >= 3
    [template] = v2.ok("GET", "/notes/templates")["note_templates"]
    assert template["title"] == "Discovery call notes" and template["action_type"] == "Call"
    assert "filter" in v2.error("GET", "/notes", 400, params={"filter": "colour==red"})["message"]


def test_tasks_written_by_v2_read_by_every_protocol(v2):
    receiver = Receiver()
    try:
        subscribe(rest_for(v2.app), receiver, "task.add")
        task = v2.ok("POST", "/tasks", 201, json={
            "title": "Send plan", "description": "Week 1 plan", "type": "Email", "priority": "CRITICAL",
            "due_time": "2030-01-10T15:00:00Z", "assigned_to_user_id": USER, "contact_id": "6"})
        assert task["priority"] == "CRITICAL" and task["completed"] is False
        assert task["due_time"] == "2030-01-10T15:00:00Z" and task["contact_id"] == "6"
        assert v2.ok("GET", f"/tasks/{task['id']}") == task
        row = v2.app.call("DataService.load", "ContactAction", int(task["id"]),
                          ["ActionDescription", "Priority", "UserID", "ContactId", "ObjectType"])
        assert row == {"ActionDescription": "Send plan", "Priority": 1, "UserID": 1, "ContactId": 6,
                       "ObjectType": "Task"}
        v1 = rest_for(v2.app).ok("GET", f"/tasks/{task['id']}")
        assert v1["title"] == "Send plan" and v1["due_date"].startswith("2030-01-10T15:00:00")

        done = v2.ok("PATCH", f"/tasks/{task['id']}", json={"completed": True})
        assert done["completed"] is True and done["completion_time"].endswith("Z")
        assert v2.app.call("DataService.load", "ContactAction", int(task["id"]), ["CompletionDate"])
        masked = v2.ok("PATCH", f"/tasks/{task['id']}", params={"update_mask": "priority,description"},
                       json={"priority": "NONESSENTIAL", "title": "ignored"})
        assert masked["priority"] == "NONESSENTIAL" and "description" not in masked and masked["title"] == "Send plan"

        other = v2.ok("POST", "/tasks", 201, json={"title": "No due date", "assigned_to_user_id": USER})
        titles = lambda page: [t["title"] for t in page["tasks"]]  # noqa: E731
        assert titles(v2.ok("GET", "/tasks", params={"filter": "is_completed==true"})) == ["Send plan"]
        assert "No due date" in titles(v2.ok("GET", "/tasks", params={"filter": "has_due_date==false"}))
        assert titles(v2.ok("GET", "/tasks", params={"filter": "priority==NONESSENTIAL"})) == ["Send plan"]
        assert titles(v2.ok("GET", "/tasks", params={"filter": f"task_ids=={other['id']}"})) == ["No due date"]
        assert titles(v2.ok("GET", "/tasks", params={"filter": "title==send*;contact_id==6"})) == ["Send plan"]
        assert v2.ok("GET", "/tasks", params={"order_by": "due_time desc"})["tasks"][0]["id"] == task["id"]
        assert "filter.priority" in v2.error("GET", "/tasks", 400, params={"filter": "priority==HIGH"})["message"]
        assert "assigned_to_user_id" in v2.error("POST", "/tasks", 400, json={"title": "x"})["message"]

        assert v2.delete(f"/tasks/{task['id']}").status_code == 204
        assert v2.error("GET", f"/tasks/{task['id']}", 404)["status"] == "NOT_FOUND"
        v2.app.clock(by="6m")
        assert {d["event_key"] for d in receiver.deliveries} == {"task.add"}
        assert {k["id"] for d in receiver.deliveries for k in d["object_keys"]} == {int(task["id"]), int(other["id"])}
    finally:
        receiver.close()


def test_task_custom_fields(v2):
    number, name = custom_field(v2.app, "ContactAction", -5, "Call Outcome")
    field_id = str(number)
    task = v2.ok("POST", "/tasks", 201, params={"fields": "custom_fields"}, json={
        "title": "Custom", "assigned_to_user_id": USER, "custom_fields": [{"id": field_id, "content": "Booked"}]})
    assert {"id": field_id, "content": "Booked"} in task["custom_fields"]
    assert v2.app.call("DataService.load", "ContactAction", int(task["id"]), [name]) == {name: "Booked"}
    assert "custom_fields" not in v2.ok("GET", f"/tasks/{task['id']}")


def test_task_appointments_list(v2):
    rest = rest_for(v2.app)
    made = rest.ok("POST", "/appointments", 201, json={"title": "Assessment", "contact_id": 6, "location": "Studio",
                                                   "start_date": "2030-02-01T10:00:00Z",
                                                   "end_date": "2030-02-01T11:00:00Z"})
    listed = v2.ok("GET", "/taskAppointments")["taskAppointments"]
    [mine] = [a for a in listed if a["id"] == str(made["id"])]
    assert mine["start_time"] == "2030-02-01T10:00:00Z" and mine["location"] == "Studio" and mine["contact_id"] == "6"
    later = v2.ok("GET", "/taskAppointments", params={"filter": "start_time>=2030-01-31T00:00:00Z;contact_id==6",
                                                       "order_by": "start_time desc"})["taskAppointments"]
    assert [a["id"] for a in later] == [str(made["id"])]


def test_the_sdk_reads_and_writes_notes_and_tasks(sdk):
    from keap_core_v2_client import NoteApi, TaskApi, TaskAppointmentsApi
    from keap_core_v2_client.models import CreateNoteRequest, CreateTaskRequest, CreateUpdateTaskRequest

    notes = NoteApi(sdk)
    note = notes.create_note("6", CreateNoteRequest(title="SDK note", user_id=USER))
    assert notes.get_note("6", note.id).title == "SDK note"
    assert note.id in [n.id for n in notes.list_notes("6").notes]
    assert note.id in [n.id for n in notes.list_all_notes(filter="title==SDK*").notes]
    assert notes.list_note_templates().note_templates[0].title == "Discovery call notes"
    notes.delete_note("6", note.id)
    tasks = TaskApi(sdk)
    task = tasks.create_task(CreateTaskRequest(title="SDK task", assigned_to_user_id=USER, priority="ESSENTIAL"))
    assert tasks.get_task(task.id).priority == "ESSENTIAL"
    assert tasks.update_task(task.id, CreateUpdateTaskRequest(completed=True)).completed is True
    assert task.id in [t.id for t in tasks.list_tasks(filter="is_completed==true").tasks]
    tasks.delete_task(task.id)
    assert TaskAppointmentsApi(sdk).list_appointments().task_appointments is not None
