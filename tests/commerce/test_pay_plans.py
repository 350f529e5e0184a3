"""InvoiceService.addPaymentPlan: the PayPlan and PayPlanItem rows, instalments charged on their due dates
when autoCharge is on, and chargeInvoice charging what is due so far."""
from __future__ import annotations

import xmlrpc.client

import pytest

from tests.conftest import fault_of

from .util import (
    COACHING,
    EMMA,
    EMMA_DECLINING,
    OLIVIA,
    OLIVIA_VISA,
    STRENGTH,
    TEST_GATEWAY,
    blank_invoice,
    events,
    last_seq,
    row,
    rows,
)


def _plan_items(app, invoice_id):
    [plan] = rows(app, "PayPlan", {"InvoiceId": invoice_id}, ["Id", "Type", "AmtDue", "FirstPayAmt"])
    items = rows(app, "PayPlanItem", {"PayPlanId": plan["Id"]}, ["DateDue", "AmtDue", "AmtPaid", "Status"])
    return plan, [(i["DateDue"].value[:8], i["AmtDue"], i["AmtPaid"], i["Status"]) for i in items]


def test_an_auto_charged_payment_plan(app):
    app.clock(time="2027-03-01T09:00:00", frozen=True)
    invoice_id = blank_invoice(app, OLIVIA, items=((STRENGTH, 399.0, 1),))
    assert app.call("InvoiceService.addPaymentPlan", invoice_id, True, OLIVIA_VISA, TEST_GATEWAY, 2, 1, 99.0,
                    "2027-03-01T00:00:00", "2027-03-15T00:00:00", 3, 14) is True
    plan, items = _plan_items(app, invoice_id)
    assert (plan["Type"], plan["AmtDue"], plan["FirstPayAmt"]) == (1, 399.0, 99.0)
    assert items == [("20270301", 99.0, 0.0, 1), ("20270315", 100.0, 0.0, 1), ("20270329", 100.0, 0.0, 1),
                     ("20270412", 100.0, 0.0, 1)]
    assert row(app, "Invoice", invoice_id, ["PayPlanStatus"]) == {"PayPlanStatus": 1}

    # chargeInvoice takes what is due so far: the initial payment
    result = app.call("InvoiceService.chargeInvoice", invoice_id, "Deposit", OLIVIA_VISA, TEST_GATEWAY, False)
    assert result["Successful"] is True
    assert app.call("InvoiceService.calculateAmountOwed", invoice_id) == 300.0
    seq = last_seq(app)
    app.clock(action="advance", by="45d")  # to 04-15: the three instalments were charged, each on its day
    assert [p["PayAmt"] for p in app.call("InvoiceService.getPayments", invoice_id)] == [99.0, 100.0, 100.0, 100.0]
    _, items = _plan_items(app, invoice_id)
    assert [i[2:] for i in items] == [(99.0, 2), (100.0, 2), (100.0, 2), (100.0, 2)]
    paid = events(app, seq, ("invoice.paid",))
    assert len(paid) == 1 and paid[0]["occurred_at"].startswith("2027-04-12")


def test_a_declined_instalment_is_retried_then_left_due(app):
    app.clock(time="2027-03-01T09:00:00", frozen=True)
    invoice_id = blank_invoice(app, EMMA, items=((COACHING, 120.0, 2),))
    assert app.call("InvoiceService.addPaymentPlan", invoice_id, True, EMMA_DECLINING, TEST_GATEWAY, 2, 1, 0.0,
                    "2027-03-01T00:00:00", "2027-03-02T00:00:00", 2, 30) is True
    _, items = _plan_items(app, invoice_id)
    assert items == [("20270302", 120.0, 0.0, 1), ("20270401", 120.0, 0.0, 1)]
    seq = last_seq(app)
    app.clock(action="advance", by="5d")
    failed = events(app, seq, ("invoice.payment_failed",))
    assert [e["occurred_at"][:10] for e in failed] == ["2027-03-02", "2027-03-04"]  # then one retry, 2 days on
    assert app.call("InvoiceService.calculateAmountOwed", invoice_id) == 240.0


def test_payment_plan_faults(app):
    invoice_id = blank_invoice(app, OLIVIA, items=((COACHING, 120.0, 1),))

    def fault(*args):
        with pytest.raises(xmlrpc.client.Fault) as exc:
            app.call("InvoiceService.addPaymentPlan", *args)
        return fault_of(exc)[0]

    assert fault(9999, False, 0, 0, 0, 0, 0.0, "2027-01-01", "2027-01-02", 1, 1) == 5
    assert fault(invoice_id, True, 9999, 1, 0, 0, 0.0, "2027-01-01", "2027-01-02", 1, 1) == 5
    assert fault(invoice_id, False, 0, 0, 0, 0, 500.0, "2027-01-01", "2027-01-02", 1, 1) == 12  # more than due
    assert fault(invoice_id, False, 0, 0, 0, 0, 20.0, "2027-01-01", "2027-01-02", 0, 1) == 12
    assert fault(invoice_id, False, 0, 0, 0, 0, 20.0, "2027-01-01", "someday", 1, 1) == 12
    # without autoCharge nothing is charged by the sandbox; the plan only says what is due when
    assert app.call("InvoiceService.addPaymentPlan", invoice_id, False, 0, 0, 0, 0, 20.0, "2027-01-01",
                    "2027-02-01", 2, 28) is True
    _, items = _plan_items(app, invoice_id)
    assert items == [("20270101", 20.0, 0.0, 1), ("20270201", 50.0, 0.0, 1), ("20270301", 50.0, 0.0, 1)]
