"""The Contact table's numbered slots as REST names them (both versions): three email addresses (EMAIL1..3),
five phones (PHONE1..5), two faxes (FAX1..2) and three addresses (BILLING, SHIPPING, OTHER), each a
``field`` of a collection property, each a few Contact fields. Stated once, so a contact written through
XML-RPC reads the same through REST v1 and v2 and back."""
from __future__ import annotations

EMAILS = {"EMAIL1": "Email", "EMAIL2": "EmailAddress2", "EMAIL3": "EmailAddress3"}
# number, extension, type
PHONES = {f"PHONE{i}": (f"Phone{i}", f"Phone{i}Ext", f"Phone{i}Type") for i in range(1, 6)}
# number, type
FAXES = {"FAX1": ("Fax1", "Fax1Type"), "FAX2": ("Fax2", "Fax2Type")}
# line1, line2, locality, region, postal_code, zip_four, country
ADDRESSES = {
    "BILLING": ("StreetAddress1", "StreetAddress2", "City", "State", "PostalCode", "ZipFour1", "Country"),
    "SHIPPING": ("Address2Street1", "Address2Street2", "City2", "State2", "PostalCode2", "ZipFour2", "Country2"),
    "OTHER": ("Address3Street1", "Address3Street2", "City3", "State3", "PostalCode3", "ZipFour3", "Country3"),
}
COLLECTION_FIELDS = {
    "email_addresses": list(EMAILS.values()),
    "phone_numbers": [f for fs in PHONES.values() for f in fs],
    "fax_numbers": [f for fs in FAXES.values() for f in fs],
    "addresses": [f for fs in ADDRESSES.values() for f in fs],
}
