"""XML-RPC calls of the commerce services (invoices, orders, discounts, affiliates) translated to REST v2,
for the side-by-side compare (issue 19 §3); see translate.py."""
from __future__ import annotations

from collections.abc import Callable

from .v2call import V2Call

COMMERCE_TRANSLATORS: dict[str, Callable[[list], V2Call]] = {
}
