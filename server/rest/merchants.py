"""/merchants: the app's merchant accounts (the sandbox's test gateways, server.domain.commerce.merchant)."""
from __future__ import annotations

from server.domain.commerce import merchant

from .api import Request, Shape, route


class MerchantAccounts(Shape):
    default_merchant_account: int | None = None
    merchant_accounts: list[dict]


@route("GET", "/merchants", summary="List merchant accounts", tag="Merchant", response=MerchantAccounts)
def list_merchants(r: Request):
    accounts = merchant.accounts(r.s)
    default = merchant.account(r.s, 0)
    return {"default_merchant_account": default.id if default is not None else None,
            "merchant_accounts": [{"id": a.id, "account_name": a.name, "type": "Sandbox",
                                   "is_test": True}  # every sandbox gateway is in test mode
                                  for a in accounts]}
