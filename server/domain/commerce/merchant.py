"""The sandbox's merchant accounts: a test gateway that approves or declines by card number.

Real Infusionsoft charges through the app's merchant account (Authorize.Net and others); a gateway in test
mode answers with ``(TESTMODE) <reason text>. (<reason code>)``, e.g. the vendor's chargeInvoice sample
``(TESTMODE) The merchant login ID or password is invalid or the account is inactive. (13)``. The sandbox
gateway answers the same way. Which numbers decline, and why, is the sandbox's own table (the common
gateway test numbers), documented in docs/commerce.md; every other number that passes the Luhn check
is approved. The full number is never stored: a card keeps only its ``check_code``, the answer its number
will get.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from server.domain.errors import not_found
from server.store import schema
from server.store.session import AppSession

APPROVED, DECLINED, ERROR, SKIPPED = "APPROVED", "DECLINED", "ERROR", "SKIPPED"


@dataclass(frozen=True)
class Reason:
    code: str  # APPROVED | DECLINED | ERROR
    text: str
    gateway_code: int  # the gateway's response reason code

    @property
    def message(self) -> str:
        return f"(TESTMODE) {self.text} ({self.gateway_code})"


REASONS = {
    "approve": Reason(APPROVED, "This transaction has been approved.", 1),
    "decline": Reason(DECLINED, "This transaction has been declined.", 2),
    "insufficient_funds": Reason(DECLINED, "This transaction has been declined: insufficient funds.", 2),
    "expired": Reason(DECLINED, "The credit card has expired.", 8),
    "card_code": Reason(DECLINED, "This transaction has been declined: the card code does not match.", 44),
    "processing_error": Reason(ERROR, "An error occurred during processing. Please try again in 5 minutes.", 19),
    "invalid": Reason(DECLINED, "The credit card number is invalid.", 6),
    "bad_merchant": Reason(ERROR, "The merchant login ID or password is invalid or the account is inactive.", 13),
}

# Numbers with a fixed answer (the common gateway test numbers); any other Luhn-valid number is approved.
TEST_CARDS = {
    "4111111111111111": "approve",
    "4242424242424242": "approve",
    "5555555555554444": "approve",
    "5105105105105100": "approve",
    "378282246310005": "approve",
    "371449635398431": "approve",
    "6011111111111117": "approve",
    "4000000000000002": "decline",
    "4000000000009995": "insufficient_funds",
    "4000000000000069": "expired",
    "4000000000000127": "card_code",
    "4000000000000119": "processing_error",
}

CARD_TYPES = ("Visa", "MasterCard", "American Express", "Discover")


def digits(number) -> str:
    return re.sub(r"[\s-]", "", str(number or ""))


def luhn_ok(number: str) -> bool:
    if not number.isdigit() or not 12 <= len(number) <= 19:
        return False
    total = 0
    for i, ch in enumerate(reversed(number)):
        d = int(ch)
        if i % 2:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def card_type_of(number: str) -> str | None:
    """The brand a number belongs to, by its leading digits."""
    if re.match(r"^4", number):
        return "Visa"
    if re.match(r"^(5[1-5]|222[1-9]|22[3-9]\d|2[3-6]\d\d|27[01]\d|2720)", number):
        return "MasterCard"
    if re.match(r"^3[47]", number):
        return "American Express"
    if re.match(r"^(6011|65|64[4-9])", number):
        return "Discover"
    return None


def check_code(number: str) -> str:
    """What the test gateway will answer for ``number`` (stored with the card instead of the number)."""
    if not luhn_ok(number):
        return "invalid"
    return TEST_CARDS.get(number, "approve")


def expired(month, year, now: datetime) -> bool:
    """A card is good through the last day of its expiration month."""
    try:
        m, y = int(str(month).strip()), int(str(year).strip())
    except (TypeError, ValueError):
        return True
    if y < 100:
        y += 2000
    if not 1 <= m <= 12:
        return True
    return (y, m) < (now.year, now.month)


# --- merchant accounts --------------------------------------------------------------------------------

def add_account(s: AppSession, name: str, mode: str = "test_cards", *, default: bool = False) -> int:
    account_id = s.next_id("merchant_account")
    s.insert(schema.merchant_account, dict(id=account_id, name=name, mode=mode, is_default=default))
    return account_id


def account(s: AppSession, account_id: int):
    """The merchant account ``account_id`` (0: the app's default one), or None."""
    m = schema.merchant_account
    if account_id == 0:
        q = s.select(m).order_by(m.c.is_default.desc(), m.c.id).limit(1)
        return s.execute(q).first()
    return s.get(m, account_id)


def set_default(s: AppSession, account_id: int) -> None:
    """Make the account the app's default one (what placeOrder and merchant account 0 charge through)."""
    m = schema.merchant_account
    if s.get(m, account_id) is None:
        raise not_found("MerchantAccount", account_id)
    s.update(m, m.c.id != account_id, is_default=False)
    s.update(m, m.c.id == account_id, is_default=True)
    s.emit("merchant_account.updated", "merchant_account", account_id, default=True)


def accounts(s: AppSession) -> list:
    m = schema.merchant_account
    return s.execute(s.select(m).order_by(m.c.id)).all()


def authorize(merchant, card, now: datetime) -> Reason:
    """The gateway's answer for charging ``card`` through ``merchant``."""
    if merchant is None or merchant.mode == "misconfigured":
        return REASONS["bad_merchant"]
    code = card.check_code or "invalid"
    if code == "approve" and expired(card.expiration_month, card.expiration_year, now):
        return REASONS["expired"]
    return REASONS.get(code, REASONS["decline"])


def next_ref(s: AppSession) -> tuple[str, str]:
    """A transaction reference and an approval code, numbered per app (deterministic after a reset)."""
    n = s.next_id("gateway_transaction")
    return str(60000000000 + n), f"{(n * 7919) % 1000000:06d}"


def masked(number: str) -> str:
    return "*" * max(len(number) - 4, 0) + number[-4:]

