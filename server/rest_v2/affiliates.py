"""REST v2: Affiliates: programs, commissions, clawbacks, payments, redirects and summaries."""
