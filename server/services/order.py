"""OrderService.placeOrder."""
from __future__ import annotations

from server.domain.commerce import orders
from server.domain.session import AppSession
from server.xmlrpc.methods import P, xmlrpc


# The original 7-argument form (2012 vendor page and sample; a PyPI client still sends it).
@xmlrpc("OrderService.placeOrder", P.INT, P.INT, P.INT, P.ARRAY, P.ARRAY, P.BOOL, P.ARRAY)
def place_order(s: AppSession, contact_id: int, card_id: int, pay_plan_id: int, product_ids: list,
                plan_ids: list, process_specials: bool, promo_codes: list) -> dict:
    return orders.place_order(s, contact_id, card_id, pay_plan_id, product_ids, plan_ids, process_specials,
                              promo_codes)


# With the lead and sale affiliates (optional in the 2014 docs, required in the 2017 docs and SDKs).
@xmlrpc("OrderService.placeOrder", P.INT, P.INT, P.INT, P.ARRAY, P.ARRAY, P.BOOL, P.ARRAY, P.INT, P.INT)
def place_order_with_affiliates(s: AppSession, contact_id: int, card_id: int, pay_plan_id: int, product_ids: list,
                                plan_ids: list, process_specials: bool, promo_codes: list, lead_affiliate_id: int,
                                sale_affiliate_id: int) -> dict:
    return orders.place_order(s, contact_id, card_id, pay_plan_id, product_ids, plan_ids, process_specials,
                              promo_codes, lead_affiliate_id, sale_affiliate_id)
