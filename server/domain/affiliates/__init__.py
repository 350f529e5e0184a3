"""Affiliates (referral partners): programs and redirect links, referrals, the ledger of commissions,
clawbacks and payouts, its reports, and phone statistics."""
