"""ProductService.*: inventory, and (oddly, as the real service has it) deactivating a credit card."""
from __future__ import annotations

from server.domain.commerce import cards, products
from server.domain.errors import InvalidParameter
from server.domain.session import AppSession
from server.xmlrpc.methods import P, xmlrpc


def _quantity(quantity: int) -> int:
    if quantity < 0:
        raise InvalidParameter(f"Invalid quantity: {quantity}")
    return quantity


@xmlrpc("ProductService.getInventory", P.INT, writes=False)
def get_inventory(s: AppSession, product_id: int) -> int:
    return products.inventory(s, product_id)


@xmlrpc("ProductService.incrementInventory", P.INT)
def increment_inventory(s: AppSession, product_id: int) -> bool:
    return products.change_inventory(s, product_id, 1)


@xmlrpc("ProductService.decrementInventory", P.INT)  # the 2017 docs type the id as a string: INT takes both
def decrement_inventory(s: AppSession, product_id: int) -> bool:
    return products.change_inventory(s, product_id, -1)


@xmlrpc("ProductService.increaseInventory", P.INT, P.INT)
def increase_inventory(s: AppSession, product_id: int, quantity: int) -> bool:
    return products.change_inventory(s, product_id, _quantity(quantity))


@xmlrpc("ProductService.decreaseInventory", P.INT, P.INT)
def decrease_inventory(s: AppSession, product_id: int, quantity: int) -> bool:
    return products.change_inventory(s, product_id, -_quantity(quantity))


@xmlrpc("ProductService.deactivateCreditCard", P.INT)
def deactivate_credit_card(s: AppSession, card_id: int) -> bool:
    return cards.deactivate(s, card_id)
