"""/contacts/{contactId}/creditCards and /contacts/{contactId}/utm: the cards on file of a contact and the UTM
parameters of its visits. Cards are the CreditCard rows DataService and the order services charge
(server.domain.commerce.cards): the number is kept masked, the security code never."""
from __future__ import annotations

from typing import Literal

from pydantic import Field

from server.domain.commerce import cards
from server.domain.crm import utms

from . import people
from .api import Body, Request, route
from .contacts import require_contact
from .errors import bad_request

STATUS = {cards.UNKNOWN: "Unknown", cards.INVALID: "Invalid", cards.VALID: "Valid", cards.INACTIVE: "Inactive"}

# the CreditCard row's billing or shipping columns, in people.ADDRESSES' order (no zip four)
_COLUMNS = {prefix: (f"{prefix}Address1", f"{prefix}Address2", f"{prefix}City", f"{prefix}State", f"{prefix}Zip",
                     None, f"{prefix}Country") for prefix in ("Bill", "Ship")}


class CardAddress(people.AddressLines):
    field: Literal["BILLING", "SHIPPING", "OTHER"]


class CreditCardBody(Body):
    address: CardAddress | None = None
    card_number: str | None = None
    card_type: str | None = None
    consent_type: Literal["RECURRING_CONSENT", "IMPLICIT_CONSENT", "EXPLICIT_CONSENT", "NO_CONSENT"] | None = None
    email_address: str | None = None
    expiration_month: str | None = None
    expiration_year: str | None = None
    maestro_issue_number: str | None = None
    maestro_start_date_month: str | None = None
    maestro_start_date_year: str | None = None
    name_on_card: str | None = None
    verification_code: str | None = None


CARD_SHAPE = {"type": "object", "properties": {
    "card_number": {"type": "string"}, "card_type": {"type": "string"}, "id": {"type": "integer"},
    "validation_status": {"type": "string"}}}


@route("GET", "/contacts/{contactId}/creditCards", summary="Retrieve Credit Cards", tag="Contact",
       response={"type": "array", "items": CARD_SHAPE})
def list_credit_cards(r: Request, contactId: int):
    require_contact(r.s, contactId)
    # a property the card lacks (no type for a number no issuer has) is left out, not null: the document's
    # properties are strings
    return [{k: v for k, v in (("card_number", c.card_number), ("card_type", c.card_type), ("id", c.id),
                               ("validation_status", STATUS.get(c.status, "Unknown"))) if v is not None}
            for c in cards.on_file(r.s, contactId)]


@route("POST", "/contacts/{contactId}/creditCards", summary="Create a Credit Card", tag="Contact",
       body=CreditCardBody, status=201, response={"type": "object"})
def create_credit_card(r: Request, contactId: int):
    require_contact(r.s, contactId)
    b: CreditCardBody = r.body
    missing = [name for name in ("card_number", "expiration_month", "expiration_year") if not getattr(b, name)]
    if missing:
        raise bad_request(f"{missing[0]} is required")
    check = {"CardNumber": b.card_number, "ExpirationMonth": b.expiration_month,
             "ExpirationYear": b.expiration_year, "ContactId": contactId}
    if b.card_type:
        check["CardType"] = b.card_type
    if b.verification_code:
        check["CVV2"] = b.verification_code
    verdict = cards.validate_new(r.s, check)
    row = {"ContactId": contactId, "CardNumber": b.card_number, "ExpirationMonth": b.expiration_month,
           "ExpirationYear": b.expiration_year, "CardType": b.card_type, "NameOnCard": b.name_on_card,
           "Email": b.email_address, "MaestroIssueNumber": b.maestro_issue_number,
           "StartDateMonth": b.maestro_start_date_month, "StartDateYear": b.maestro_start_date_year}
    if b.address is not None:
        row.update(people.address_columns(b.address, _COLUMNS["Ship" if b.address.field == "SHIPPING" else "Bill"]))
    card_id = cards.add(r.s, {k: v for k, v in row.items() if v is not None})
    card = cards.require(r.s, card_id)
    answer = {"address": b.address.model_dump(exclude_none=True) if b.address else None,
              "card_type": card.card_type, "contact_id": contactId, "email_address": b.email_address,
              "expiration_month": b.expiration_month, "expiration_year": b.expiration_year, "id": card_id,
              "maestro_issue_number": b.maestro_issue_number, "maestro_start_date_month": b.maestro_start_date_month,
              "maestro_start_date_year": b.maestro_start_date_year, "name_on_card": b.name_on_card,
              "validation_message": verdict["Message"],
              "validation_status": "Valid" if verdict["Valid"] == "true" else "Invalid"}
    return {k: v for k, v in answer.items() if v is not None}  # what the card lacks is left out, not null


class UtmBody(Body):
    keapSourceId: str = Field(min_length=1, max_length=utms.MAX_LENGTH)
    utmCampaign: str | None = Field(default=None, max_length=utms.MAX_LENGTH)
    utmContent: str | None = Field(default=None, max_length=utms.MAX_LENGTH)
    utmMedium: str | None = Field(default=None, max_length=utms.MAX_LENGTH)
    utmSource: str | None = Field(default=None, max_length=utms.MAX_LENGTH)
    utmTerm: str | None = Field(default=None, max_length=utms.MAX_LENGTH)


@route("POST", "/contacts/{contactId}/utm", summary="Insert UTMs for a Contact", tag="Contact", body=UtmBody,
       status=201, response={"type": "object"})
def insert_utms(r: Request, contactId: int):
    require_contact(r.s, contactId)
    b: UtmBody = r.body
    utm = utms.add(r.s, contactId, b.keapSourceId, {
        "utm_source": b.utmSource, "utm_medium": b.utmMedium, "utm_term": b.utmTerm,
        "utm_campaign": b.utmCampaign, "utm_content": b.utmContent})
    return {"contactUtmId": utm.id, "keapSourceId": utm.keap_source_id, "utmCampaign": utm.utm_campaign,
            "utmContent": utm.utm_content, "utmMedium": utm.utm_medium, "utmSource": utm.utm_source,
            "utmTerm": utm.utm_term}
