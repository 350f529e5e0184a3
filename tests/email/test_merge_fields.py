"""APIEmailService.getAvailableMergeFields against the real service's recorded answer, and the merge fields it
lists rendered into emails sent through APIEmailService.sendEmail (read back in the sandbox's outbox)."""
from __future__ import annotations

import hashlib

import requests

from server.tables import REGISTRY
from tests.engine.test_sequences import go, one_sequence

# The real answer to getAvailableMergeFields(key, "Contact") (the Ruby gem's VCR cassette
# email_get_available_merge_fields.yml, 2015): 157 tokens, of which these 13 are that app's contact custom fields.
RECORDED_CUSTOM = [
    "~Contact._WeeklyAttendance~", "~Contact._Aretheyinacampaign~", "~Contact._CustomerNotes~", "~Contact._Pricing~",
    "~Contact._ConsultingCompany~", "~Contact._Goals~", "~Contact._ResetPasswordURL~", "~Contact._ChMS~",
    "~Contact._Budget~", "~Contact._Aretheyworkingwithaconsultant~", "~Contact._Budget0~",
    "~Contact._TypeofOrganization~", "~Contact._ChMS0~"]
RECORDED = RECORDED_CUSTOM + [
    "~LoggedInUser.LastName~", "~Contact.Address2Street1~", "~Contact.ZipFour2~", "~Contact.StreetAddress2~",
    "~Contact.Username~", "~Contact.EmailAddress2~", "~Contact.Phone2~", "~Contact.PostalCode3~",
    "~Owner.EmailAddress2~", "~Owner.Fax1Type~", "~Owner.Phone1Ext~", "~LoggedInUser.Fax1~", "~Owner.PostalCode~",
    "~EmailSent.PartialHash~", "~Company.Website~", "~Contact.Address3Street2~", "~LoggedInUser.Phone3Type~",
    "~EmailSent.PublicPartialHash~", "~Owner.Fax2~", "~Contact.SpouseName~", "~LoggedInUser.Signature~",
    "~Company.City~", "~Owner.Phone3Ext~", "~Contact.Address2Street2~", "~Contact.Phone4Type~",
    "~Contact.StreetAddress1~", "~Contact.EmailHash~", "~Contact.Phone1~", "~Contact.JobTitle~", "~Owner.FirstName~",
    "~LoggedInUser.Fax2~", "~Contact.ZipFour1~", "~Contact.LastName~", "~Contact.MiddleName~",
    "~Contact.Address3Street1~", "~LoggedInUser.Phone1Ext~", "~Contact.EmailAddress3~", "~LoggedInUser.Phone3Ext~",
    "~Contact.Fax1~", "~Contact.Phone4Ext~", "~Owner.Fax1~", "~LoggedInUser.Phone1Type~", "~Owner.State~",
    "~Contact.Title~", "~Contact.Phone5Ext~", "~LoggedInUser.StreetAddress1~", "~Company.HTMLMailingAddressBlock~",
    "~Contact.Phone4~", "~Owner.Email~", "~Owner.StreetAddress1~", "~Contact.Password~", "~Contact.Phone3Type~",
    "~Contact.City2~", "~Company.PostalCode~", "~LoggedInUser.StreetAddress2~", "~Contact.Country~",
    "~Contact.FirstName~", "~LoggedInUser.Id~", "~Contact.State~", "~Contact.ReferralCode~", "~Contact.Company~",
    "~LoggedInUser.Website~", "~Contact.Fax2Type~", "~LoggedInUser.City~", "~Owner.Phone3Type~", "~Contact.Phone3~",
    "~Contact.PostalCode2~", "~LoggedInUser.Fax2Type~", "~Owner.Phone1Type~", "~Contact.City3~",
    "~LoggedInUser.Phone1~", "~Contact.AssistantName~", "~Contact.City~", "~Contact.Website~",
    "~LoggedInUser.Country~", "~LoggedInUser.Phone2Type~", "~Owner.Country~", "~Contact.ContactNotes~",
    "~LoggedInUser.Phone2Ext~", "~Contact.Anniversary~", "~Owner.Fax2Type~", "~Company.StreetAddress1~",
    "~Owner.Phone2~", "~Contact.Email~", "~LoggedInUser.Phone2~", "~Contact.Phone5~", "~LoggedInUser.Email~",
    "~Owner.City~", "~Owner.Website~", "~Contact.Phone2Ext~", "~Company.Email~", "~LoggedInUser.PostalCode~",
    "~LoggedInUser.Company~", "~Contact.Phone1Type~", "~Company.Phone1~", "~EmailSent.Id~", "~Company.TaxId~",
    "~Owner.Phone3~", "~Owner.StreetAddress2~", "~Contact.Fax1Type~", "~Contact.Phone2Type~", "~Company.Company~",
    "~Contact.Leadsource~", "~Contact.Birthday~", "~Contact.Country3~", "~Contact.Phone3Ext~", "~Contact.Fax2~",
    "~Contact.Phone5Type~", "~Owner.Company~", "~LoggedInUser.Phone3~", "~LoggedInUser.State~", "~App.Name~",
    "~Contact.Nickname~", "~Contact.PostalCode~", "~Contact.State2~", "~Owner.Phone2Type~", "~Contact.Suffix~",
    "~LoggedInUser.FirstName~", "~Contact.Phone1Ext~", "~Company.State~", "~Contact.AssistantPhone~",
    "~Contact.SSN~", "~Owner.LastName~", "~Contact.Id~", "~Company.MailingAddressBlock~", "~LoggedInUser.Title~",
    "~Owner.Id~", "~LoggedInUser.Fax1Type~", "~Contact.Country2~", "~Contact.AccountId~",
    "~LoggedInUser.HTMLSignature~", "~Owner.Phone2Ext~", "~Owner.Title~", "~Contact.ZipFour3~", "~Contact.State3~",
    "~Owner.Signature~", "~Contact.EditPage~", "~Company.HTMLCanSpamAddressBlock~", "~LoggedInUser.EmailAddress2~",
    "~Company.Country~", "~Owner.HTMLSignature~", "~Company.StreetAddress2~", "~Owner.Phone1~",
    "~Company.CanSpamAddressBlock~"]
# the labels whose field names are the recording's custom fields (a second "ChMS" becomes _ChMS0)
CUSTOM_LABELS = ["Weekly Attendance", "Are they in a campaign", "Customer Notes", "Pricing", "Consulting Company",
                 "Goals", "Reset Password URL", "ChMS", "ChMS", "Budget", "Budget",
                 "Are they working with a consultant", "Type of Organization"]


def _contact_header(app) -> int:
    tabs = {t["Id"]: t["FormId"] for t in app.call("DataService.query", "DataFormTab", 100, 0, {}, ["Id", "FormId"])}
    groups = app.call("DataService.query", "DataFormGroup", 100, 0, {}, ["Id", "TabId"])
    return next(g["Id"] for g in groups if tabs[g["TabId"]] == -1)


def _contact_custom_fields(app) -> list[str]:
    rows = app.call("DataService.query", "DataFormField", 1000, 0, {"FormId": -1}, ["Name"])
    return [f"~Contact._{r['Name']}~" for r in rows]


def test_the_contact_list_is_the_recorded_answer(app):
    seeded = _contact_custom_fields(app)
    header = _contact_header(app)
    for label in CUSTOM_LABELS:
        app.call("DataService.addCustomField", "Contact", label, "Text", header)
    fields = app.call("APIEmailService.getAvailableMergeFields", "Contact")
    assert len(fields) == len(set(fields))
    assert sorted(fields) == sorted(RECORDED + seeded)  # the recording's 157, and the seed's own custom fields
    assert len(RECORDED) == 157


def test_the_list_names_the_business_not_copies_of_contact_fields(app):
    fields = set(app.call("APIEmailService.getAvailableMergeFields", "Contact"))
    assert {"~Contact.EmailHash~", "~Contact.EditPage~", "~Contact.SSN~", "~Company.CanSpamAddressBlock~",
            "~Company.MailingAddressBlock~", "~Company.TaxId~", "~EmailSent.Id~", "~Owner.Fax1~"} <= fields
    copies = {f"~Company.{name}~" for name in REGISTRY.get("Company").fields} - set(RECORDED)
    assert len(copies) == 66 and not copies & fields
    assert not {f for f in fields if f.startswith("~Date.")}  # not in the recorded answer (they still render)


def test_other_contexts_add_their_own_fields_first(app):
    fields = app.call("APIEmailService.getAvailableMergeFields", "Opportunity")
    assert fields[0].startswith("~Opportunity.") and "~Opportunity.OpportunityTitle~" in fields
    assert set(app.call("APIEmailService.getAvailableMergeFields", "Contact")) <= set(fields)


def test_the_listed_fields_render_in_a_sent_email(app, mail):
    cid = mail.contact("Ann.Lee@Example.com", FirstName="Ann", OwnerID=2)
    text = ("hash=~Contact.EmailHash~|edit=~Contact.EditPage~|ssn=~Contact.SSN~|co=~Company.Company~"
            "|tax=~Company.TaxId~|city=~Company.City~|zip=~Company.PostalCode~|fax=~Owner.Fax1~ ~Owner.Fax1Type~"
            "|owner=~Owner.FirstName~ of ~Owner.Company~|me=~LoggedInUser.FirstName~ ~LoggedInUser.Fax1~"
            "|id=~EmailSent.Id~|ph=~EmailSent.PartialHash~|pph=~EmailSent.PublicPartialHash~"
            "\n~Company.MailingAddressBlock~\n--\n~Company.CanSpamAddressBlock~")
    html = "<p>~Company.HTMLCanSpamAddressBlock~</p><p>~Company.HTMLMailingAddressBlock~</p>"
    assert app.call("APIEmailService.sendEmail", [cid], "me@example.com", "~Contact.Email~", "", "", "Multipart",
                    "Mail ~EmailSent.Id~ for ~Contact.FirstName~", html, text) is True
    [m] = mail.outbox(contact_id=cid)
    line, mailing, can_spam = m["text_body"].split("\n", 1)[0], *m["text_body"].split("\n", 1)[1].split("\n--\n")
    values = dict(part.split("=", 1) for part in line.split("|"))
    assert values["hash"] == hashlib.md5(b"ann.lee@example.com").hexdigest()
    assert values["edit"] == f"{app.live.url}/sandbox/ui/apps/{app.name}/contacts/{cid}"
    assert values["ssn"] == ""  # the sandbox keeps no SSN (no API writes one)
    assert (values["co"], values["tax"], values["city"], values["zip"]) == (
        "Summit Peak Coaching", "84-1234567", "Denver", "80202")  # the app's business profile, not a company record
    assert values["fax"] == "(555) 010-0192 Work" and values["owner"] == "Devin of Summit Peak Coaching"
    assert values["me"] == "Morgan (555) 010-0191"  # an API key acts as the app's first user
    assert values["id"] == str(m["id"]) and m["subject"] == f"Mail {m['id']} for Ann"
    assert values["ph"] == values["pph"] == m["token"]
    assert mailing == "1450 Larimer Street\nSuite 300\nDenver, Colorado 80202\nUSA"
    assert can_spam == "Summit Peak Coaching\n" + mailing
    assert m["html_body"] == ("<p>Summit Peak Coaching<br>1450 Larimer Street<br>Suite 300<br>Denver, Colorado 80202"
                              "<br>USA</p><p>1450 Larimer Street<br>Suite 300<br>Denver, Colorado 80202<br>USA</p>")
    page = requests.get(values["edit"], timeout=10)  # the edit page is the inspector's page of the contact
    assert page.status_code == 200 and "Ann" in page.text


def test_a_campaign_may_use_the_listed_fields(app, mail):
    mail.load(one_sequence({"type": "email", "name": "m", "subject": "news ~EmailSent.Id~",
                                 "text": "~Contact.EmailHash~ ~Contact.EditPage~ ~Contact.SSN~ ~Company.TaxId~"}))
    cid = go(app, mail, "camp@example.com")
    [m] = mail.outbox(contact_id=cid)
    assert m["status"] == "captured" and m["subject"] == f"news {m['id']}"
    assert m["text_body"].startswith(f"{hashlib.md5(b'camp@example.com').hexdigest()} {app.live.url}/sandbox/ui/"
                                     f"apps/{app.name}/contacts/{cid}  84-1234567")


MARKUP = '<img src=x> Tom "R&D"'


def test_contact_data_merged_into_an_html_body_is_escaped_and_the_text_body_kept(app, mail):
    cid = app.call("ContactService.add", {"FirstName": MARKUP, "Email": "markup@example.com"})
    [sent] = mail.send([cid], subject="Hi ~Contact.FirstName~",
                       html='<p>Hi ~Contact.FirstName~</p><a href="https://example.com/?n=~Contact.FirstName~">x</a>'
                            "<p>~Company.HTMLCanSpamAddressBlock~</p>")
    assert "<p>Hi &lt;img src=x&gt; Tom &quot;R&amp;D&quot;</p>" in sent["html_body"]
    assert "<img src=x>" not in sent["html_body"]
    assert "Summit Peak Coaching<br>" in sent["html_body"]  # a field that is HTML already, as it is
    assert sent["subject"] == f"Hi {MARKUP}"  # a subject is text
    assert app.call("APIEmailService.sendEmail", [cid], "me@example.com", "~Contact.Email~", "", "", "Text", "t",
                    "", "Hi ~Contact.FirstName~") is True
    assert mail.outbox(contact_id=cid)[-1]["text_body"] == f"Hi {MARKUP}"


def test_a_campaign_emails_html_escapes_contact_and_campaign_merge_fields(app, mail):
    mail.load(one_sequence({"type": "email", "name": "E", "subject": "E", "html": "<p>~Contact.FirstName~ "
                            "~Campaign.Offer~</p>"}, merge_fields={"Offer": "50% <b>off</b>"}))
    cid = go(app, mail, "markup-campaign@example.com", FirstName=MARKUP)
    [sent] = mail.outbox(contact_id=cid)
    assert "<p>&lt;img src=x&gt; Tom &quot;R&amp;D&quot; 50% &lt;b&gt;off&lt;/b&gt;</p>" in sent["html_body"]
