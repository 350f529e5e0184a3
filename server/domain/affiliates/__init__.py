"""Affiliates (referral partners): programs and redirect links, referrals, the ledger of commissions,
clawbacks and payouts, its reports, and phone statistics."""
from __future__ import annotations

# The commissions' listener on invoice.paid (and invoice.deleted/refunded) registers when its module is
# imported; importing it with the package keeps it registered wherever affiliates are used.
from . import commissions  # noqa: F401
