"""ShippingService.*: the app's shipping options, every value a string as the vendor samples show."""
from __future__ import annotations

from server.domain.commerce import shipping
from server.domain.session import AppSession
from server.xmlrpc.methods import P, xmlrpc


@xmlrpc("ShippingService.getAllShippingOptions", writes=False)
def get_all_shipping_options(s: AppSession) -> list:
    return shipping.all_options(s)


@xmlrpc("ShippingService.getFlatRateShippingOption", P.INT, writes=False)  # the 2017 docs: id as a string
def get_flat_rate(s: AppSession, option_id: int) -> dict:
    return shipping.option(s, option_id, "Flat")


@xmlrpc("ShippingService.getOrderTotalShippingOption", P.INT, writes=False)
def get_order_total(s: AppSession, option_id: int) -> dict:
    return shipping.option(s, option_id, "Total")


@xmlrpc("ShippingService.getOrderTotalShippingRanges", P.INT, writes=False)
def get_order_total_ranges(s: AppSession, option_id: int) -> list:
    return shipping.ranges(s, option_id, "Total")


@xmlrpc("ShippingService.getProductBasedShippingOption", P.INT, writes=False)
def get_product_based(s: AppSession, option_id: int) -> dict:
    return shipping.option(s, option_id, "Product")


@xmlrpc("ShippingService.getOrderQuantityShippingOption", P.INT, writes=False)
def get_order_quantity(s: AppSession, option_id: int) -> dict:
    return shipping.option(s, option_id, "Quantity")


@xmlrpc("ShippingService.getWeightBasedShippingOption", P.INT, writes=False)
def get_weight_based(s: AppSession, option_id: int) -> dict:
    return shipping.option(s, option_id, "Weight")


@xmlrpc("ShippingService.getUpsShippingOption", P.INT, writes=False)
def get_ups(s: AppSession, option_id: int) -> dict:
    return shipping.option(s, option_id, "UPS")


# --- undocumented (Novak SDK) ------------------------------------------------------------------------------

@xmlrpc("ShippingService.getProductShippingPricesForProductShippingOption", P.INT, writes=False)
def get_product_shipping_prices(s: AppSession, option_id: int) -> list:
    return shipping.product_prices(s, option_id)


@xmlrpc("ShippingService.getWeightBasedShippingRanges", P.INT, writes=False)
def get_weight_based_ranges(s: AppSession, option_id: int) -> list:
    return shipping.ranges(s, option_id, "Weight")
