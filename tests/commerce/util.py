"""Helpers for the commerce tests: the seeded data they rely on, and the app's change log."""
from __future__ import annotations

# Seeded by sandbox_data/commerce.json (ids come out in file order, the same after every reset).
OLIVIA, LIAM, EMMA, NOAH, AVA = 6, 7, 8, 9, 10  # contacts
OLIVIA_VISA, LIAM_MC, EMMA_DECLINING, NOAH_AMEX = 1, 2, 3, 4  # their cards (4111…, 5555…, 4000…0002, 3782…)
COACHING, STRENGTH, NUTRITION, MARATHON, BANDS, BOTTLE, ROLLER, MEMBERSHIP = range(1, 9)  # products
MEMBERSHIP_PLAN = 1  # the Monthly Coaching Membership's subscription plan ($89 a month)
TEST_GATEWAY, BROKEN_GATEWAY = 1, 2  # merchant accounts
SEEDED_INVOICES = 7


def events(app, after: int = 0, types: tuple[str, ...] | None = None) -> list[dict]:
    r = app.live.control("GET", f"/apps/{app.name}/events", params={"after": after, "limit": 1000})
    assert r.status_code == 200, r.text
    rows = r.json()["events"]
    return [e for e in rows if types is None or e["type"] in types]


def last_seq(app) -> int:
    rows = events(app)
    return rows[-1]["seq"] if rows else 0


def blank_invoice(app, contact_id: int = OLIVIA, items=((COACHING, 120.0, 1),)) -> int:
    invoice_id = app.call("InvoiceService.createBlankOrder", contact_id, "Test order", "20261201T10:00:00", 0, 0)
    for product_id, price, qty in items:
        assert app.call("InvoiceService.addOrderItem", invoice_id, product_id, 4, price, qty, "", "") is True
    return invoice_id


def row(app, table: str, record_id: int, fields: list[str]) -> dict:
    return app.call("DataService.load", table, record_id, fields)


def rows(app, table: str, criteria: dict, fields: list[str]) -> list[dict]:
    return app.call("DataService.query", table, 1000, 0, criteria, fields)
