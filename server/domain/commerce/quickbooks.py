"""InvoiceService.getInvoiceQuickbooksIIF (undocumented; iSDK and Novak, from the QuickBooks sync era): an
invoice as a QuickBooks IIF import, one TRNS line for the receivable and one SPL line per invoice line."""
from __future__ import annotations

from server.store import schema
from server.store.session import AppSession

from . import invoices

_HEADER = ("!TRNS\tTRNSID\tTRNSTYPE\tDATE\tACCNT\tNAME\tAMOUNT\tDOCNUM\tMEMO\n"
           "!SPL\tSPLID\tTRNSTYPE\tDATE\tACCNT\tNAME\tAMOUNT\tDOCNUM\tMEMO\tPRICE\tQNTY\tINVITEM\n"
           "!ENDTRNS\n")


def _clean(value) -> str:
    return str(value or "").replace("\t", " ").replace("\n", " ")


def invoice_iif(s: AppSession, invoice_id: int) -> str:
    inv = invoices.require_invoice(s, invoice_id)
    c = schema.contact
    contact = s.execute(s.select(c, c.c.first_name, c.c.last_name, c.c.company).where(c.c.id == inv.contact_id)).first()
    name = _clean(" ".join(p for p in (contact.first_name, contact.last_name) if p) if contact else "")
    name = name or _clean(contact.company if contact else "") or f"Contact {inv.contact_id}"
    date = inv.date_created.strftime("%m/%d/%Y")
    out = [_HEADER, f"TRNS\t{inv.id}\tINVOICE\t{date}\tAccounts Receivable\t{name}\t{inv.invoice_total:.2f}\t"
                    f"{inv.id}\t{_clean(inv.description)}\n"]
    for n, line in enumerate(invoices.lines(s, invoice_id), start=1):
        account = "Sales Tax Payable" if line.item_type == invoices.TAX else "Sales"
        out.append(f"SPL\t{n}\tINVOICE\t{date}\t{account}\t{name}\t{-(line.invoice_amt or 0):.2f}\t{inv.id}\t"
                   f"{_clean(line.description)}\t{(line.ppu or 0):.2f}\t{-(line.qty or 1)}\t"
                   f"{_clean(line.item_name or line.description)}\n")
    out.append("ENDTRNS\n")
    return "".join(out)
