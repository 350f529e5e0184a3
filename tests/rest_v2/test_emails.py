"""Emails and email addresses through REST v2 on a live server (every answer checked against Keap's contract by
the ``v2`` fixture): sends land in the sandbox outbox as APIEmailService's do, records are v1's email history,
opt-in status is the one XML-RPC reads."""
from __future__ import annotations

import base64

from tests.engine.test_email_service import TEMPLATE
from tests.rest.conftest import rest_for


def b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def _outbox(v2, **params) -> list[dict]:
    return v2.app.live.control("GET", f"/apps/{v2.app.name}/outbox", params=params).json()["messages"]


def test_send_goes_to_the_outbox_and_the_history_reads_it(v2):
    sent = v2.post("/emails:send", json={"contacts": ["6", "7"], "subject": "Hello ~Contact.FirstName~",
                                         "user_id": "1", "html_content": b64("<p>Hi ~Contact.FirstName~</p>"),
                                         "plain_content": b64("Hi")})
    assert sent.status_code == 202 and sent.content == b""
    outbox = _outbox(v2, origin="rest")
    assert [(m["contact_id"], m["subject"], m["status"]) for m in outbox] == [
        (6, "Hello Olivia", "captured"), (7, "Hello Liam", "captured")]
    assert outbox[0]["from_address"] == "morgan.reyes@example.com"

    listed = v2.ok("GET", "/emails", params={"filter": "contact_id==6"})["emails"]
    assert [e["subject"] for e in listed] == ["Hello Olivia"] and "html_content" not in listed[0]
    assert listed[0]["original_provider"] == "INFUSIONSOFT" and listed[0]["sent_time"].endswith("Z")
    one = v2.ok("GET", f"/emails/{listed[0]['id']}")
    assert base64.b64decode(one["html_content"]).decode() == "<p>Hi Olivia</p>"
    assert rest_for(v2.app).ok("GET", "/contacts/6/emails")["emails"][0]["id"] == int(one["id"])  # v1: the same
    assert [e["sent_to_address"] for e in v2.ok("GET", "/emails", params={
        "filter": "email==LIAM.NGUYEN@example.com;start_created_time==2000-01-01T00:00:00Z"})["emails"]] == [
        "liam.nguyen@example.com"]
    assert v2.ok("GET", "/emails", params={"filter": "end_created_time==2000-01-01T00:00:00Z"})["emails"] == []

    # from_address names the sending user; a second sender of each kind or neither is refused
    assert v2.post("/emails:send", json={"contacts": ["8"], "subject": "s", "from_address": "DEVIN.okafor@example.com",
                                         "plain_content": b64("x")}).status_code == 202
    assert _outbox(v2, contact_id=8)[-1]["from_address"] == "devin.okafor@example.com"

    def refused(**body) -> str:
        body = {"contacts": ["6"], "subject": "s", "user_id": "1", "plain_content": b64("x"), **body}
        return v2.error("POST", "/emails:send", 400, json=body)["details"][0]["resource"]

    assert refused(from_address="morgan.reyes@example.com") == "user_id"
    assert refused(user_id="99") == "user_id"
    assert refused(contacts=["6", "999999"]) == "contacts.1"
    assert refused(plain_content="not base64!") == "plain_content"
    assert refused(attachments=[{"file_name": "run.exe", "file_data": b64("x")}]) == "attachments.0.file_name"
    assert len(_outbox(v2, origin="rest")) == 3


def test_records_batches_and_deletes_are_v1s_history(v2):
    made = v2.ok("POST", "/emails", 201, json={
        "contact_id": "6", "sent_to_address": "olivia.martinez@example.org", "subject": "From Gmail",
        "sent_to_cc_address_list": ["a@example.com", "b@example.com"], "sent_time": "2026-11-02T10:00:00Z",
        "html_content": b64("<b>hi</b>"), "original_provider": "GOOGLE", "original_provider_id": "g-1"})
    assert made["sent_time"] == "2026-11-02T10:00:00Z" and made["sent_to_cc_address_list"] == ["a@example.com",
                                                                                                "b@example.com"]
    assert base64.b64decode(made["html_content"]).decode() == "<b>hi</b>"
    assert v2.ok("GET", f"/emails/{made['id']}") == made
    v1 = rest_for(v2.app).ok("GET", f"/emails/{made['id']}")
    assert v1["subject"] == "From Gmail" and v1["original_provider_id"] == "g-1" and v1["contact_id"] == 6
    assert v2.error("POST", "/emails", 400, json={"sent_to_address": "x@example.com", "original_provider": "GOOGLE",
                                                  "original_provider_id": "g-1"})["details"][0]["resource"] == \
        "original_provider_id"
    assert v2.error("POST", "/emails", 400, json={"sent_to_address": "x@example.com", "contact_id": "999999"})[
        "details"][0]["resource"] == "contact_id"

    batch = v2.ok("POST", "/emails:batchAdd", 201, json={"emails": [
        {"sent_to_address": "liam.nguyen@example.com", "contact_id": "7", "subject": "one"},
        {"sent_to_address": "liam.nguyen@example.com", "subject": "dup", "original_provider": "GOOGLE",
         "original_provider_id": "g-1"},
        {"sent_to_address": "x@example.com", "contact_id": "999999", "subject": "nobody"},
        {"sent_to_address": "emma.johnson@example.net", "contact_id": "8", "subject": "two"}]})
    assert [e["subject"] for e in batch["emails"]] == ["one", "two"]
    assert [(e["email"]["subject"], "contact_id" in e["error_message"]) for e in batch["errors"]] == [
        ("dup", False), ("nobody", True)]
    ids = [e["id"] for e in batch["emails"]]
    removed = v2.ok("POST", "/emails:batchRemove", json={"email_ids": [ids[0], "999999"]})
    assert removed == {"results": {ids[0]: "SUCCESS", "999999": "EMAIL_ID_NOT_FOUND"}}
    assert v2.error("GET", f"/emails/{ids[0]}", 404)["details"] == [{"domain": "Email", "resource": ids[0]}]
    assert v2.delete(f"/emails/{ids[1]}").status_code == 204
    assert v2.error("DELETE", f"/emails/{ids[1]}", 404)["status"] == "NOT_FOUND"
    assert [m["subject"] for m in _outbox(v2, contact_id=6)] == ["From Gmail"]  # the outbox shows the same rows


def test_templates_listed_read_and_sent(v2):
    template_id = v2.app.call("APIEmailService.addEmailTemplate", *TEMPLATE)
    listed = v2.ok("GET", "/emails/templates", params={"filter": "piece_title==Welcome"})["email_templates"]
    assert [(t["id"], t["categories"], t["content_type"]) for t in listed] == [
        (template_id, ["Onboarding"], "MULTIPART")]
    got = v2.ok("GET", f"/emails/templates/{template_id}")
    assert got["html_body"] == "<p>Hello ~Contact.FirstName~</p>" and got["merge_context"] == "Contact"
    everything = v2.walk("/emails/templates", "email_templates", page_size=2)
    assert template_id in [t["id"] for t in everything] and len(everything) > 2
    assert v2.error("GET", "/emails/templates/999999", 404)["status"] == "NOT_FOUND"

    assert v2.post("/emails/templates:send", json={"template_id": str(template_id), "contact_ids": ["6"],
                                                    "user_id": "2"}).status_code == 202
    [message] = [m for m in _outbox(v2, contact_id=6) if m["template_id"] == template_id]
    assert message["subject"] == "Hi Olivia" and message["status"] == "captured"
    assert v2.error("POST", "/emails/templates:send", 400, json={"template_id": "999999", "contact_ids": ["6"],
                                                                  "user_id": "2"})["details"][0]["resource"] == \
        "template_id"


def test_email_address_status_follows_the_xmlrpc_rules(v2):
    address = "olivia.martinez@example.org"
    out = v2.ok("PATCH", f"/emailAddresses/{address}/status", json={"opted_in": False, "reason": "asked by phone"})
    assert out["email"] == address and out["opted_in"] is False and out["status"] == "MANUAL"
    assert v2.app.call("APIEmailService.getOptStatus", address) == 0
    back = v2.ok("PATCH", f"/emailAddresses/{address.upper()}/status", json={"opted_in": True, "reason": "form"})
    assert back["status"] == "SINGLE_OPT_IN" and back["opted_in"] is True
    assert v2.app.call("APIEmailService.getOptStatus", address) == 1
    assert v2.ok("GET", f"/emailAddresses/{address}/status") == back
    v2.app.call("APIEmailService.optOut", "liam.nguyen@example.com", "by XML-RPC")
    assert v2.ok("GET", "/emailAddresses/liam.nguyen@example.com/status")["status"] == "MANUAL"

    def emails(filter_: str, **params) -> list[str]:
        found = v2.ok("GET", "/emailAddresses", params={"filter": filter_, **params})["email_addresses"]
        return [e["email"] for e in found]

    assert emails(f"emails=={address},LIAM.NGUYEN@example.com", order_by="email desc") == [
        address, "liam.nguyen@example.com"]
    manual = emails("statuses==MANUAL,HARD_BOUNCE")
    assert "liam.nguyen@example.com" in manual and address not in manual
    assert set(manual) > set(emails("statuses==MANUAL"))  # the seed has opted-out and bounced addresses
    assert address in emails("opted_in==true") and address not in emails("opted_in==false")
    assert len(v2.walk("/emailAddresses", "email_addresses", page_size=3, order_by="status")) == len(emails(""))
    assert v2.error("GET", "/emailAddresses", 400, params={"filter": "statuses==GONE"})["details"][0]["resource"] == \
        "filter.statuses"
    assert v2.error("GET", "/emailAddresses/nobody@example.com/status", 404)["status"] == "NOT_FOUND"
    assert v2.error("PATCH", "/emailAddresses/not-an-address/status", 400,
                    json={"opted_in": True, "reason": "x"})["details"][0]["resource"] == "email"


def test_the_sdk_sends_records_and_reads_emails(sdk, v2):
    from keap_core_v2_client import EmailAddressApi, EmailApi
    from keap_core_v2_client.models import (
        CreateEmailSentRequest,
        DeleteEmailsRequest,
        EmailSendRequest,
        UpdateEmailAddress,
    )

    api = EmailApi(sdk)
    api.send_email(EmailSendRequest(contacts=["6"], subject="From the SDK", user_id="1", plain_content=b64("hi")))
    made = api.create_email(CreateEmailSentRequest(sent_to_address="liam.nguyen@example.com", contact_id="7",
                                                   subject="Recorded by the SDK"))
    assert api.get_email(made.id).subject == "Recorded by the SDK"
    subjects = [e.subject for e in api.list_emails(page_size=1000).emails]
    assert "From the SDK" in subjects and "Recorded by the SDK" in subjects
    assert api.delete_emails(DeleteEmailsRequest(email_ids=[made.id])).results == {made.id: "SUCCESS"}
    templates = api.list_email_templates().email_templates
    assert api.get_email_template(str(templates[0].id)).piece_title == templates[0].piece_title
    addresses = EmailAddressApi(sdk)
    changed = addresses.update_email_address_opt_status("liam.nguyen@example.com",
                                                        UpdateEmailAddress(opted_in=False, reason="sdk"))
    assert changed.status == "MANUAL" and not changed.opted_in
    assert addresses.get_email_address_status("liam.nguyen@example.com") == changed
    listed = addresses.list_email_address_statuses(filter="statuses==MANUAL;emails==liam.nguyen@example.com")
    assert [e.email for e in listed.email_addresses] == ["liam.nguyen@example.com"]
