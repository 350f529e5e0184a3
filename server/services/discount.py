"""DiscountService.*: free trials and order, category, product and shipping discounts (specials)."""
from __future__ import annotations

from server.domain.commerce import discounts
from server.domain.session import AppSession
from server.xmlrpc.methods import P, xmlrpc


@xmlrpc("DiscountService.addFreeTrial", P.STRING, P.STRING, P.INT, P.INT, P.INT)
def add_free_trial(s: AppSession, name: str, description: str, days: int, hide_price: int, plan_id: int) -> int:
    return discounts.add_free_trial(s, name, description, days, hide_price, plan_id)


@xmlrpc("DiscountService.getFreeTrial", P.INT, writes=False)
def get_free_trial(s: AppSession, trial_id: int) -> dict:
    return discounts.get(s, trial_id, discounts.FREE_TRIAL)


@xmlrpc("DiscountService.addOrderTotalDiscount", P.STRING, P.STRING, P.INT, P.INT, P.DOUBLE, P.STRING)
def add_order_total_discount(s: AppSession, name: str, description: str, apply_to_commission: int, percent: int,
                             amount: float, pay_type: str) -> int:
    return discounts.add_order_total(s, name, description, apply_to_commission, percent, amount, pay_type)


# The 2017 docs' form without description and amount (infusionsoft-client's stub has it): amount 0.
@xmlrpc("DiscountService.addOrderTotalDiscount", P.STRING, P.INT, P.INT, P.STRING)
def add_order_total_discount_short(s: AppSession, name: str, apply_to_commission: int, percent: int,
                                   pay_type: str) -> int:
    return discounts.add_order_total(s, name, "", apply_to_commission, percent, 0.0, pay_type)


@xmlrpc("DiscountService.getOrderTotalDiscount", P.INT, writes=False)
def get_order_total_discount(s: AppSession, discount_id: int) -> dict:
    return discounts.get(s, discount_id, discounts.ORDER_TOTAL)


@xmlrpc("DiscountService.addCategoryDiscount", P.STRING, P.STRING, P.INT, P.DOUBLE)
def add_category_discount(s: AppSession, name: str, description: str, apply_to_commission: int,
                          amount: float) -> int:
    return discounts.add_category(s, name, description, apply_to_commission, amount)


@xmlrpc("DiscountService.getCategoryDiscount", P.INT, writes=False)
def get_category_discount(s: AppSession, discount_id: int) -> dict:
    return discounts.get(s, discount_id, discounts.CATEGORY)


# The second parameter is a product category id (the iSDK names it productCategoryId, and the assignments
# answer productCategoryId), although the docs call it productId.
@xmlrpc("DiscountService.addCategoryAssignmentToCategoryDiscount", P.INT, P.INT)
def add_category_assignment(s: AppSession, discount_id: int, category_id: int) -> int:
    return discounts.add_category_assignment(s, discount_id, category_id)


@xmlrpc("DiscountService.getCategoryAssignmentsForCategoryDiscount", P.INT, writes=False)
def get_category_assignments(s: AppSession, discount_id: int) -> list:
    return discounts.category_assignments(s, discount_id)


@xmlrpc("DiscountService.addProductTotalDiscount", P.STRING, P.STRING, P.INT, P.INT, P.INT, P.DOUBLE)
def add_product_total_discount(s: AppSession, name: str, description: str, apply_to_commission: int,
                               product_id: int, percent: int, amount: float) -> int:
    return discounts.add_product_total(s, name, description, apply_to_commission, product_id, percent, amount)


@xmlrpc("DiscountService.getProductTotalDiscount", P.INT, writes=False)
def get_product_total_discount(s: AppSession, discount_id: int) -> dict:
    return discounts.get(s, discount_id, discounts.PRODUCT)


@xmlrpc("DiscountService.addShippingTotalDiscount", P.STRING, P.STRING, P.INT, P.INT, P.DOUBLE)
def add_shipping_total_discount(s: AppSession, name: str, description: str, apply_to_commission: int,
                                percent: int, amount: float) -> int:
    return discounts.add_shipping_total(s, name, description, apply_to_commission, percent, amount)


@xmlrpc("DiscountService.getShippingTotalDiscount", P.INT, writes=False)
def get_shipping_total_discount(s: AppSession, discount_id: int) -> dict:
    return discounts.get(s, discount_id, discounts.SHIPPING)
